package store

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// readOnlyFile makes path read-only for this process and returns the undo:
// a read-only bind mount for root (whom file modes do not stop), file
// modes for anyone else.
func readOnlyFile(t *testing.T, path string) (undo func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, 0o444); err != nil {
			t.Fatal(err)
		}
		return func() { _ = os.Chmod(path, 0o644) }
	}
	run := func(args ...string) error {
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Logf("%v: %v: %s", args, err, out)
		}
		return err
	}
	if run("mount", "--bind", path, path) != nil {
		t.Fatal("root without mount(8) rights: cannot make a file read-only for this test")
	}
	t.Cleanup(func() { _ = run("umount", "-l", path) })
	if run("mount", "-o", "remount,ro,bind", path) != nil {
		t.Fatal("cannot remount the bind mount read-only")
	}
	return func() { _ = run("mount", "-o", "remount,rw,bind", path) }
}

// TestSQLiteWritableAgainAfterReadOnly: SQLite opens a file it may not
// write read-only, and such a connection stays read-only. Once the file is
// writable again the store writes again, without a restart.
func TestSQLiteWritableAgainAfterReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	log := zaptest.NewLogger(t)
	s, err := Open(ctx, "sqlite:"+path, log)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	undo := readOnlyFile(t, path)
	s, err = Open(ctx, "sqlite:"+path, log)
	if err != nil {
		t.Fatalf("open read-only: %v", err)
	}
	defer s.Close()
	arts := storetest.Articles(9, 3)
	if err := s.Upsert(ctx, arts); Outage(err) != "read-only" {
		t.Fatalf("Upsert on a read-only file = %v, want a read-only outage", err)
	}
	undo()
	if err := s.Upsert(ctx, arts); err != nil {
		t.Fatalf("Upsert once the file is writable again: %v", err)
	}
	if st, err := s.Stats(ctx); err != nil || st.Articles != 3 {
		t.Fatalf("Stats = %+v, %v", st, err)
	}
}
