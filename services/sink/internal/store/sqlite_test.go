package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
	"go.uber.org/zap/zaptest"
)

// Sinks starting together on a new file migrate it once.
func TestSQLiteConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := Open(context.Background(), "sqlite:"+path, zaptest.NewLogger(t))
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
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM goose_db_version WHERE version_id > 0").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := migrationCount(t, "_postgres.sql"); n != want {
		t.Errorf("%d migrations recorded, want %d (each once)", n, want)
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestSQLiteDeleteCascades(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	s := specOpener("sqlite:" + path)(t)
	in := stamped(storetest.Articles(42, 3))
	upsert(t, s, in)
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	if _, err := db.Exec("DELETE FROM articles WHERE id = ?", in[1].ID); err != nil {
		t.Fatal(err)
	}
	if got, want := stats(t, s), wantStats([]schema.ArticleTaggedV1{in[0], in[2]}); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	for _, table := range childTables() {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM "+table+" WHERE article_id = ?", in[1].ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows left, %v", table, n, err)
		}
	}
}

// Batches of many sizes up to 70, overlapping so later ones update
// earlier articles, prepare a bounded set of statements.
func TestSQLiteStatementCacheIsBounded(t *testing.T) {
	s := specOpener("sqlite:" + filepath.Join(t.TempDir(), "s.db"))(t).(*sqliteStore)
	for _, n := range []int{1, 2, 3, 5, 7, 11, 13, 21, 34, 55, 63, 65, 70} {
		upsert(t, s, stamped(storetest.Articles(uint64(n), n)))
	}
	want := stamped(storetest.Articles(70, 70))
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder(want))
	if got, w := stats(t, s), wantStats(want); got != w {
		t.Errorf("Stats = %+v, want %+v", got, w)
	}
	// Seven insert sizes for six tables, eight IN-list sizes for the read
	// and the five deletes, and the update.
	if n, limit := len(s.stmts), 6*7+6*8+1; n > limit {
		t.Errorf("%d statements cached, want at most %d", n, limit)
	}
}
