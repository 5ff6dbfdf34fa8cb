package warc

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The public warcio test files cannot be copied into this repository, so the broken
// files are made here from our own recordings: truncated, bad chunking, wrong
// Content-Length (HTTP and WARC), trailing garbage. Each must fail with a *RecordError
// naming the file and the record, never panic and never open as a shorter recording.

// mutate applies one regexp replacement inside the n-th record whose text contains marker.
func mutate(t *testing.T, raw []byte, marker, pattern, repl string) []byte {
	t.Helper()
	recs := splitRecords(raw)
	re := regexp.MustCompile(pattern)
	for i, r := range recs {
		if bytes.Contains(r, []byte(marker)) && strings.Contains(string(r), "WARC-Type: response") {
			m := re.ReplaceAll(r, []byte(repl))
			if bytes.Equal(m, r) {
				t.Fatalf("pattern %q changed nothing in %q", pattern, marker)
			}
			recs[i] = m
			return bytes.Join(recs, nil)
		}
	}
	t.Fatalf("no response record with %q", marker)
	return nil
}

func recordID(t *testing.T, raw []byte, marker string) string {
	t.Helper()
	for _, r := range splitRecords(raw) {
		if bytes.Contains(r, []byte(marker)) && bytes.Contains(r, []byte("WARC-Type: response")) {
			m := regexp.MustCompile(`WARC-Record-ID: (<[^>]+>)`).FindSubmatch(r)
			return string(m[1])
		}
	}
	t.Fatalf("no response record with %q", marker)
	return ""
}

// arcFile is the start of an ARC version 1 file: its file description
// record, then a response record.
const arcFile = "filedesc://example.arc 127.0.0.1 20140216050221 text/plain 75\n" +
	"1 0 Example\nURL IP-address Archive-date Content-type Archive-length\n\n" +
	"http://example.com/ 93.184.216.119 20140216050221 text/html 20\n" +
	"HTTP/1.0 200 OK\r\n\r\nhi\n"

func TestBrokenFiles(t *testing.T) {
	srv := testServer(t)
	src := recordSet(t, srv.URL, RecorderOptions{}, "/ok?q=a", "/chunked", "/ok?q=b")
	raw := plain(t, src)
	gz := gzipPerRecord(raw)
	chunkedID := recordID(t, raw, "/chunked\r\n")
	okID := recordID(t, raw, "/ok?q=a\r\n")
	dir := t.TempDir()

	tests := []struct {
		name    string
		file    string
		data    []byte
		wantID  string // "" when the header itself is unreadable, "-" for any id
		wantMsg string
	}{
		{"truncated gzip member", "cut.warc.gz", gz[:len(gz)*2/3], "-", "unexpected EOF"},
		{"truncated plain file", "cut.warc", raw[:len(raw)-300], "", "EOF"},
		{"bad chunk size", "badchunk.warc",
			mutate(t, raw, "/chunked\r\n", `(?s)(Transfer-Encoding: chunked\r\n\r\n)[0-9a-f]{3}`, "${1}zzz"), chunkedID, "chunk"},
		{"chunk shorter than declared", "shortchunk.warc.gz",
			gzipPerRecord(mutate(t, raw, "/chunked\r\n", `(?s)(Transfer-Encoding: chunked\r\n\r\n)[0-9a-f]{3}`, "${1}fff")), chunkedID, "bad chunked encoding"},
		{"HTTP Content-Length too long", "cl-long.warc.gz",
			gzipPerRecord(mutate(t, raw, "/ok?q=a\r\n", `\r\nContent-Length: 33\r\n`, "\r\nContent-Length: 99\r\n")), okID, "Content-Length 99 but 33 bytes"},
		{"HTTP Content-Length too short", "cl-short.warc",
			mutate(t, raw, "/ok?q=a\r\n", `\r\nContent-Length: 33\r\n`, "\r\nContent-Length: 10\r\n"), okID, "23 bytes after the end of the body"},
		{"WARC Content-Length wrong", "warc-cl.warc.gz",
			gzipPerRecord(mutate(t, raw, "/ok?q=b\r\n", `\r\nContent-Length: (\d)(\d+)\r\n\r\nHTTP`, "\r\nContent-Length: 9$2\r\n\r\nHTTP")), "", "EOF"},
		{"garbage after the last member", "tail.warc.gz", append(bytes.Clone(gz), "not gzip"...), "", "gzip member header"},
		{"empty file", "empty.warc", nil, "", "empty file"},
		// An ARC file (the format before WARC), as warcio's example.arc
		// begins; and one gzipped per record, as .arc.gz files are.
		{"ARC file", "example.warc", []byte(arcFile), "", "ARC file"},
		{"gzipped ARC file", "example.warc.gz", gzipPerRecord([]byte(arcFile)), "", "ARC file"},
		// Bytes before the first record, which gowarc skips silently.
		{"bytes before the first record", "lead.warc", append([]byte("HTTP/1.1 200 OK\r\n\r\njunk"), raw...), "", "23 bytes before the record"},
		{"bytes before a gzipped record", "lead.warc.gz", gzipPerRecord(append([]byte("junk\r\n"), raw...)), "", "6 bytes before the record"},
		// One gzip member for the whole file (warcio's "bad non-chunked"): gowarc's reader
		// would return the first record and silently skip the rest.
		{"whole-file gzip", "whole.warc.gz", gzipAll(raw), "-", "gzipped as a whole"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := saveFile(t, filepath.Join(dir, tc.file), tc.data)
			rp, err := OpenReplay(path, ReplayOptions{})
			if err == nil {
				rp.Close()
				t.Fatal("OpenReplay accepted a broken file")
			}
			t.Log(err)
			var re *RecordError
			if !errors.Is(err, ErrBrokenRecord) || !errors.As(err, &re) {
				t.Fatalf("got %v, want a *RecordError", err)
			}
			if re.File != path || !strings.Contains(err.Error(), tc.file) {
				t.Errorf("error does not name the file: %v", err)
			}
			if tc.wantID == "-" && re.ID == "" || tc.wantID != "" && tc.wantID != "-" && re.ID != tc.wantID {
				t.Errorf("error names record %q, want %q: %v", re.ID, tc.wantID, err)
			}
			if strings.HasSuffix(tc.file, ".gz") && re.Offset < 0 {
				t.Errorf("no offset in %v", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q lacks %q", err, tc.wantMsg)
			}
			// ls lists what it can read, then reports the same kind of error for framing damage.
			lerr := List(path, io.Discard)
			if (tc.wantID == "" || tc.wantID == "-") && !errors.Is(lerr, ErrBrokenRecord) {
				t.Errorf("List: got %v, want a broken-record error", lerr)
			}
		})
	}
}
