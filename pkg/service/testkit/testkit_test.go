package testkit

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRepoRootHoldsGoWork(t *testing.T) {
	if _, err := os.Stat(filepath.Join(RepoRoot(t), "go.work")); err != nil {
		t.Fatal(err)
	}
}

func TestSharedDirFollowsEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(SharedEnv, dir)
	if got := SharedDir(t); got != dir {
		t.Fatalf("SharedDir = %q, want %q", got, dir)
	}
}

func TestFreePortIsNotNATS(t *testing.T) {
	for i := 0; i < 20; i++ {
		if p := FreePort(t); p == 4222 || p <= 0 {
			t.Fatalf("FreePort = %d", p)
		}
	}
}

func TestTestdata(t *testing.T) {
	want := filepath.Join(RepoRoot(t), "testdata", "recording", "feeds.yaml")
	if got := Testdata("recording", "feeds.yaml"); got != want {
		t.Errorf("Testdata = %q, want %q", got, want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Error(err)
	}
}

func TestPeakHeapSeesAnAllocation(t *testing.T) {
	stop := PeakHeap()
	big := make([]byte, 64<<20)
	for i := range big {
		big[i] = 1
	}
	time.Sleep(20 * time.Millisecond)
	peak := stop()
	_ = big[len(big)-1]
	if peak < 64<<20 {
		t.Fatalf("peak heap %d bytes, want at least the 64 MiB held", peak)
	}
}
