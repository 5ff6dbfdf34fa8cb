package sink

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/config"
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
