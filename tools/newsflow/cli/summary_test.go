package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/tools/newsflow/cli"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

func TestPrintSummaryNamesFailures(t *testing.T) {
	s := orchestrate.Summary{Feeds: 21, FeedErrors: 21, Fetched: 24, FetchErrors: 5,
		DBPath: "data/newsflow.db", FetcherLog: "data/logs/fetcher.log", FeedsFile: "f.yaml",
		Failures: orchestrate.Failures{
			Feeds: []orchestrate.Reason{{Reason: "blocked address: 127.0.0.1 is loopback", Class: "permanent", Count: 21, Example: "http://127.0.0.1:8000/a.xml"}},
			Pages: []orchestrate.Reason{{Reason: "http status 404 Not Found", Class: "permanent", Count: 3, Example: "http://x.example/p/1"},
				{Reason: "warc: not in recording", Class: "permanent", Count: 2, Example: "http://x.example/p/9"}},
		}}
	var out bytes.Buffer
	cli.PrintSummary(&out, s)
	got := strings.Join(strings.Fields(out.String()), " ") // columns widen with the counts
	for _, want := range []string{
		"feeds polled 21 (errors 21) 21× blocked address: 127.0.0.1 is loopback [permanent], e.g. http://127.0.0.1:8000/a.xml articles fetched",
		"articles fetched 24 (errors 5) 3× http status 404 Not Found [permanent], e.g. http://x.example/p/1 " +
			"2× warc: not in recording [permanent], e.g. http://x.example/p/9 articles cleaned",
		"bin/fetcher feeds --feeds f.yaml --nats-url",
		"bin/fetcher feeds reset --failing",
		"data/logs/fetcher.log",
		// What is counted is named: the desk's page counts claim groups.
		"in the store 0 articles, 0 relevant, 0 claims extracted",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	// A clean run says nothing of failures.
	out.Reset()
	cli.PrintSummary(&out, orchestrate.Summary{Feeds: 5, Fetched: 56, DBPath: "data/newsflow.db", FetcherLog: "data/logs/fetcher.log"})
	if strings.Contains(out.String(), "fetcher feeds") || strings.Contains(out.String(), "×") {
		t.Errorf("clean run's summary mentions failures:\n%s", out.String())
	}
}
