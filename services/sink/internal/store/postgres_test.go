package store

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
	"go.uber.org/zap/zaptest"
)

func withParam(t *testing.T, dsn, k, v string) string {
	t.Helper()
	out, err := storetest.WithParam(dsn, k, v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func pgConn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func pgCount(t *testing.T, c *pgx.Conn, q string) int64 {
	t.Helper()
	var n int64
	if err := c.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func exportIDs(t *testing.T, s Store, f ExportFilter) []string {
	t.Helper()
	var ids []string
	for _, a := range export(t, s, f) {
		ids = append(ids, a.ID)
	}
	return ids
}

func TestPostgresSearch(t *testing.T) {
	dsn := storetest.PostgresSchema(t)
	s := specOpener(withParam(t, dsn, searchIndexerParam, "off"))(t)
	pg := s.(*pgStore)
	in := stamped(storetest.Articles(20, 12))
	in[4].Text += " Two zeppelins were seen over the harbour."
	upsert(t, s, in)
	drain := func() {
		t.Helper()
		for {
			n, err := pg.indexSearch(context.Background(), 5)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
	}
	// Nothing is searchable until the indexer ran.
	if ids := exportIDs(t, s, ExportFilter{Query: "zeppelin"}); len(ids) != 0 {
		t.Fatalf("before indexing: %v", ids)
	}
	drain()
	for _, q := range []string{"zeppelin", "zeppelins", "harbour zeppelin", `"zeppelins were seen"`} {
		if ids := exportIDs(t, s, ExportFilter{Query: q}); len(ids) != 1 || ids[0] != in[4].ID {
			t.Errorf("Query %q = %v, want [%s]", q, ids, in[4].ID)
		}
	}
	// New content is indexed again: the old words no longer match.
	v2 := stamped([]schema.ArticleTaggedV1{storetest.Revise(in[4], 20, 4, 1)})[0]
	upsert(t, s, []schema.ArticleTaggedV1{v2})
	drain()
	if ids := exportIDs(t, s, ExportFilter{Query: "zeppelin"}); len(ids) != 0 {
		t.Errorf("after update: %v, want none", ids)
	}
	// Search combines with the other filters and pages.
	if ids := exportIDs(t, s, ExportFilter{Query: "officials", RelevantOnly: true, Limit: 3, Offset: 1}); len(ids) != 3 {
		t.Errorf("Query with filters: %d articles, want 3", len(ids))
	}
}

func TestPostgresBackgroundIndexer(t *testing.T) {
	dsn := storetest.PostgresSchema(t)
	s := specOpener(dsn)(t)
	upsert(t, s, storetest.Articles(21, 30))
	c := pgConn(t, dsn)
	deadline := time.Now().Add(15 * time.Second)
	for pgCount(t, c, "SELECT count(*) FROM articles WHERE search IS NULL") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the indexer did not index every article within 15s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Replicas starting together migrate once, under the advisory lock.
func TestPostgresConcurrentOpen(t *testing.T) {
	raw := storetest.PostgresSchema(t)
	dsn := withParam(t, raw, searchIndexerParam, "off")
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := Open(context.Background(), dsn, zaptest.NewLogger(t))
			if err != nil {
				errs <- err
				return
			}
			errs <- s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := int64(migrationCount(t, "_sqlite.sql"))
	if n := pgCount(t, pgConn(t, raw), "SELECT count(*) FROM goose_db_version WHERE version_id > 0"); n != want {
		t.Errorf("%d migrations recorded, want %d (each once)", n, want)
	}
}

func TestPostgresDeleteCascades(t *testing.T) {
	dsn := storetest.PostgresSchema(t)
	s := specOpener(withParam(t, dsn, searchIndexerParam, "off"))(t)
	in := stamped(storetest.Articles(22, 3))
	upsert(t, s, in)
	c := pgConn(t, dsn)
	if _, err := c.Exec(context.Background(), "DELETE FROM articles WHERE id = $1", in[1].ID); err != nil {
		t.Fatal(err)
	}
	if got, want := stats(t, s), wantStats([]schema.ArticleTaggedV1{in[0], in[2]}); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	for _, table := range childTables() {
		if n := pgCount(t, c, "SELECT count(*) FROM "+table+" WHERE article_id = '"+in[1].ID+"'"); n != 0 {
			t.Errorf("%s: %d rows left", table, n)
		}
	}
}

// The database goes away mid-run: writes and Ping fail, the failed batch
// leaves nothing behind, and once it is back the retried batch lands once.
func TestPostgresOutage(t *testing.T) {
	dsn := storetest.PostgresSchema(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := storetest.NewProxy(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	via := withParam(t, withParam(t, dsn, "host", "127.0.0.1"), "port", proxy.Port())
	s := specOpener(withParam(t, via, searchIndexerParam, "off"))(t)

	in := stamped(storetest.Articles(23, 60))
	upsert(t, s, in[:20])

	proxy.Cut()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Upsert(ctx, in[20:40]); err == nil {
		t.Fatal("Upsert succeeded with the database unreachable")
	}
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded with the database unreachable")
	}

	proxy.Restore()
	// The pool drops the connections the cut broke, one failure each.
	deadline := time.Now().Add(10 * time.Second)
	var st Stats
	for st, err = s.Stats(context.Background()); err != nil; st, err = s.Stats(context.Background()) {
		if time.Now().After(deadline) {
			t.Fatalf("Stats still failing after the database came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if want := wantStats(in[:20]); st != want {
		t.Fatalf("after the failed batch: Stats = %+v, want %+v (nothing of it)", st, want)
	}
	// Retry as the sink does.
	for {
		err := s.Upsert(context.Background(), in[20:40])
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Upsert still failing after the database came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping after restore: %v", err)
	}
	upsert(t, s, in) // redelivery of everything, plus the rest
	if got, want := stats(t, s), wantStats(in); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder(in))
}

func TestPostgresBadPool(t *testing.T) {
	dsn := withParam(t, storetest.PostgresDSN(t), "pool_max_conns", "1")
	if _, err := Open(context.Background(), dsn, zaptest.NewLogger(t)); !errors.Is(err, ErrBadSpec) {
		t.Errorf("Open with pool_max_conns=1 = %v, want ErrBadSpec", err)
	}
}
