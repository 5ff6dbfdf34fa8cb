package warc

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	gowarc "github.com/internetarchive/gowarc"
)

// writeWARC writes records (header fields, block) with gowarc's writer, as another
// crawler would, one gzip member per record.
func writeWARC(t *testing.T, path string, recs []map[string]string, blocks []string) {
	t.Helper()
	var buf bytes.Buffer
	w, err := gowarc.NewWriter(&buf, filepath.Base(path), gowarc.SHA1, gowarc.CompressionGzip, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range recs {
		w.Reset(&buf)
		r := &gowarc.Record{Header: gowarc.NewHeader(), Content: newMemContent([]byte(blocks[i]))}
		for k, v := range h {
			r.Header.Set(k, v)
		}
		if _, err := w.WriteRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReplayRevisitsAndResources(t *testing.T) {
	const (
		full    = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
		head    = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
		notMod  = "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"
		digest  = "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		profile = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
	)
	dir := t.TempDir()
	good := filepath.Join(dir, "revisits.warc.gz")
	writeWARC(t, good, []map[string]string{
		{"WARC-Type": "response", "WARC-Record-ID": "<urn:uuid:a>", "WARC-Target-URI": "http://example.com/a", "WARC-Date": "2025-01-01T00:00:00Z",
			"Content-Type": "application/http; msgtype=response", "WARC-Payload-Digest": digest},
		{"WARC-Type": "revisit", "WARC-Record-ID": "<urn:uuid:b>", "WARC-Target-URI": "http://example.com/a", "WARC-Date": "2025-01-02T00:00:00Z",
			"Content-Type": "application/http; msgtype=response", "WARC-Refers-To": "<urn:uuid:a>", "WARC-Profile": profile},
		{"WARC-Type": "revisit", "WARC-Record-ID": "<urn:uuid:c>", "WARC-Target-URI": "http://example.com/copy", "WARC-Date": "2025-01-02T00:00:00Z",
			"Content-Type": "application/http; msgtype=response", "WARC-Payload-Digest": digest, "WARC-Profile": profile},
		{"WARC-Type": "revisit", "WARC-Record-ID": "<urn:uuid:d>", "WARC-Target-URI": "http://example.com/nm", "WARC-Date": "2025-01-02T00:00:00Z",
			"Content-Type": "application/http; msgtype=response", "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/server-not-modified"},
		{"WARC-Type": "resource", "WARC-Record-ID": "<urn:uuid:r>", "WARC-Target-URI": "http://example.com/logo.txt", "WARC-Date": "2025-01-02T00:00:00Z",
			"Content-Type": "text/plain"},
		{"WARC-Type": "resource", "WARC-Record-ID": "<urn:uuid:f>", "WARC-Target-URI": "file:///tmp/x", "WARC-Date": "2025-01-02T00:00:00Z",
			"Content-Type": "text/plain"},
	}, []string{full, head, head, notMod, "a resource", "not servable"})

	rp, err := OpenReplay(good, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	c := &http.Client{Transport: rp}
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/a", 200, "hello"},    // the response
		{"/a", 200, "hello"},    // the revisit, payload from the record it refers to
		{"/copy", 200, "hello"}, // found by payload digest
		{"/nm", 304, ""},        // server-not-modified needs no payload
		{"/logo.txt", 200, "a resource"},
	}
	for _, tc := range tests {
		got := do(t, c, "http://example.com", call{"GET", tc.path, nil})
		if got.status != tc.status || got.body != tc.body {
			t.Errorf("%s: got %d %q", tc.path, got.status, got.body)
		}
	}

	orphan := filepath.Join(dir, "orphan.warc.gz")
	writeWARC(t, orphan, []map[string]string{
		{"WARC-Type": "revisit", "WARC-Record-ID": "<urn:uuid:e>", "WARC-Target-URI": "http://example.com/a", "WARC-Date": "2025-01-02T00:00:00Z",
			"Content-Type": "application/http; msgtype=response", "WARC-Refers-To": "<urn:uuid:gone>", "WARC-Profile": profile},
	}, []string{head})
	_, err = OpenReplay(orphan, ReplayOptions{})
	var re *RecordError
	if !errors.As(err, &re) || re.ID != "<urn:uuid:e>" {
		t.Fatalf("revisit of a missing record: got %v, want a RecordError naming it", err)
	}
}
