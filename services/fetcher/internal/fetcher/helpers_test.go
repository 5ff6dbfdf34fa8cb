package fetcher

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/natstest"
)

// noEnv is an empty environment for config parsing.
func noEnv(string) (string, bool) { return "", false }

// testConfig parses the fetcher's table with test defaults (loopback
// allowed, no politeness delay, memory streams) and extra flags.
func testConfig(t *testing.T, natsURL, feeds string, extra ...string) Config {
	t.Helper()
	var cfg Config
	args := []string{"--feeds", feeds, "--allow-loopback", "--http-addr", "127.0.0.1:0", "--nats-url", natsURL,
		"--per-host-interval", "1ms", "--per-host-concurrency", "64", "--stream-memory", "--shutdown-timeout", "5s"}
	if _, err := Table(&cfg).Parse(append(args, extra...), noEnv, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// writeFeedsFile writes a feeds file listing urls and returns its path.
func writeFeedsFile(t *testing.T, dir string, urls ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("feeds:\n")
	for _, u := range urls {
		b.WriteString("  - url: " + u + "\n")
	}
	path := filepath.Join(dir, "feeds.yaml")
	// Write then rename, as editors and config maps do.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// replica is an in-process fetcher with its own NATS connection, HTTP
// client and metrics, as a separate process would have.
type replica struct {
	*Fetcher
	reg  *prometheus.Registry
	conn *bus.Conn
}

func newReplica(t *testing.T, cfg Config, owner string) *replica {
	t.Helper()
	return newReplicaWith(t, cfg, owner, stateBuckets(cfg))
}

// isolated returns state buckets of the test's own, so tests may share a
// NATS server.
func isolated(t *testing.T, cfg Config) buckets {
	t.Helper()
	return stateBuckets(cfg).scratch("_" + randomHex(4))
}

func newReplicaWith(t *testing.T, cfg Config, owner string, b buckets) *replica {
	t.Helper()
	ctx := context.Background()
	log := zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel)).With(zap.String("replica", owner))
	client, _, closeClient, err := newClient(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeClient)
	conn := natstest.Connect(t, cfg.Common.NATS.URL)
	if err := bus.EnsureStreams(ctx, conn.JS, cfg.Common.Streams); err != nil {
		t.Fatal(err)
	}
	store, seen, cleanup, err := openState(ctx, cfg, b, conn.JS, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	reg := prometheus.NewRegistry()
	f, err := newFetcher(cfg, deps{client: client, pub: bus.NewPublisher(conn, log, nil), store: store, seen: seen, reg: reg}, owner, log)
	if err != nil {
		t.Fatal(err)
	}
	return &replica{Fetcher: f, reg: reg, conn: conn}
}

// runForever starts RunForever and returns a function that stops it and
// waits for it to return.
func (r *replica) runForever(t *testing.T, reload <-chan os.Signal) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := r.RunForever(ctx, reload); err != nil {
			t.Error(err)
		}
	})
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

// fetchedMessages reads every article in the fetched stream (by direct
// get: a work-queue stream takes no second consumer).
func fetchedMessages(t *testing.T, js jetstream.JetStream) []schema.ArticleFetchedV1 {
	t.Helper()
	ctx := context.Background()
	st, err := js.Stream(ctx, schema.StreamFetched)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []schema.ArticleFetchedV1
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		a, err := schema.DecodeFetched(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// eventually polls cond every 10ms until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
