package fetcher

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/services/fetcher/internal/recording"
)

// TestWarcBuild builds a small benchmark recording with `fetcher warc
// build` and lists it with `fetcher warc ls`.
func TestWarcBuild(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	env := app.Env{Args: []string{"warc", "build", "--out", out, "--pages", "3",
		"--testdata", filepath.Join(testkit.RepoRoot(t), "testdata")},
		Lookup: func(string) (string, bool) { return "", false }, Stdout: &stdout, Stderr: &stderr}
	if err := Main(t.Context(), env); err != nil {
		t.Fatalf("warc build: %v (%s)", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "wrote 3 pages") {
		t.Errorf("warc build printed %q", stdout.String())
	}
	for _, f := range []string{recording.WARCFile, recording.FeedsFile} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}
	stdout.Reset()
	env.Args = []string{"warc", "ls", filepath.Join(out, recording.WARCFile)}
	if err := Main(t.Context(), env); err != nil {
		t.Fatalf("warc ls: %v", err)
	}
	if n := strings.Count(stdout.String(), "\n"); n < 3 {
		t.Errorf("warc ls listed %d lines:\n%s", n, stdout.String())
	}
}

func TestWarcUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"warc"}, {"warc", "nope"}, {"warc", "build"}, {"warc", "ls"}} {
		env := app.Env{Args: args, Lookup: func(string) (string, bool) { return "", false }, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
		if err := Main(t.Context(), env); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
}
