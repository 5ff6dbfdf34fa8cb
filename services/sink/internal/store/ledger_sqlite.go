package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/ledger"
)

// sqliteTx is a SQLite transaction as the ledger uses it.
type sqliteTx struct{ tx *sql.Tx }

func (t sqliteTx) query(ctx context.Context, q string, args ...any) (rowIter, error) {
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (t sqliteTx) exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, q, args...)
	return err
}

func (t sqliteTx) execEach(ctx context.Context, q string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	st, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	for _, args := range rows {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqliteStore) ledger() ledgerDB {
	return ledgerDB{d: dialect{}, opts: ledger.DefaultOptions(), read: s.queryRows, inTx: s.inLedgerTx}
}

// inLedgerTx runs fn in one IMMEDIATE transaction: it holds the write lock
// from BEGIN, so two sinks never regroup the same window at once.
func (s *sqliteStore) inLedgerTx(ctx context.Context, fn func(ledgerTx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: sqlite: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(sqliteTx{tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: sqlite: commit: %w", err)
	}
	return nil
}

func (s *sqliteStore) SyncLedger(ctx context.Context, ids []string) (int, error) {
	return s.ledger().sync(ctx, ids)
}

func (s *sqliteStore) CatchUpLedger(ctx context.Context) (int, error) { return s.ledger().catchUp(ctx) }

func (s *sqliteStore) LedgerGroups(ctx context.Context, f LedgerFilter) ([]ledger.Group, error) {
	return s.ledger().groups(ctx, f)
}

func (s *sqliteStore) LedgerSeries(ctx context.Context, f LedgerFilter) ([]ledger.Series, error) {
	return s.ledger().series(ctx, f)
}

func (s *sqliteStore) Articles(ctx context.Context, f ArticleFilter) ([]schema.ArticleTaggedV1, error) {
	return s.ledger().articles(ctx, f)
}

func (s *sqliteStore) Facets(ctx context.Context) (Facets, error) { return s.ledger().facets(ctx) }
