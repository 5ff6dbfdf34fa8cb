package sink

import (
	"bytes"
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/services/sink/internal/desk"
)

const (
	about         = "sink stores tagged articles, idempotently, in SQLite or PostgreSQL and JSON lines; its desk commands read them back."
	importSummary = "store tagged articles read from stdin, one JSON object a line (what export writes), without NATS"
)

// commands are the sink binary's: the ingest service, import, and the
// claim desk's (package desk), which read what the service stored and run
// the desk as its own process (serve).
func commands() []app.Cmd {
	return append([]app.Cmd{
		{Name: "run", Summary: "run the ingest service: consume tagged articles from NATS and store them (the default)", Run: runCommand},
		{Name: "import", Summary: importSummary, Run: importCommand},
	}, desk.Commands()...)
}

// Main dispatches the command line (see commands); an unknown command or
// argument prints the usage and fails with app.ErrUsage.
func Main(ctx context.Context, env app.Env) error {
	return app.Dispatch(ctx, env, "sink", about, commands())
}

// runCommand parses the service's configuration table and runs it.
func runCommand(ctx context.Context, env app.Env) error {
	var cfg Config
	rest, handled, err := app.ParseConfig(Table(&cfg), env)
	if err != nil {
		return fmt.Errorf("%w: %v", app.ErrUsage, err)
	}
	if handled {
		return nil
	}
	if len(rest) > 0 {
		app.Usage(env.Stderr, "sink", about, commands())
		return fmt.Errorf("%w: sink run takes no argument, got %q", app.ErrUsage, rest[0])
	}
	log, err := app.Logger(schema.StageSink, cfg.Common)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return Run(ctx, cfg, log)
}

// importCommand stores tagged articles read one per line from stdin (what
// `sink export` and `tagger tag --format jsonl` write) through the
// service's own batch code, without NATS: to load an export into another
// database, or to time the stage alone (the pipeline benchmark). A line
// that fails is reported on stderr and the rest go on; the command fails
// at the end if any did.
func importCommand(ctx context.Context, env app.Env) error {
	fs := app.FlagSet("sink", "import", importSummary, env)
	db := "sqlite:./data/newsflow.db"
	if v, ok := env.Lookup("NEWSFLOW_SINK_DB"); ok {
		db = v
	}
	fs.StringVar(&db, "db", db, "database to write (env NEWSFLOW_SINK_DB)")
	jsonlDir := fs.String("jsonl-dir", "", "write JSON lines files too, or instead with --db ''")
	batchSize := fs.Int("batch", 100, "articles per transaction")
	if handled, err := app.ParseFlags(fs, env.Args, env.Stdout); err != nil || handled {
		return err
	}
	cfg := Config{DB: db, JSONLDir: *jsonlDir, FSync: "batch"}
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
