package fetcher

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/natstest"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
)

func TestFeedStatusCommand(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	conn := natstest.Connect(t, ns.ClientURL())
	ctx := context.Background()
	store, err := state.Open(ctx, conn.JS, state.Options{Bucket: schema.BucketFeedState})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	states := []state.FeedState{
		{URL: "https://a.example/rss", LastPoll: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute),
			NextPoll: now.Add(14 * time.Minute), ItemsSeen: 42, Owner: "fetcher-1",
			// Recovered: the old error stays in the state, not in the table.
			LastError: "httpx: blocked address: 127.0.0.1 is loopback", LastErrorClass: "permanent", LastErrorAt: now.Add(-time.Hour)},
		{URL: "https://b.example/feed", LastPoll: now.Add(-2 * time.Minute), LastSuccess: now.Add(-3 * time.Hour),
			LastError: "httpx: http status 503 Service Unavailable: https://b.example/feed", LastErrorClass: "rate_limited",
			LastErrorAt: now.Add(-2 * time.Minute), ConsecutiveFailures: 4, NextPoll: now.Add(time.Hour), ItemsSeen: 7, Owner: "fetcher-2"},
		{URL: "https://gone.example/rss", LastPoll: now.Add(-72 * time.Hour), LastSuccess: now.Add(-72 * time.Hour), NextPoll: now.Add(-71 * time.Hour)},
	}
	for _, st := range states {
		if _, err := store.Put(ctx, st, 0); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "feeds.yaml")
	yaml := "feeds:\n  - url: https://a.example/rss\n    title: A\n  - url: https://b.example/feed\n  - url: https://new.example/rss\n  - url: https://off.example/rss\n    enabled: false\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, ns.ClientURL(), file)

	var table bytes.Buffer
	if err := feedStatusCommand(ctx, cfg, store, "table", &table, now); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"URL                       STATUS    LAST SUCCESS  FAILURES  LAST ERROR                                                                               NEXT POLL  ITEMS SEEN  OWNER\n" +
		"https://a.example/rss     ok        1m ago        0         -                                                                                        in 14m     42          fetcher-1\n" +
		"https://b.example/feed    failing   3h ago        4         rate_limited 2m ago: httpx: http status 503 Service Unavailable: https://b.example/feed  in 1h      7           fetcher-2\n" +
		"https://new.example/rss   never     -             0         -                                                                                        -          0           -\n" +
		"https://off.example/rss   disabled  -             0         -                                                                                        -          0           -\n" +
		"https://gone.example/rss  removed   3d ago        0         -                                                                                        -          0           -\n"
	if table.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", table.String(), want)
	}

	// Through Main, flags after the word feeds, JSON out.
	var out, errOut bytes.Buffer
	err = Main(ctx, app.Env{Args: []string{"--log-level", "error", "feeds", "--nats-url", ns.ClientURL(), "--feeds", file, "--format", "json"},
		Lookup: noEnv, Stdout: &out, Stderr: &errOut})
	if err != nil {
		t.Fatalf("%v (%s)", err, errOut.String())
	}
	var rows []FeedStatus
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Status+" "+r.URL)
	}
	wantRows := "ok https://a.example/rss,failing https://b.example/feed,never https://new.example/rss,disabled https://off.example/rss,removed https://gone.example/rss"
	if strings.Join(got, ",") != wantRows {
		t.Errorf("rows %v, want %s", got, wantRows)
	}
	if rows[0].State.LastError == "" {
		t.Errorf("a recovered feed's last error is missing from JSON: %+v", rows[0].State)
	}
	if rows[1].State.LastErrorClass != "rate_limited" || rows[1].State.ConsecutiveFailures != 4 || !rows[1].State.NextPoll.Equal(now.Add(time.Hour)) {
		t.Errorf("failing feed's state in JSON: %+v", rows[1].State)
	}

	err = Main(ctx, app.Env{Args: []string{"feeds", "--nats-url", ns.ClientURL(), "--format", "yaml"}, Lookup: noEnv, Stdout: &out, Stderr: &errOut})
	if err == nil || !strings.Contains(err.Error(), "want table or json") {
		t.Errorf("--format yaml: %v", err)
	}
}
