package state

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/service/natstest"
)

func TestNormTitle(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Live", ""},
		{"Breaking: news", ""},
		{"Storm hits the coast, thousands without power", "storm hits the coast thousands without power"},
		{"  STORM hits THE coast — thousands without power! ", "storm hits the coast thousands without power"},
		{"東京で大雨警報が発表され交通機関に大きな影響が出ています", "東京で大雨警報が発表され交通機関に大きな影響が出ています"},
	}
	for _, tc := range tests {
		if got := normTitle(tc.in); got != tc.want {
			t.Errorf("normTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// markFunc records an item: Seen.Mark, or a Marker's Add and Flush.
type markFunc func(ctx context.Context, s *Seen, it SeenItem, articleID string) error

func markNow(ctx context.Context, s *Seen, it SeenItem, articleID string) error {
	return s.Mark(ctx, it, articleID)
}

// markInBurst marks through a Marker, as the fetcher does.
func markInBurst(ctx context.Context, s *Seen, it SeenItem, articleID string) error {
	var failed error
	m := s.NewMarker(time.Hour, func(_ SeenItem, err error) { failed = err })
	m.Add(it, articleID)
	if err := m.Flush(ctx); err != nil {
		return err
	}
	return failed
}

func TestSeen(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		server string
		mark   markFunc
	}{
		{"Mark", "embedded", markNow},
		{"Marker", "embedded", markInBurst},
		{"Mark", "nats-server 2.9", markNow},
		{"Marker", "nats-server 2.9", markInBurst},
	} {
		t.Run(tc.name+" on "+tc.server, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			bucket := DefaultSeenBucket
			var js jetstream.JetStream
			if tc.server == "embedded" {
				js = runJetStream(t)
			} else {
				js = natstest.Connect(t, natstest.RealURL(t)).JS
				bucket = fmt.Sprintf("test_seen_%d", time.Now().UnixNano())
				t.Cleanup(func() { _ = js.DeleteKeyValue(context.Background(), bucket) })
			}
			s, err := OpenSeen(ctx, js, SeenOptions{Bucket: bucket, TTL: 24 * time.Hour, TitleWindow: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if s.keyTTL != (tc.server == "embedded") {
				t.Errorf("per-key TTL used: %v; the embedded server has it, 2.9 does not", s.keyTTL)
			}
			seenScenario(t, s, tc.mark)
		})
	}
}

func seenScenario(t *testing.T, s *Seen, mark markFunc) {
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }

	const feedA, feedB = "https://a.example/rss", "https://b.example/rss"
	title := "Storm hits the coast, thousands without power"
	item := SeenItem{FeedURL: feedA, GUID: "1", URL: "https://news.example.org/storm?utm_source=rss#top", Title: title, ContentHash: "h1"}

	check := func(name string, it SeenItem, want Status, wantBy string) {
		t.Helper()
		v, err := s.Check(ctx, it)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v.Status != want || v.By != wantBy {
			t.Errorf("%s: verdict %v by %q, want %v by %q", name, v.Status, v.By, want, wantBy)
		}
	}
	check("unknown", item, New, "")
	if err := mark(ctx, s, item, "article-1"); err != nil {
		t.Fatal(err)
	}
	check("same item", item, Unchanged, "guid")
	edited := item
	edited.ContentHash = "h2"
	check("edited item", edited, Changed, "guid")
	if v, _ := s.Check(ctx, item); v.ArticleID != "article-1" {
		t.Errorf("ArticleID = %q", v.ArticleID)
	}

	// Same GUID in another feed is another item, but its canonical URL
	// (tracking parameters and fragment dropped) is known.
	other := SeenItem{FeedURL: feedB, GUID: "1", URL: "https://NEWS.example.org/storm", Title: "Something else entirely happened today", ContentHash: "h1"}
	check("same url via other feed", other, Unchanged, "url")
	// Syndicated copy: new URL, same title, within the window.
	copyItem := SeenItem{FeedURL: feedB, GUID: "x9", URL: "https://mirror.example.net/2026/storm", Title: "Storm hits the coast — thousands without power", ContentHash: "z"}
	check("same title elsewhere", copyItem, Duplicate, "title")
	// Short titles never match.
	short := SeenItem{FeedURL: feedB, GUID: "s1", URL: "https://mirror.example.net/live", Title: "Live"}
	if err := mark(ctx, s, short, "live-1"); err != nil {
		t.Fatal(err)
	}
	check("short title", SeenItem{FeedURL: feedA, GUID: "s2", URL: "https://news.example.org/live", Title: "Live"}, New, "")

	// Outside the title window the same title is a new story.
	now = now.Add(2 * time.Hour)
	check("title after window", copyItem, New, "")
	// Marking it starts a new window.
	if err := mark(ctx, s, copyItem, "article-2"); err != nil {
		t.Fatal(err)
	}
	check("title in new window", SeenItem{FeedURL: feedA, GUID: "y", URL: "https://third.example/storm", Title: title}, Duplicate, "title")

	// Items without GUID rely on the URL.
	noGUID := SeenItem{FeedURL: feedA, URL: "https://news.example.org/other?b=2&a=1", Title: "Another story"}
	if err := mark(ctx, s, noGUID, "article-3"); err != nil {
		t.Fatal(err)
	}
	check("no guid, reordered query", SeenItem{FeedURL: feedA, URL: "https://news.example.org/other?a=1&b=2"}, Unchanged, "url")
}

func TestSeenPermalinkGUIDs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := OpenSeen(ctx, runJetStream(t), SeenOptions{Bucket: "seen_permalink", TTL: 24 * time.Hour, TitleWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	const feedA, feedB = "https://a.example/rss", "https://b.example/rss"
	it := SeenItem{FeedURL: feedA, GUID: "https://news.example.org/2026/storm", URL: "https://news.example.org/2026/storm?utm_source=rss",
		Title: "Storm hits the coast, thousands without power", ContentHash: "h1"}
	// The GUID is the link: one key for both, and the title's.
	if ks := s.keys(it); len(ks) != 2 || ks[0].by != "url" || ks[1].by != "title" {
		t.Fatalf("keys = %+v, want the URL's and the title's", ks)
	}
	if err := s.Mark(ctx, it, "article-1"); err != nil {
		t.Fatal(err)
	}
	// Feed A's item links to one address and uses another as its GUID
	// (feedparser's item_guid_conflict_link.xml).
	conflict := SeenItem{FeedURL: feedA, GUID: "https://news.example.org/2026/flood", URL: "https://link.example.com/flood-story",
		Title: "A story filed under another address", ContentHash: "h3"}
	if err := s.Mark(ctx, conflict, "article-2"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		it     SeenItem
		status Status
		by     string
	}{
		{"same item", it, Unchanged, "url"},
		{"same GUID again in its feed", conflict, Unchanged, "guid"},
		{"same page in another feed", SeenItem{FeedURL: feedB, GUID: it.GUID, URL: it.GUID, Title: "Another title entirely, for this feed", ContentHash: "h1"}, Unchanged, "url"},
		{"link moved, GUID kept", SeenItem{FeedURL: feedA, GUID: it.GUID, URL: "https://news.example.org/2026/storm-updated", Title: "Storm updated: tens of thousands now without power", ContentHash: "h2"}, Changed, "guid"},
		{"another feed's item at an address used as a GUID", SeenItem{FeedURL: feedB, GUID: "https://news.example.org/2026/flood", URL: "https://news.example.org/2026/flood", Title: "Floods follow the storm inland"}, New, ""},
		{"a GUID that only looks like text", SeenItem{FeedURL: feedA, GUID: "tag:news.example.org,2026:storm", URL: "https://news.example.org/other", Title: "A different story on another day"}, New, ""},
	} {
		v, err := s.Check(ctx, tc.it)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != tc.status || v.By != tc.by {
			t.Errorf("%s: verdict %v by %q, want %v by %q", tc.name, v.Status, v.By, tc.status, tc.by)
		}
	}
}

func TestSeenRefreshKeepsLingeringItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := OpenSeen(ctx, runJetStream(t), SeenOptions{Bucket: "seen_refresh", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.now = func() time.Time { return now }
	it := SeenItem{FeedURL: "https://a.example/rss", GUID: "1", URL: "https://a.example/1", ContentHash: "h"}
	if err := s.Mark(ctx, it, "id"); err != nil {
		t.Fatal(err)
	}
	key := s.keys(it)[0].key
	before, err := s.kv.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	// Within half the TTL: no write.
	now = now.Add(20 * time.Minute)
	if _, err := s.Check(ctx, it); err != nil {
		t.Fatal(err)
	}
	mid, _ := s.kv.Get(ctx, key)
	if mid.Revision() != before.Revision() {
		t.Error("refreshed before half the TTL")
	}
	// Past half the TTL: refreshed, so the bucket TTL restarts.
	now = now.Add(20 * time.Minute)
	if _, err := s.Check(ctx, it); err != nil {
		t.Fatal(err)
	}
	after, _ := s.kv.Get(ctx, key)
	if after.Revision() == before.Revision() {
		t.Error("not refreshed after half the TTL")
	}
}

// TestCheckAll checks a feed's items at once: each verdict must be
// Check's, read in one request on a current server and key by key on the
// machine's nats-server 2.9, which has no multi-key direct get.
func TestCheckAll(t *testing.T) {
	t.Parallel()
	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		s := checkAllCase(t, runJetStream(t), DefaultSeenBucket, func(err error) { t.Errorf("fell back: %v", err) })
		if s.noMulti.Load() {
			t.Error("the embedded server reads many keys at once, but CheckAll fell back to one key at a time")
		}
	})
	t.Run("nats-server 2.9", func(t *testing.T) {
		t.Parallel()
		js := natstest.Connect(t, natstest.RealURL(t)).JS
		bucket := fmt.Sprintf("test_checkall_%d", time.Now().UnixNano())
		t.Cleanup(func() { _ = js.DeleteKeyValue(context.Background(), bucket) })
		var told atomic.Int32
		if s := checkAllCase(t, js, bucket, func(error) { told.Add(1) }); !s.noMulti.Load() {
			t.Error("nats-server 2.9 cannot read many keys at once, yet CheckAll did not fall back")
		} else if told.Load() != 1 {
			t.Errorf("OnKeyByKey called %d times, want once", told.Load())
		}
	})
}

func checkAllCase(t *testing.T, js jetstream.JetStream, bucket string, onKeyByKey func(error)) *Seen {
	t.Helper()
	ctx := context.Background()
	s, err := OpenSeen(ctx, js, SeenOptions{Bucket: bucket, TTL: 24 * time.Hour, TitleWindow: time.Hour, OnKeyByKey: onKeyByKey})
	if err != nil {
		t.Fatal(err)
	}
	const feed = "https://a.example/rss"
	marked := []SeenItem{
		{FeedURL: feed, GUID: "1", URL: "https://news.example.org/a", Title: "Storm hits the coast, thousands without power", ContentHash: "h1"},
		{FeedURL: feed, GUID: "2", URL: "https://news.example.org/b", Title: "Second story of the day in the city", ContentHash: "h2"},
		{FeedURL: feed, GUID: "gone", URL: "https://news.example.org/gone", ContentHash: "h3"},
	}
	for i, it := range marked {
		if err := s.Mark(ctx, it, fmt.Sprintf("article-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range s.keys(marked[2]) {
		if err := s.kv.Delete(ctx, k.key); err != nil {
			t.Fatal(err)
		}
	}
	items := []SeenItem{
		marked[0], // unchanged
		{FeedURL: feed, GUID: "2", URL: "https://news.example.org/b", ContentHash: "edited"},                                         // changed
		{FeedURL: "https://b.example/rss", GUID: "9", URL: "https://news.example.org/a?utm_source=x", Title: "Other words entirely"}, // known url
		{FeedURL: feed, GUID: "3", URL: "https://mirror.example.net/storm", Title: "Storm hits the coast — thousands without power"}, // title
		marked[2], // deleted: new again
		{FeedURL: feed, GUID: "4", URL: "https://news.example.org/new", Title: "A story nobody has seen before today"}, // new
	}
	want := []Status{Unchanged, Changed, Unchanged, Duplicate, New, New}
	vs, errs := s.CheckAll(ctx, items)
	for i, it := range items {
		one, err := s.Check(ctx, it)
		if errs[i] != nil || err != nil {
			t.Fatalf("item %d: CheckAll %v, Check %v", i, errs[i], err)
		}
		if vs[i] != one || vs[i].Status != want[i] {
			t.Errorf("item %d: CheckAll %+v, Check %+v, want %v", i, vs[i], one, want[i])
		}
	}
	// More keys than one request takes.
	many := make([]SeenItem, 700)
	for i := range many {
		many[i] = SeenItem{FeedURL: feed, GUID: fmt.Sprint("m", i), URL: fmt.Sprintf("https://news.example.org/m/%d", i), Title: fmt.Sprintf("Story number %d of the long feed today", i)}
		if i%2 == 0 {
			if err := s.Mark(ctx, many[i], "x"); err != nil {
				t.Fatal(err)
			}
		}
	}
	vs, errs = s.CheckAll(ctx, many)
	for i := range many {
		if errs[i] != nil || (vs[i].Status == New) != (i%2 == 1) {
			t.Fatalf("long feed, item %d: %+v %v", i, vs[i], errs[i])
		}
	}
	return s
}
