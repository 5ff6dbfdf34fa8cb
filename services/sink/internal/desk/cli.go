// Package desk is the claim desk: the page, the read API and the commands
// that read what the sink stored (claims, ledger, export, stats, serve).
// `sink serve` runs it as its own process, which keeps the ledger up to
// date by following the stored articles (deskdb.Follow): ingest never
// waits for it.
//
// Files by behaviour:
//
//	cli.go     the reading commands, for the sink binary's dispatch
//	run.go     Run: the desk's process (page, API, health, metrics, follower)
//	config.go  the desk's configuration table (NEWSFLOW_DESK_*)
//	deskdb/    the ledger kept over the store's narrow handle, and the desk's reads
//	ledger/    the pure ledger: grouping and series
//	report/    tables, JSON lines and CSV for the commands
//	api/, web/ the JSON API and the page
package desk

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"
	"golang.org/x/term"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/logx"
	"github.com/newsflow/newsflow/services/sink/internal/desk/deskdb"
	"github.com/newsflow/newsflow/services/sink/internal/desk/report"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// Commands are the desk's commands, for the sink binary's dispatch.
func Commands() []app.Cmd {
	return []app.Cmd{
		{Name: "serve", Summary: "run the claim desk: the page, the JSON API and the ledger that follows the store", Run: serveCommand},
		{Name: "claims", Summary: "list stored claims (relevant articles; --all for every one) as a table, JSON lines or CSV", Run: claimsCommand},
		{Name: "ledger", Summary: "list the claim ledger: claims grouped across outlets, or --series over time", Run: ledgerCommand},
		{Name: "export", Summary: "write the stored articles as JSON lines", Run: exportCommand},
		{Name: "stats", Summary: "count the stored articles, relevant articles, claims and quantities (JSON)", Run: statsCommand},
	}
}

// lookup is env's lookup with the desk's store falling back to the sink's:
// NEWSFLOW_DESK_DB, else NEWSFLOW_SINK_DB, so a desk beside a sink needs
// no setting of its own.
func lookup(env app.Env) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env.Lookup(k)
		if !ok && k == "NEWSFLOW_DESK_DB" {
			return env.Lookup("NEWSFLOW_SINK_DB")
		}
		return v, ok
	}
}

// openForRead opens the database named by --db, NEWSFLOW_DESK_DB or
// NEWSFLOW_SINK_DB (or the JSON lines directory when no database is set).
func openForRead(ctx context.Context, fs *flag.FlagSet, env app.Env) (store.Store, error) {
	db := fs.Lookup("db").Value.String()
	if db == "" {
		if dir := fs.Lookup("jsonl-dir").Value.String(); dir != "" {
			db = "jsonl:" + dir
		}
	}
	if db == "" {
		return nil, errors.New("sink: nothing to read: give --db or NEWSFLOW_DESK_DB")
	}
	st, err := store.OpenReadOnly(ctx, db, zap.NewNop())
	if err != nil {
		return nil, fmt.Errorf("sink: open %s: %w", redactDSN(db), err)
	}
	return st, nil
}

func readFlags(name string, env app.Env) *flag.FlagSet {
	summary := ""
	for _, c := range Commands() {
		if c.Name == name {
			summary = c.Summary
		}
	}
	fs := app.FlagSet("sink", name, summary, env)
	def := func(k, d string) string {
		if v, ok := lookup(env)(k); ok {
			return v
		}
		return d
	}
	fs.String("db", def("NEWSFLOW_DESK_DB", "sqlite:./data/newsflow.db"), "database to read (env NEWSFLOW_DESK_DB, else NEWSFLOW_SINK_DB)")
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
	lang := fs.String("lang", "", "only articles in this language (en, fr ...)")
	query := fs.String("query", "", `only articles whose title or text match this search, best match first: words, "a phrase", -excluded (SQLite and PostgreSQL)`)
	if handled, err := app.ParseFlags(fs, env.Args, env.Stdout); err != nil || handled {
		return err
	}
	if _, err := store.ParseSearch(*query); err != nil {
		return fmt.Errorf("sink: --query: %w", err)
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
	return st.Export(ctx, store.ExportFilter{Since: t, RelevantOnly: *relevant, Language: *lang, Query: *query}, func(a schema.ArticleTaggedV1) error {
		return enc.Encode(a)
	})
}

func claimsCommand(ctx context.Context, env app.Env) error {
	fs := readFlags("claims", env)
	var f store.ClaimFilter
	fs.StringVar(&f.Topic, "topic", "", "claim topic (fighters, territory, people freed ...)")
	fs.StringVar(&f.Speaker, "speaker", "", "speaker, by words in any case (mattis finds James Mattis)")
	fs.StringVar(&f.Place, "place", "", "place, by words in any case (raqqa finds Al-Raqqa)")
	fs.StringVar(&f.Unit, "unit", "", "quantity unit (percent, people, km2 ...)")
	fs.StringVar(&f.SpeakerKind, "kind", "", "speaker kind: "+strings.Join(deskdb.SpeakerKinds, ", "))
	fs.StringVar(&f.SpeakerRole, "role", "", "speaker role in the topic file (government, group-media, monitor ...)")
	fs.StringVar(&f.Language, "lang", "", "only claims of articles in this language (en, fr ...)")
	fs.BoolVar(&f.RelevantOnly, "relevant", true, "only claims of relevant articles (the default; --all for every article)")
	all := fs.Bool("all", false, "claims of every article, relevant or not")
	fs.IntVar(&f.Limit, "limit", 0, "at most this many claims")
	since := fs.String("since", "", "only claims of articles published at or after this date, time or duration ago")
	format := fs.String("format", "table", "table, json or csv")
	width := fs.Int("width", terminalWidth(env.Stdout), "fit the table to this many columns, cutting long text (0: no fitting; default: the terminal's)")
	if handled, err := app.ParseFlags(fs, env.Args, env.Stdout); err != nil || handled {
		return err
	}
	if *all {
		f.RelevantOnly = false
	}
	if err := checkSpeaker(f.SpeakerKind, f.SpeakerRole); err != nil {
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
	return report.WriteClaimsWidth(env.Stdout, rows, *format, *width)
}

// checkSpeaker refuses a speaker kind or role filter that can match
// nothing, as the API does.
func checkSpeaker(kind, role string) error {
	if err := deskdb.CheckSpeakerKind(kind); err != nil {
		return fmt.Errorf("sink: --kind: %w", err)
	}
	if err := deskdb.CheckSpeakerRole(role); err != nil {
		return fmt.Errorf("sink: --role: %w", err)
	}
	return nil
}

func redactDSN(s string) string { return config.RedactURL(s) }

func statsCommand(ctx context.Context, env app.Env) error {
	fs := readFlags("stats", env)
	if handled, err := app.ParseFlags(fs, env.Args, env.Stdout); err != nil || handled {
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
	var f deskdb.LedgerFilter
	series := fs.Bool("series", false, "list series (a topic and unit over time) instead of groups")
	fs.StringVar(&f.Topic, "topic", "", "topic (territory, fighters, people freed ...)")
	fs.StringVar(&f.Unit, "unit", "", "unit (percent, people, km2 ...)")
	fs.StringVar(&f.Place, "place", "", "only claims naming this place (by words in any case)")
	fs.StringVar(&f.Site, "outlet", "", "only claims carried by this outlet, by words of its host or name (gulf-times, Gulf Times)")
	fs.StringVar(&f.Speaker, "speaker", "", "only claims by this speaker (by words in any case: mattis)")
	fs.StringVar(&f.SpeakerKind, "kind", "", "only claims by this kind of speaker: "+strings.Join(deskdb.SpeakerKinds, ", "))
	fs.StringVar(&f.SpeakerRole, "role", "", "only claims by a speaker of this role in the topic file (government, group-media ...)")
	fs.StringVar(&f.Language, "lang", "", "only claims of articles in this language (en, fr ...)")
	since := fs.String("since", "", "only claims of articles published at or after this date, time or duration ago")
	until := fs.String("until", "", "only claims of articles published before this date or time")
	all := fs.Bool("all", false, "groups: include single claims without a number")
	fs.IntVar(&f.MinOutlets, "min-outlets", 0, "groups: only those carried by at least this many outlets")
	fs.BoolVar(&f.WithMembers, "members", false, "groups: include every appearance (json)")
	fs.IntVar(&f.MinPoints, "min-points", 2, "series: only those with at least this many points")
	fs.IntVar(&f.Limit, "limit", 0, "at most this many groups or series")
	format := fs.String("format", "table", "table, json or csv")
	catchUp := fs.Bool("catch-up", true, "first bring the ledger up to date with the stored articles (databases only)")
	if handled, err := app.ParseFlags(fs, env.Args, env.Stdout); err != nil || handled {
		return err
	}
	if err := checkSpeaker(f.SpeakerKind, f.SpeakerRole); err != nil {
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
	desk, err := deskdb.Open(ctx, st)
	if err != nil {
		return err
	}
	// The ledger follows the store in the desk's process; a store read
	// without one running gets the ledger brought up to date first.
	if *catchUp {
		if _, err := desk.CatchUpLedger(ctx); err != nil {
			return fmt.Errorf("sink: ledger catch-up: %w", err)
		}
	}
	if *series {
		ss, err := desk.LedgerSeries(ctx, f)
		if err != nil {
			return err
		}
		return report.WriteSeries(env.Stdout, ss, *format)
	}
	groups, err := desk.LedgerGroups(ctx, f)
	if err != nil {
		return err
	}
	return report.WriteGroups(env.Stdout, groups, *format)
}

// serveCommand runs the claim desk (Run) with its configuration table:
// flags, then NEWSFLOW_DESK_* (the store falling back to NEWSFLOW_SINK_DB).
func serveCommand(ctx context.Context, env app.Env) error {
	var cfg Config
	env.Lookup = lookup(env)
	rest, handled, err := app.ParseConfig(Table(&cfg), env)
	if err != nil || handled {
		if err != nil {
			err = fmt.Errorf("%w: %v", app.ErrUsage, err)
		}
		return err
	}
	if len(rest) > 0 {
		fmt.Fprintln(env.Stderr, "Usage: sink serve [flags]   (`sink serve --help` lists them)")
		return fmt.Errorf("%w: sink serve takes no argument, got %q", app.ErrUsage, rest[0])
	}
	log, err := logx.New("desk", cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return Run(ctx, cfg, log, env.Stdout)
}

// terminalWidth is w's width in columns when w is a terminal, else 0 (a
// pipe or a file gets the table whole).
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}
