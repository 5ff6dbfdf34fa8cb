package chaos_test

import (
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// shutdownTimeout is NEWSFLOW_SHUTDOWN_TIMEOUT in testEnv.
const shutdownTimeout = 10 * time.Second

// TestTermDrainsEachService sends SIGTERM to each service in turn while
// articles flow through it. Each must exit 0 within its shutdown timeout
// having finished what it took: its durable consumer has no message left
// waiting for an ack (nothing is left to redelivery). Restarted, the
// pipeline ends with every article exactly once.
func TestTermDrainsEachService(t *testing.T) {
	r := newRun(t, runOpts{articles: articles, feeds: 10})
	procs := r.startAll()
	plan := []struct {
		svc   string
		after uint64
		hop   [2]string // stream and consumer it reads
	}{
		{"fetcher", 150, [2]string{}},
		{"cleaner", 300, [2]string{schema.StreamFetched, schema.ConsumerCleaner}},
		{"tagger", 450, [2]string{schema.StreamCleaned, schema.ConsumerTagger}},
		{"sink", 600, [2]string{schema.StreamTagged, schema.ConsumerSink}},
	}
	for _, k := range plan {
		pr := procs[k.svc]
		r.waitFor(k.svc+" progress", 2*time.Minute, func() bool { return r.through(k.svc) >= k.after })
		inFlight := 0
		if k.hop[0] != "" {
			inFlight = r.consumerInfo(k.hop[0], k.hop[1]).NumAckPending
		}
		began := time.Now()
		if err := r.p.Term(pr, shutdownTimeout+5*time.Second); err != nil {
			t.Fatalf("SIGTERM %s: %v", k.svc, err)
		}
		took := time.Since(began)
		if took > shutdownTimeout {
			t.Errorf("%s took %s to stop, over its shutdown timeout %s", k.svc, took, shutdownTimeout)
		}
		left := 0
		if k.hop[0] != "" {
			left = r.consumerInfo(k.hop[0], k.hop[1]).NumAckPending
			if left != 0 {
				t.Errorf("%s stopped with %d messages unacked: in-flight work was not drained", k.svc, left)
			}
		}
		t.Logf("SIGTERM %s after %d articles through it, %d in flight: exited 0 in %s, %d left unacked",
			k.svc, r.through(k.svc), inFlight, took.Round(time.Millisecond), left)
		if r.through("sink") >= articles {
			t.Fatalf("the run ended before %s was stopped: raise the article count", k.svc)
		}
		r.restart(pr)
	}
	r.waitDrained(3 * time.Minute)
	r.stopAll()
	r.checkExactlyOnce()
	if n := r.deadLetters(); n != 0 {
		t.Errorf("%d dead letters, want none", n)
	}
}
