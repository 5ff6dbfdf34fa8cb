package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"
)

func TestOpenRejectsBadSpecs(t *testing.T) {
	dir := t.TempDir()
	tests := []string{
		"",
		"mysql://localhost/db",
		"sqlite:",
		"sqlite:" + filepath.Join(dir, "a.db") + "?synchronous=off",
		"sqlite:" + filepath.Join(dir, "a.db") + "?busy_timeout=soon",
		"sqlite:" + filepath.Join(dir, "a.db") + "?journal=delete",
		"jsonl:",
		"jsonl:" + dir + "?fsync=sometimes",
		"jsonl:" + dir + "?compress=1",
		"postgres://user:s3cret@127.0.0.1:1/db?search_indexer=maybe",
		"postgres://user:s3cret@127.0.0.1:1/db?pool_max_conns=many",
		// An empty template would reach the local socket's database named
		// after the user.
		"postgres://",
		"postgresql://",
		"postgres://user:s3cret@/db",
		"postgres://user:s3cret@127.0.0.1:5432",
		"postgres://user:s3cret@127.0.0.1:5432/",
	}
	for _, spec := range tests {
		t.Run(spec, func(t *testing.T) {
			_, err := Open(context.Background(), spec, zaptest.NewLogger(t))
			if !errors.Is(err, ErrBadSpec) {
				t.Fatalf("Open(%q) = %v, want ErrBadSpec", spec, err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestOpenAll(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := OpenAll(ctx, []string{"sqlite:" + filepath.Join(dir, "x.db"), "jsonl:" + filepath.Join(dir, "out")}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*multi); !ok {
		t.Errorf("OpenAll of two specs gave %T, want a Multi", s)
	}
	_ = s.Close()
	// A bad second spec closes the first: its JSONL lock is free again.
	if _, err := OpenAll(ctx, []string{"jsonl:" + filepath.Join(dir, "out"), "nope:"}, zaptest.NewLogger(t)); !errors.Is(err, ErrBadSpec) {
		t.Fatalf("OpenAll = %v, want ErrBadSpec", err)
	}
	s, err = Open(ctx, "jsonl:"+filepath.Join(dir, "out"), zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("the failed OpenAll left the directory locked: %v", err)
	}
	_ = s.Close()
	if _, err := OpenAll(ctx, nil, zaptest.NewLogger(t)); !errors.Is(err, ErrBadSpec) {
		t.Errorf("OpenAll(nil) = %v, want ErrBadSpec", err)
	}
}
