package embedded

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUnwritableStoreIsReportedAtOnce: a store directory the server cannot
// write is named at once, not after a 15 s wait for readiness.
func TestUnwritableStoreIsReportedAtOnce(t *testing.T) {
	// A file where a directory should be: what a read-only data directory
	// does to the store, for root too (who may write anywhere else).
	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(file, "nats"), "/sys/newsflow-embedded-test"} {
		start := time.Now()
		s, err := Start(Options{StoreDir: dir, Port: -1})
		if err == nil {
			Stop(s)
			t.Errorf("%s: started", dir)
			continue
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %s to fail", dir, d)
		}
		if !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: error %q does not name the directory", dir, err)
		}
	}
}

// TestServerLogGoesToLogFile: the server's own log (where a JetStream
// write error shows) is kept in LogFile.
func TestServerLogGoesToLogFile(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "nats.log")
	s, err := Start(Options{StoreDir: filepath.Join(dir, "js"), Port: -1, LogFile: logFile})
	if err != nil {
		t.Fatal(err)
	}
	Stop(s)
	b, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(b), "Starting JetStream") {
		t.Errorf("nats.log: %v, %q", err, b)
	}
}
