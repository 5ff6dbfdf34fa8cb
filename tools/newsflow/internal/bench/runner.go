// Package bench runs the pipeline benchmark of `newsflow bench-pipeline`
// (make bench-pipeline): a recording replayed through NATS, the four
// services and SQLite at several paces, and the table of what it measured.
package bench

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
)

// runner carries a benchmark run: its scratch directories and the cleanups
// of what it started. The benchmark stops at its first failure, as it did
// when it was a Go benchmark: Fatal unwinds to Pipeline, which runs the
// cleanups and returns the failure as its error.
type runner struct {
	dir      string
	cleanups []func()
}

// failure is what Fatal unwinds with.
type failure struct{ err error }

func newRunner() (*runner, error) {
	dir, err := os.MkdirTemp("", "newsflow-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return &runner{dir: dir}, nil
}

func (b *runner) Helper() {}

func (b *runner) Fatal(args ...any) {
	panic(failure{fmt.Errorf("bench: %s", fmt.Sprint(args...))})
}

func (b *runner) Fatalf(format string, args ...any) {
	panic(failure{fmt.Errorf("bench: "+format, args...)})
}

// TempDir is a new directory under the run's scratch directory.
func (b *runner) TempDir() string {
	d, err := os.MkdirTemp(b.dir, "run-")
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// Cleanup registers f to run when the benchmark ends, last registered first.
func (b *runner) Cleanup(f func()) { b.cleanups = append(b.cleanups, f) }

func (b *runner) cleanup() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
	_ = os.RemoveAll(b.dir)
}

// recover turns a Fatal into *err; any other panic goes on.
func (b *runner) recover(err *error) {
	if r := recover(); r != nil {
		f, ok := r.(failure)
		if !ok {
			panic(r)
		}
		*err = f.err
	}
}

// freePort is a free loopback port other than 4222, the machine's NATS.
func freePort(b *runner) int {
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		if port != 4222 {
			return port
		}
	}
	b.Fatal(errors.New("no free port other than 4222"))
	return 0
}

func gunzip(b *runner, path string) []byte {
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	return out
}
