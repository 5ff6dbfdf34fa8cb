package fetcher

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/newsflow/newsflow/pkg/service/natstest"
)

// pollLog is a feed server that records who polled which feed when. Feeds
// answer 304 to a matching If-None-Match, so most polls are conditional.
type pollLog struct {
	*httptest.Server
	mu    sync.Mutex
	polls map[string][]poll // feed path -> polls in arrival order
	pages map[string]int
	fail  map[string]bool // feed paths answering 500
}

type poll struct {
	at time.Time
	by string // User-Agent: the replica
}

func newPollLog(t *testing.T) *pollLog {
	t.Helper()
	l := &pollLog{polls: map[string][]poll{}, pages: map[string]int{}, fail: map[string]bool{}}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		l.mu.Lock()
		defer l.mu.Unlock()
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/feed/"):
			l.polls[p] = append(l.polls[p], poll{at: now, by: r.UserAgent()})
			if l.fail[p] {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			etag := `"` + p + `"`
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", etag)
			w.Header().Set("Content-Type", "application/rss+xml")
			name := strings.TrimPrefix(p, "/feed/")
			fmt.Fprint(w, rss("", rssItem("item-"+name, l.URL+"/page/"+name, "Story "+name, "")))
		case strings.HasPrefix(p, "/page/"):
			l.pages[p]++
			fmt.Fprintf(w, "<html><body><p>Page %s</p></body></html>", p)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(l.Close)
	return l
}

func (l *pollLog) snapshot() map[string][]poll {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string][]poll, len(l.polls))
	for k, v := range l.polls {
		out[k] = append([]poll(nil), v...)
	}
	return out
}

func (l *pollLog) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.polls[path])
}

// Three replicas share nine feeds: each feed is polled by one replica per
// interval (never twice within an interval, so not three times), every
// replica takes part, every page is fetched once, and when one replica
// stops the other two take its feeds within an interval.
//
// It runs alone (not in parallel), as its timing checks measure the replicas,
// not the machine's load.
func TestReplicasShareFeeds(t *testing.T) {
	const (
		feeds    = 9
		interval = 500 * time.Millisecond
		// With ±10% jitter a delay is 450ms to 550ms.
		minGap = interval * 9 / 10
		maxGap = interval * 11 / 10
	)
	ns := natstest.RunJetStream(t)
	srv := newPollLog(t)
	var urls []string
	for i := range feeds {
		urls = append(urls, fmt.Sprintf("%s/feed/%d", srv.URL, i))
	}
	file := writeFeedsFile(t, t.TempDir(), urls...)
	names := []string{"r1", "r2", "r3"}
	stops := map[string]func(){}
	for _, name := range names {
		cfg := testConfig(t, ns.ClientURL(), file, "--interval", "500ms", "--min-interval", "400ms", "--max-interval", "800ms",
			"--jitter", "0.1", "--lease", "2s", "--feed-workers", "4", "--user-agent", name)
		stops[name] = newReplica(t, cfg, name).runForever(t, nil)
	}
	// Wait for polls, not for time: on a loaded machine an interval may
	// bring fewer polls than on an idle one, and the checks below are on
	// the gaps between polls, whatever their number.
	pollsAtLeast := func(base map[string][]poll, more int) func() bool {
		return func() bool {
			now := srv.snapshot()
			for _, u := range urls {
				path := strings.TrimPrefix(u, srv.URL)
				if len(now[path]) < len(base[path])+more {
					return false
				}
			}
			return true
		}
	}
	start := time.Now()
	eventually(t, time.Minute, "every feed polled 4 times by the three replicas", pollsAtLeast(nil, 4))
	stops["r3"]()
	stopped := time.Now()
	eventually(t, time.Minute, "every feed polled 4 more times once r3 stopped", pollsAtLeast(srv.snapshot(), 4))
	stops["r1"]()
	stops["r2"]()
	end := time.Now()

	polls := srv.snapshot()
	byReplica := map[string]int{}
	for i := range feeds {
		path := fmt.Sprintf("/feed/%d", i)
		ps := polls[path]
		for k := 1; k < len(ps); k++ {
			if gap := ps[k].at.Sub(ps[k-1].at); gap < minGap {
				t.Errorf("%s polled by %s and then by %s %v later: twice in one interval", path, ps[k-1].by, ps[k].by, gap)
			}
		}
		if most := int(end.Sub(start)/minGap) + 1; len(ps) > most || len(ps) < 6 {
			t.Errorf("%s polled %d times in %v, want 6 to %d", path, len(ps), end.Sub(start).Round(time.Millisecond), most)
		}
		// Takeover: a feed r3 polled last is polled next by another
		// replica within an interval of when it was due.
		var last poll
		for _, p := range ps {
			if p.at.Before(stopped) {
				last = p
				byReplica[p.by]++
				continue
			}
			if p.by == "r3" {
				t.Errorf("%s polled by the stopped replica", path)
			}
		}
		for _, p := range ps {
			if p.at.After(stopped) && last.by == "r3" {
				if late := p.at.Sub(last.at); late > maxGap+interval {
					t.Errorf("%s last polled by %s, then after r3 stopped only %v later by %s", path, last.by, late, p.by)
				}
				break
			}
		}
	}
	for _, name := range names {
		if byReplica[name] == 0 {
			t.Errorf("replica %s polled nothing before it stopped: %v", name, byReplica)
		}
	}
	t.Logf("polls by replica before r3 stopped: %v", byReplica)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for i := range feeds {
		if n := srv.pages[fmt.Sprintf("/page/%d", i)]; n != 1 {
			t.Errorf("page %d fetched %d times, want once across the replicas", i, n)
		}
	}
}

// metricValue reads one gauge or counter value from a registry.
func metricValue(t *testing.T, r *replica, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if labelsMatch(m, labels) {
				if m.GetGauge() != nil {
					return m.GetGauge().GetValue()
				}
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func labelsMatch(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, lp := range m.GetLabel() {
		if v, ok := want[lp.GetName()]; ok {
			if v != lp.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(want)
}

// A failing feed is never disabled: it is retried at its (capped) backoff,
// counted by the failing-feeds gauge and the poll metrics, and listed as
// failing by `fetcher feeds`.
func TestFailingFeedKeepsBeingRetried(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	srv := newPollLog(t)
	srv.mu.Lock()
	srv.fail["/feed/bad"] = true
	srv.mu.Unlock()
	bad, good := srv.URL+"/feed/bad", srv.URL+"/feed/good"
	file := writeFeedsFile(t, t.TempDir(), bad, good)
	cfg := testConfig(t, ns.ClientURL(), file, "--interval", "50ms", "--min-interval", "20ms", "--max-interval", "1s",
		"--max-backoff", "100ms", "--jitter", "0")
	r := newReplicaWith(t, cfg, "r1", isolated(t, cfg))
	stop := r.runForever(t, nil)
	eventually(t, 5*time.Second, "the failing feed retried 6 times", func() bool { return srv.count("/feed/bad") >= 6 })
	// A dispatch tick refreshes the gauges.
	eventually(t, 5*time.Second, "the failing feeds gauge at 1", func() bool {
		return metricValue(t, r, "newsflow_fetcher_feeds_failing", map[string]string{"class": "temporary"}) == 1
	})
	stop()

	if v := metricValue(t, r, "newsflow_fetcher_feed_polls_total", map[string]string{"result": "error", "class": "temporary"}); v < 6 {
		t.Errorf("error polls = %v, want at least 6", v)
	}
	if v := metricValue(t, r, "newsflow_fetcher_feeds", nil); v != 2 {
		t.Errorf("feeds gauge = %v, want 2", v)
	}
	var out strings.Builder
	if err := feedStatusCommand(t.Context(), cfg, r.store, "table", &out, time.Now()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if !strings.HasPrefix(lines[1], bad) || !strings.Contains(lines[1], " failing ") || !strings.Contains(lines[1], "temporary") ||
		!strings.Contains(lines[1], "500 Internal Server Error") || !strings.HasPrefix(lines[2], good) || !strings.Contains(lines[2], " ok ") {
		t.Errorf("fetcher feeds:\n%s", out.String())
	}
}

func TestFeedsReloadOnChangeAndSIGHUP(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	srv := newPollLog(t)
	for _, viaSignal := range []bool{false, true} {
		t.Run(map[bool]string{false: "file change", true: "SIGHUP"}[viaSignal], func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			first, added := srv.URL+"/feed/"+randomHex(4), srv.URL+"/feed/"+randomHex(4)
			cfg := testConfig(t, ns.ClientURL(), writeFeedsFile(t, dir, first), "--min-interval", "100ms", "--interval", "100ms")
			r := newReplicaWith(t, cfg, "r1", isolated(t, cfg))
			reload := make(chan os.Signal, 1)
			if viaSignal {
				r.reloadDebounce = time.Hour // only the signal can reload in time
			}
			r.runForever(t, reload)
			path := func(u string) string { return strings.TrimPrefix(u, srv.URL) }
			eventually(t, 5*time.Second, "first feed polled", func() bool { return srv.count(path(first)) > 0 })
			writeFeedsFile(t, dir, first, added)
			if viaSignal {
				reload <- os.Interrupt // any value: run.go sends SIGHUP
			}
			eventually(t, 5*time.Second, "added feed polled", func() bool { return srv.count(path(added)) > 0 })
		})
	}
}

// A replica that dies holding a lease (mid-poll) hands the feed over when
// the lease runs out.
func TestDeadReplicaLeaseRunsOut(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	srv := newPollLog(t)
	u := srv.URL + "/feed/orphan"
	cfg := testConfig(t, ns.ClientURL(), writeFeedsFile(t, t.TempDir(), u), "--interval", "500ms", "--min-interval", "500ms",
		"--max-interval", "500ms", "--lease", "400ms")
	r := newReplicaWith(t, cfg, "r1", isolated(t, cfg))
	claimed := time.Now()
	if _, _, ok, err := r.store.Claim(t.Context(), u, "dead", "", claimed, cfg.Lease); err != nil || !ok {
		t.Fatalf("claim as the dead replica: %v %v", ok, err)
	}
	r.runForever(t, nil)
	eventually(t, 5*time.Second, "the orphaned feed polled", func() bool { return srv.count("/feed/orphan") > 0 })
	first := srv.snapshot()["/feed/orphan"][0].at
	if wait := first.Sub(claimed); wait < cfg.Lease || wait > cfg.Lease+cfg.MinInterval {
		t.Errorf("taken over %v after the claim, want between the lease (%v) and the lease plus an interval", wait, cfg.Lease)
	}
}
