package warc

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	gowarc "github.com/internetarchive/gowarc"
	"github.com/klauspost/compress/gzip"
)

// scanned is one record as read from a file.
type scanned struct {
	file    string
	index   int   // 0-based position in the file
	offset  int64 // offset of its gzip member, or -1 in a plain file
	size    int64 // compressed size of its gzip member, or -1
	blockAt int   // where the block starts in the decompressed gzip member, or -1
	version string
	header  gowarc.Header
	block   []byte
}

func (s *scanned) id() string { return s.header.Get("WARC-Record-ID") }

func (s *scanned) fail(err error) *RecordError {
	return &RecordError{File: s.file, Offset: s.offset, Index: s.index, ID: s.id(), Err: err}
}

// expandPath turns a file, a directory or a glob into a sorted list of WARC files.
func expandPath(path string) ([]string, error) {
	var files []string
	if strings.ContainsAny(path, "*?[") {
		matches, err := filepath.Glob(path)
		if err != nil {
			return nil, fmt.Errorf("warc: %q: %w", path, err)
		}
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
				files = append(files, m)
			}
		}
	} else {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("warc: %w", err)
		}
		if !fi.IsDir() {
			return []string{path}, nil
		}
		ents, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("warc: %w", err)
		}
		for _, e := range ents {
			n := e.Name()
			if e.Type().IsRegular() && (strings.HasSuffix(n, ".warc") || strings.HasSuffix(n, ".warc.gz")) {
				files = append(files, filepath.Join(path, n))
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrNoFiles, path)
	}
	sort.Strings(files)
	return files, nil
}

// scanFile calls fn for every record of a .warc or .warc.gz file, in order. A damaged
// file ends the scan with a *RecordError naming the record; fn's own error is returned as is.
//
// Gzip members are read here rather than by gowarc's reader, which reads one record per
// member and skips anything else in it: a whole-file-gzipped WARC would silently lose all
// but its first record. Each member is decompressed and parsed by gowarc, and a member
// holding more than one record is reported as an error.
func scanFile(path string, fn func(*scanned) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("warc: %w", err)
	}
	defer f.Close()
	fc := &countReader{r: f}
	br := bufio.NewReaderSize(fc, 256<<10)
	magic, err := br.Peek(2)
	if err != nil && len(magic) == 0 {
		if err == io.EOF {
			return &RecordError{File: path, Offset: 0, Err: errors.New("empty file")}
		}
		return fmt.Errorf("warc: %s: %w", path, err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		// flate takes its fast path on a *bufio.Reader and reads exactly to the end of a
		// member, so the offset is what left the file minus what is still buffered.
		pos := func() int64 { return fc.n - int64(br.Buffered()) }
		return scanGzip(path, br, pos, fn)
	}
	head, _ := br.Peek(leadWindow)
	if err := checkLead(path, head, 0, -1); err != nil {
		return err
	}
	return scanRecords(path, br, 0, -1, -1, fn)
}

func scanGzip(path string, br *bufio.Reader, pos func() int64, fn func(*scanned) error) error {
	var zr *gzip.Reader
	var buf bytes.Buffer // reused: records are copied out of it by gowarc
	index := 0
	for {
		off := pos()
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(br)
		} else {
			err = zr.Reset(br)
		}
		if err == io.EOF && pos() == off {
			return nil
		}
		if err != nil {
			return &RecordError{File: path, Offset: off, Index: index, Err: fmt.Errorf("gzip member header: %w", err)}
		}
		zr.Multistream(false)
		buf.Reset()
		_, err = buf.ReadFrom(zr)
		member := buf.Bytes()
		if err != nil {
			return &RecordError{File: path, Offset: off, Index: index, ID: idIn(member), Err: fmt.Errorf("gzip member: %w", err)}
		}
		size := pos() - off
		if err := checkLead(path, member, index, off); err != nil {
			return err
		}
		var recs []*scanned
		if err := scanRecords(path, bytes.NewReader(member), index, off, size, func(s *scanned) error {
			recs = append(recs, s)
			return nil
		}); err != nil {
			var re *RecordError
			if errors.As(err, &re) && re.ID == "" && re.Index == index {
				re.ID = idIn(member)
			}
			return err
		}
		if len(recs) > 1 {
			// Tools that index WARCs by offset (CDX, pywb, warcio) need one member per
			// record; warcio rejects such files as well.
			return &RecordError{File: path, Offset: off, Index: index + 1, ID: recs[1].id(), Err: fmt.Errorf(
				"the gzip member at offset %d holds %d records: the file is gzipped as a whole, not record by record (gunzip it, or recompress it per record)", off, len(recs))}
		}
		for _, s := range recs {
			s.blockAt = -1
			if end := len(member) - len(recordTrailer); end-len(s.block) >= 0 &&
				bytes.Equal(member[end-len(s.block):end], s.block) && string(member[end:]) == recordTrailer {
				s.blockAt = end - len(s.block)
			}
			if err := fn(s); err != nil {
				return err
			}
		}
		index += len(recs)
	}
}

// gowarcBufEnv is the variable gowarc sizes a reader's two buffers from
// (256 KiB each by default). The replay makes a reader per record, over a
// record already in memory, and zeroing half a megabyte per record cost more
// than parsing it; 64 KiB is plenty there and for a plain file.
const gowarcBufEnv = "WARCDecompressedBufSize"

var gowarcBufOnce sync.Once

// newRecordReader is gowarc.NewReader with the buffer size above, unless the
// environment already chose one.
func newRecordReader(r io.Reader) (*gowarc.Reader, error) {
	gowarcBufOnce.Do(func() {
		if _, set := os.LookupEnv(gowarcBufEnv); !set {
			_ = os.Setenv(gowarcBufEnv, strconv.Itoa(64<<10))
		}
	})
	return gowarc.NewReader(r)
}

// leadWindow is how far scanRecords looks for the first record's "WARC/".
const leadWindow = 64 << 10

// checkLead refuses what gowarc would skip or misread at the start of a file
// or gzip member (head is its first bytes): an ARC file (the format before
// WARC, which starts "filedesc://"), or bytes before the first "WARC/",
// which gowarc skips without a word.
func checkLead(path string, head []byte, index int, off int64) error {
	head = head[:min(len(head), leadWindow)]
	if len(head) == 0 || bytes.HasPrefix(head, []byte("WARC/")) {
		return nil
	}
	at := max(off, 0)
	if bytes.HasPrefix(head, []byte("filedesc://")) {
		return &RecordError{File: path, Offset: at, Index: index, Err: errors.New(
			"this is an ARC file (the format before WARC), not WARC: convert it to WARC first")}
	}
	i := bytes.Index(head, []byte("WARC/"))
	switch {
	case i > 0 && len(bytes.TrimSpace(head[:i])) == 0:
		return nil // blank lines: gowarc reads past them, and so may we
	case i > 0:
		return &RecordError{File: path, Offset: at, Index: index, Err: fmt.Errorf(
			"%d bytes before the record that belong to no record (%q...): the file is damaged or not WARC", i, head[:min(i, 32)])}
	}
	return &RecordError{File: path, Offset: at, Index: index, Err: fmt.Errorf(
		"not a WARC record: it starts %q, not \"WARC/\"", head[:min(len(head), 32)])}
}

// scanRecords reads the uncompressed records of r with gowarc.
func scanRecords(path string, r io.Reader, index int, off, size int64, fn func(*scanned) error) error {
	rr, err := newRecordReader(r)
	if err != nil {
		return fmt.Errorf("warc: %w", err)
	}
	defer rr.Close()
	prev := ""
	for ; ; index++ {
		rec, err := rr.ReadRecord()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			switch {
			case strings.Contains(err.Error(), "boundary"):
				err = fmt.Errorf("%w (the record is not followed by CRLF CRLF: its Content-Length is wrong)", err)
			case off >= 0 && errors.Is(err, io.EOF):
				err = fmt.Errorf("%w (the gzip member ends inside the record: wrong Content-Length, or members not cut at records)", err)
			}
			return &RecordError{File: path, Offset: off, Index: index, After: prev, Err: err}
		}
		prev = rec.Header.Get("WARC-Record-ID")
		block, err := readAllSized(rec.Content, rec.Content.Len())
		_ = rec.Content.Close()
		if err != nil {
			return &RecordError{File: path, Offset: off, Index: index, ID: rec.Header.Get("WARC-Record-ID"), Err: err}
		}
		s := &scanned{file: path, index: index, offset: off, size: size, blockAt: -1, version: rec.Version, header: rec.Header, block: block}
		if err := fn(s); err != nil {
			return err
		}
	}
}

// recordTrailer ends every WARC record.
const recordTrailer = "\r\n\r\n"

// readMember re-reads the block of the single record in the gzip member at off. The
// member is decompressed here from memory (flate's fast path). When the scan found where
// the block sits in the member (blockAt >= 0), it is sliced out directly; otherwise the
// record is parsed again by gowarc.
func readMember(f *os.File, off, size int64, zr *gzip.Reader, blockAt, blockLen int) ([]byte, error) {
	comp := make([]byte, size)
	if _, err := f.ReadAt(comp, off); err != nil {
		return nil, err
	}
	if err := zr.Reset(bytes.NewReader(comp)); err != nil {
		return nil, err
	}
	zr.Multistream(false)
	var isize int64 // gzip's footer holds the uncompressed size (mod 4 GiB): size the buffer once
	if size >= 4 {
		isize = int64(binary.LittleEndian.Uint32(comp[size-4:]))
	}
	member, err := readAllSized(zr, isize)
	if err != nil {
		return nil, err
	}
	if blockAt >= 0 {
		if blockAt+blockLen+len(recordTrailer) != len(member) {
			return nil, fmt.Errorf("gzip member changed since the recording was opened: %d bytes, want %d", len(member), blockAt+blockLen+len(recordTrailer))
		}
		return member[blockAt : blockAt+blockLen : blockAt+blockLen], nil
	}
	rr, err := newRecordReader(bytes.NewReader(member))
	if err != nil {
		return nil, err
	}
	defer rr.Close()
	rec, err := rr.ReadRecord()
	if err != nil {
		return nil, err
	}
	defer rec.Content.Close()
	return readAllSized(rec.Content, rec.Content.Len())
}

// readAllSized is io.ReadAll with a size hint, sparing the repeated growth of large blocks.
func readAllSized(r io.Reader, hint int64) ([]byte, error) {
	if hint <= 0 || hint > 1<<30 {
		return io.ReadAll(r)
	}
	b := bytes.NewBuffer(make([]byte, 0, hint+bytes.MinRead))
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// idIn finds the WARC-Record-ID in the header of a record that could not be parsed whole.
func idIn(b []byte) string {
	head, _, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && strings.EqualFold(string(bytes.TrimSpace(k)), "WARC-Record-ID") {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
}

// countReader counts the bytes read from the file.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
