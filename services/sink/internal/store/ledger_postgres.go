package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/ledger"
)

// pgTx is a PostgreSQL transaction as the ledger uses it.
type pgTx struct{ tx pgx.Tx }

func (t pgTx) query(ctx context.Context, q string, args ...any) (rowIter, error) {
	return t.tx.Query(ctx, q, args...)
}

func (t pgTx) exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.Exec(ctx, q, args...)
	return err
}

func (t pgTx) execEach(ctx context.Context, q string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, args := range rows {
		b.Queue(q, args...)
	}
	br := t.tx.SendBatch(ctx, b)
	for range rows {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return err
		}
	}
	return br.Close()
}

func (s *pgStore) ledger() ledgerDB {
	return ledgerDB{d: dialect{postgres: true}, opts: ledger.DefaultOptions(), read: s.queryRows, inTx: s.inLedgerTx}
}

// ledgerLock is the advisory lock that makes ledger writers of one schema
// take turns: replicas regrouping the same window at once would each
// insert the groups the other deleted.
const ledgerLock = `SELECT pg_advisory_xact_lock(hashtextextended('newsflow.sink.ledger:' || current_schema(), 0))`

// inLedgerTx runs fn in a transaction holding the ledger lock, retrying
// one that lost a deadlock or serialization race.
func (s *pgStore) inLedgerTx(ctx context.Context, fn func(ledgerTx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.ledgerTxOnce(ctx, fn)
		if err == nil {
			return nil
		}
		if attempt == pgAttempts || !retryable(err) {
			return fmt.Errorf("store: postgres: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: postgres: ledger: %w", ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * 10 * time.Millisecond):
		}
	}
}

func (s *pgStore) ledgerTxOnce(ctx context.Context, fn func(ledgerTx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, ledgerLock); err != nil {
		return fmt.Errorf("ledger lock: %w", err)
	}
	if err := fn(pgTx{tx}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (s *pgStore) SyncLedger(ctx context.Context, ids []string) (int, error) {
	return s.ledger().sync(ctx, ids)
}

func (s *pgStore) CatchUpLedger(ctx context.Context) (int, error) { return s.ledger().catchUp(ctx) }

func (s *pgStore) LedgerGroups(ctx context.Context, f LedgerFilter) ([]ledger.Group, error) {
	return s.ledger().groups(ctx, f)
}

func (s *pgStore) LedgerSeries(ctx context.Context, f LedgerFilter) ([]ledger.Series, error) {
	return s.ledger().series(ctx, f)
}

func (s *pgStore) Articles(ctx context.Context, f ArticleFilter) ([]schema.ArticleTaggedV1, error) {
	return s.ledger().articles(ctx, f)
}

func (s *pgStore) Facets(ctx context.Context) (Facets, error) { return s.ledger().facets(ctx) }
