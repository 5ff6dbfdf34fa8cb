package store

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestJSONLLockOfADeadWriterIsTakenOver: a writer killed while holding the
// lock leaves its pid in the lock file; the next writer takes over and
// says so, while a live holder is still refused, by pid.
func TestJSONLLockOfADeadWriterIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	// What a SIGKILLed holder leaves: its pid, and no flock (the kernel
	// drops it with the process).
	if err := os.WriteFile(filepath.Join(dir, ".lock"), []byte(strconv.Itoa(dead.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.InfoLevel)
	s, err := newJSONL(dir, fsyncBatch, time.Now, zap.New(core))
	if err != nil {
		t.Fatalf("open after a dead writer: %v", err)
	}
	taken := logs.FilterMessageSnippet("died holding it").All()
	if len(taken) != 1 || taken[0].ContextMap()["pid"] != int64(dead.Process.Pid) {
		t.Errorf("take-over log lines %v, want one naming pid %d", taken, dead.Process.Pid)
	}
	_, err = newJSONL(dir, fsyncBatch, time.Now, zap.NewNop())
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second writer: %v, want ErrLocked naming the live holder", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A clean close hands over without a take-over line.
	core, logs = observer.New(zap.InfoLevel)
	s, err = newJSONL(dir, fsyncBatch, time.Now, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := logs.FilterMessageSnippet("died holding it").Len(); n != 0 {
		t.Errorf("%d take-over lines after a clean close", n)
	}
}
