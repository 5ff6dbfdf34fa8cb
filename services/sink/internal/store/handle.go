package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/newsflow/newsflow/pkg/schema"
)

// DB is the narrow handle a reader that keeps tables of its own next to the
// articles gets of a database store: its dialect, its reads, and write
// transactions. The store knows nothing of what such a reader keeps; DBOf
// gives the handle of SQLite and PostgreSQL stores.
type DB struct {
	// Postgres is the dialect: $n placeholders and arrays, else SQLite's ?.
	Postgres bool
	// Query runs a read outside any transaction.
	Query func(ctx context.Context, sql string, args ...any) (Rows, error)
	// InTx runs fn in one write transaction and commits it when fn returns
	// nil. SQLite takes the write lock at BEGIN; PostgreSQL retries a
	// transaction that lost a deadlock or serialization race.
	InTx func(ctx context.Context, fn func(Tx) error) error
}

// Rows is what both drivers' result sets offer.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Tx is one write transaction of a DB.
type Tx interface {
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	Exec(ctx context.Context, sql string, args ...any) error
	// ExecEach runs sql once per argument list: prepared once in SQLite,
	// pipelined in one round trip in PostgreSQL.
	ExecEach(ctx context.Context, sql string, rows [][]any) error
}

// DBOf returns the handle of a SQLite or PostgreSQL store; false for JSON
// lines and for several stores written together.
func DBOf(s Store) (DB, bool) {
	switch s := s.(type) {
	case *sqliteStore:
		return DB{Query: func(ctx context.Context, q string, args ...any) (Rows, error) { return s.queryRows(ctx, q, args...) },
			InTx: s.inTx}, true
	case *pgStore:
		return DB{Postgres: true, Query: func(ctx context.Context, q string, args ...any) (Rows, error) { return s.queryRows(ctx, q, args...) },
			InTx: s.inTx}, true
	}
	return DB{}, false
}

// NameKey is how speakers, places and entity names are matched: the key
// the store writes beside them.
func NameKey(s string) string { return nameKey(s) }

// Clean makes s storable in both databases (no NUL, valid UTF-8).
func Clean(s string) string { return clean(s) }

// SiteOf is the host of an article's canonical URL, as the store's site
// column holds it.
func SiteOf(a *schema.ArticleTaggedV1) string { return siteOf(a) }

// SortTime is an article's listing time, as the store's sort_us column
// holds it: published, else stored, else fetched.
func SortTime(a *schema.ArticleTaggedV1) time.Time { return fromMicros(sortMicros(a)) }

// sqliteTx is a SQLite transaction as a Tx.
type sqliteTx struct{ tx *sql.Tx }

func (t sqliteTx) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (t sqliteTx) Exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, q, args...)
	return err
}

func (t sqliteTx) ExecEach(ctx context.Context, q string, rows [][]any) error {
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

// inTx runs fn in one IMMEDIATE transaction (the DSN's _txlock): it holds
// the write lock from BEGIN, so read-then-write is safe across processes.
func (s *sqliteStore) inTx(ctx context.Context, fn func(Tx) error) error {
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

// pgTx is a PostgreSQL transaction as a Tx.
type pgTx struct{ tx pgx.Tx }

func (t pgTx) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	return t.tx.Query(ctx, q, args...)
}

func (t pgTx) Exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.Exec(ctx, q, args...)
	return err
}

func (t pgTx) ExecEach(ctx context.Context, q string, rows [][]any) error {
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

// inTx runs fn in a transaction, retrying one that lost a deadlock or
// serialization race.
func (s *pgStore) inTx(ctx context.Context, fn func(Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgTxOnce(ctx, s.pool, fn)
		if err == nil {
			return nil
		}
		if attempt == pgAttempts || !retryable(err) {
			return fmt.Errorf("store: postgres: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: postgres: %w", ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * 10 * time.Millisecond):
		}
	}
}

func pgTxOnce(ctx context.Context, pool *pgxpool.Pool, fn func(Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(pgTx{tx}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
