package fetcher

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/natstest"
)

// storyScripts are the scripts of every story page: a tracker, which the
// fetcher strips, and JSON-LD, which it keeps.
const storyScripts = `<script>var tracker = "TRACKER-CODE";</script><script type="application/ld+json">{"headline":"LD"}</script>`

// newsServer serves one RSS feed whose items link to pages on the same
// server; with huge, the feed also lists /huge, a page too large for a NATS
// message even compressed, and /missing, a 404.
func newsServer(t *testing.T, pages int, huge bool) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		var items strings.Builder
		for i := 0; i < pages; i++ {
			fmt.Fprintf(&items, `<item><title>Story %d</title><link>%s/story/%d?utm_source=rss</link><guid>g%d</guid>
<pubDate>Mon, 06 Feb 2019 10:00:00 GMT</pubDate><author>desk@example.com (Desk)</author><category>World</category></item>`, i, srv.URL, i, i)
		}
		if huge {
			fmt.Fprintf(&items, `<item><title>Huge</title><link>%s/huge</link><guid>huge</guid></item>`, srv.URL)
			fmt.Fprintf(&items, `<item><title>Missing</title><link>%s/missing</link><guid>missing</guid></item>`, srv.URL)
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Test Wire</title><link>%s</link>%s</channel></rss>`, srv.URL, items.String())
	})
	mux.HandleFunc("/story/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>%s</title>%s</head><body><article><p>%s</p></article></body></html>", r.URL.Path,
			storyScripts, strings.Repeat("Words of the story. ", 50))
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		// Random-looking text does not compress below the 1 MB limit.
		w.Header().Set("Content-Type", "text/html")
		var b bytes.Buffer
		x := uint64(88172645463325252)
		for b.Len() < 3<<20 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			fmt.Fprintf(&b, "%x ", x)
		}
		_, _ = w.Write(b.Bytes())
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func newsFeeds(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	feeds := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(feeds, []byte("feeds:\n  - url: "+srv.URL+"/feed.xml\n    title: Wire\n    tags: [world]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return feeds
}

// runOnce runs the service with --once and returns the totals it printed.
func runOnce(t *testing.T, cfg Config) Totals {
	t.Helper()
	cfg.Once = true
	var out bytes.Buffer
	if err := Run(context.Background(), cfg, zaptest.NewLogger(t), &out); err != nil {
		t.Fatal(err)
	}
	var totals Totals
	if err := json.Unmarshal(out.Bytes(), &totals); err != nil {
		t.Fatalf("totals %q: %v", out.String(), err)
	}
	return totals
}

func TestStripScriptsOff(t *testing.T) {
	t.Parallel()
	s := natstest.RunJetStream(t)
	srv := newsServer(t, 2, false)
	if totals := runOnce(t, testConfig(t, s.ClientURL(), newsFeeds(t, srv), "--strip-scripts=false")); totals.Published != 2 {
		t.Fatalf("totals = %+v, want 2 published", totals)
	}
	for _, a := range fetchedMessages(t, natstest.Connect(t, s.ClientURL()).JS) {
		html, err := a.HTML()
		if err != nil || !bytes.Contains(html, []byte(storyScripts)) || a.BodyFilter != "" || a.Response.Size != len(html) {
			t.Errorf("page not as fetched: %v filter %q size %d body %q", err, a.BodyFilter, a.Response.Size, html)
		}
	}
}

func TestRunOncePublishesArticles(t *testing.T) {
	t.Parallel()
	s := natstest.RunJetStream(t)
	srv := newsServer(t, 12, true)
	cfg := testConfig(t, s.ClientURL(), newsFeeds(t, srv), "--max-body-bytes", "8MiB")

	totals := runOnce(t, cfg)
	want := Totals{FeedPolls: 1, Items: 14, Published: 12, ArticleErrors: 1, DeadLetters: 1}
	if totals != want {
		t.Fatalf("totals = %+v, want %+v", totals, want)
	}

	conn := natstest.Connect(t, s.ClientURL())
	msgs := fetchedMessages(t, conn.JS)
	for _, a := range msgs {
		html, err := a.HTML()
		if err != nil || !bytes.Contains(html, []byte("Words of the story.")) {
			t.Fatalf("body: %v %q", err, html)
		}
		// Its own page: pages pass through reused buffers, concurrently.
		if u, err := url.Parse(a.URL); err != nil || !bytes.Contains(html, []byte("<title>"+u.Path+"</title>")) {
			t.Errorf("article %s carries another page: %q", a.URL, html[:min(len(html), 80)])
		}
		if bytes.Contains(html, []byte("TRACKER-CODE")) || !bytes.Contains(html, []byte(`{"headline":"LD"}`)) ||
			a.BodyFilter != schema.FilterStripped || a.Response.Size != len(html)+len("TRACKER-CODE")+len(`var tracker = "";`) {
			t.Errorf("page not stripped of its script (JSON-LD kept, size of the page as fetched): filter %q size %d body %q",
				a.BodyFilter, a.Response.Size, html)
		}
		if a.Item.FeedURL != srv.URL+"/feed.xml" || a.Item.FeedTitle != "Wire" || a.Item.Title == "" || a.Item.GUID == "" ||
			a.Item.PublishedAt == nil || len(a.Item.Categories) == 0 || len(a.Item.FeedTags) == 0 {
			t.Errorf("feed item metadata incomplete: %+v", a.Item)
		}
		if strings.Contains(a.CanonicalURL, "utm_source") || a.Response.Status != 200 || a.Response.Size == 0 || a.Update {
			t.Errorf("canonical %q status %d size %d update %v", a.CanonicalURL, a.Response.Status, a.Response.Size, a.Update)
		}
		if id, _, _ := schema.ArticleID(a.URL); id != a.ID {
			t.Errorf("id %s does not derive from the URL", a.ID)
		}
	}
	if len(msgs) != 12 {
		t.Fatalf("%d articles in the stream, want 12", len(msgs))
	}
	dls, err := bus.ListDeadLetters(context.Background(), conn.JS, schema.StageFetcher, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || dls[0].Reason != "too_large" || !strings.Contains(dls[0].Error, "does not fit") {
		t.Fatalf("dead letters = %+v, want one too_large", dls)
	}
	var meta schema.ArticleFetchedV1
	if err := json.Unmarshal(dls[0].Data, &meta); err != nil || !strings.HasSuffix(meta.URL, "/huge") {
		t.Fatalf("dead letter payload should be the page's metadata: %v %q", err, dls[0].Data)
	}

	// A second live run reads the shared state: the feed's bytes are
	// unchanged, so nothing is parsed, fetched or published.
	totals = runOnce(t, cfg)
	want = Totals{FeedPolls: 1, Unchanged: 1}
	if totals != want {
		t.Fatalf("second run totals = %+v, want %+v", totals, want)
	}
}

// A replay never depends on the state of an earlier run: replaying twice
// publishes every article twice (JetStream de-duplicates the second time).
func TestReplayTwiceRepublishes(t *testing.T) {
	t.Parallel()
	s := natstest.RunJetStream(t)
	srv := newsServer(t, 5, false)
	feeds := newsFeeds(t, srv)
	rec := t.TempDir()
	live := runOnce(t, testConfig(t, s.ClientURL(), feeds, "--max-body-bytes", "8MiB", "--record", rec))
	if live.Published != 5 {
		t.Fatalf("recording run published %d, want 5", live.Published)
	}
	srv.Close() // the replay must not need the server

	for run := 1; run <= 2; run++ {
		totals := runOnce(t, testConfig(t, s.ClientURL(), feeds, "--max-body-bytes", "8MiB", "--replay", rec))
		if totals.Published != 5 || totals.Duplicates != 0 || totals.Unchanged != 0 {
			t.Fatalf("replay %d: totals %+v, want 5 published and nothing seen before", run, totals)
		}
	}
	conn := natstest.Connect(t, s.ClientURL())
	if n := len(fetchedMessages(t, conn.JS)); n != 5 {
		t.Errorf("%d articles in the stream after three runs, want 5 (de-duplicated)", n)
	}
	// The replays' buckets are gone; the live run's remain.
	names := conn.JS.KeyValueStoreNames(context.Background())
	var buckets []string
	for n := range names.Name() {
		buckets = append(buckets, n)
	}
	if strings.Contains(strings.Join(buckets, ","), "replay") || len(buckets) != 2 {
		t.Errorf("buckets after the runs: %v, want only %s and %s", buckets, schema.BucketFeedState, schema.BucketSeenItems)
	}
}

func TestRunNeedsFeeds(t *testing.T) {
	t.Parallel()
	cfg := Config{Once: true, Common: config.Common{HTTPAddr: "127.0.0.1:0",
		NATS: config.NATS{URL: "nats://127.0.0.1:1", ConnectTO: time.Second}}}
	var c Config
	if _, err := Table(&c).Parse(nil, noEnv, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	c.Common, c.Once = cfg.Common, true
	err := Run(context.Background(), c, zaptest.NewLogger(t), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--feeds") {
		t.Fatalf("err = %v, want one telling to give --feeds", err)
	}
}
