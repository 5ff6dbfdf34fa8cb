package chaos_test

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

// TestClusterNodeLoss runs the pipeline on a three-node JetStream cluster
// with three replicas per stream, each node its own process. While
// articles flow it kills (SIGKILL) the leader of the fetched stream,
// restarts it once publishing recovered, then kills a follower and
// restarts it. Publishers retry through the leader election; the sink ends
// with every article exactly once. The test reports the publish stall
// (from the services' "Publish went through after retries" lines) and the
// recovery time (from the kill to the first article the stream takes
// after it: published into it or consumed from it).
func TestClusterNodeLoss(t *testing.T) {
	c := startProcCluster(t, 3)
	r := newRun(t, runOpts{articles: articles, feeds: 10, natsURL: c.URLs(), env: []string{"NEWSFLOW_STREAM_REPLICAS=3",
		// Paced, so that articles are still flowing when each node dies,
		// however busy the machine (about 15 s for the 1,000).
		"NEWSFLOW_FETCHER_PER_HOST_INTERVAL=15ms", "NEWSFLOW_FETCHER_PER_HOST_CONCURRENCY=1"}})
	// The first service declares the streams; on a cluster each R3 stream
	// then elects a leader. A service that starts meanwhile may see its
	// own declaration time out and exit (see the README), so the others
	// start once every stream has a leader.
	r.start("sink")
	for _, h := range schema.Hops() {
		r.waitFor(h.Stream+" leader", 30*time.Second, func() bool {
			info := r.streamInfo(h.Stream)
			return info.Cluster != nil && info.Cluster.Leader != ""
		})
	}
	for _, svc := range []string{"tagger", "cleaner", "fetcher"} {
		r.start(svc)
	}
	if info := r.streamInfo(schema.StreamFetched); info.Config.Replicas != 3 {
		t.Fatalf("stream %s has %d replicas, want 3", schema.StreamFetched, info.Config.Replicas)
	}
	// Replicated consumers keep their state on file (NEWSFLOW_CONSUMER_MEMORY
	// is for single-replica streams): in memory, a node restarted without it
	// left the consumer without a leader for over 30 s.
	r.waitFor("the cleaner's consumer", time.Minute, func() bool {
		_, err := r.js.Consumer(context.Background(), schema.StreamFetched, schema.ConsumerCleaner)
		return err == nil
	})
	if ci := r.consumerInfo(schema.StreamFetched, schema.ConsumerCleaner); ci.Config.MemoryStorage {
		t.Fatalf("consumer %s on a replicated stream keeps its state in memory", schema.ConsumerCleaner)
	}
	leaderOf := func() string {
		info := r.streamInfo(schema.StreamFetched)
		if info.Cluster == nil {
			return ""
		}
		return info.Cluster.Leader
	}
	restarted := -1
	lose := func(role string, after uint64) {
		r.waitFor("fetcher progress", 2*time.Minute, func() bool { return r.through("fetcher") >= after })
		leader := leaderOf()
		victim := c.index(leader)
		if role == "follower" {
			// A healthy follower: not the leader, and not the node just
			// restarted, which may still be catching up (losing both
			// would leave the stream without a quorum, a different test).
			for i := range c.specs {
				if i != victim && i != restarted {
					victim = i
					break
				}
			}
		}
		name := c.specs[victim].Name
		// The fetched stream's traffic: articles published into it and
		// taken out of it by the cleaner.
		traffic := func() uint64 { return r.through("fetcher") + r.through("cleaner") }
		published, before := r.through("fetcher"), traffic()
		killed := time.Now()
		c.stop(victim, syscall.SIGKILL)
		// Recovered: the stream has a leader and takes or gives articles.
		r.waitFor("the stream to move again", 2*time.Minute, func() bool {
			l := leaderOf()
			// Traffic proves it moves; once every article went through
			// the stream there is none left to see.
			return l != "" && l != name && (traffic() > before || r.through("cleaner") >= articles)
		})
		recovery := time.Since(killed)
		newLeader := leaderOf()
		// Let the stall lines of this fault be written before reading them.
		time.Sleep(500 * time.Millisecond)
		n, longest := r.stallsSince(killed)
		t.Logf("SIGKILL of the %s %s (stream leader %s) after %d articles published: leader now %s, "+
			"the stream moved again after %s, %d publishes stalled, longest stall %s",
			role, name, leader, published, newLeader, recovery.Round(10*time.Millisecond), n, longest.Round(10*time.Millisecond))
		if r.through("sink") >= articles {
			t.Fatalf("the run ended before the %s came back: raise the article count or kill earlier", role)
		}
		c.start(victim)
		restarted = victim
	}
	// The follower first: it costs no stall, so articles are left for the
	// leader's loss, which comes once every replica is current again.
	lose("follower", 150)
	r.waitFor("every replica current", time.Minute, func() bool {
		info := r.streamInfo(schema.StreamFetched)
		if info.Cluster == nil || info.Cluster.Leader == "" || len(info.Cluster.Replicas) != 2 {
			return false
		}
		for _, p := range info.Cluster.Replicas {
			if !p.Current || p.Offline {
				return false
			}
		}
		return true
	})
	lose("leader", 0)

	r.waitDrained(3 * time.Minute)
	r.stopAll()
	r.checkExactlyOnce()
	if n := r.deadLetters(); n != 0 {
		t.Errorf("%d dead letters, want none", n)
	}
}

// stallsSince reads the "Publish went through after retries." lines logged
// at or after since.
func (r *run) stallsSince(since time.Time) (n int, longest time.Duration) {
	r.t.Helper()
	for _, svc := range orchestrate.Services {
		for _, e := range r.logEntries(svc, "Publish went through after retries.") {
			ts, _ := e["ts"].(string)
			at, err := time.Parse("2006-01-02T15:04:05.000Z0700", strings.TrimSpace(ts))
			if err != nil || at.Before(since) {
				continue
			}
			n++
			if s, ok := e["stalled"].(float64); ok {
				longest = max(longest, time.Duration(s*float64(time.Second)))
			}
		}
	}
	return n, longest
}
