package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/ops"
	"github.com/newsflow/newsflow/services/sink/internal/desk/api"
	"github.com/newsflow/newsflow/services/sink/internal/desk/deskdb"
	"github.com/newsflow/newsflow/services/sink/internal/desk/web"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// Run is the claim desk: it serves the page, the read API and the health
// and metrics endpoints on cfg.Addr over the store, and keeps the ledger
// up to date with what the sink stores (Follow), until ctx is done. It
// writes nothing but its own ledger tables, which are derived from the
// articles: stopping it at any point loses nothing, and it catches up at
// the next start. The address it listens on is printed to out.
func Run(ctx context.Context, cfg Config, log *zap.Logger, out io.Writer) error {
	if cfg.JSONLDir != "" {
		cfg.DB = "jsonl:" + cfg.JSONLDir
	}
	// Opening a missing SQLite file would create an empty store and serve
	// an empty page; say what to do instead.
	if rest, ok := strings.CutPrefix(cfg.DB, "sqlite:"); ok {
		path, _, _ := strings.Cut(rest, "?")
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("desk: no store at %s (run `make run` first, or give --db): %w", path, err)
		}
	}
	if cfg.DB == "" {
		return errors.New("desk: nothing to read: give --db or NEWSFLOW_DESK_DB")
	}
	st, err := store.OpenReadOnly(ctx, cfg.DB, log)
	if err != nil {
		return fmt.Errorf("desk: open %s: %w", config.RedactURL(cfg.DB), err)
	}
	defer func() { _ = st.Close() }()
	d, err := deskdb.Open(ctx, st)
	if err != nil {
		return err
	}
	// The page shows the ledger whole from its first request: catch up
	// before listening (a Kubernetes startup probe waits for it).
	if cfg.CatchUp {
		if n, err := d.CatchUpLedger(ctx); err != nil {
			return fmt.Errorf("desk: ledger catch-up: %w", err)
		} else if n > 0 {
			log.Info("Ledger caught up.", zap.Int("articles", n))
		}
	}
	srv := ops.New(cfg.Addr, log)
	srv.AddCheck("store", st.Ping)
	srv.Handle("/api/", api.Handler(st, log))
	page, err := web.New(d, log)
	if err != nil {
		return err
	}
	page.Mount(srv.Handle)
	if err := srv.Listen(); err != nil {
		return err
	}
	fmt.Fprintf(out, "Claim desk: http://%s/  (JSON under /api/; Ctrl-C to stop)\n", srv.Addr())
	followed := make(chan error, 1)
	if cfg.Follow.Interval > 0 {
		go func() { followed <- deskdb.Follow(ctx, d, cfg.Follow, log, srv.Registry) }()
	} else {
		followed <- nil
	}
	// Follow returns only when ctx is done, as srv.Run does.
	return errors.Join(srv.Run(ctx), <-followed)
}
