// Package testkit holds what the tests of every module need alike: the
// repository root, the shared data folder beside it, a free port that is
// never the machine's NATS port, and gunzip. It is imported by tests only.
package testkit

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot is the workspace root: the nearest folder above the working
// directory (a test runs in its package folder) that holds go.work.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// Root is RepoRoot for a TestMain, which has no testing.TB.
func Root() (string, error) { return findRoot() }

func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("testkit: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("testkit: no go.work above %s", dir)
		}
	}
}

// Testdata is a path inside the repository's testdata folder, for the
// package-level paths of tests (var corpusDir = testkit.Testdata("corpus")).
// Without a go.work above the working directory it is the path under a
// folder named "no go.work above the test", so the test that opens it
// fails naming the cause.
func Testdata(elem ...string) string {
	root, err := findRoot()
	if err != nil {
		root = "no go.work above the test"
	}
	return filepath.Join(append([]string{root, "testdata"}, elem...)...)
}

// SharedEnv names the variable that points at the shared data folder when
// it is not ../shared beside the repository.
const SharedEnv = "NEWSFLOW_SHARED"

// SharedDir is the shared data folder (corpora, labelled sets): $NEWSFLOW_SHARED,
// or ../shared beside the repository root. A test that needs it fails,
// naming the path, when it is missing: the data is part of the test.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(SharedEnv)
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("testkit: shared data folder %s is missing (set %s to point at it): %v", dir, SharedEnv, err)
	}
	return dir
}

// Shared is a path inside the shared data folder; it fails the test when
// the path does not exist.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{SharedDir(t)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return p
}

// FreePort is a free TCP port on 127.0.0.1 other than 4222, which belongs
// to the machine's NATS server.
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := FreePortErr()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// FreePortErr is FreePort for code outside a test.
func FreePortErr() (int, error) {
	for i := 0; i < 100; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("testkit: free port: %w", err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		if port != 4222 {
			return port, nil
		}
	}
	return 0, fmt.Errorf("testkit: no free port other than 4222")
}

// Gunzip reads a gzipped file whole.
func Gunzip(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("testkit: %s: %v", path, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("testkit: %s: %v", path, err)
	}
	return out
}
