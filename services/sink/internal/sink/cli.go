package sink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/logx"
	"github.com/newsflow/newsflow/pkg/service/ops"
	"github.com/newsflow/newsflow/services/sink/internal/ledger"
	"github.com/newsflow/newsflow/services/sink/internal/report"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// openForRead opens the database named by --db or NEWSFLOW_SINK_DB (or the
// JSON lines directory when no database is set).
func openForRead(ctx context.Context, fs *flag.FlagSet, env app.Env) (store.Store, error) {
	db := fs.Lookup("db").Value.String()
	if db == "" {
		if dir := fs.Lookup("jsonl-dir").Value.String(); dir != "" {
			db = "jsonl:" + dir
		}
	}
	if db == "" {
		return nil, errors.New("sink: nothing to read: give --db or NEWSFLOW_SINK_DB")
	}
	st, err := store.OpenReadOnly(ctx, db, zap.NewNop())
	if err != nil {
		return nil, fmt.Errorf("sink: open %s: %w", redactDSN(db), err)
	}
	return st, nil
}

func readFlags(name string, env app.Env) *flag.FlagSet {
	fs := flag.NewFlagSet("sink "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	def := func(k, d string) string {
		if v, ok := env.Lookup(k); ok {
			return v
		}
		return d
	}
	fs.String("db", def("NEWSFLOW_SINK_DB", "sqlite:./data/newsflow.db"), "database to read (env NEWSFLOW_SINK_DB)")
	fs.String("jsonl-dir", "", "read JSON lines files instead of a database")
	return fs
}

func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("sink: --since %q: want a date (2006-01-02), an RFC 3339 time or a duration (24h)", s)
}

func exportCommand(ctx context.Context, env app.Env) error {
	fs := readFlags("export", env)
	since := fs.String("since", "", "only articles published at or after this date, time or duration ago")
	relevant := fs.Bool("relevant", false, "only relevant articles")
	if err := fs.Parse(env.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	t, err := parseSince(*since)
	if err != nil {
		return err
	}
	st, err := openForRead(ctx, fs, env)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	return st.Export(ctx, store.ExportFilter{Since: t, RelevantOnly: *relevant}, func(a schema.ArticleTaggedV1) error {
		return enc.Encode(a)
	})
}

// importCommand stores tagged articles read one per line from stdin (what
// `sink export` and `tagger tag --format jsonl` write) through the
// service's own batch code, without NATS: to load an export into another
// database, or to time the stage alone (the pipeline benchmark). A line
// that fails is reported on stderr and the rest go on; the command fails
// at the end if any did.
func importCommand(ctx context.Context, env app.Env) error {
	fs := readFlags("import", env)
	batchSize := fs.Int("batch", 100, "articles per transaction")
	if err := fs.Parse(env.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	cfg := Config{DB: fs.Lookup("db").Value.String(), JSONLDir: fs.Lookup("jsonl-dir").Value.String(), FSync: "batch"}
	st, err := OpenStores(ctx, cfg, zap.NewNop())
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	p := newProcessor(st, zap.NewNop(), prometheus.NewRegistry())
	// No service to wait for a store outage: a failed batch fails now.
	stopped := make(chan struct{})
	close(stopped)
	p.stopping = stopped

	var batch []*bus.Message
	var lines []int
	var stored, failed int
	flush := func() {
		if len(batch) == 0 {
			return
		}
		for i, err := range p.processBatch(ctx, batch) {
			if err != nil {
				failed++
				fmt.Fprintf(env.Stderr, "sink: stdin:%d: %v\n", lines[i], err)
			} else {
				stored++
			}
		}
		batch, lines = batch[:0], lines[:0]
	}
	err = app.EachLine(env.Stdin, func(n int, line []byte) {
		batch = append(batch, &bus.Message{Data: bytes.Clone(line)})
		lines = append(lines, n)
		if len(batch) >= max(*batchSize, 1) {
			flush()
		}
	})
	flush()
	if err != nil {
		return fmt.Errorf("sink: read stdin: %w", err)
	}
	fmt.Fprintf(env.Stdout, "imported %d articles, %d failed\n", stored, failed)
	if failed > 0 {
		return fmt.Errorf("sink: %d articles failed to import", failed)
	}
	return nil
}

func claimsCommand(ctx context.Context, env app.Env) error {
	fs := readFlags("claims", env)
	var f store.ClaimFilter
	fs.StringVar(&f.Topic, "topic", "", "claim topic (fighters, territory, people freed ...)")
	fs.StringVar(&f.Speaker, "speaker", "", "speaker name")
	fs.StringVar(&f.Place, "place", "", "place name")
	fs.StringVar(&f.Unit, "unit", "", "quantity unit (percent, people, km2 ...)")
	fs.BoolVar(&f.RelevantOnly, "relevant", false, "only claims of relevant articles")
	fs.IntVar(&f.Limit, "limit", 0, "at most this many claims")
	since := fs.String("since", "", "only claims of articles published at or after this date, time or duration ago")
	format := fs.String("format", "table", "table, json or csv")
	if err := fs.Parse(env.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	t, err := parseSince(*since)
	if err != nil {
		return err
	}
	f.Since = t
	st, err := openForRead(ctx, fs, env)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	rows, err := st.Claims(ctx, f)
	if err != nil {
		return err
	}
	return report.WriteClaims(env.Stdout, rows, *format)
}

func redactDSN(s string) string { return config.RedactURL(s) }

func statsCommand(ctx context.Context, env app.Env) error {
	fs := readFlags("stats", env)
	if err := fs.Parse(env.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	st, err := openForRead(ctx, fs, env)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	stats, err := st.Stats(ctx)
	if err != nil {
		return err
	}
	return json.NewEncoder(env.Stdout).Encode(stats)
}

// ledgerCommand lists the claim ledger: groups of claims that state the
// same thing across articles (default), or with --series the figures of
// each topic and unit over time.
func ledgerCommand(ctx context.Context, env app.Env) error {
	fs := readFlags("ledger", env)
	var f store.LedgerFilter
	series := fs.Bool("series", false, "list series (a topic and unit over time) instead of groups")
	fs.StringVar(&f.Topic, "topic", "", "topic (territory, fighters, people freed ...)")
	fs.StringVar(&f.Unit, "unit", "", "unit (percent, people, km2 ...)")
	fs.StringVar(&f.Place, "place", "", "only claims naming this place")
	fs.StringVar(&f.Site, "outlet", "", "only claims carried by this outlet (host, e.g. www.gulf-times.com)")
	since := fs.String("since", "", "only claims of articles published at or after this date, time or duration ago")
	until := fs.String("until", "", "only claims of articles published before this date or time")
	all := fs.Bool("all", false, "groups: include single claims without a number")
	fs.IntVar(&f.MinOutlets, "min-outlets", 0, "groups: only those carried by at least this many outlets")
	fs.BoolVar(&f.WithMembers, "members", false, "groups: include every appearance (json)")
	fs.IntVar(&f.MinPoints, "min-points", 2, "series: only those with at least this many points")
	fs.IntVar(&f.Limit, "limit", 0, "at most this many groups or series")
	format := fs.String("format", "table", "table, json or csv")
	if err := fs.Parse(env.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var err error
	if f.Since, err = parseSince(*since); err != nil {
		return err
	}
	if f.Until, err = parseSince(*until); err != nil {
		return fmt.Errorf("sink: --until: %w", err)
	}
	f.Notable = !*all
	st, err := openForRead(ctx, fs, env)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	desk := store.DeskOf(st)
	if *series {
		ss, err := desk.LedgerSeries(ctx, f)
		if err != nil {
			return err
		}
		return ledger.WriteSeries(env.Stdout, ss, *format)
	}
	groups, err := desk.LedgerGroups(ctx, f)
	if err != nil {
		return err
	}
	return ledger.WriteGroups(env.Stdout, groups, *format)
}

// serveCommand serves the claim desk page and the read-only JSON API over
// a store, without NATS: for reading what a run stored.
func serveCommand(ctx context.Context, env app.Env) error {
	fs := readFlags("serve", env)
	addr := fs.String("addr", "127.0.0.1:8090", "address to serve on")
	catchUp := fs.Bool("catch-up", true, "first bring the ledger up to date with the stored articles (databases only)")
	if err := fs.Parse(env.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	// Opening a missing SQLite file would create an empty store and serve
	// an empty page; say what to do instead.
	if rest, ok := strings.CutPrefix(fs.Lookup("db").Value.String(), "sqlite:"); ok {
		path, _, _ := strings.Cut(rest, "?")
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("sink: serve: no store at %s (run `make run` first, or give --db): %w", path, err)
		}
	}
	log, err := logx.New(schema.StageSink, "info", "auto")
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	st, err := openForRead(ctx, fs, env)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	if *catchUp {
		if n, err := store.DeskOf(st).CatchUpLedger(ctx); err != nil {
			return fmt.Errorf("sink: ledger catch-up: %w", err)
		} else if n > 0 {
			log.Info("Ledger caught up.", zap.Int("articles", n))
		}
	}
	srv := ops.New(*addr, log)
	srv.AddCheck("store", st.Ping)
	if err := mountReaders(srv, st, log); err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Claim desk: http://%s/  (JSON under /api/; Ctrl-C to stop)\n", srv.Addr())
	return srv.Run(ctx)
}
