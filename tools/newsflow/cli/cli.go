// Package cli holds the newsflow tool's subcommands.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/embedded"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

const usage = `newsflow: run the pipeline on one machine, and operate it.

  newsflow run   [--replay PATH | --feeds FILE] [--data DIR] [--bin DIR]
                 embedded NATS + the four services; replay ends when drained
  newsflow nats  [--data DIR] [--port N]   an embedded NATS server with JetStream
  newsflow cluster [--replay PATH] [--stage S] [--low N] [--high N]
                 3-node local NATS cluster, replicas of each service, a replay;
                 scales one stage up and down while it runs
  newsflow diff  --base REF|BIN_DIR [--head BIN_DIR] [--replay PATH] [--format text|json]
                 replays one recording through two builds and says what changed:
                 relevance, claims (speaker, quantity, unit), text lengths
  newsflow bench-pipeline --corpus DIR [--bin DIR] [--paces max,250,50]
                 the pipeline benchmark: a recording replayed at each pace,
                 articles/s, latency, CPU, RSS and messaging share (make bench-pipeline)
  newsflow dlq ls    [--stage S] [--limit N] [--nats-url URL]
  newsflow dlq show  SEQ [--nats-url URL]
  newsflow dlq redrive SEQ... [--nats-url URL]
`

// Main dispatches the subcommands.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command", app.ErrUsage)
	}
	switch args[0] {
	case "run":
		return runCommand(ctx, args[1:], stdout, stderr)
	case "nats":
		return natsCommand(ctx, args[1:], stdout, stderr)
	case "cluster":
		return clusterCommand(ctx, args[1:], stdout, stderr)
	case "bench-pipeline":
		return benchCommand(ctx, args[1:], stdout, stderr)
	case "dlq":
		return dlqCommand(ctx, args[1:], stdout, stderr)
	case "diff":
		return diffCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", app.ErrUsage, args[0])
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("newsflow run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o orchestrate.Options
	fs.StringVar(&o.BinDir, "bin", "bin", "directory holding the service binaries")
	fs.StringVar(&o.DataDir, "data", "data", "directory for the NATS store, SQLite, JSON lines and logs")
	fs.StringVar(&o.Replay, "replay", "testdata/recording", "recording to replay (WARC file, directory or glob)")
	fs.StringVar(&o.ReplayFeeds, "replay-feeds", "testdata/recording/feeds.yaml", "feeds to poll in the recording")
	fs.StringVar(&o.Feeds, "feeds", "", "feeds file: ingest live feeds continuously instead of replaying")
	fs.StringVar(&o.NATSURL, "nats-url", "", "use this NATS server instead of the embedded one")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "give up when a replay is not drained by then")
	fs.StringVar(&o.DB, "db", os.Getenv("NEWSFLOW_SINK_DB"), "the sink's database (default $NEWSFLOW_SINK_DB, else sqlite:DATA/newsflow.db)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	o.Progress, o.Terminal = stdout, isTerminal(stdout)
	if o.Feeds != "" {
		o.Timeout = 1<<63 - 1
		fmt.Fprintf(stdout, "Ingesting the feeds in %s until interrupted (Ctrl-C).\n", o.Feeds)
	} else {
		fmt.Fprintf(stdout, "Replaying %s through embedded NATS and the four services.\n", o.Replay)
	}
	if _, set := os.LookupEnv("GOMAXPROCS"); !set && o.NATSURL == "" {
		// The embedded NATS server runs in this process, beside the four
		// services: it gets a share of the cores like each of them.
		runtime.GOMAXPROCS(orchestrate.CoreShare())
	}
	sum, err := orchestrate.Run(ctx, o)
	PrintSummary(stdout, sum)
	return err
}

// PrintSummary prints what a run did.
func PrintSummary(w io.Writer, s orchestrate.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nSummary (%s)\n", s.Elapsed.Round(100*time.Millisecond))
	fmt.Fprintf(tw, "  NATS\t%s\n", s.NATSURL)
	fmt.Fprintf(tw, "  feeds polled\t%d\t(errors %d)\n", s.Feeds, s.FeedErrors)
	printReasons(tw, s.Failures.Feeds)
	fmt.Fprintf(tw, "  articles fetched\t%d\t(errors %d)\n", s.Fetched, s.FetchErrors)
	printReasons(tw, s.Failures.Pages)
	fmt.Fprintf(tw, "  articles cleaned\t%d\n", s.Cleaned)
	fmt.Fprintf(tw, "  articles tagged\t%d\n", s.Tagged)
	fmt.Fprintf(tw, "  articles stored\t%d\n", s.Stored)
	var stages []string
	for k := range s.DeadLetters {
		stages = append(stages, k)
	}
	sort.Strings(stages)
	dl := ""
	for _, k := range stages {
		if dl != "" {
			dl += ", "
		}
		dl += k + " " + strconv.Itoa(s.DeadLetters[k])
	}
	fmt.Fprintf(tw, "  dead letters\t%s\n", dl)
	// Claims extracted count every statement in every article; the desk
	// counts claim groups, where a statement repeated counts once.
	fmt.Fprintf(tw, "  in the store\t%d articles, %d relevant, %d claims extracted (the desk groups repeats into claim groups)\n",
		s.StoreArticles, s.StoreRelevant, s.StoreClaims)
	fmt.Fprintf(tw, "  database\t%s\n", s.DB)
	fmt.Fprintf(tw, "  JSON lines\t%s\n", s.JSONLDir)
	_ = tw.Flush()
	printFailureHint(w, s)
	fmt.Fprintf(w, "\nClaims on the command line: bin/sink claims --db %s\n", s.DB)
	if s.DB == "sqlite:"+filepath.Join("data", "newsflow.db") {
		fmt.Fprintf(w, "See what was stored in a browser: make serve   (http://127.0.0.1:8090/)\n")
	} else {
		fmt.Fprintf(w, "See what was stored in a browser: bin/sink serve --db %s   (http://127.0.0.1:8090/)\n", s.DB)
	}
}

// printReasons lists failure reasons under their count, one line each:
// how often, the reason and its class, one feed or page it happened to.
func printReasons(w io.Writer, rs []orchestrate.Reason) {
	for _, r := range rs {
		class := ""
		if r.Class != "" {
			class = " [" + r.Class + "]"
		}
		fmt.Fprintf(w, "  \t%d×\t%s%s, e.g. %s\n", r.Count, oneLine(r.Reason, 100), class, r.Example)
	}
}

// printFailureHint says where to look further when feeds or pages failed:
// `fetcher feeds` for the feeds' state (a live run's state outlives it; a
// replay's is deleted at its end), the fetcher's log for every error.
func printFailureHint(w io.Writer, s orchestrate.Summary) {
	if len(s.Failures.Feeds)+len(s.Failures.Pages) == 0 && s.FeedErrors+s.FetchErrors == 0 {
		return
	}
	fmt.Fprintln(w)
	if s.FeedsFile != "" {
		data := filepath.Dir(filepath.Dir(s.FetcherLog))
		fmt.Fprintf(w, "Each feed's state and last error: bin/fetcher feeds --feeds %s --nats-url URL\n", s.FeedsFile)
		fmt.Fprintf(w, "  (the run's NATS store, with the run stopped: bin/newsflow nats --data %s --port 4333, URL nats://127.0.0.1:4333).\n", data)
		fmt.Fprintf(w, "A feed whose entry or fetcher setting changed is retried at once; after a fix elsewhere:\n")
		fmt.Fprintf(w, "  bin/fetcher feeds reset --failing --nats-url URL\n")
	}
	if s.FetcherLog != "" {
		fmt.Fprintf(w, "Every error: grep -E 'failed|error' %s\n", s.FetcherLog)
	}
}

func natsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("newsflow nats", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data", "data", "directory for the JetStream store (under nats/)")
	port := fs.Int("port", 0, "client port (0: a free one; never collides with 4222 when 0)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	s, err := embedded.Start(embedded.Options{StoreDir: filepath.Join(*dir, "nats"), Port: *port, ServerName: "newsflow-embedded", Logging: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "NATS with JetStream at %s (store %s). Ctrl-C stops it.\n", s.ClientURL(), filepath.Join(*dir, "nats"))
	<-ctx.Done()
	embedded.Stop(s)
	return nil
}

func dlqCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("dlq: want ls, show or redrive")
	}
	fs := flag.NewFlagSet("newsflow dlq "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("nats-url", envOr("NEWSFLOW_NATS_URL", "nats://127.0.0.1:4222"), "NATS server (env NEWSFLOW_NATS_URL)")
	stage := fs.String("stage", "", "only this stage's dead letters (cleaner, tagger, sink)")
	limit := fs.Int("limit", 100, "at most this many")
	// Flags may follow the sequence numbers (`dlq show 7 --nats-url URL`),
	// which the flag package alone would take for more arguments.
	var seqs []string
	for rest := args[1:]; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		seqs = append(seqs, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	conn, err := bus.Connect(ctx, config.NATS{URL: *url, ConnectTO: 5 * time.Second}, "newsflow-dlq", zap.NewNop())
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	switch args[0] {
	case "ls":
		dls, err := bus.ListDeadLetters(ctx, conn.JS, *stage, *limit)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tSTAGE\tREASON\tFAILED AT\tSIZE\tERROR")
		for _, d := range dls {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", d.Seq, d.Stage, d.Reason, d.FailedAt.Format(time.RFC3339), len(d.Data), oneLine(d.Error, 100))
		}
		return tw.Flush()
	case "show":
		if len(seqs) != 1 {
			return errors.New("dlq show: want one sequence number")
		}
		seq, err := strconv.ParseUint(seqs[0], 10, 64)
		if err != nil {
			return fmt.Errorf("dlq show: %q is not a sequence number", seqs[0])
		}
		d, err := bus.GetDeadLetter(ctx, conn.JS, seq)
		if err != nil {
			return err
		}
		out := struct {
			bus.DeadLetter
			Payload json.RawMessage `json:"payload,omitempty"`
			// A fetched article's page follows its JSON (schema.EncodeFetched).
			BodyBytes *int   `json:"payload_body_bytes,omitempty"`
			Raw       string `json:"payload_text,omitempty"`
		}{DeadLetter: d}
		head, body, framed := bytes.Cut(d.Data, []byte("\n"))
		switch {
		case json.Valid(d.Data):
			out.Payload = d.Data
		case framed && json.Valid(head):
			n := len(body)
			out.Payload, out.BodyBytes = head, &n
		default:
			out.Raw = string(d.Data)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "redrive":
		if len(seqs) == 0 {
			return errors.New("dlq redrive: want sequence numbers")
		}
		pub := bus.NewPublisher(conn, zap.NewNop(), nil)
		for _, a := range seqs {
			seq, err := strconv.ParseUint(a, 10, 64)
			if err != nil {
				return fmt.Errorf("dlq redrive: %q is not a sequence number", a)
			}
			if err := bus.Redrive(ctx, conn, pub, seq); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "re-driven %d\n", seq)
		}
		return nil
	}
	return fmt.Errorf("dlq: unknown command %q", args[0])
}

func oneLine(s string, n int) string {
	out := []rune{}
	for _, r := range s {
		if r == '\n' || r == '\t' {
			r = ' '
		}
		out = append(out, r)
		if len(out) >= n {
			return string(out) + "…"
		}
	}
	return string(out)
}

func envOr(k, d string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return d
}
