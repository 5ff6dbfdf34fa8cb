// Package orchestrate runs the whole pipeline on one machine: NATS (an
// embedded server, a local cluster of embedded servers, or an external one)
// and the four services as separate processes. Run replays a recording
// until it is drained, stops the services with SIGTERM and returns a
// summary; in live mode it runs until interrupted. Pipeline is the
// underlying handle that tests use to kill, restart and scale services.
package orchestrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// Options configure a run.
type Options struct {
	BinDir  string // holds fetcher, cleaner, tagger, sink
	DataDir string // NATS store, SQLite, JSON lines, logs
	// Replay is a WARC file, directory or glob; the run ends when it is
	// drained. Feeds switches to live, continuous ingestion instead.
	Replay string
	Feeds  string
	// ReplayFeeds lists the feeds to poll in the recording.
	ReplayFeeds string
	// NATSURL uses an external server instead of the embedded one.
	NATSURL string
	// ClusterNodes > 1 runs a local JetStream cluster of that many nodes
	// (streams get min(nodes, 3) replicas).
	ClusterNodes int
	// Replicas of each service (default 1).
	Replicas map[string]int
	Timeout  time.Duration
	// Progress receives progress lines; Terminal redraws one line.
	Progress io.Writer
	Terminal bool
	// Env is added to every service's environment.
	Env []string
	// DB is the sink's database (NEWSFLOW_SINK_DB syntax); empty means
	// sqlite:DataDir/newsflow.db.
	DB string
}

// Summary is what a run did.
type Summary struct {
	NATSURL       string
	Feeds         int
	FeedErrors    int
	Fetched       int
	FetchErrors   int
	Cleaned       int
	Tagged        int
	Stored        int
	DeadLetters   map[string]int
	StoreArticles int
	StoreRelevant int
	StoreClaims   int
	Elapsed       time.Duration
	DBPath        string
	JSONLDir      string
	// Failures are the most common feed and page failure reasons of the
	// run, read from FetcherLog; FeedsFile is the live run's feeds file
	// ("" for a replay), for the hint to `fetcher feeds`.
	Failures   Failures
	FetcherLog string
	FeedsFile  string
	// DB is where the sink stored: its database spec, password redacted.
	DB string
}

// topReasons is how many failure reasons of each kind the summary names.
const topReasons = 3

// FetcherArgs are the fetcher's arguments for the options: live feeds, or
// one pass over the recording.
func FetcherArgs(o Options) []string {
	if o.Feeds != "" {
		return []string{"--feeds", o.Feeds}
	}
	args := []string{"--replay", o.Replay, "--once"}
	if o.ReplayFeeds != "" {
		args = append(args, "--feeds", o.ReplayFeeds)
	}
	return args
}

// StartConsumers starts the sink, tagger and cleaner replicas and waits
// until they are ready.
func (p *Pipeline) StartConsumers(ctx context.Context) error {
	for _, name := range []string{"sink", "tagger", "cleaner"} {
		for i := 0; i < max(p.o.Replicas[name], 1); i++ {
			pr, err := p.Start(name, nil)
			if err != nil {
				return err
			}
			if err := WaitReady(ctx, pr, 60*time.Second); err != nil {
				return err
			}
		}
	}
	return nil
}

// Run runs the pipeline.
func Run(ctx context.Context, o Options) (Summary, error) {
	start := time.Now()
	sum := Summary{DeadLetters: map[string]int{}}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	sum.DB = redactDSN((&Pipeline{o: o}).DB())
	p, err := StartNATS(o)
	if err != nil {
		return sum, err
	}
	defer p.Close()
	sum.NATSURL, sum.DBPath, sum.JSONLDir = p.NATSURL, p.DBPath(), p.JSONLDir()
	sum.FetcherLog, sum.FeedsFile = p.LogPath("fetcher"), o.Feeds
	logFrom := LogOffset(sum.FetcherLog) // the log is appended to run after run
	progressf(o, "NATS: %s (store %s)\n", p.NATSURL, o.DataDir)
	if err := p.StartConsumers(ctx); err != nil {
		return sum, errors.Join(err, p.StopAll())
	}
	for i := 0; i < max(o.Replicas["fetcher"], 1); i++ {
		if _, err := p.Start("fetcher", nil, FetcherArgs(o)...); err != nil {
			return sum, errors.Join(err, p.StopAll())
		}
	}
	progressf(o, "Services: %s\n", p.servicesLine())

	w := &watcher{p: p}
	runErr := w.wait(ctx, o.Feeds != "")
	// A live run ends with Ctrl-C: the summary is still wanted, so what
	// follows runs on a context of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	w.sample(ctx, &sum) // last figures before the services stop
	if o.Terminal {
		progressf(o, "\n")
	}
	stopErr := p.StopAll()
	if err := p.countDeadLetters(ctx, &sum); err != nil && runErr == nil {
		runErr = err
	}
	if err := storeStats(ctx, o, &sum); err != nil && runErr == nil {
		runErr = err
	}
	// The reasons explain the counts; the run's outcome does not depend
	// on them, so a log that cannot be read is not an error.
	sum.Failures, _ = FailuresFromLog(sum.FetcherLog, logFrom, topReasons)
	sum.Elapsed = time.Since(start)
	return sum, errors.Join(runErr, stopErr)
}

func (p *Pipeline) servicesLine() string {
	var parts []string
	for _, n := range Services {
		for _, pr := range p.Procs(n) {
			parts = append(parts, fmt.Sprintf("%s http://%s/metrics", n, pr.Addr))
		}
	}
	return strings.Join(parts, ", ")
}

func progressf(o Options, format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format, args...)
	}
}

func logDir(o Options) string { return filepath.Join(o.DataDir, "logs") }
