package cluster_test

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tools/newsflow/metricscrape"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"

	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/tools/newsflow/cluster"
)

// lane is one pipeline of the throughput test: its own NATS server, its
// own streams, its own service processes.
type lane struct {
	p   *orchestrate.Pipeline
	js  jetstream.JetStream
	ids map[string]bool
}

func newLane(t *testing.T, bin string) *lane {
	t.Helper()
	dir := t.TempDir()
	logsOnFailure(t, dir)
	srv := startNATS(t, bin, dir)
	p, err := orchestrate.StartNATS(orchestrate.Options{BinDir: bin, DataDir: dir, NATSURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.StopAll() })
	nc, js, err := p.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ensureStreams(t, js)
	return &lane{p: p, js: js, ids: map[string]bool{}}
}

// state is what a lane's cleaners have done so far: messages finished,
// messages left (both read at time at), CPU used and messages handled by
// each live replica.
type state struct {
	done, left uint64
	at         time.Time
	cpu        time.Duration
	handled    map[*orchestrate.Proc]float64
}

func (l *lane) state(t *testing.T, ctx context.Context) state {
	t.Helper()
	var st state
	var err error
	t0 := time.Now()
	st.done, st.left, err = cluster.Done(ctx, l.js, schema.StageCleaner)
	if err != nil {
		t.Fatal(err)
	}
	// The count's own moment, so that a slow scrape of the other lane
	// does not stretch this lane's window.
	st.at = t0.Add(time.Since(t0) / 2)
	st.handled = map[*orchestrate.Proc]float64{}
	for _, pr := range l.p.Procs(schema.StageCleaner) {
		if pr.Exited() {
			continue
		}
		if u, err := cluster.ReadUsage(pr.Pid()); err == nil {
			st.cpu += u.CPU
		}
		m, err := metricscrape.Scrape(ctx, pr.Addr)
		if err != nil {
			t.Fatal(err)
		}
		st.handled[pr] = m.Sum("newsflow_messages_total", "stage="+schema.StageCleaner)
	}
	return st
}

// TestScaleOutRaisesThroughput checks that scaling the cleaner from one
// replica to three raises its throughput, that the three share the work,
// and that every article then reaches the store exactly once: nothing is
// lost or doubled by adding replicas or by stopping them (SIGTERM drains).
//
// Why the cleaner: it is the CPU-bound stage (HTML parsing), so its
// capacity is the CPU it gets. Each replica runs with concurrency 1, which
// makes a replica worth one CPU at most, like a pod with a one-CPU limit.
// Nothing is slowed down artificially.
//
// How, on a shared two-core machine (make test runs packages side by
// side, so a free core cannot be counted on): two identical pipelines, A
// and B, each with its own NATS server and a backlog of benchmark pages,
// run side by side and are measured over the same seconds, so whatever
// else the machine does weighs on both alike. First both have one cleaner;
// then B scales to three while A stays at one. Each phase is several
// short windows back to back, the two lanes read in turn (A first, then B
// first), each lane's rate over its own reading times; a phase's B/A is
// the median over its windows, so one window that the machine's other
// jobs disturbed does not decide. A phase starts once every replica in it
// has handled a message (a condition, not a sleep). B's median rate
// relative to A's must rise by at least 1.25 times: with free cores three replicas use
// more of them, on a busy machine they get three shares of the CPU
// instead of one; either way about 2 to 3 times. The tagger and the sink
// start only after the measurement.
func TestScaleOutRaisesThroughput(t *testing.T) {
	bin := binaries(t)
	t.Run("cleaner", func(t *testing.T) { scaleOutRaisesThroughput(t, bin) })
	t.Run("run", func(t *testing.T) { runScalesUpAndDown(t, bin) })
}

func scaleOutRaisesThroughput(t *testing.T, bin string) {
	ctx := context.Background()
	start := time.Now()
	// Sixty pages, copies of them under other URLs: loading and
	// compressing them in a race-instrumented test is what takes long.
	pages := loadBenchmark(t, 60)
	a, b := newLane(t, bin), newLane(t, bin)
	// Enough that no backlog runs out within a phase's windows, B's at
	// three replicas included; measuring stops early, but after at least
	// minWindows, when a backlog gets short.
	publishFetched(t, a.js, pages, 0, 6500, a.ids)
	publishFetched(t, b.js, pages, 0, 9000, b.ids)
	one := []string{"NEWSFLOW_CONCURRENCY=1"}
	for _, l := range []*lane{a, b} {
		if err := cluster.ScaleTo(ctx, l.p, schema.StageCleaner, 1, one); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("published and started: %s", time.Since(start).Round(time.Millisecond))
	p1 := measurePhase(t, ctx, a, b)
	if err := cluster.ScaleTo(ctx, b.p, schema.StageCleaner, 3, one); err != nil {
		t.Fatal(err)
	}
	p2 := measurePhase(t, ctx, a, b)
	before, after := p1.ratio, p2.ratio
	shares := p2.shares
	t.Logf("cleaner msg/s (CPUs) over %d and %d windows: both at 1 replica: A %.0f (%.2f), B %.0f (%.2f); B at 3 replicas: A %.0f (%.2f), B %.0f (%.2f), per replica %v; B/A by window %.2f → %.2f; median B/A %.2f → %.2f, x%.2f",
		len(p1.ratios), len(p2.ratios), p1.rateA, p1.cpuA, p1.rateB, p1.cpuB, p2.rateA, p2.cpuA, p2.rateB, p2.cpuB, shares, p1.ratios, p2.ratios, before, after, after/before)
	if p1.rateA == 0 || p2.rateA == 0 || p1.rateB == 0 {
		t.Fatalf("a cleaner did nothing in a phase")
	}
	if after < 1.25*before {
		t.Errorf("B at 3 replicas cleaned %.2f times A's rate, at 1 replica %.2f times (medians over windows): want a rise of at least 1.25 times", after, before)
	}
	if len(shares) != 3 {
		t.Fatalf("%d replicas of B measured, want 3", len(shares))
	}
	var total float64
	for _, n := range shares {
		total += n
	}
	for i, n := range shares {
		// They pull from one durable consumer: none sits idle.
		if n < total/10 {
			t.Errorf("replica %d handled %.0f of %.0f messages: the work is not shared", i+1, n, total)
		}
	}

	// B down to one replica (the other two drain on SIGTERM), everything
	// through to the store, then count what it holds.
	if err := a.p.StopAll(); err != nil {
		t.Fatal(err)
	}
	if err := cluster.ScaleTo(ctx, b.p, schema.StageCleaner, 1, one); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{schema.StageTagger, schema.StageSink} {
		if err := cluster.ScaleTo(ctx, b.p, name, 1, nil); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("measured: %s", time.Since(start).Round(time.Millisecond))
	waitDrained(t, ctx, b.js, 90*time.Second)
	t.Logf("drained: %s", time.Since(start).Round(time.Millisecond))
	if err := b.p.StopAll(); err != nil {
		t.Fatal(err)
	}
	stored := exported(t, bin, b.p.DBPath())
	seen := map[string]int{}
	for _, art := range stored {
		seen[art.ID]++
	}
	for id := range b.ids {
		if seen[id] != 1 {
			t.Errorf("article %s stored %d times, want once", id, seen[id])
		}
	}
	if len(stored) != len(b.ids) {
		t.Errorf("%d articles stored, %d published", len(stored), len(b.ids))
	}
	if n := deadLetters(t, ctx, b.js); n != 0 {
		t.Errorf("%d dead letters, want none", n)
	}
}

// runScalesUpAndDown runs what `newsflow cluster` runs, over the bundled
// recording: the stage goes 1 → 2 → 1 replicas and everything is stored.
func runScalesUpAndDown(t *testing.T, bin string) {
	root := testkit.RepoRoot(t)
	dir := t.TempDir()
	logsOnFailure(t, filepath.Join(dir, "run"))
	srv := startNATS(t, bin, dir)
	var out strings.Builder
	rep, err := cluster.Run(context.Background(), cluster.Options{BinDir: bin, DataDir: filepath.Join(dir, "run"), NATSURL: srv.URL,
		Replay:      filepath.Join(root, "testdata", "recording"),
		ReplayFeeds: filepath.Join(root, "testdata", "recording", "feeds.yaml"),
		Stage:       schema.StageTagger, Low: 1, High: 2, Timeout: 2 * time.Minute, Out: &out})
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	if rep.StoreArticles != 56 || rep.DeadLetters != 0 {
		t.Errorf("stored %d articles, %d dead letters: want the recording's 56, none", rep.StoreArticles, rep.DeadLetters)
	}
	want := []int{1, 2, 1}
	if len(rep.Phases) == 0 || len(rep.Phases) > len(want) {
		t.Fatalf("%d phases", len(rep.Phases))
	}
	for i, ph := range rep.Phases {
		if ph.Replicas != want[i] {
			t.Errorf("phase %d ran %d replicas, want %d", i+1, ph.Replicas, want[i])
		}
	}
	if !strings.Contains(out.String(), "tagger by phase") {
		t.Errorf("no phase table in the output")
	}
}

// phase is one phase of the throughput test: both lanes' rates and CPU
// over all its windows, B/A by window and its median, and the messages
// each of B's replicas handled.
type phase struct {
	rateA, rateB, cpuA, cpuB float64
	ratios                   []float64
	ratio                    float64
	shares                   []float64
}

const (
	window     = 2 * time.Second
	maxWindows = 4
	minWindows = 3
	// reserve is the backlog below which a lane might run dry within a
	// window: a window at the fastest rate a lane can reach (three
	// replicas on two free cores, about 800 a second).
	reserve = 1600
)

// measurePhase waits until every cleaner replica of both lanes has handled
// a message, then measures up to maxWindows windows back to back.
func measurePhase(t *testing.T, ctx context.Context, a, b *lane) phase {
	t.Helper()
	waitAllHandled(t, ctx, a, b)
	var ph phase
	sa, sb := a.state(t, ctx), b.state(t, ctx)
	firstA, firstB := sa, sb
	for i := 0; i < maxWindows; i++ {
		if sa.left < reserve || sb.left < reserve {
			break
		}
		time.Sleep(window)
		// In turn A first, then B first: neither lane is always read later.
		var na, nb state
		if i%2 == 0 {
			na, nb = a.state(t, ctx), b.state(t, ctx)
		} else {
			nb, na = b.state(t, ctx), a.state(t, ctx)
		}
		if na.left == 0 || nb.left == 0 {
			t.Fatalf("a backlog ran out within a window (left: A %d, B %d)", na.left, nb.left)
		}
		ra := float64(na.done-sa.done) / na.at.Sub(sa.at).Seconds()
		rb := float64(nb.done-sb.done) / nb.at.Sub(sb.at).Seconds()
		if ra == 0 {
			t.Fatalf("lane A cleaned nothing in window %d", i+1)
		}
		ph.ratios = append(ph.ratios, math.Round(rb/ra*100)/100)
		sa, sb = na, nb
	}
	if len(ph.ratios) < minWindows {
		t.Fatalf("only %d windows before a backlog got short (left: A %d, B %d): publish more", len(ph.ratios), sa.left, sb.left)
	}
	elA, elB := sa.at.Sub(firstA.at).Seconds(), sb.at.Sub(firstB.at).Seconds()
	ph.rateA, ph.rateB = float64(sa.done-firstA.done)/elA, float64(sb.done-firstB.done)/elB
	ph.cpuA, ph.cpuB = (sa.cpu-firstA.cpu).Seconds()/elA, (sb.cpu-firstB.cpu).Seconds()/elB
	for pr, n := range sb.handled {
		ph.shares = append(ph.shares, n-firstB.handled[pr])
	}
	ph.ratio = median(ph.ratios)
	return ph
}

// waitAllHandled waits until every live cleaner replica of the lanes has
// handled at least one message, so that no window counts a replica still
// starting; a minute at most.
func waitAllHandled(t *testing.T, ctx context.Context, lanes ...*lane) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		idle := 0
		for _, l := range lanes {
			for _, n := range l.state(t, ctx).handled {
				if n == 0 {
					idle++
				}
			}
		}
		if idle == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d cleaner replicas handled nothing within a minute", idle)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func waitDrained(t *testing.T, ctx context.Context, js jetstream.JetStream, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, total, err := orchestrate.Backlog(ctx, js)
		if err != nil {
			t.Fatal(err)
		}
		if total == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("backlog %d after %s", total, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func deadLetters(t *testing.T, ctx context.Context, js jetstream.JetStream) uint64 {
	t.Helper()
	st, err := js.Stream(ctx, schema.StreamDeadLetter)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}
