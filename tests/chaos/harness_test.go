package chaos_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tests/chaos"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// binDir holds the service binaries TestMain builds.
var binDir string

func TestMain(m *testing.M) {
	// The test binary doubles as a NATS cluster node, so that a node can
	// be killed like a crashing process (see nodes_test.go).
	if spec := os.Getenv(nodeEnv); spec != "" {
		os.Exit(runNode(spec))
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "newsflow-chaos-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	root, err := testkit.Root()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	if err := orchestrate.Build(context.Background(), root, dir); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	binDir = dir
	return m.Run()
}

// testEnv is what every pipeline in these tests runs with: redeliveries
// after 3 s instead of 30 s, quick retries, and a fetcher allowed to reach
// the loopback site without politeness delays.
var testEnv = []string{
	"NEWSFLOW_ACK_WAIT=3s",
	"NEWSFLOW_BACKOFF=200ms,500ms,1s",
	"NEWSFLOW_SHUTDOWN_TIMEOUT=10s",
	"NEWSFLOW_BATCH_WAIT=200ms",
	"NEWSFLOW_FETCHER_PER_HOST_INTERVAL=1ms",
	"NEWSFLOW_FETCHER_PER_HOST_CONCURRENCY=8",
	"NEWSFLOW_FETCHER_ALLOW_LOOPBACK=true",
}

// run is a pipeline under test with its synthetic site.
type run struct {
	t     *testing.T
	p     *orchestrate.Pipeline
	site  *chaos.Site
	feeds string
	nc    *nats.Conn
	js    jetstream.JetStream
	began time.Time
}

// runOpts shape a run.
type runOpts struct {
	articles, feeds int
	hostile         bool
	nodes           int      // > 1: a local JetStream cluster
	natsURL         string   // an external server instead of the embedded one
	env             []string // added to testEnv for every service
}

// newRun serves the synthetic site and starts NATS; no service runs yet.
func newRun(t *testing.T, o runOpts) *run {
	t.Helper()
	site := &chaos.Site{Articles: o.articles, Feeds: max(o.feeds, 1), Hostile: o.hostile}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	site.Base = srv.URL
	data := t.TempDir()
	feedsFile := filepath.Join(data, "feeds.yaml")
	if err := os.WriteFile(feedsFile, []byte(site.FeedsYAML()), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := orchestrate.StartNATS(orchestrate.Options{BinDir: binDir, DataDir: data, ClusterNodes: o.nodes,
		NATSURL: o.natsURL, Env: append(append([]string{}, testEnv...), o.env...)})
	if err != nil {
		t.Fatal(err)
	}
	r := &run{t: t, p: p, site: site, feeds: feedsFile, began: time.Now()}
	t.Cleanup(func() {
		if err := p.StopAll(); err != nil {
			t.Logf("stopping the services: %v", err)
		}
		if r.nc != nil {
			r.nc.Close()
		}
		p.Close()
		if t.Failed() {
			r.dumpLogs()
		}
	})
	r.nc, r.js, err = p.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// dumpLogs prints the tail of every service log of a failed test.
func (r *run) dumpLogs() {
	for _, svc := range orchestrate.Services {
		b, err := os.ReadFile(r.p.LogPath(svc))
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		r.t.Logf("--- %s log (last 15 of %d lines)", svc, len(lines))
		for _, l := range lines[max(0, len(lines)-15):] {
			r.t.Log(l)
		}
	}
}

// start starts one replica of svc and waits until it is ready.
func (r *run) start(svc string, env ...string) *orchestrate.Proc {
	r.t.Helper()
	var args []string
	if svc == "fetcher" {
		args = []string{"--once", "--feeds", r.feeds, "--allow-loopback"}
	}
	pr, err := r.p.Start(svc, env, args...)
	if err != nil {
		r.t.Fatal(err)
	}
	if svc != "fetcher" { // a --once fetcher may be done before it is polled
		if err := orchestrate.WaitReady(context.Background(), pr, time.Minute); err != nil {
			r.t.Fatal(err)
		}
	}
	return pr
}

// startAll starts the consumers, then the fetcher.
func (r *run) startAll() map[string]*orchestrate.Proc {
	r.t.Helper()
	procs := map[string]*orchestrate.Proc{}
	for _, svc := range []string{"sink", "tagger", "cleaner", "fetcher"} {
		procs[svc] = r.start(svc)
	}
	return procs
}

// restart starts an exited replica again and waits until it is ready.
func (r *run) restart(pr *orchestrate.Proc) {
	r.t.Helper()
	if err := r.p.Restart(pr); err != nil {
		r.t.Fatal(err)
	}
	if pr.Name != "fetcher" {
		if err := orchestrate.WaitReady(context.Background(), pr, time.Minute); err != nil {
			r.t.Fatal(err)
		}
	}
}

// streamInfo returns a stream's state, retrying through leader elections.
func (r *run) streamInfo(name string) *jetstream.StreamInfo {
	r.t.Helper()
	var last error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := r.js.Stream(ctx, name)
		if err == nil {
			var info *jetstream.StreamInfo
			info, err = s.Info(ctx)
			if err == nil {
				cancel()
				return info
			}
		}
		cancel()
		last = err
	}
	r.t.Fatalf("stream %s: %v", name, last)
	return nil
}

// consumerInfo returns a durable consumer's state.
func (r *run) consumerInfo(stream, name string) *jetstream.ConsumerInfo {
	r.t.Helper()
	var last error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := r.js.Consumer(ctx, stream, name)
		if err == nil {
			var info *jetstream.ConsumerInfo
			info, err = c.Info(ctx)
			if err == nil {
				cancel()
				return info
			}
		}
		cancel()
		last = err
	}
	r.t.Fatalf("consumer %s on %s: %v", name, stream, last)
	return nil
}

// through returns how many messages a stage has taken through (acked) so
// far: the fetcher counts what it published.
func (r *run) through(stage string) uint64 {
	r.t.Helper()
	switch stage {
	case "fetcher":
		return r.streamInfo(schema.StreamFetched).State.LastSeq
	case "cleaner":
		return r.consumerInfo(schema.StreamFetched, schema.ConsumerCleaner).AckFloor.Stream
	case "tagger":
		return r.consumerInfo(schema.StreamCleaned, schema.ConsumerTagger).AckFloor.Stream
	case "sink":
		return r.consumerInfo(schema.StreamTagged, schema.ConsumerSink).AckFloor.Stream
	}
	r.t.Fatalf("unknown stage %q", stage)
	return 0
}

// waitFor polls cond until it holds or timeout passes.
func (r *run) waitFor(what string, timeout time.Duration, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitDrained waits until every fetcher exited cleanly and every hop
// stream is empty (work queues: a message leaves only once acked).
func (r *run) waitDrained(timeout time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	calm := 0
	for {
		for _, svc := range []string{"cleaner", "tagger", "sink"} {
			for _, pr := range r.p.Procs(svc) {
				if pr.Exited() && pr.Err() != nil {
					r.t.Fatalf("%s exited: %v", svc, pr.Err())
				}
			}
		}
		// Without a fetcher (messages published by the test) there is
		// nothing to wait for upstream.
		fetchers := r.p.Procs("fetcher")
		done := true
		for _, pr := range fetchers {
			if !pr.Exited() {
				done = false
			} else if pr.Err() != nil {
				r.t.Fatalf("fetcher exited: %v", pr.Err())
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, backlog, err := orchestrate.Backlog(ctx, r.js)
		cancel()
		if done && err == nil && backlog == 0 {
			if calm++; calm >= 3 {
				return
			}
		} else {
			calm = 0
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("not drained after %s (fetcher done %v, backlog %d, err %v)", timeout, done, backlog, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stopAll stops every service with SIGTERM, upstream first.
func (r *run) stopAll() {
	r.t.Helper()
	if err := r.p.StopAll(); err != nil {
		r.t.Fatal(err)
	}
}

// exported reads the store back with `sink export`.
func exported(t *testing.T, db string) []schema.ArticleTaggedV1 {
	t.Helper()
	arts, err := orchestrate.Export(context.Background(), binDir, db)
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

// jsonlIDs reads the article ids of every line the sink appended to its
// JSON lines files, duplicates included.
func jsonlIDs(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			var a struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(line, &a); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// checkExactlyOnce checks that the store holds every article of the site
// exactly once, in SQLite (rows and ids) and in the JSON lines files
// (every appended line).
func (r *run) checkExactlyOnce() {
	r.t.Helper()
	want, err := r.site.IDs()
	if err != nil {
		r.t.Fatal(err)
	}
	ctx := context.Background()
	articles, _, _, err := orchestrate.StoreStats(ctx, binDir, r.p.DBPath())
	if err != nil {
		r.t.Fatal(err)
	}
	if articles != len(want) {
		r.t.Errorf("SQLite holds %d articles, want %d", articles, len(want))
	}
	seen := map[string]int{}
	for _, a := range exported(r.t, r.p.DBPath()) {
		seen[a.ID]++
	}
	r.compare("sink export", want, seen)
	seen = map[string]int{}
	for _, id := range jsonlIDs(r.t, r.p.JSONLDir()) {
		seen[id]++
	}
	r.compare("JSON lines", want, seen)
}

func (r *run) compare(where string, want map[string]int, seen map[string]int) {
	r.t.Helper()
	var missing, doubled, unknown []string
	for id, i := range want {
		switch n := seen[id]; {
		case n == 0:
			missing = append(missing, fmt.Sprintf("%d", i))
		case n > 1:
			doubled = append(doubled, fmt.Sprintf("%d(x%d)", i, n))
		}
	}
	for id := range seen {
		if _, ok := want[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	sort.Strings(missing)
	sort.Strings(doubled)
	if len(missing)+len(doubled)+len(unknown) > 0 {
		r.t.Errorf("%s: %d missing %v, %d doubled %v, %d unknown %v", where, len(missing), head(missing), len(doubled), head(doubled), len(unknown), head(unknown))
	}
}

func head(xs []string) []string { return xs[:min(len(xs), 10)] }

// deadLetters counts the dead-letter stream.
func (r *run) deadLetters() uint64 {
	r.t.Helper()
	return r.streamInfo(schema.StreamDeadLetter).State.Msgs
}

// logEntries returns the JSON log lines of svc whose message is msg.
func (r *run) logEntries(svc, msg string) []map[string]any {
	r.t.Helper()
	b, err := os.ReadFile(r.p.LogPath(svc))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		r.t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range bytes.Split(b, []byte("\n")) {
		if !bytes.Contains(line, []byte(msg)) {
			continue
		}
		var m map[string]any
		if json.Unmarshal(line, &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// stallStats summarises the "Publish went through after retries." lines
// of every service: how many publishes stalled, and the longest stall.
func (r *run) stallStats() (n int, longest time.Duration) {
	r.t.Helper()
	for _, svc := range orchestrate.Services {
		for _, e := range r.logEntries(svc, "Publish went through after retries.") {
			n++
			if s, ok := e["stalled"].(float64); ok {
				longest = max(longest, time.Duration(s*float64(time.Second)))
			}
		}
	}
	return n, longest
}

// countLogs counts the log lines with message msg over every service.
func (r *run) countLogs(msg string) int {
	r.t.Helper()
	n := 0
	for _, svc := range orchestrate.Services {
		n += len(r.logEntries(svc, msg))
	}
	return n
}
