package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
	"go.uber.org/zap/zaptest"
)

// clock is a settable now() for day-file tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func openJSONLAt(t *testing.T, dir string, c *clock) *jsonlStore {
	t.Helper()
	s, err := newJSONL(dir, fsyncBatch, c.now, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func size(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// lines decodes every line of a day file, failing on any broken one.
func lines(t *testing.T, path string) []schema.ArticleTaggedV1 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		t.Fatalf("%s does not end with a newline", path)
	}
	var out []schema.ArticleTaggedV1
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		a, err := schema.DecodeTagged(sc.Bytes())
		if err != nil {
			t.Fatalf("%s: line %d: %v", path, len(out)+1, err)
		}
		out = append(out, a)
	}
	return out
}

var day1 = time.Date(2025, 3, 1, 23, 0, 0, 0, time.UTC)

func TestJSONLTornLastLineIsCut(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: day1}
	s := openJSONLAt(t, dir, c)
	in := stamped(storetest.Articles(30, 3))
	upsert(t, s, in)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "2025-03-01.jsonl")
	whole := size(t, path)
	// A crash in the middle of a write leaves part of a line.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"schema_version":"1.0","id":"torn","content_ha`); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()

	s = openJSONLAt(t, dir, c)
	if got := size(t, path); got != whole {
		t.Errorf("size after repair = %d, want %d", got, whole)
	}
	more := stamped(storetest.Articles(31, 5))[3:]
	upsert(t, s, more)
	got := lines(t, path)
	if len(got) != 5 {
		t.Errorf("%d lines, want 5", len(got))
	}
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder(append(in, more...)))
}

func TestJSONLReplayAppendsNothing(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: day1}
	s := openJSONLAt(t, dir, c)
	in := stamped(storetest.Articles(32, 5))
	upsert(t, s, in)
	_ = s.Close()
	path := filepath.Join(dir, "2025-03-01.jsonl")
	before := size(t, path)

	// The index is rebuilt from the file: a replay after restart is a no-op.
	s = openJSONLAt(t, dir, c)
	upsert(t, s, in)
	if got := size(t, path); got != before {
		t.Fatalf("replay grew the file from %d to %d bytes", before, got)
	}
	v2 := stamped([]schema.ArticleTaggedV1{storetest.Revise(in[2], 32, 2, 1)})[0]
	upsert(t, s, []schema.ArticleTaggedV1{v2})
	if n := len(lines(t, path)); n != 6 {
		t.Errorf("%d lines after one update, want 6 (the old version stays as history)", n)
	}
	want := append([]schema.ArticleTaggedV1{}, in...)
	want[2] = v2
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder(want))
	_ = s.Close()
	s = openJSONLAt(t, dir, c)
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder(want))
	if got, w := stats(t, s), wantStats(want); got != w {
		t.Errorf("Stats after reopen = %+v, want %+v", got, w)
	}
}

func TestJSONLOneFilePerProcessingDay(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: day1}
	s := openJSONLAt(t, dir, c)
	in := stamped(storetest.Articles(33, 4))
	upsert(t, s, in[:2])
	c.set(day1.Add(2 * time.Hour)) // past midnight UTC
	upsert(t, s, in[2:])
	v2 := stamped([]schema.ArticleTaggedV1{storetest.Revise(in[0], 33, 0, 1)})[0]
	upsert(t, s, []schema.ArticleTaggedV1{v2})

	if n := len(lines(t, filepath.Join(dir, "2025-03-01.jsonl"))); n != 2 {
		t.Errorf("day 1: %d lines, want 2", n)
	}
	if n := len(lines(t, filepath.Join(dir, "2025-03-02.jsonl"))); n != 3 {
		t.Errorf("day 2: %d lines, want 3", n)
	}
	want := []schema.ArticleTaggedV1{v2, in[1], in[2], in[3]}
	_ = s.Close()
	s = openJSONLAt(t, dir, c)
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder(want))
}

func TestJSONLUnreadableLineIsSkipped(t *testing.T) {
	dir := t.TempDir()
	in := stamped(storetest.Articles(34, 2))
	var data []byte
	for i, a := range in {
		b, _ := json.Marshal(a)
		data = append(append(data, b...), '\n')
		if i == 0 {
			data = append(data, "not json\n"...)
		}
	}
	path := filepath.Join(dir, "2025-03-01.jsonl")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := openJSONLAt(t, dir, &clock{t: day1})
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder(in))
	if size(t, path) != int64(len(data)) {
		t.Error("a whole unreadable line was removed; only a torn tail may be")
	}
}

func TestJSONLSingleWriterManyReaders(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	w, err := Open(ctx, "jsonl:"+dir, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	in := stamped(storetest.Articles(35, 3))
	upsert(t, w, in)

	if _, err := Open(ctx, "jsonl:"+dir, zaptest.NewLogger(t)); !errors.Is(err, ErrLocked) {
		t.Fatalf("second writer: %v, want ErrLocked", err)
	}
	// A line half written by the running sink: the reader skips it and
	// leaves the file alone.
	path := filepath.Join(dir, time.Now().UTC().Format("2006-01-02")+".jsonl")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"id":"half`)
	_ = f.Close()
	before := size(t, path)

	r, err := OpenReadOnly(ctx, "jsonl:"+dir, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	sameArticles(t, export(t, r, ExportFilter{}), wantOrder(in))
	if size(t, path) != before {
		t.Error("the reader changed the file")
	}
	if err := r.Upsert(ctx, in); !errors.Is(err, ErrReadOnly) {
		t.Errorf("reader Upsert = %v, want ErrReadOnly", err)
	}
	if _, err := OpenReadOnly(ctx, "jsonl:"+filepath.Join(dir, "missing"), zaptest.NewLogger(t)); err == nil {
		t.Error("OpenReadOnly of a missing directory succeeded")
	}
}

func TestJSONLFsyncPolicies(t *testing.T) {
	for _, p := range []string{"always", "batch", "never"} {
		t.Run(p, func(t *testing.T) {
			s := specOpener("jsonl:" + t.TempDir() + "?fsync=" + p)(t)
			in := stamped(storetest.Articles(36, 4))
			upsert(t, s, in[:1])
			upsert(t, s, in)
			sameArticles(t, export(t, s, ExportFilter{}), wantOrder(in))
		})
	}
}

func TestJSONLClosed(t *testing.T) {
	s := openJSONLAt(t, t.TempDir(), &clock{t: day1})
	_ = s.Close()
	if err := s.Upsert(context.Background(), storetest.Articles(37, 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Upsert after Close = %v, want ErrClosed", err)
	}
	if err := s.Ping(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}
