package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/pressly/goose/v3"
	"go.uber.org/zap"
)

// pgStore is the production backend: a pgx pool, and each batch written
// with a fixed number of round trips whatever its size (one multi-row
// upsert, then one pipelined batch of deletes and array inserts).
type pgStore struct {
	sqlReader
	pool *pgxpool.Pool
	log  *zap.Logger
	// name is the redacted DSN, for log lines.
	name string

	indexWake   chan struct{}
	stopIndexer context.CancelFunc
	indexerDone chan struct{}
}

// pgAttempts bounds retries of a batch that lost a deadlock or
// serialization race; the sink retries anything else with backoff.
const pgAttempts = 5

func openPostgres(ctx context.Context, dsn string, log *zap.Logger) (Store, error) {
	if err := checkPostgresDSN(dsn); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: postgres: %v", ErrBadSpec, err)
	}
	// Migrations hold one connection for the lock and use another.
	if cfg.MaxConns < 2 {
		return nil, fmt.Errorf("%w: postgres: pool_max_conns must be at least 2", ErrBadSpec)
	}
	// pgx would send our own parameter to the server as a setting.
	indexer := true
	if v, ok := cfg.ConnConfig.RuntimeParams[searchIndexerParam]; ok {
		delete(cfg.ConnConfig.RuntimeParams, searchIndexerParam)
		switch v {
		case "on":
		case "off":
			indexer = false
		default:
			return nil, fmt.Errorf("%w: postgres: %s=%q (want on or off)", ErrBadSpec, searchIndexerParam, v)
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	s := &pgStore{pool: pool, log: log, name: redactSpec(dsn), indexWake: make(chan struct{}, 1)}
	s.sqlReader = sqlReader{d: dialect{postgres: true}, query: s.queryRows}
	if err := s.migrate(ctx, log); err != nil {
		pool.Close()
		return nil, err
	}
	if indexer {
		ictx, cancel := context.WithCancel(context.Background())
		s.stopIndexer, s.indexerDone = cancel, make(chan struct{})
		go func() {
			defer close(s.indexerDone)
			s.runIndexer(ictx)
		}()
	}
	log.Info("Store opened.", zap.String("backend", "postgres"), zap.String("host", cfg.ConnConfig.Host),
		zap.String("database", cfg.ConnConfig.Database), zap.Bool("search_indexer", indexer))
	return s, nil
}

// checkPostgresDSN refuses a DSN that names no host or no database: pgx
// would fill them in from the environment and its defaults (the local
// socket, a database named after the user) and the sink would migrate
// whatever answered there.
func checkPostgresDSN(dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("%w: postgres: %v", ErrBadSpec, err)
	}
	q := u.Query()
	if u.Hostname() == "" && q.Get("host") == "" {
		return fmt.Errorf("%w: postgres: %q names no host (want postgres://user@host:5432/db)", ErrBadSpec, redactSpec(dsn))
	}
	if strings.Trim(u.Path, "/") == "" && q.Get("dbname") == "" {
		return fmt.Errorf("%w: postgres: %q names no database (want postgres://user@host:5432/db)", ErrBadSpec, redactSpec(dsn))
	}
	return nil
}

func (s *pgStore) Where() string { return "postgres " + s.name }

// migrate runs goose under a session advisory lock, so replicas starting
// together migrate once. The key includes the schema: tests in separate
// schemas do not wait for each other.
func (s *pgStore) migrate(ctx context.Context, log *zap.Logger) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: postgres: connect: %w", err)
	}
	defer conn.Release()
	const key = `hashtextextended('newsflow.sink.migrate:' || current_schema(), 0)`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
		return fmt.Errorf("store: postgres: migration lock: %w", err)
	}
	defer func() {
		// A failed unlock ends with the session; the pool drops a broken conn.
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`); err != nil {
			_ = conn.Conn().Close(ctx)
		}
	}()
	db := stdlib.OpenDBFromPool(s.pool)
	defer func() { _ = db.Close() }()
	return migrate(ctx, db, goose.DialectPostgres, log)
}

func (s *pgStore) queryRows(ctx context.Context, q string, args ...any) (rowIter, error) {
	return s.pool.Query(ctx, q, args...)
}

func (s *pgStore) Upsert(ctx context.Context, batch []schema.ArticleTaggedV1) error {
	p, err := prepare(batch, time.Now())
	if err != nil {
		return err
	}
	if len(p.articles) == 0 {
		return nil
	}
	var rs rowset
	for i := range p.articles {
		if err := rs.addArticle(&p.articles[i]); err != nil {
			return err
		}
	}
	for attempt := 1; ; attempt++ {
		wrote, err := s.upsertOnce(ctx, p.articles, &rs.articles)
		if err == nil {
			if wrote {
				s.wakeIndexer()
			}
			return nil
		}
		if attempt == pgAttempts || !retryable(err) {
			return fmt.Errorf("store: postgres: upsert: %w", err)
		}
		s.log.Debug("Upsert lost a race, retrying.", zap.Int("attempt", attempt), zap.Error(err))
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: postgres: upsert: %w", ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * 10 * time.Millisecond):
		}
	}
}

// retryable reports a transaction that lost a deadlock or serialization
// race: running it again is expected to succeed.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// upsertArticles inserts new articles and replaces changed ones in one
// statement, returning the ids it wrote. The conflict row is locked even
// when the WHERE skips it, so a concurrent writer of the same id waits and
// then sees this transaction's version.
const upsertArticles = `
INSERT INTO articles (` + articleColumns + `)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
	$9::text[], $10::bool[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::text[], $16::float8[],
	$17::text[], $18::text[])
ON CONFLICT (id) DO UPDATE SET
	content_hash = excluded.content_hash, url = excluded.url, canonical_url = excluded.canonical_url,
	feed_url = excluded.feed_url, site = excluded.site, site_name = excluded.site_name,
	title = excluded.title, language = excluded.language, relevant = excluded.relevant,
	published_us = excluded.published_us, fetched_us = excluded.fetched_us,
	stored_us = excluded.stored_us, sort_us = excluded.sort_us, doc = excluded.doc, search = NULL,
	extraction_confidence = excluded.extraction_confidence, extraction_method = excluded.extraction_method,
	published_source = excluded.published_source
WHERE articles.content_hash <> excluded.content_hash AND excluded.fetched_us >= articles.fetched_us
RETURNING id`

// keepRevisions keeps the claims of the stored versions the upsert is
// about to replace: the same condition as upsertArticles' WHERE.
const keepRevisions = `
INSERT INTO claim_revisions (article_id, content_hash, title, fetched_us, replaced_us, new_hash, claims)
SELECT a.id, a.content_hash, a.title, a.fetched_us, n.stored, n.hash, COALESCE((a.doc::jsonb -> 'claims')::text, '[]')
FROM articles a JOIN unnest($1::text[], $2::text[], $3::int8[], $4::int8[]) AS n(id, hash, fetched, stored) ON a.id = n.id
WHERE a.content_hash <> n.hash AND n.fetched >= a.fetched_us
ON CONFLICT (article_id, content_hash) DO NOTHING`

// deleteChildren deletes the children of the articles in $1, one table
// per data-modifying CTE, in one statement.
const deleteChildren = `
WITH q AS (DELETE FROM quantities WHERE article_id = ANY($1)),
	p AS (DELETE FROM claim_places WHERE article_id = ANY($1)),
	c AS (DELETE FROM claims WHERE article_id = ANY($1)),
	t AS (DELETE FROM tags WHERE article_id = ANY($1))
DELETE FROM entities WHERE article_id = ANY($1)`

const (
	insertTags = `INSERT INTO tags (` + tagColumns + `)
SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::float8[], $5::text[])`
	insertClaims = `INSERT INTO claims (` + claimColumns + `)
SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
	$9::int4[], $10::bool[], $11::int8[], $12::text[], $13::text[])`
	insertQuantities = `INSERT INTO quantities (` + quantityColumns + `)
SELECT * FROM unnest($1::text[], $2::int4[], $3::int4[], $4::float8[], $5::float8[], $6::float8[], $7::text[],
	$8::text[], $9::text[])`
	insertPlaces = `INSERT INTO claim_places (` + placeColumns + `)
SELECT * FROM unnest($1::text[], $2::int4[], $3::int4[], $4::text[], $5::text[])`
	insertEntities = `INSERT INTO entities (` + entityColumns + `)
SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[])`
)

// upsertOnce runs one attempt and reports whether it wrote any article.
func (s *pgStore) upsertOnce(ctx context.Context, articles []schema.ArticleTaggedV1, ac *articleCols) (bool, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	// The claims of versions about to be replaced, kept first (migration 00010).
	if _, err := tx.Exec(ctx, keepRevisions, ac.id, ac.contentHash, ac.fetchedUs, ac.storedUs); err != nil {
		return false, fmt.Errorf("keep revisions: %w", err)
	}
	rows, err := tx.Query(ctx, upsertArticles, ac.id, ac.contentHash, ac.url, ac.canonicalURL, ac.feedURL,
		ac.site, ac.siteName, ac.title, ac.language, ac.relevant, ac.publishedUs, ac.fetchedUs, ac.storedUs,
		ac.sortUs, ac.doc, ac.confidence, ac.method, ac.publishedSource)
	if err != nil {
		return false, err
	}
	written, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, err
	}
	if len(written) > 0 {
		if err := s.replaceChildren(ctx, tx, articles, written); err != nil {
			return false, err
		}
	}
	return len(written) > 0, tx.Commit(ctx)
}

// copyMinArticles is where COPY starts to beat one pipelined round trip of
// array inserts: COPY parses rows faster but costs a round trip per table.
const copyMinArticles = 32

// replaceChildren deletes and rewrites the children of the written
// articles. Their article rows are locked by this transaction, so no other
// writer touches these children meanwhile, and plain inserts cannot clash.
func (s *pgStore) replaceChildren(ctx context.Context, tx pgx.Tx, articles []schema.ArticleTaggedV1, written []string) error {
	want := make(map[string]bool, len(written))
	for _, id := range written {
		want[id] = true
	}
	var rs rowset
	for i := range articles {
		if want[articles[i].ID] {
			if err := rs.addChildren(&articles[i]); err != nil {
				return err
			}
		}
	}
	b := &pgx.Batch{}
	// A cached generic plan for the deletes turned into sequential scans
	// as the tables grew; planning with the actual ids keeps index scans.
	b.Queue(`SET LOCAL plan_cache_mode = force_custom_plan`)
	b.Queue(deleteChildren, written)
	useCopy := len(written) >= copyMinArticles
	if !useCopy {
		if t := &rs.tags; len(t.ord) > 0 {
			b.Queue(insertTags, t.articleID, t.ord, t.name, t.score, t.evidence)
		}
		if c := &rs.claims; len(c.ord) > 0 {
			b.Queue(insertClaims, c.articleID, c.ord, c.text, c.speaker, c.speakerKey, c.verb, c.via, c.topic,
				c.offset, c.relevant, c.sortUs, c.speakerKind, c.speakerRole)
		}
		if q := &rs.quantities; len(q.ord) > 0 {
			b.Queue(insertQuantities, q.articleID, q.claimOrd, q.ord, q.value, q.low, q.hi, q.unit, q.qual, q.raw)
		}
		if p := &rs.places; len(p.ord) > 0 {
			b.Queue(insertPlaces, p.articleID, p.claimOrd, p.ord, p.place, p.placeKey)
		}
		if e := &rs.entities; len(e.ord) > 0 {
			b.Queue(insertEntities, e.articleID, e.ord, e.name, e.nameKey, e.kind, e.role)
		}
	}
	br := tx.SendBatch(ctx, b)
	for range b.Len() {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return err
		}
	}
	if err := br.Close(); err != nil {
		return err
	}
	if !useCopy {
		return nil
	}
	copies := []struct {
		table, cols string
		n           int
		args        func(int, []any) []any
	}{
		{"tags", tagColumns, len(rs.tags.ord), rs.tags.args},
		{"claims", claimColumns, len(rs.claims.ord), rs.claims.args},
		{"quantities", quantityColumns, len(rs.quantities.ord), rs.quantities.args},
		{"claim_places", placeColumns, len(rs.places.ord), rs.places.args},
		{"entities", entityColumns, len(rs.entities.ord), rs.entities.args},
	}
	for _, c := range copies {
		if c.n == 0 {
			continue
		}
		cols := strings.Split(strings.ReplaceAll(c.cols, " ", ""), ",")
		src := pgx.CopyFromSlice(c.n, func(i int) ([]any, error) { return c.args(i, nil), nil })
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, cols, src); err != nil {
			return fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	return nil
}

func (s *pgStore) Export(ctx context.Context, f ExportFilter, fn func(schema.ArticleTaggedV1) error) error {
	return s.export(ctx, f, fn)
}

func (s *pgStore) Claims(ctx context.Context, f ClaimFilter) ([]ClaimRow, error) {
	return s.claims(ctx, f)
}

func (s *pgStore) Stats(ctx context.Context) (Stats, error) { return s.stats(ctx) }

func (s *pgStore) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: postgres: ping: %w", err)
	}
	return nil
}

// Close stops the search indexer, then closes the pool.
func (s *pgStore) Close() error {
	if s.stopIndexer != nil {
		s.stopIndexer()
		<-s.indexerDone
	}
	s.pool.Close()
	return nil
}
