package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/pressly/goose/v3"
	"go.uber.org/zap"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteStore is the embedded default: one file, WAL mode so readers never
// wait for the writer, and one transaction per batch.
type sqliteStore struct {
	sqlReader
	db   *sql.DB
	path string
	// mu makes this process's writers queue in Go rather than in SQLite's
	// busy-wait loop (busy_timeout still covers other processes), and
	// guards stmts.
	mu sync.Mutex
	// stmts caches prepared statements by SQL text: multi-row inserts come
	// in a few sizes, and preparing one costs more than running it.
	stmts map[string]*sql.Stmt
	// renew is set while writes fail read-only: connections are not
	// reused (see Upsert). Guarded by mu.
	renew bool
}

// childTables lists the tables holding an article's children, leaves first
// so deletes never trip a foreign key.
func childTables() []string {
	return []string{"quantities", "claim_places", "claims", "tags", "entities"}
}

func openSQLite(ctx context.Context, rest string, log *zap.Logger) (Store, error) {
	path, rawOpts, _ := strings.Cut(rest, "?")
	if path == "" {
		return nil, fmt.Errorf("%w: sqlite: no path", ErrBadSpec)
	}
	opts, err := url.ParseQuery(rawOpts)
	if err != nil {
		return nil, fmt.Errorf("%w: sqlite options: %v", ErrBadSpec, err)
	}
	// FULL: an acked article must survive a power cut, not only a crash.
	synchronous, busy := "FULL", 10*time.Second
	for k, v := range opts {
		switch k {
		case "synchronous":
			synchronous = strings.ToUpper(v[0])
			if synchronous != "FULL" && synchronous != "NORMAL" && synchronous != "EXTRA" {
				return nil, fmt.Errorf("%w: sqlite synchronous=%q (want full, normal or extra)", ErrBadSpec, v[0])
			}
		case "busy_timeout":
			if busy, err = time.ParseDuration(v[0]); err != nil || busy < 0 {
				return nil, fmt.Errorf("%w: sqlite busy_timeout=%q", ErrBadSpec, v[0])
			}
		default:
			return nil, fmt.Errorf("%w: unknown sqlite option %q", ErrBadSpec, k)
		}
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: sqlite: %w", err)
		}
	}
	// _txlock=immediate: a batch takes the write lock at BEGIN, so it never
	// fails upgrading a read lock half way (SQLITE_BUSY_SNAPSHOT). A 16 MB
	// page cache (default 2 MB) keeps the hot index pages of big batches.
	dsn := path + "?_pragma=busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(" + synchronous + ")" +
		"&_pragma=foreign_keys(1)&_pragma=cache_size(-16000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	s := &sqliteStore{db: db, path: path, stmts: map[string]*sql.Stmt{}}
	s.sqlReader = sqlReader{d: dialect{}, query: s.queryRows}
	if err := s.init(ctx, log); err != nil {
		_ = db.Close()
		return nil, err
	}
	log.Info("Store opened.", zap.String("backend", "sqlite"), zap.String("path", path), zap.String("synchronous", synchronous))
	return s, nil
}

func (s *sqliteStore) init(ctx context.Context, log *zap.Logger) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: sqlite: open %s: %w", s.path, err)
	}
	// goose does not lock SQLite; a lock file keeps two sinks starting on
	// the same file from migrating at once.
	l, err := lockFile(s.path+".migrate-lock", true)
	if err != nil {
		return err
	}
	err = migrate(ctx, s.db, goose.DialectSQLite3, log)
	if uerr := l.unlock(); err == nil {
		err = uerr
	}
	return err
}

func (s *sqliteStore) Where() string { return "sqlite " + s.path }

func (s *sqliteStore) queryRows(ctx context.Context, q string, args ...any) (rowIter, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// Upsert writes the batch in one IMMEDIATE transaction. Holding the write
// lock from BEGIN makes read-then-write safe across processes.
func (s *sqliteStore) Upsert(ctx context.Context, batch []schema.ArticleTaggedV1) error {
	p, err := prepare(batch, time.Now())
	if err != nil {
		return err
	}
	if len(p.articles) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	err = s.upsertLocked(ctx, p.articles)
	switch {
	case Outage(err) == "read-only" && !s.renew:
		// SQLite opens a file it may not write read-only, and such a
		// connection stays so after the file is writable again: while the
		// store refuses writes, every connection is used once, so the next
		// try opens the file afresh.
		s.db.SetConnMaxLifetime(time.Nanosecond)
		s.renew = true
	case err == nil && s.renew:
		s.db.SetConnMaxLifetime(0)
		s.renew = false
	}
	return err
}

func (s *sqliteStore) upsertLocked(ctx context.Context, articles []schema.ArticleTaggedV1) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: sqlite: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := s.upsertTx(ctx, tx, articles); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: sqlite: commit: %w", err)
	}
	return nil
}

// upsertTx reads the stored versions of the batch, then writes the new and
// changed articles and their children with multi-row statements.
func (s *sqliteStore) upsertTx(ctx context.Context, tx *sql.Tx, articles []schema.ArticleTaggedV1) error {
	ids := make([]string, len(articles))
	for i := range articles {
		ids[i] = articles[i].ID
	}
	stored, err := s.storedVersions(ctx, tx, ids)
	if err != nil {
		return err
	}
	var fresh, changed, children rowset
	for i := range articles {
		a := &articles[i]
		target := &fresh
		if v, ok := stored[a.ID]; ok {
			if !newer(v.hash, v.fetchedUs, *a) {
				continue
			}
			target = &changed
		}
		if err := target.addArticle(a); err != nil {
			return err
		}
		if err := children.addChildren(a); err != nil {
			return err
		}
	}
	if n := len(changed.articles.id); n > 0 {
		for _, t := range childTables() {
			if err := s.execIn(ctx, tx, "DELETE FROM "+t+" WHERE article_id IN ", changed.articles.id); err != nil {
				return fmt.Errorf("store: sqlite: delete %s: %w", t, err)
			}
		}
		upd, err := s.stmt(ctx, `UPDATE articles SET content_hash = ?, url = ?, canonical_url = ?, feed_url = ?,
			site = ?, site_name = ?, title = ?, language = ?, relevant = ?, published_us = ?, fetched_us = ?,
			stored_us = ?, sort_us = ?, doc = ?, extraction_confidence = ?, extraction_method = ?,
			published_source = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		upd = tx.StmtContext(ctx, upd)
		rev, err := s.stmt(ctx, keepRevisionSQLite)
		if err != nil {
			return err
		}
		rev = tx.StmtContext(ctx, rev)
		var args []any
		for i := range n {
			c := &changed.articles
			if _, err := rev.ExecContext(ctx, c.storedUs[i], c.contentHash[i], c.id[i]); err != nil {
				return fmt.Errorf("store: sqlite: keep revision of %q: %w", c.id[i], err)
			}
			// The same order as articleColumns, with id moved last.
			args = changed.articles.args(i, args[:0])
			args = append(args[1:], args[0])
			if _, err := upd.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("store: sqlite: update %q: %w", changed.articles.id[i], err)
			}
		}
	}
	inserts := []struct {
		table, cols string
		n           int
		args        func(int, []any) []any
	}{
		{"articles", articleColumns, len(fresh.articles.id), fresh.articles.args},
		{"tags", tagColumns, len(children.tags.ord), children.tags.args},
		{"claims", claimColumns, len(children.claims.ord), children.claims.args},
		{"quantities", quantityColumns, len(children.quantities.ord), children.quantities.args},
		{"claim_places", placeColumns, len(children.places.ord), children.places.args},
		{"entities", entityColumns, len(children.entities.ord), children.entities.args},
	}
	for _, in := range inserts {
		if err := s.insertRows(ctx, tx, in.table, in.cols, in.n, in.args); err != nil {
			return fmt.Errorf("store: sqlite: insert %s: %w", in.table, err)
		}
	}
	return nil
}

// keepRevisionSQLite keeps the claims of the stored version of an article
// about to be replaced (migration 00010).
const keepRevisionSQLite = `INSERT INTO claim_revisions (article_id, content_hash, title, fetched_us, replaced_us, new_hash, claims)
	SELECT id, content_hash, title, fetched_us, ?, ?, COALESCE(json_extract(doc, '$.claims'), '[]') FROM articles WHERE id = ?
	ON CONFLICT (article_id, content_hash) DO NOTHING`

type storedVersion struct {
	hash      string
	fetchedUs int64
}

func (s *sqliteStore) storedVersions(ctx context.Context, tx *sql.Tx, ids []string) (map[string]storedVersion, error) {
	out := make(map[string]storedVersion, len(ids))
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]
		args := padIDs(chunk)
		st, err := s.stmt(ctx, "SELECT id, content_hash, fetched_us FROM articles WHERE id IN "+marks(len(args)))
		if err != nil {
			return nil, err
		}
		rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		if err != nil {
			return nil, fmt.Errorf("store: sqlite: read stored versions: %w", err)
		}
		for rows.Next() {
			var id string
			var v storedVersion
			if err := rows.Scan(&id, &v.hash, &v.fetchedUs); err != nil {
				_ = rows.Close()
				return nil, fmt.Errorf("store: sqlite: read stored versions: %w", err)
			}
			out[id] = v
		}
		err = rows.Err()
		_ = rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: sqlite: read stored versions: %w", err)
		}
	}
	return out, nil
}

// execIn runs prefix + "(?, ...)" over ids in chunks.
func (s *sqliteStore) execIn(ctx context.Context, tx *sql.Tx, prefix string, ids []string) error {
	for start := 0; start < len(ids); start += idChunk {
		args := padIDs(ids[start:min(start+idChunk, len(ids))])
		st, err := s.stmt(ctx, prefix+marks(len(args)))
		if err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// padIDs returns ids as arguments, padded to a power of two by repeating
// the last one (harmless in an IN list): the statement cache then holds a
// few sizes, not one per batch size.
func padIDs(ids []string) []any {
	n := 1 << bits.Len(uint(len(ids)-1))
	out := make([]any, n)
	for i := range out {
		out[i] = ids[min(i, len(ids)-1)]
	}
	return out
}

// maxRowsPerInsert bounds a multi-row INSERT; past a few dozen rows a
// bigger statement saves little and costs more to prepare.
const maxRowsPerInsert = 64

// insertRows inserts n rows in statements of a power-of-two number of rows
// up to maxRowsPerInsert, so at most seven statements per table are cached.
func (s *sqliteStore) insertRows(ctx context.Context, tx *sql.Tx, table, cols string, n int, rowArgs func(int, []any) []any) error {
	width := strings.Count(cols, ",") + 1
	var args []any
	for start := 0; start < n; {
		k := 1 << (bits.Len(uint(min(maxRowsPerInsert, n-start))) - 1)
		st, err := s.stmt(ctx, "INSERT INTO "+table+" ("+cols+") VALUES "+rowMarks(width, k))
		if err != nil {
			return err
		}
		args = args[:0]
		for i := start; i < start+k; i++ {
			args = rowArgs(i, args)
		}
		if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...); err != nil {
			return err
		}
		start += k
	}
	return nil
}

// stmt returns the prepared statement for q; the caller holds s.mu.
func (s *sqliteStore) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: prepare: %w", err)
	}
	s.stmts[q] = st
	return st, nil
}

// marks returns "(?, ?, ...)" with n marks; rowMarks rows such groups.
func marks(n int) string {
	return "(" + strings.Repeat("?, ", n-1) + "?)"
}

func rowMarks(width, rows int) string {
	one := marks(width)
	return strings.Repeat(one+", ", rows-1) + one
}

func (s *sqliteStore) Export(ctx context.Context, f ExportFilter, fn func(schema.ArticleTaggedV1) error) error {
	return s.export(ctx, f, fn)
}

func (s *sqliteStore) Claims(ctx context.Context, f ClaimFilter) ([]ClaimRow, error) {
	return s.claims(ctx, f)
}

func (s *sqliteStore) Stats(ctx context.Context) (Stats, error) { return s.stats(ctx) }

func (s *sqliteStore) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: sqlite: ping: %w", err)
	}
	return nil
}

func (s *sqliteStore) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: sqlite: close: %w", err)
	}
	return nil
}
