package warc

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	gowarc "github.com/internetarchive/gowarc"
	"go.uber.org/zap/zaptest"
)

func TestRecordReplayRoundTrip(t *testing.T) {
	srv := testServer(t)
	dead := deadURL(t)
	dir := t.TempDir()
	rec := newTestRecorder(t, RecorderOptions{Dir: dir, Software: "test/1", Config: map[string]string{"feeds": "a.yaml"}})

	calls := []call{
		{"GET", "/ok?q=1", nil},
		{"GET", "/ok?q=1", map[string]string{"Accept-Encoding": "identity"}},
		{"HEAD", "/ok?q=2", nil},
		{"GET", "/chunked", nil},
		{"GET", "/gzip", nil}, // the recorder asks for gzip and decodes for the client
		{"GET", "/gzip", map[string]string{"Accept-Encoding": "gzip"}}, // the client decodes itself
		{"GET", "/redirect", nil},
		{"GET", "/cond", nil},
		{"GET", "/cond", map[string]string{"If-None-Match": `"v1"`}},
		{"GET", "/limited", nil},
		{"GET", "/broken", nil},
		{"GET", "/missing", nil},
		{"GET", "/empty", nil},
		{"GET", dead, nil},
	}
	live := &http.Client{Transport: rec.Wrap(http.DefaultTransport.(*http.Transport).Clone()), CheckRedirect: noRedirect}
	follow := &http.Client{Transport: live.Transport}
	var want []result
	for _, k := range calls {
		want = append(want, do(t, live, srv.URL, k))
	}
	// Redirects are separate exchanges; the client above the transport follows them.
	wantFollowed := do(t, follow, srv.URL, call{"GET", "/redirect", nil})
	if wantFollowed.body != "<html><body>hello redirected</body></html>" {
		t.Fatalf("live redirect: got %q", wantFollowed.body)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if rec.Errors() != 0 {
		t.Fatalf("recording errors: %d", rec.Errors())
	}

	rp, err := OpenReplay(dir, ReplayOptions{Log: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rp.Close() })
	for key, q := range rp.byKey {
		for _, e := range q.entries {
			if e.kind == kindResponse && (e.file < 0 || e.blockAt < 0) {
				t.Errorf("%s: kept in memory (file %d, blockAt %d), want re-read by offset", key, e.file, e.blockAt)
			}
		}
	}
	replay := &http.Client{Transport: rp, CheckRedirect: noRedirect}
	for i, k := range calls {
		live := want[i]
		got := do(t, replay, srv.URL, k)
		if k.path == dead {
			if !strings.Contains(got.err, ErrRecordedFailure.Error()) || !strings.Contains(got.err, "connection refused") {
				t.Errorf("dead host: got error %q, want the recorded failure", got.err)
			}
			continue
		}
		if !reflect.DeepEqual(got, live) {
			t.Errorf("%s %s:\n got %+v\nwant %+v", k.method, k.path, got, live)
		}
	}
	gotFollowed := do(t, &http.Client{Transport: rp}, srv.URL, call{"GET", "/redirect", nil})
	if gotFollowed.body != wantFollowed.body {
		t.Errorf("followed redirect: got %q, want %q", gotFollowed.body, wantFollowed.body)
	}

	// /cond was recorded twice (200, then 304) and replayed in that order above; the last repeats.
	for i, wantStatus := range []int{304, 304} {
		if got := do(t, replay, srv.URL, call{"GET", "/cond", nil}); got.status != wantStatus {
			t.Errorf("/cond call %d: got %d, want %d", i, got.status, wantStatus)
		}
	}
	_, err = replay.Get(srv.URL + "/never")
	if !errors.Is(err, ErrNotInRecording) {
		t.Fatalf("absent URL: got %v, want ErrNotInRecording", err)
	}
	st := rp.Stats()
	if st.Misses != 1 || st.Files != 1 || st.Responses != len(calls)+2 || st.Served == 0 || st.Bytes == 0 {
		t.Errorf("stats: %+v", st)
	}
}

// TestRecordsAreWARC11 checks the file itself: WARC/1.1, one gzip member per record (the
// gowarc writer's compressor must be reset between records), a warcinfo naming the tool.
func TestRecordsAreWARC11(t *testing.T) {
	srv := testServer(t)
	dir := t.TempDir()
	rec := newTestRecorder(t, RecorderOptions{Dir: dir, Software: "newsflow-test/0.1", Config: map[string]string{"record": dir}})
	c := &http.Client{Transport: rec.Wrap(nil), CheckRedirect: noRedirect}
	for _, p := range []string{"/ok", "/chunked", "/redirect", "/limited"} {
		do(t, c, srv.URL, call{"GET", p, nil})
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || !strings.HasSuffix(files[0], ".warc.gz") {
		t.Fatalf("files: %v", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	// Count gzip members with the standard library, independently of this package's reader.
	br := bytes.NewReader(raw)
	zr, err := gzip.NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	members := 0
	var all bytes.Buffer
	for {
		zr.Multistream(false)
		if _, err := io.Copy(&all, zr); err != nil {
			t.Fatal(err)
		}
		members++
		if err := zr.Reset(br); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if members != int(rec.Records()) {
		t.Errorf("gzip members: got %d, want one per record (%d)", members, rec.Records())
	}
	// gowarc's own reader (one record per member) must see every record, digests intact.
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gr, err := gowarc.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for {
		r, err := gr.ReadRecord()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen++
		digest, err := gowarc.GetDigest(r.Content, gowarc.SHA1)
		if err != nil || digest != r.Header.Get("WARC-Block-Digest") || r.Version != "WARC/1.1" {
			t.Errorf("record %d: version %s, digest %s, header says %s (%v)", seen, r.Version, digest, r.Header.Get("WARC-Block-Digest"), err)
		}
		r.Content.Close()
	}
	if seen != int(rec.Records()) {
		t.Errorf("gowarc read %d records, recorder wrote %d", seen, rec.Records())
	}
	text := all.String()
	if got, want := strings.Count(text, "WARC/1.1\r\n"), int(rec.Records()); got != want || want != 1+2*4 {
		t.Fatalf("WARC/1.1 records: got %d, recorder wrote %d, want 9", got, want)
	}
	for _, s := range []string{"WARC-Type: warcinfo", "software: newsflow-test/0.1", "record: " + dir,
		"WARC-Type: request", "WARC-Type: response", "HTTP/1.1 302 Found", "HTTP/1.1 429 Too Many Requests",
		"Retry-After: 120", "Transfer-Encoding: chunked", "WARC-Payload-Digest: sha1:", "WARC-Block-Digest: sha1:"} {
		if !strings.Contains(text, s) {
			t.Errorf("recording lacks %q", s)
		}
	}
}
