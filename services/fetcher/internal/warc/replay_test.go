package warc

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recordSet records GETs of paths from srv into a fresh directory and returns the file.
func recordSet(t *testing.T, srv string, o RecorderOptions, paths ...string) string {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	if o.FileName == nil {
		o.FileName = func(int) string { return "rec.warc.gz" }
	}
	rec := newTestRecorder(t, o)
	c := &http.Client{Transport: rec.Wrap(nil), CheckRedirect: noRedirect}
	for _, p := range paths {
		do(t, c, srv, call{"GET", p, nil})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(o.Dir, "rec.warc.gz")
}

// plain returns the decompressed WARC stream of a .warc.gz file.
func plain(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func saveFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipAll(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// gzipPerRecord re-compresses a plain WARC stream one member per record, the usual layout.
func gzipPerRecord(b []byte) []byte {
	var out bytes.Buffer
	for _, rec := range splitRecords(b) {
		out.Write(gzipAll(rec))
	}
	return out.Bytes()
}

// splitRecords cuts a plain WARC stream at each version line (our test bodies hold none).
func splitRecords(b []byte) [][]byte {
	var recs [][]byte
	for len(b) > 0 {
		next := bytes.Index(b[1:], []byte("\r\n\r\nWARC/1."))
		if next < 0 {
			return append(recs, b)
		}
		recs = append(recs, b[:next+5])
		b = b[next+5:]
	}
	return recs
}

func TestReplayFileLayouts(t *testing.T) {
	srv := testServer(t)
	paths := []string{"/ok?q=a", "/chunked", "/gzip", "/ok?q=b", "/cond", "/missing"}
	src := recordSet(t, srv.URL, RecorderOptions{}, paths...)
	raw := plain(t, src)
	dir := t.TempDir()
	tests := []struct{ name, path string }{
		{"per-record gzip", src},
		{"plain .warc", saveFile(t, filepath.Join(dir, "plain.warc"), raw)},
		{"re-gzipped per record", saveFile(t, filepath.Join(dir, "again.warc.gz"), gzipPerRecord(raw))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp, err := OpenReplay(tc.path, ReplayOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer rp.Close()
			c := &http.Client{Transport: rp}
			if got := do(t, c, srv.URL, call{"GET", "/ok?q=b", nil}); got.body != "<html><body>hello b</body></html>" {
				t.Errorf("got %+v", got)
			}
			if got := do(t, c, srv.URL, call{"GET", "/chunked", nil}); !strings.HasPrefix(got.body, "part 0 \npart 1 x") || len(got.te) != 1 {
				t.Errorf("chunked: got %+v", got)
			}
			if st := rp.Stats(); st.Responses != len(paths) || st.Records != 1+2*len(paths) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestReplayPacing(t *testing.T) {
	srv := testServer(t)
	now, ids := fixedClock() // one second between recorded exchanges
	src := recordSet(t, srv.URL, RecorderOptions{Now: now, NewRecordID: ids}, "/ok?q=1", "/ok?q=2", "/ok?q=3")
	rp, err := OpenReplay(src, ReplayOptions{Speed: "20x"})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	c := &http.Client{Transport: rp}
	start := time.Now()
	for _, q := range []string{"1", "2", "3"} {
		do(t, c, srv.URL, call{"GET", "/ok?q=" + q, nil})
	}
	// Two recorded seconds between the first and the last exchange, at 20x: 100 ms.
	if el := time.Since(start); el < 95*time.Millisecond || el > 2*time.Second {
		t.Errorf("paced replay took %v, want about 100ms", el)
	}

	fast, err := OpenReplay(src, ReplayOptions{Speed: "max"})
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	c = &http.Client{Transport: fast}
	start = time.Now()
	for _, q := range []string{"1", "2", "3"} {
		do(t, c, srv.URL, call{"GET", "/ok?q=" + q, nil})
	}
	// Paced at recorded speed this would take two seconds; anything well
	// under one proves no pacing, however busy the machine.
	if el := time.Since(start); el > time.Second {
		t.Errorf("unpaced replay took %v", el)
	}
}

func TestReplayTruncatedBody(t *testing.T) {
	srv := testServer(t)
	dir := t.TempDir()
	rec := newTestRecorder(t, RecorderOptions{Dir: dir})
	c := &http.Client{Transport: rec.Wrap(nil)}
	resp, err := c.Get(srv.URL + "/chunked")
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 10)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // the client stops early: recorded as WARC-Truncated
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	rp, err := OpenReplay(dir, ReplayOptions{})
	if err != nil {
		t.Fatalf("a truncated record is valid: %v", err)
	}
	defer rp.Close()
	resp, err = (&http.Client{Transport: rp}).Get(srv.URL + "/chunked")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, ErrTruncated) || !bytes.HasPrefix(b, head) {
		t.Fatalf("got %q, %v; want the recorded prefix, then ErrTruncated", b, err)
	}
}

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"<http://Example.COM/a?b=1>", "http://example.com/a?b=1"},
		{"http://example.com:80", "http://example.com/"},
		{"https://example.com:443/x#frag", "https://example.com/x"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{" <https://minanews.net/feed/> ", "https://minanews.net/feed/"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := normalizeURL(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("normalizeURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseSpeed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"", 0, false}, {"max", 0, false}, {"real", 1, false}, {"10x", 10, false}, {"0.5x", 0.5, false},
		{"10", 0, true}, {"0x", 0, true}, {"fast", 0, true}, {"-2x", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseSpeed(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseSpeed(%q) = %v, %v", tc.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrBadSpeed) {
			t.Errorf("ParseSpeed(%q): %v does not wrap ErrBadSpeed", tc.in, err)
		}
	}
}

func TestOpenReplayPaths(t *testing.T) {
	srv := testServer(t)
	src := recordSet(t, srv.URL, RecorderOptions{}, "/ok")
	empty := t.TempDir()
	for _, p := range []string{filepath.Join(empty, "*.warc.gz"), empty, filepath.Join(empty, "none.warc")} {
		if _, err := OpenReplay(p, ReplayOptions{}); err == nil {
			t.Errorf("OpenReplay(%q): no error", p)
		}
	}
	for _, p := range []string{src, filepath.Dir(src), filepath.Join(filepath.Dir(src), "*.gz")} {
		rp, err := OpenReplay(p, ReplayOptions{})
		if err != nil {
			t.Errorf("OpenReplay(%q): %v", p, err)
			continue
		}
		rp.Close()
	}
}
