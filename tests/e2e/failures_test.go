package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

// feedSite serves two RSS feeds on loopback: feed a links a page that is
// missing (404), feed b one that is there.
type feedSite struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newFeedSite(t *testing.T) *feedSite {
	t.Helper()
	s := &feedSite{hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		switch p := r.URL.Path; {
		case p == "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		case strings.HasSuffix(p, ".xml"):
			name := strings.TrimSuffix(strings.TrimPrefix(p, "/"), ".xml")
			page := map[string]string{"a": "/page/a-missing", "b": "/page/b"}[name]
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %[1]s</title><link>%[2]s</link>
<item><title>Story %[1]s</title><link>%[2]s%[3]s</link><guid>%[2]s%[3]s</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
</channel></rss>`, name, s.URL, page)
		case p == "/page/b":
			fmt.Fprint(w, "<html><head><title>Story b</title></head><body><article><p>A page that is there, with a paragraph of text.</p></article></body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *feedSite) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// liveRun runs the pipeline on live feeds until done reports true (or a
// minute passes), then stops it as Ctrl-C would, and returns the summary.
func liveRun(t *testing.T, o orchestrate.Options, done func() bool) orchestrate.Summary {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		deadline := time.Now().Add(time.Minute)
		for !done() && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond) // let the counters be scraped
		cancel()
	}()
	sum, err := orchestrate.Run(ctx, o)
	if err != nil {
		t.Fatalf("run: %v\nsummary: %+v", err, sum)
	}
	return sum
}

// logHas reports whether the fetcher's log holds n lines with s.
func logHas(path, s string, n int) func() bool {
	return func() bool {
		b, _ := os.ReadFile(path)
		return strings.Count(string(b), s) >= n
	}
}

// The run summary names why feeds and pages failed, with counts and an
// example each: first the feeds are refused (loopback blocked, the
// fetcher's default), then with loopback allowed a page is missing. The
// second run polls the feeds at once despite the first run's backoff (the
// fetcher's settings changed), and names only its own failures.
func TestRunSummaryNamesFailureReasons(t *testing.T) {
	root := testkit.RepoRoot(t)
	bin := buildServices(t, root)
	data := t.TempDir()
	site := newFeedSite(t)
	feeds := filepath.Join(t.TempDir(), "feeds.yaml")
	yaml := fmt.Sprintf("feeds:\n  - url: %s/a.xml\n  - url: %s/b.xml\n", site.URL, site.URL)
	if err := os.WriteFile(feeds, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	o := orchestrate.Options{BinDir: bin, DataDir: data, Feeds: feeds, Timeout: 3 * time.Minute}
	fetcherLog := filepath.Join(data, "logs", "fetcher.log")

	sum := liveRun(t, o, logHas(fetcherLog, "Feed poll failed.", 2))
	if sum.FeedErrors != 2 || len(sum.Failures.Feeds) != 1 {
		t.Fatalf("first run: feed errors %d, reasons %+v: want 2 errors with one reason", sum.FeedErrors, sum.Failures.Feeds)
	}
	r := sum.Failures.Feeds[0]
	if r.Reason != "blocked address: 127.0.0.1 is loopback" || r.Count != 2 || r.Class != "permanent" ||
		(r.Example != site.URL+"/a.xml" && r.Example != site.URL+"/b.xml") {
		t.Errorf("first run's feed reason %+v", r)
	}
	if site.count("/a.xml")+site.count("/b.xml") != 0 {
		t.Fatalf("the blocked feeds were fetched")
	}

	o.Env = []string{"NEWSFLOW_FETCHER_ALLOW_LOOPBACK=true"}
	start := time.Now()
	sum = liveRun(t, o, func() bool {
		return site.count("/page/a-missing") > 0 && logHas(fetcherLog, "Article fetch failed.", 1)()
	})
	if site.count("/page/a-missing") == 0 || site.count("/page/b") == 0 {
		t.Fatalf("second run (%v): the feeds were not polled again at once: hits %v", time.Since(start).Round(time.Second), site.hits)
	}
	if len(sum.Failures.Feeds) != 0 {
		t.Errorf("second run names feed reasons %+v: the first run's, read again", sum.Failures.Feeds)
	}
	if len(sum.Failures.Pages) != 1 {
		t.Fatalf("second run's page reasons %+v, want one", sum.Failures.Pages)
	}
	if p := sum.Failures.Pages[0]; p.Reason != "http status 404 Not Found" || p.Count != 1 || p.Example != site.URL+"/page/a-missing" {
		t.Errorf("page reason %+v", p)
	}
}
