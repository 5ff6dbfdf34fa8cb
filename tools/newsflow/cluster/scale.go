// Package cluster shows and measures how newsflow scales out on one machine:
// a local JetStream cluster, several replicas of each service as
// processes, and one stage scaled up and down while a recording runs
// through (`newsflow cluster`, `make run-cluster`). The tests that check
// that more replicas of a stage raise its throughput and lose nothing are
// in tests/cluster; the pipeline benchmark that uses its measures
// (`make bench-pipeline`) in internal/bench.
//
//   - scale.go: Run, the scale-up-and-down demonstration.
//   - measure.go: per-process CPU and peak memory from /proc, the work a
//     stage has done (from its work-queue stream), percentiles.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

// Options configure Run.
type Options struct {
	BinDir string
	// DataDir holds the NATS stores, SQLite and logs. Use a fresh one: in
	// an old one JetStream de-duplicates the replay and nothing flows.
	DataDir string
	// Replay and ReplayFeeds are the recording the fetcher replays once.
	Replay      string
	ReplayFeeds string
	// Nodes of the local NATS cluster (streams get min(Nodes, 3) replicas).
	Nodes int
	// NATSURL uses a running NATS instead of starting a cluster.
	NATSURL string
	// Stage is the consuming stage scaled Low → High → Low once the
	// fetcher is done: each phase gets a third of the backlog (the last
	// one what is left), so the phases' rates compare like for like.
	Stage     string
	Low, High int
	// Concurrency of each replica of Stage. 1 makes a replica worth about
	// one CPU, like a pod with a one-CPU limit, so replicas add capacity
	// even on a small machine.
	Concurrency int
	// Replicas of the other consuming stages (default 2 each).
	Replicas map[string]int
	Timeout  time.Duration
	Out      io.Writer
}

// Phase is one stretch of the run at a fixed replica count.
type Phase struct {
	Replicas int
	Done     uint64 // messages the stage finished in the phase
	Elapsed  time.Duration
	Backlog  [2]uint64 // the stage's backlog at the start and at the end
}

// Rate is the stage's throughput in the phase, in messages per second.
func (p Phase) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Seconds()
}

// Report is what Run measured.
type Report struct {
	NATSURL       string
	Phases        []Phase
	StoreArticles int
	DeadLetters   uint64
	Elapsed       time.Duration
}

func (o *Options) defaults() {
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	if o.Stage == "" {
		o.Stage = schema.StageCleaner
	}
	if o.Low == 0 {
		o.Low = 1
	}
	if o.High == 0 {
		o.High = 3
	}
	if o.Concurrency == 0 {
		o.Concurrency = 1
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
}

// Run starts a local NATS cluster, the consuming stages (Stage at Low
// replicas, the others at Replicas), and a fetcher replaying the
// recording; once the fetcher is done it scales Stage to High and back to
// Low, a third of the backlog each, printing the stage's backlog and rate
// every second, and returns once the recording is drained and every
// service has stopped.
func Run(ctx context.Context, o Options) (Report, error) {
	o.defaults()
	start := time.Now()
	var rep Report
	if _, err := InputHop(o.Stage); err != nil {
		return rep, err
	}
	nodes := o.Nodes
	if o.NATSURL != "" {
		nodes = 0 // the server's own business: no cluster, one replica per stream
	}
	p, err := orchestrate.StartNATS(orchestrate.Options{BinDir: o.BinDir, DataDir: o.DataDir, ClusterNodes: nodes, NATSURL: o.NATSURL})
	if err != nil {
		return rep, err
	}
	defer p.Close()
	rep.NATSURL = p.NATSURL
	if o.NATSURL == "" {
		fmt.Fprintf(o.Out, "NATS: a %d-node JetStream cluster at %s\n", o.Nodes, p.NATSURL)
	} else {
		fmt.Fprintf(o.Out, "NATS: %s\n", p.NATSURL)
	}
	nc, js, err := p.JetStream()
	if err != nil {
		return rep, err
	}
	defer nc.Close()

	runErr := run(ctx, o, p, js, &rep)
	stopErr := p.StopAll()
	if n, _, _, err := orchestrate.StoreStats(ctx, o.BinDir, p.DBPath()); err == nil {
		rep.StoreArticles = n
	} else if runErr == nil {
		runErr = err
	}
	if st, err := js.Stream(ctx, schema.StreamDeadLetter); err == nil {
		if info, err := st.Info(ctx); err == nil {
			rep.DeadLetters = info.State.Msgs
		}
	}
	rep.Elapsed = time.Since(start)
	printReport(o, rep)
	return rep, errors.Join(runErr, stopErr)
}

func run(ctx context.Context, o Options, p *orchestrate.Pipeline, js jetstream.JetStream, rep *Report) error {
	envOf := map[string][]string{
		// The JSON lines store takes one writer per directory; several
		// sinks share the SQLite database only.
		schema.StageSink: {"NEWSFLOW_SINK_JSONL_DIR="},
	}
	stageEnv := append(envOf[o.Stage], fmt.Sprintf("NEWSFLOW_CONCURRENCY=%d", o.Concurrency))
	for _, name := range []string{schema.StageSink, schema.StageTagger, schema.StageCleaner} {
		n, env := o.Replicas[name], envOf[name]
		if n == 0 {
			n = 2
		}
		if name == o.Stage {
			n, env = o.Low, stageEnv
		}
		if err := ScaleTo(ctx, p, name, n, env); err != nil {
			return err
		}
	}
	if _, err := p.Start(schema.StageFetcher, nil, orchestrate.FetcherArgs(orchestrate.Options{Replay: o.Replay, ReplayFeeds: o.ReplayFeeds})...); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "Replaying %s: fetcher ×1, %s\n", o.Replay, replicaLine(p))
	fmt.Fprintf(o.Out, "Once the fetcher is done, %s goes %d → %d → %d replicas (concurrency %d each), a third of the backlog each.\n\n",
		o.Stage, o.Low, o.High, o.Low, o.Concurrency)

	deadline := time.Now().Add(o.Timeout)
	// The fetcher fills the backlog first, so that the phases compare the
	// stage alone at each size instead of the stage racing the fetcher for
	// the same CPUs.
	fmt.Fprintf(o.Out, "  ── filling: the fetcher replays the recording\n")
	fill, drained, err := phase(ctx, o, p, js, o.Low, untilFetched, 0, deadline)
	if err != nil || drained {
		return err
	}
	third := max(fill.Backlog[1]/3, 1)
	plan := []int{o.Low, o.High, o.Low}
	for i, n := range plan {
		if i > 0 {
			fmt.Fprintf(o.Out, "  ── scaling %s to %s\n", o.Stage, replicas(n))
			if err := ScaleTo(ctx, p, o.Stage, n, stageEnv); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(o.Out, "  ── fetcher done: %s at %s\n", o.Stage, replicas(n))
		}
		until := forCount
		if i == len(plan)-1 {
			until = untilDrained
		}
		ph, drained, err := phase(ctx, o, p, js, n, until, third, deadline)
		rep.Phases = append(rep.Phases, ph)
		if err != nil || drained {
			return err
		}
	}
	return nil
}

// Ends of a phase.
const (
	forCount     = iota // the stage has done count messages
	untilFetched        // the fetcher has exited
	untilDrained        // the fetcher has exited and every hop is empty
)

// phase runs one stretch at n replicas until its end comes. It reports
// whether the recording is drained.
func phase(ctx context.Context, o Options, p *orchestrate.Pipeline, js jetstream.JetStream, n, until int, count uint64, deadline time.Time) (Phase, bool, error) {
	ph := Phase{Replicas: n}
	done0, left0, err := Done(ctx, js, o.Stage)
	if err != nil {
		return ph, false, err
	}
	t0 := time.Now()
	ph.Backlog[0] = left0
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	prev, prevT := done0, t0
	drainedTicks := 0
	for {
		select {
		case <-ctx.Done():
			return ph, false, fmt.Errorf("cluster: interrupted: %w", ctx.Err())
		case <-tick.C:
		}
		if err := CheckAlive(p); err != nil {
			return ph, false, err
		}
		done, left, err := Done(ctx, js, o.Stage)
		if err != nil {
			return ph, false, err
		}
		backlog, total, err := orchestrate.Backlog(ctx, js)
		if err != nil {
			return ph, false, err
		}
		now := time.Now()
		if done > done0+ph.Done || left > 0 {
			// The phase lasts until its last progress: idle seconds after
			// the backlog emptied are not the stage's.
			ph.Done, ph.Elapsed = done-done0, now.Sub(t0)
		}
		ph.Backlog[1] = left
		rate := float64(done-prev) / now.Sub(prevT).Seconds()
		prev, prevT = done, now
		fmt.Fprintf(o.Out, "  %5.1fs  %s ×%d  %6.0f msg/s   backlog %s  %s\n", now.Sub(t0).Seconds(), o.Stage, n, rate,
			bar(left), backlogLine(backlog))
		fetcherDone := true
		for _, pr := range p.Procs(schema.StageFetcher) {
			if !pr.Exited() {
				fetcherDone = false
			} else if pr.Err() != nil {
				return ph, false, fmt.Errorf("cluster: fetcher failed: %v (see %s)", pr.Err(), p.LogPath(schema.StageFetcher))
			}
		}
		if fetcherDone && total == 0 {
			if drainedTicks++; drainedTicks >= 2 {
				return ph, true, nil
			}
		} else {
			drainedTicks = 0
		}
		if (until == forCount && done-done0 >= count) || (until == untilFetched && fetcherDone) {
			return ph, false, nil
		}
		if now.After(deadline) {
			return ph, false, fmt.Errorf("cluster: not drained after %s (backlog %d)", o.Timeout, total)
		}
	}
}

// ScaleTo runs n live replicas of a consuming stage: new ones are started
// with env and waited for; extra ones get SIGTERM and drain their in-flight
// messages before they exit.
func ScaleTo(ctx context.Context, p *orchestrate.Pipeline, name string, n int, env []string) error {
	var live []*orchestrate.Proc
	for _, pr := range p.Procs(name) {
		if !pr.Exited() {
			live = append(live, pr)
		}
	}
	for len(live) < n {
		pr, err := p.Start(name, env)
		if err != nil {
			return err
		}
		if err := orchestrate.WaitReady(ctx, pr, time.Minute); err != nil {
			return err
		}
		live = append(live, pr)
	}
	for len(live) > n {
		if err := p.Term(live[len(live)-1], 40*time.Second); err != nil {
			return err
		}
		live = live[:len(live)-1]
	}
	return nil
}

// CheckAlive fails when a consuming replica died on its own (one stopped
// by ScaleTo exits cleanly with status 0).
func CheckAlive(p *orchestrate.Pipeline) error {
	for _, name := range []string{schema.StageCleaner, schema.StageTagger, schema.StageSink} {
		for _, pr := range p.Procs(name) {
			if pr.Exited() && pr.Err() != nil {
				return fmt.Errorf("cluster: %s[%d] exited: %v (see %s)", name, pr.Index, pr.Err(), p.LogPath(name))
			}
		}
	}
	return nil
}

func replicas(n int) string {
	if n == 1 {
		return "1 replica"
	}
	return fmt.Sprintf("%d replicas", n)
}

func replicaLine(p *orchestrate.Pipeline) string {
	var parts []string
	for _, name := range []string{schema.StageCleaner, schema.StageTagger, schema.StageSink} {
		n := 0
		for _, pr := range p.Procs(name) {
			if !pr.Exited() {
				n++
			}
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", name, n))
	}
	return strings.Join(parts, ", ")
}

func backlogLine(b map[string]uint64) string {
	return fmt.Sprintf("(fetched %d · cleaned %d · tagged %d)", b[schema.ConsumerCleaner], b[schema.ConsumerTagger], b[schema.ConsumerSink])
}

// bar draws a backlog as up to 30 blocks of 40 messages.
func bar(n uint64) string {
	blocks := int(min((n+39)/40, 30))
	return fmt.Sprintf("%5d %-30s", n, strings.Repeat("▇", blocks))
}

func printReport(o Options, r Report) {
	tw := tabwriter.NewWriter(o.Out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(o.Out, "\n%s by phase\n", o.Stage)
	fmt.Fprintln(tw, "replicas\tmessages\tseconds\tmsg/s\tbacklog before\tbacklog after\t")
	for _, ph := range r.Phases {
		fmt.Fprintf(tw, "%d\t%d\t%.1f\t%.0f\t%d\t%d\t\n", ph.Replicas, ph.Done, ph.Elapsed.Seconds(), ph.Rate(), ph.Backlog[0], ph.Backlog[1])
	}
	_ = tw.Flush()
	fmt.Fprintf(o.Out, "\nStored %d articles, %d dead letters, in %s. NATS was %s.\n",
		r.StoreArticles, r.DeadLetters, r.Elapsed.Round(100*time.Millisecond), r.NATSURL)
}
