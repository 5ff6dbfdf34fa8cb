package state

import (
	"context"
	"testing"
	"time"
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

func TestSeen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	js := runJetStream(t)
	s, err := OpenSeen(ctx, js, SeenOptions{TTL: 24 * time.Hour, TitleWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !s.keyTTL {
		t.Error("embedded server supports per-key TTL but the store does not use it")
	}
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
	if err := s.Mark(ctx, item, "article-1"); err != nil {
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
	if err := s.Mark(ctx, short, "live-1"); err != nil {
		t.Fatal(err)
	}
	check("short title", SeenItem{FeedURL: feedA, GUID: "s2", URL: "https://news.example.org/live", Title: "Live"}, New, "")

	// Outside the title window the same title is a new story.
	now = now.Add(2 * time.Hour)
	check("title after window", copyItem, New, "")
	// Marking it starts a new window.
	if err := s.Mark(ctx, copyItem, "article-2"); err != nil {
		t.Fatal(err)
	}
	check("title in new window", SeenItem{FeedURL: feedA, GUID: "y", URL: "https://third.example/storm", Title: title}, Duplicate, "title")

	// Items without GUID rely on the URL.
	noGUID := SeenItem{FeedURL: feedA, URL: "https://news.example.org/other?b=2&a=1", Title: "Another story"}
	if err := s.Mark(ctx, noGUID, "article-3"); err != nil {
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
	for _, tc := range []struct {
		name   string
		it     SeenItem
		status Status
		by     string
	}{
		{"same item", it, Unchanged, "url"},
		{"same page in another feed", SeenItem{FeedURL: feedB, GUID: it.GUID, URL: it.GUID, Title: "Another title entirely, for this feed", ContentHash: "h1"}, Unchanged, "url"},
		{"link moved, GUID kept", SeenItem{FeedURL: feedA, GUID: it.GUID, URL: "https://news.example.org/2026/storm-updated", Title: "Storm updated: tens of thousands now without power", ContentHash: "h2"}, Changed, "guid"},
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
