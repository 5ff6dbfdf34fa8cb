package fetcher

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/natstest"
	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
)

// itemServer serves feeds whose items the test sets, and pages that count
// their requests and carry a version the test sets.
type itemServer struct {
	*httptest.Server
	mu       sync.Mutex
	feeds    map[string][]string // path -> items
	etag     string
	version  map[string]int
	requests map[string]int
	status   map[string][]int // page path -> status codes to answer first
	lastINM  string
}

func newItemServer(t *testing.T) *itemServer {
	t.Helper()
	s := &itemServer{feeds: map[string][]string{}, version: map[string]int{}, requests: map[string]int{}, status: map[string][]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests[r.URL.Path]++
		if items, ok := s.feeds[r.URL.Path]; ok {
			s.lastINM = r.Header.Get("If-None-Match")
			if s.etag != "" {
				if s.lastINM == s.etag {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Header().Set("ETag", s.etag)
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write([]byte(rss("", items...)))
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/page/") {
			http.NotFound(w, r)
			return
		}
		if codes := s.status[r.URL.Path]; len(codes) > 0 {
			s.status[r.URL.Path] = codes[1:]
			w.WriteHeader(codes[0])
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><body><article><p>%s version %d</p></article></body></html>", r.URL.Path, s.version[r.URL.Path])
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *itemServer) set(fn func(s *itemServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

func (s *itemServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

func TestItemsDeduplicatedAndUpdated(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	srv := newItemServer(t)
	u := srv.URL
	titleA := "Ministers agree a new budget for the coming year"
	itemA := func(desc string) string { return rssItem("a", u+"/page/a", titleA, desc) }
	itemB := rssItem("b", u+"/page/b?utm_source=rss", "Storm closes schools across the northern region", "b")
	srv.set(func(s *itemServer) { s.feeds["/one.xml"] = []string{itemA("first"), itemB}; s.version["/page/a"] = 1 })

	one, two := feedlist.Feed{URL: u + "/one.xml"}, feedlist.Feed{URL: u + "/two.xml"}
	cfg := testConfig(t, ns.ClientURL(), writeFeedsFile(t, t.TempDir(), one.URL, two.URL), "--jitter", "0", "--min-interval", "1m")
	r := newReplica(t, cfg, "r1")
	clock := &fakeClock{t: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)}
	r.now = clock.now

	steps := []struct {
		name   string
		change func(s *itemServer)
		feed   feedlist.Feed
		want   Totals // deltas
		pages  map[string]int
	}{
		{name: "first poll fetches both", feed: one,
			want: Totals{FeedPolls: 1, Published: 2}, pages: map[string]int{"/page/a": 1, "/page/b": 1}},
		{name: "same bytes: nothing parsed", feed: one,
			want: Totals{FeedPolls: 1, Unchanged: 1}, pages: map[string]int{"/page/a": 1, "/page/b": 1}},
		{name: "edited item is published as an update", feed: one,
			change: func(s *itemServer) { s.feeds["/one.xml"] = []string{itemA("second"), itemB}; s.version["/page/a"] = 2 },
			want:   Totals{FeedPolls: 1, Published: 1, Updates: 1, Duplicates: 1}, pages: map[string]int{"/page/a": 2, "/page/b": 1}},
		{name: "same URL under a new GUID, same title under a new URL", feed: one,
			change: func(s *itemServer) {
				s.feeds["/one.xml"] = []string{itemA("second"), itemB,
					rssItem("c", u+"/page/b#comments", "Schools reopen", "c"),
					rssItem("d", u+"/page/d", titleA, "syndicated copy")}
			},
			want: Totals{FeedPolls: 1, Duplicates: 4}, pages: map[string]int{"/page/a": 2, "/page/b": 1, "/page/d": 0}},
		{name: "the same article in another feed", feed: two,
			change: func(s *itemServer) { s.feeds["/two.xml"] = []string{rssItem("a", u+"/page/a", titleA, "other blurb")} },
			want:   Totals{FeedPolls: 1, Duplicates: 1}, pages: map[string]int{"/page/a": 2}},
		{name: "and it stays a duplicate there", feed: two,
			change: func(s *itemServer) {
				s.feeds["/two.xml"] = []string{rssItem("a", u+"/page/a", titleA, "other blurb"), rssItem("e", u+"/page/e", "Fresh story on the wire today", "")}
			},
			want: Totals{FeedPolls: 1, Published: 1, Duplicates: 1}, pages: map[string]int{"/page/a": 2, "/page/e": 1}},
	}
	for _, step := range steps {
		if step.change != nil {
			srv.set(step.change)
		}
		_, d := pollDue(t, r, clock, step.feed)
		if d != step.want {
			t.Errorf("%s: %+v, want %+v", step.name, d, step.want)
		}
		for path, n := range step.pages {
			if got := srv.count(path); got != n {
				t.Errorf("%s: %s fetched %d times, want %d", step.name, path, got, n)
			}
		}
	}

	msgs := fetchedMessages(t, r.conn.JS)
	var got []string
	for _, m := range msgs {
		got = append(got, fmt.Sprintf("%s update=%v", strings.TrimPrefix(m.URL, u), m.Update))
	}
	want := []string{"/page/a update=false", "/page/b?utm_source=rss update=false", "/page/a update=true", "/page/e update=false"}
	if strings.Join(sorted(got[:2]), ",")+","+strings.Join(got[2:], ",") != strings.Join(sorted(want[:2]), ",")+","+strings.Join(want[2:], ",") {
		t.Errorf("stream holds %v, want %v", got, want)
	}
}

// An item is marked seen only after its page was published: a page that
// failed for a reason that may pass is fetched again on the next poll, and
// the feed's validators are not stored until then.
func TestTemporaryPageFailureIsRetried(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	srv := newItemServer(t)
	u := srv.URL
	srv.set(func(s *itemServer) {
		s.feeds["/feed.xml"] = []string{rssItem("p", u+"/page/p", "P", ""), rssItem("q", u+"/page/q", "Q", ""), rssItem("r", u+"/page/r", "R", "")}
		s.etag = `"e1"`
		s.status["/page/p"] = []int{503}
		s.status["/page/r"] = []int{404, 404, 404}
	})
	fd := feedlist.Feed{URL: u + "/feed.xml"}
	cfg := testConfig(t, ns.ClientURL(), writeFeedsFile(t, t.TempDir(), fd.URL), "--jitter", "0", "--min-interval", "1m")
	r := newReplica(t, cfg, "r1")
	clock := &fakeClock{t: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)}
	r.now = clock.now

	st, d := pollDue(t, r, clock, fd)
	if d.Published != 1 || d.ArticleErrors != 2 || st.ETag != "" || st.BodyHash != "" {
		t.Fatalf("poll 1: %+v etag %q hash %q: want q published, p and r failed, validators not stored", d, st.ETag, st.BodyHash)
	}
	st, d = pollDue(t, r, clock, fd)
	if d.Published != 1 || d.Duplicates != 1 || d.ArticleErrors != 1 || st.ETag != `"e1"` {
		t.Fatalf("poll 2: %+v etag %q: want p published, q seen, r failed again, validators stored", d, st.ETag)
	}
	_, d = pollDue(t, r, clock, fd)
	srv.mu.Lock()
	inm := srv.lastINM
	srv.mu.Unlock()
	if d.NotModified != 1 || inm != `"e1"` {
		t.Fatalf("poll 3: %+v If-None-Match %q: want a 304", d, inm)
	}
	if srv.count("/page/p") != 2 || srv.count("/page/q") != 1 || srv.count("/page/r") != 2 {
		t.Errorf("page requests p=%d q=%d r=%d, want 2, 1, 2", srv.count("/page/p"), srv.count("/page/q"), srv.count("/page/r"))
	}
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// An item with neither a link nor a URL-shaped GUID has no page: it is
// skipped and counted as such, not charged as an article error.
func TestItemWithoutLinkIsSkipped(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	srv := newItemServer(t)
	u := srv.URL
	srv.set(func(s *itemServer) {
		s.feeds["/feed.xml"] = []string{rssItem("p", u+"/page/p", "P", ""),
			`<item><guid isPermaLink="false">tag:news.example.org,2026:7</guid><title>No link here</title></item>`,
			`<item><title>Neither link nor GUID</title><description>x</description></item>`}
	})
	fd := feedlist.Feed{URL: u + "/feed.xml"}
	cfg := testConfig(t, ns.ClientURL(), writeFeedsFile(t, t.TempDir(), fd.URL), "--jitter", "0", "--min-interval", "1m")
	r := newReplica(t, cfg, "r1")
	clock := &fakeClock{t: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)}
	r.now = clock.now
	if _, d := pollDue(t, r, clock, fd); d != (Totals{FeedPolls: 1, Published: 1, NoLink: 2}) {
		t.Errorf("poll: %+v, want 1 published and 2 without a link", d)
	}
}
