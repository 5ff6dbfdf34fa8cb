package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// sqliteErrors returns what modernc's driver really says for a write to a
// database opened read-only, and for a duplicate primary key.
func sqliteErrors(t *testing.T) (readOnly, constraint error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ro.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	_, constraint = db.Exec(`INSERT INTO t VALUES (1)`)
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	_, readOnly = ro.Exec(`INSERT INTO t VALUES (2)`)
	if readOnly == nil || constraint == nil {
		t.Fatalf("sqlite gave read-only %v, constraint %v", readOnly, constraint)
	}
	return readOnly, constraint
}

func TestOutageTellsStoreFaultsFromArticleFaults(t *testing.T) {
	readOnly, constraint := sqliteErrors(t)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"sqlite read-only", fmt.Errorf("store: sqlite: begin: %w", readOnly), "read-only"},
		{"disk full", &os.PathError{Op: "write", Path: "/d/2026-01-01.jsonl", Err: syscall.ENOSPC}, "disk full"},
		{"read-only fs", &os.PathError{Op: "open", Path: "/d/x", Err: syscall.EROFS}, "read-only"},
		{"jsonl lock", fmt.Errorf("%w: /d/.lock", ErrLocked), "locked"},
		{"postgres standby", &pgconn.PgError{Code: "25006"}, "read-only"},
		{"postgres disk full", &pgconn.PgError{Code: "53100"}, "disk full"},
		{"postgres shutdown", &pgconn.PgError{Code: "57P01"}, "connection"},
		{"refused", &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}, "connection"},
		{"invalid article", fmt.Errorf("store: article %q: %w", "a", schema.ErrInvalid), ""},
		{"sqlite constraint", constraint, ""},
		{"postgres unique", &pgconn.PgError{Code: "23505"}, ""},
		{"postgres bad text", &pgconn.PgError{Code: "22021"}, ""},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Outage(tt.err); got != tt.want {
				t.Errorf("Outage(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// TestMultiStopsAtTheStoreThatRefuses: the stores after a refusing one do
// not run ahead of it, and the error names the store.
func TestMultiStopsAtTheStoreThatRefuses(t *testing.T) {
	dir := t.TempDir()
	db := &flaky{Store: specOpener("sqlite:" + filepath.Join(dir, "m.db"))(t), down: true}
	files := specOpener("jsonl:" + filepath.Join(dir, "out"))(t)
	m := Multi(db, files)
	err := m.Upsert(context.Background(), storetest.Articles(41, 3))
	if !errors.Is(err, errDown) {
		t.Fatalf("Upsert = %v, want the database's error", err)
	}
	if want := "sqlite " + filepath.Join(dir, "m.db"); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %q", err, want)
	}
	if n := len(export(t, files, ExportFilter{})); n != 0 {
		t.Errorf("the files took %d articles the database refused", n)
	}
}

func (f *flaky) Where() string { return Where(f.Store) }
