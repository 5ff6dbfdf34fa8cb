package chaos_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tests/chaos"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

// streamLimit is NEWSFLOW_STREAM_MAX_MSGS in the backpressure test: the
// run pushes ten times as many articles.
const streamLimit = 100

// TestBackpressure slows the sink to a crawl (one article per pull, one at
// a time, and the process stopped nine tenths of the time) while 1,000
// articles, ten times the hop streams' limit, come in. The streams must
// never hold more than their limit: the stage before a full stream waits,
// back to the fetcher. Then the sink is replaced by one with normal
// settings, the backlog drains and nothing is lost. The test reports the
// peak RSS of every service and how full each stream got.
func TestBackpressure(t *testing.T) {
	r := newRun(t, runOpts{articles: articles, feeds: 10,
		env: []string{fmt.Sprintf("NEWSFLOW_STREAM_MAX_MSGS=%d", streamLimit)}})
	slow := r.start("sink", "NEWSFLOW_BATCH=1", "NEWSFLOW_CONCURRENCY=1")
	procs := map[string]*orchestrate.Proc{"sink": slow}
	for _, svc := range []string{"tagger", "cleaner", "fetcher"} {
		procs[svc] = r.start(svc)
	}

	// The crawl: the sink runs 10 ms out of every 100 ms.
	stopThrottle := make(chan struct{})
	var throttled sync.WaitGroup
	throttled.Go(func() {
		pid := slow.Pid()
		defer func() { _ = syscall.Kill(pid, syscall.SIGCONT) }()
		for {
			_ = syscall.Kill(pid, syscall.SIGSTOP)
			select {
			case <-stopThrottle:
				return
			case <-time.After(90 * time.Millisecond):
			}
			_ = syscall.Kill(pid, syscall.SIGCONT)
			time.Sleep(10 * time.Millisecond)
		}
	})

	// Watch the streams: none may ever hold more than its limit.
	peak := map[string]uint64{}
	var mu sync.Mutex
	stopWatch := make(chan struct{})
	var watched sync.WaitGroup
	watched.Go(func() {
		for {
			for _, h := range schema.Hops() {
				if h.Consumer == "" {
					continue
				}
				// Not r.streamInfo: this goroutine may not fail the test.
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				s, err := r.js.Stream(ctx, h.Stream)
				var n uint64
				if err == nil {
					if info, err := s.Info(ctx); err == nil {
						n = info.State.Msgs
					}
				}
				cancel()
				mu.Lock()
				peak[h.Stream] = max(peak[h.Stream], n)
				mu.Unlock()
			}
			select {
			case <-stopWatch:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})

	// The push-back reaches the fetcher: every hop stream is full.
	r.waitFor("every stream full", 2*time.Minute, func() bool {
		for _, h := range schema.Hops() {
			if h.Consumer != "" && r.streamInfo(h.Stream).State.Msgs < streamLimit {
				return false
			}
		}
		return true
	})
	fullAt := time.Since(r.began)
	time.Sleep(2 * time.Second) // hold the pressure a little
	storedSlow := r.through("sink")

	// Peak memory under pressure (VmHWM covers each process's whole life).
	rss := map[string]chaos.Memory{}
	for svc, pr := range procs {
		if pr.Exited() {
			continue // the --once fetcher may be done
		}
		m, err := chaos.ReadMemory(pr.Pid())
		if err != nil {
			t.Fatal(err)
		}
		rss[svc] = m
	}
	fetcherDone := procs["fetcher"].Exited()

	// The sink recovers: the crawling one stops, one with normal settings
	// takes over.
	close(stopThrottle)
	throttled.Wait()
	if err := r.p.Term(slow, shutdownTimeout+5*time.Second); err != nil {
		t.Fatal(err)
	}
	recovered := time.Now()
	fast := r.start("sink")
	r.waitDrained(3 * time.Minute)
	drained := time.Since(recovered)
	if m, err := chaos.ReadMemory(fast.Pid()); err == nil {
		rss["sink (normal, after)"] = m
	}
	for _, svc := range []string{"fetcher", "cleaner", "tagger"} {
		if pr := procs[svc]; !pr.Exited() {
			if m, err := chaos.ReadMemory(pr.Pid()); err == nil {
				rss[svc] = m
			}
		}
	}
	close(stopWatch)
	watched.Wait()
	r.stopAll()
	r.checkExactlyOnce()

	var refusals int
	for _, svc := range []string{"fetcher", "cleaner", "tagger"} {
		for _, e := range r.logEntries(svc, "Publish failed, retrying.") {
			if msg, _ := e["error"].(string); strings.Contains(msg, "maximum messages") {
				refusals++
			}
		}
	}
	var lines []string
	for _, svc := range []string{"fetcher", "cleaner", "tagger", "sink", "sink (normal, after)"} {
		if m, ok := rss[svc]; ok {
			lines = append(lines, fmt.Sprintf("%s %.0f MiB", svc, float64(m.PeakRSS)/(1<<20)))
		}
	}
	t.Logf("every stream full %s after the start (fetcher done: %v); the crawling sink stored %d; "+
		"peak RSS: %s", fullAt.Round(100*time.Millisecond), fetcherDone, storedSlow, strings.Join(lines, ", "))
	t.Logf("stream peaks (limit %d): fetched %d, cleaned %d, tagged %d; %d publishes refused by a full stream (logged); "+
		"backlog drained %s after the sink recovered", streamLimit, peak[schema.StreamFetched], peak[schema.StreamCleaned],
		peak[schema.StreamTagged], refusals, drained.Round(100*time.Millisecond))
	for name, n := range peak {
		if n > streamLimit {
			t.Errorf("stream %s held %d messages, over its limit %d", name, n, streamLimit)
		}
	}
	if refusals == 0 {
		t.Error("no publish was refused by a full stream: the test did not push back")
	}
	for svc, m := range rss {
		// Generous: a runaway buffer of 1,000 pages would show, a Go
		// service with its caches does not.
		if m.PeakRSS > 256<<20 {
			t.Errorf("%s peaked at %d MiB RSS", svc, m.PeakRSS>>20)
		}
	}
}
