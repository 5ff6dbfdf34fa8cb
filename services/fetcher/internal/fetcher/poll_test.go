package fetcher

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/natstest"
	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
)

// fakeClock is the fetcher's clock in tests that check exact poll times.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// pollDue moves the clock to the feed's next poll, polls it as a replica
// does (claim, poll, pages, write) and returns the stored state and what
// the poll counted.
func pollDue(t *testing.T, r *replica, c *fakeClock, fd feedlist.Feed) (state.FeedState, Totals) {
	t.Helper()
	ctx := context.Background()
	if st, _, err := r.store.Get(ctx, fd.URL); err == nil && st.NextPoll.After(c.now()) {
		c.set(st.NextPoll)
	}
	before := r.Totals()
	r.pollClaimed(ctx, fd)
	after := r.Totals()
	st, _, err := r.store.Get(ctx, fd.URL)
	if err != nil {
		t.Fatal(err)
	}
	if st.Owner != r.owner || !st.LeaseUntil.IsZero() {
		t.Errorf("after the poll: owner %q lease until %v, want %q and released", st.Owner, st.LeaseUntil, r.owner)
	}
	return st, Totals{FeedPolls: after.FeedPolls - before.FeedPolls, FeedErrors: after.FeedErrors - before.FeedErrors,
		NotModified: after.NotModified - before.NotModified, Unchanged: after.Unchanged - before.Unchanged,
		Published: after.Published - before.Published, Updates: after.Updates - before.Updates,
		Duplicates: after.Duplicates - before.Duplicates, NoLink: after.NoLink - before.NoLink, ArticleErrors: after.ArticleErrors - before.ArticleErrors}
}

func resultOf(d Totals) string {
	switch {
	case d.FeedPolls != 1:
		return fmt.Sprintf("%d polls", d.FeedPolls)
	case d.FeedErrors == 1:
		return pollError
	case d.NotModified == 1:
		return pollNotModified
	case d.Unchanged == 1:
		return pollUnchanged
	}
	return pollOK
}

// rss is a feed with the given extra channel elements and items.
func rss(channel string, items ...string) string {
	return `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://news.example.org/</link>` +
		channel + strings.Join(items, "") + `</channel></rss>`
}

func rssItem(guid, link, title, desc string) string {
	return fmt.Sprintf(`<item><guid>%s</guid><link>%s</link><title>%s</title><description>%s</description></item>`, guid, link, title, desc)
}

func TestPollOutcomesAndSchedule(t *testing.T) {
	t.Parallel()
	const body = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://news.example.org/</link></channel></rss>`
	ok := func(hdr ...string) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i+1 < len(hdr); i += 2 {
				w.Header().Set(hdr[i], hdr[i+1])
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write([]byte(body))
		}
	}
	status := func(code int, hdr ...string) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i+1 < len(hdr); i += 2 {
				w.Header().Set(hdr[i], hdr[i+1])
			}
			w.WriteHeader(code)
		}
	}
	write := func(ct, s string) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			_, _ = w.Write([]byte(s))
		}
	}
	type step struct {
		respond  func(w http.ResponseWriter, r *http.Request)
		result   string
		class    string // LastErrorClass after the step
		failures int
		delay    time.Duration // NextPoll - LastPoll (no jitter)
		check    func(t *testing.T, st state.FeedState, req *http.Request)
	}
	lastMod := "Tue, 03 Mar 2026 10:00:00 GMT"
	tests := []struct {
		name  string
		feed  feedlist.Feed
		steps []step
	}{
		{name: "conditional get then 304", steps: []step{
			{respond: ok("ETag", `"v1"`, "Last-Modified", lastMod), result: pollOK, delay: 15 * time.Minute},
			{respond: func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") == lastMod {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				ok()(w, r)
			}, result: pollNotModified, delay: 15 * time.Minute, check: func(t *testing.T, st state.FeedState, _ *http.Request) {
				if st.ETag != `"v1"` || st.LastModified != lastMod || st.LastStatus != 304 {
					t.Errorf("validators %q %q status %d", st.ETag, st.LastModified, st.LastStatus)
				}
			}},
		}},
		{name: "new validators same bytes", steps: []step{
			{respond: ok("ETag", `"a"`), result: pollOK, delay: 15 * time.Minute},
			{respond: ok("ETag", `"b"`), result: pollUnchanged, delay: 15 * time.Minute, check: func(t *testing.T, st state.FeedState, _ *http.Request) {
				if st.ETag != `"b"` || st.BodyHash == "" {
					t.Errorf("etag %q body hash %q: the new validator should be kept", st.ETag, st.BodyHash)
				}
			}},
		}},
		{name: "server errors back off exponentially and recover", steps: []step{
			{respond: status(500), result: pollError, class: "temporary", failures: 1, delay: time.Minute},
			{respond: status(502), result: pollError, class: "temporary", failures: 2, delay: 2 * time.Minute},
			{respond: status(500), result: pollError, class: "temporary", failures: 3, delay: 4 * time.Minute,
				check: func(t *testing.T, st state.FeedState, _ *http.Request) {
					if st.LastStatus != 500 || !strings.Contains(st.LastError, "500") || st.LastErrorAt != st.LastPoll {
						t.Errorf("last error %q status %d at %v", st.LastError, st.LastStatus, st.LastErrorAt)
					}
				}},
			{respond: ok(), result: pollOK, class: "temporary", failures: 0, delay: 15 * time.Minute,
				check: func(t *testing.T, st state.FeedState, _ *http.Request) {
					if st.LastSuccess != st.LastPoll || st.LastError == "" {
						t.Errorf("last success %v poll %v error %q: the last error stays for `fetcher feeds`", st.LastSuccess, st.LastPoll, st.LastError)
					}
				}},
		}},
		{name: "429 honours Retry-After", steps: []step{
			{respond: status(429, "Retry-After", "3600"), result: pollError, class: "rate_limited", failures: 1, delay: time.Hour},
		}},
		{name: "503 with Retry-After is a rate limit", steps: []step{
			{respond: status(503, "Retry-After", "120"), result: pollError, class: "rate_limited", failures: 1, delay: 2 * time.Minute},
		}},
		{name: "Retry-After is capped", steps: []step{
			{respond: status(429, "Retry-After", "604800"), result: pollError, class: "rate_limited", failures: 1, delay: 6 * time.Hour},
		}},
		{name: "404 is permanent but still retried", steps: []step{
			{respond: status(404), result: pollError, class: "permanent", failures: 1, delay: time.Minute},
			{respond: status(404), result: pollError, class: "permanent", failures: 2, delay: 2 * time.Minute},
		}},
		{name: "html page is not a feed", steps: []step{
			{respond: write("text/html", "<!doctype html><html><head><title>Home</title></head><body><p>Hello</p></body></html>"),
				result: pollError, class: "not_a_feed", failures: 1, delay: time.Minute},
		}},
		{name: "truncated feed is malformed", steps: []step{
			{respond: write("application/rss+xml", `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Sec`),
				result: pollError, class: "malformed_feed", failures: 1, delay: time.Minute},
		}},
		{name: "Cache-Control max-age is a floor", steps: []step{
			{respond: ok("Cache-Control", "public, max-age=3600"), result: pollOK, delay: time.Hour},
		}},
		{name: "Expires is a floor", steps: []step{
			{respond: func(w http.ResponseWriter, r *http.Request) {
				now := time.Now().UTC()
				ok("Date", now.Format(http.TimeFormat), "Expires", now.Add(2*time.Hour).Format(http.TimeFormat))(w, r)
			}, result: pollOK, delay: 2 * time.Hour},
		}},
		{name: "rss ttl is kept for 304s", steps: []step{
			{respond: write("application/rss+xml", rss("<ttl>90</ttl>")), result: pollOK, delay: 90 * time.Minute},
			{respond: status(304), result: pollNotModified, delay: 90 * time.Minute},
		}},
		{name: "feed bounds cap the hints", feed: feedlist.Feed{MaxInterval: 30 * time.Minute}, steps: []step{
			{respond: ok("Cache-Control", "max-age=3600"), result: pollOK, delay: 30 * time.Minute},
		}},
		{name: "feed minimum raises the backoff base", feed: feedlist.Feed{MinInterval: 10 * time.Minute}, steps: []step{
			{respond: status(500), result: pollError, class: "temporary", failures: 1, delay: 10 * time.Minute},
		}},
	}
	s := natstest.RunJetStream(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			n := 0
			var last *http.Request
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				i := min(n, len(tc.steps)-1)
				n++
				last = r.Clone(context.Background())
				mu.Unlock()
				tc.steps[i].respond(w, r)
			}))
			t.Cleanup(srv.Close)
			fd := tc.feed
			fd.URL = srv.URL + "/feed.xml"
			cfg := testConfig(t, s.ClientURL(), writeFeedsFile(t, t.TempDir(), fd.URL), "--jitter", "0",
				"--min-interval", "1m", "--interval", "15m", "--max-interval", "6h")
			r := newReplicaWith(t, cfg, "r1", isolated(t, cfg))
			clock := &fakeClock{t: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)}
			r.now = clock.now
			for i, want := range tc.steps {
				st, d := pollDue(t, r, clock, fd)
				if got := resultOf(d); got != want.result {
					t.Errorf("step %d: result %s, want %s", i, got, want.result)
				}
				if st.LastErrorClass != want.class || st.ConsecutiveFailures != want.failures {
					t.Errorf("step %d: class %q failures %d, want %q %d", i, st.LastErrorClass, st.ConsecutiveFailures, want.class, want.failures)
				}
				if got := st.NextPoll.Sub(st.LastPoll); got != want.delay {
					t.Errorf("step %d: next poll after %v, want %v", i, got, want.delay)
				}
				if want.check != nil {
					mu.Lock()
					req := last
					mu.Unlock()
					want.check(t, st, req)
				}
			}
		})
	}
}
