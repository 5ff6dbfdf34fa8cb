package warc

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"go.uber.org/zap/zaptest"
)

// TestRecordingIsReproducible: with a fixed clock and fixed record ids, recording the same
// exchanges twice gives the same bytes (gowarc's header map order is sorted away).
func TestRecordingIsReproducible(t *testing.T) {
	srv := testServer(t)
	var got [][]byte
	for range 2 {
		dir := t.TempDir()
		now, ids := fixedClock()
		rec := newTestRecorder(t, RecorderOptions{Dir: dir, Now: now, NewRecordID: ids, Config: map[string]string{"b": "2", "a": "1"},
			FileName: func(int) string { return "same.warc.gz" }})
		c := &http.Client{Transport: rec.Wrap(nil), CheckRedirect: noRedirect}
		for _, p := range []string{"/ok", "/chunked", "/gzip", "/redirect", "/cond", "/limited"} {
			do(t, c, srv.URL, call{"GET", p, nil})
		}
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "same.warc.gz"))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b)
	}
	if string(got[0]) != string(got[1]) {
		t.Fatal("two recordings of the same exchanges differ")
	}
}

func TestRotation(t *testing.T) {
	srv := testServer(t)
	dir := t.TempDir()
	rec := newTestRecorder(t, RecorderOptions{Dir: dir, MaxFileBytes: 2000})
	c := &http.Client{Transport: rec.Wrap(nil)}
	const n = 30
	for i := range n {
		do(t, c, srv.URL, call{"GET", fmt.Sprintf("/ok?q=%d", i), nil})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) < 5 {
		t.Fatalf("got %d files, want rotation into several: %v", len(files), files)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".warc.gz") {
			t.Errorf("unfinished file %s", f)
		}
		var first string
		if err := scanFile(f, func(s *scanned) error {
			if first == "" {
				first = s.header.Get("WARC-Type")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if first != "warcinfo" {
			t.Errorf("%s starts with %q, want warcinfo", f, first)
		}
	}
	rp, err := OpenReplay(filepath.Join(dir, "*.warc.gz"), ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	replay := &http.Client{Transport: rp}
	for i := range n {
		want := fmt.Sprintf("<html><body>hello %d</body></html>", i)
		if got := do(t, replay, srv.URL, call{"GET", fmt.Sprintf("/ok?q=%d", i), nil}); got.body != want {
			t.Errorf("page %d: got %q", i, got.body)
		}
	}
	if st := rp.Stats(); st.Files != len(files) || st.Responses != n {
		t.Errorf("stats %+v, want %d files and %d responses", st, len(files), n)
	}
}

// failingFile simulates a full disk: while fail is set, every write returns ENOSPC.
type failingFile struct {
	*os.File
	fail *atomic.Bool
}

func (f failingFile) Write(p []byte) (int, error) {
	if f.fail.Load() {
		return 0, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return f.File.Write(p)
}

func TestWriteErrorDoesNotBreakFetching(t *testing.T) {
	srv := testServer(t)
	dir := t.TempDir()
	var fail atomic.Bool
	var reported atomic.Int64
	rec, err := newRecorder(RecorderOptions{Dir: dir, Log: zaptest.NewLogger(t), OnError: func(err error) {
		if errors.Is(err, syscall.ENOSPC) {
			reported.Add(1)
		}
	}}, func(path string) (writeFile, error) {
		f, err := openExclusive(path)
		if err != nil {
			return nil, err
		}
		return failingFile{File: f.(*os.File), fail: &fail}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: rec.Wrap(nil)}
	get := func(q string) {
		t.Helper()
		want := "<html><body>hello " + q + "</body></html>"
		if got := do(t, c, srv.URL, call{"GET", "/ok?q=" + q, nil}); got.err != "" || got.body != want {
			t.Fatalf("fetch %s while recording: %+v", q, got)
		}
	}
	get("before")
	waitWritten(t, rec, 3)
	fail.Store(true)
	for i := range 5 {
		get(fmt.Sprint("during", i))
	}
	waitErrors(t, rec, 5)
	fail.Store(false)
	get("after")
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if rec.Errors() != 5 || reported.Load() != 5 {
		t.Fatalf("errors: counted %d, reported %d, want 5", rec.Errors(), reported.Load())
	}
	// The file was cut back after each failed write, so it stays readable.
	rp, err := OpenReplay(dir, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	replay := &http.Client{Transport: rp}
	for _, q := range []string{"before", "after"} {
		if got := do(t, replay, srv.URL, call{"GET", "/ok?q=" + q, nil}); got.status != 200 {
			t.Errorf("%s: %+v", q, got)
		}
	}
	if _, err := replay.Get(srv.URL + "/ok?q=during0"); !errors.Is(err, ErrNotInRecording) {
		t.Errorf("a failed write should leave no record, got %v", err)
	}
}

// stallingFile holds every write while stall is set, until release is closed: a stalled disk.
type stallingFile struct {
	*os.File
	stall   *atomic.Bool
	release chan struct{}
}

func (f stallingFile) Write(p []byte) (int, error) {
	if f.stall.Load() {
		<-f.release
	}
	return f.File.Write(p)
}

func TestFullQueueDropsInsteadOfBlocking(t *testing.T) {
	srv := testServer(t)
	dir := t.TempDir()
	release := make(chan struct{})
	var once sync.Once
	var stall atomic.Bool
	rec, err := newRecorder(RecorderOptions{Dir: dir, QueueSize: 2, Log: zaptest.NewLogger(t)}, func(path string) (writeFile, error) {
		f, err := openExclusive(path)
		if err != nil {
			return nil, err
		}
		return stallingFile{File: f.(*os.File), stall: &stall, release: release}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { once.Do(func() { close(release) }); rec.Close() })
	stall.Store(true)
	c := &http.Client{Transport: rec.Wrap(nil)}
	for i := range 20 {
		if got := do(t, c, srv.URL, call{"GET", fmt.Sprintf("/ok?q=%d", i), nil}); got.status != 200 {
			t.Fatalf("fetch %d: %+v", i, got)
		}
	}
	// Two exchanges wait in the queue and at most one is stuck in the writer (whether the
	// writer took the first one off the queue yet is a race); the rest are dropped.
	dropped := rec.Dropped()
	if dropped != 17 && dropped != 18 {
		t.Fatalf("dropped %d, want 17 or 18 of 20 exchanges dropped while the disk stalls", dropped)
	}
	once.Do(func() { close(release) })
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if rec.Errors() != rec.Dropped() {
		t.Errorf("errors %d, dropped %d: drops must be counted as errors", rec.Errors(), rec.Dropped())
	}
	rp, err := OpenReplay(dir, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	if st := rp.Stats(); st.Responses != 20-int(dropped) {
		t.Errorf("recorded %d exchanges, want the %d not dropped", st.Responses, 20-dropped)
	}
}

func waitWritten(t *testing.T, r *Recorder, n uint64) {
	t.Helper()
	waitFor(t, func() bool { return r.Records() >= n })
}

func waitErrors(t *testing.T, r *Recorder, n uint64) {
	t.Helper()
	waitFor(t, func() bool { return r.Errors() >= n })
}
