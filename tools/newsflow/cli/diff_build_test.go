package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tinyRepo is a git checkout whose four "services" print a version: v1 in
// the commit, v2 in the working tree.
func tinyRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(version string) {
		for _, b := range serviceBinaries {
			p := filepath.Join(dir, "services", b, "main.go")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			src := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"" + b + " " + version + "\") }\n"
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/tiny\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	write("v1")
	for _, args := range [][]string{{"init", "--quiet"}, {"add", "."}, {"-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "--quiet", "-m", "v1"}} {
		if _, err := git(context.Background(), dir, args...); err != nil {
			t.Fatal(err)
		}
	}
	write("v2")
	return dir
}

func run(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// A ref is built from a temporary worktree, which is gone afterwards; a
// directory of binaries is used as it is, and one lacking a service or a
// name that is neither is refused.
func TestResolveBuild(t *testing.T) {
	ctx := context.Background()
	repo := tinyRepo(t)
	out := filepath.Join(t.TempDir(), "bin")
	var log bytes.Buffer
	bin, label, err := resolveBuild(ctx, repo, "HEAD", out, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if bin != out || !strings.HasPrefix(label, "HEAD (") {
		t.Errorf("bin %q label %q", bin, label)
	}
	for _, b := range serviceBinaries {
		if got := run(t, filepath.Join(bin, b)); got != b+" v1" {
			t.Errorf("%s from HEAD prints %q, want the committed v1 (not the working tree's v2)", b, got)
		}
	}
	if wts, _ := git(ctx, repo, "worktree", "list", "--porcelain"); strings.Count(wts, "worktree ") != 1 {
		t.Errorf("the temporary worktree is still registered:\n%s", wts)
	}

	got, label, err := resolveBuild(ctx, repo, bin, "unused", &log)
	if err != nil || got != bin || !strings.Contains(label, bin) {
		t.Errorf("a directory of binaries: %q %q %v", got, label, err)
	}
	if err := os.Remove(filepath.Join(bin, "tagger")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := resolveBuild(ctx, repo, bin, "unused", &log); err == nil || !strings.Contains(err.Error(), "tagger") {
		t.Errorf("a directory without the tagger: %v", err)
	}
	if _, _, err := resolveBuild(ctx, repo, "no-such-ref", "unused", &log); err == nil || !strings.Contains(err.Error(), "neither a directory of binaries nor a git ref") {
		t.Errorf("an unknown name: %v", err)
	}
}
