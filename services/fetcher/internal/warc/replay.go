package warc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"go.uber.org/zap"
)

// ReplayOptions configures a Replay.
type ReplayOptions struct {
	Speed string      // "" or "max": as fast as possible; "real": follow recorded timestamps; "<N>x": N times faster
	Log   *zap.Logger // nil means no logging
}

// ReplayStats counts what a Replay holds and has served.
type ReplayStats struct {
	Files     int    // WARC files read
	Records   int    // WARC records read, of every type
	Responses int    // exchanges that can be served (responses, revisits, resources, recorded failures)
	Served    uint64 // requests answered from the recording, recorded failures included
	Misses    uint64 // requests for something the recording does not hold
	Bytes     uint64 // response body bytes served
}

// Replay is an http.RoundTripper that answers from WARC files and never goes to the
// network. Requests match on method and URL; several records for one URL are served in
// recorded order and the last one repeats. Safe for concurrent use.
type Replay struct {
	log   *zap.Logger
	speed float64 // 0: as fast as possible
	files []*os.File
	byKey map[string]*queue
	first time.Time // earliest recorded date, for paced replay
	gz    sync.Pool // *gzip.Reader, reused across served records

	mu    sync.Mutex
	start time.Time // wall time of the first paced request
	stats ReplayStats
	// noRobots is set once a robots.txt the recording lacks was answered
	// as absent (logged the first time only).
	noRobots bool
}

type queue struct {
	entries []*entry
	next    int
}

type entryKind int

const (
	kindResponse entryKind = iota
	kindRevisit
	kindFailure
	kindResource
)

// entry is one servable record.
type entry struct {
	kind   entryKind
	id     string
	uri    string
	date   time.Time
	method string
	loc    RecordError // file, offset, position and id, for errors

	file     int // index into Replay.files when the record is re-read by offset
	offset   int64
	size     int64
	block    []byte // the record block, when it cannot be re-read by offset
	blockAt  int    // where the block starts in the decompressed member, -1 if unknown
	blockLen int

	truncated   bool
	contentType string // kindResource: the record's Content-Type
	bodyErr     error  // framing error found while scanning, judged once the method is known
	fetchErr    string // kindFailure

	reqID    string // WARC-Concurrent-To of the record
	refersTo string // revisit: WARC-Refers-To
	refURI   string // revisit: WARC-Refers-To-Target-URI
	digest   string // WARC-Payload-Digest
	notModOK bool   // revisit with the server-not-modified profile: served as recorded, no payload needed
	ref      *entry // revisit: the response holding the payload
}

func (e *entry) recordErr(err error) *RecordError {
	re := e.loc
	re.Err = err
	return &re
}

// OpenReplay reads a WARC file, a directory of them or a glob (.warc and .warc.gz,
// WARC/1.0 and 1.1). Every record is read and checked up front, so a damaged file fails
// here with a *RecordError naming the record, never with a shortened replay later.
// Records of .warc.gz files (one gzip member per record, as every WARC writer makes them)
// are not kept in memory but re-read by offset when served; plain .warc files are held in
// memory. A .warc.gz gzipped as a whole is refused with an error saying so.
func OpenReplay(path string, o ReplayOptions) (*Replay, error) {
	speed, err := ParseSpeed(o.Speed)
	if err != nil {
		return nil, err
	}
	names, err := expandPath(path)
	if err != nil {
		return nil, err
	}
	p := &Replay{log: o.Log, speed: speed, byKey: map[string]*queue{}}
	if p.log == nil {
		p.log = zap.NewNop()
	}
	ix := &indexer{reqMethod: map[string]string{}, reqFor: map[string]string{}, lastReq: map[string]string{}, byID: map[string]*entry{}, byDigest: map[string]*entry{}}
	for i, name := range names {
		f, err := os.Open(name)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("warc: %w", err)
		}
		p.files = append(p.files, f)
		if err := scanFile(name, func(s *scanned) error {
			p.stats.Records++
			return ix.add(s, i)
		}); err != nil {
			p.Close()
			return nil, err
		}
	}
	p.stats.Files = len(names)
	if err := ix.resolve(); err != nil {
		p.Close()
		return nil, err
	}
	for _, e := range ix.entries {
		key := e.method + " " + e.uri
		q := p.byKey[key]
		if q == nil {
			q = &queue{}
			p.byKey[key] = q
		}
		q.entries = append(q.entries, e)
		if !e.date.IsZero() && (p.first.IsZero() || e.date.Before(p.first)) {
			p.first = e.date
		}
	}
	p.stats.Responses = len(ix.entries)
	p.log.Info("Recording opened.", zap.String("path", path), zap.Int("files", p.stats.Files),
		zap.Int("records", p.stats.Records), zap.Int("responses", p.stats.Responses))
	return p, nil
}

// Close closes the WARC files.
func (p *Replay) Close() error {
	var errs []error
	for _, f := range p.files {
		errs = append(errs, f.Close())
	}
	p.files = nil
	return errors.Join(errs...)
}

// Stats returns the counters.
func (p *Replay) Stats() ReplayStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// RoundTrip answers req from the recording. A request the recording does not hold gets an
// error wrapping ErrNotInRecording; a recorded failure gets one wrapping ErrRecordedFailure.
func (p *Replay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := normalizeURL(req.URL.String())
	if err != nil {
		return nil, fmt.Errorf("warc: replay: %w", err)
	}
	p.mu.Lock()
	q := p.byKey[method+" "+u]
	if q == nil && method == http.MethodGet && req.URL.Path == "/robots.txt" {
		// A recording made by another tool rarely holds robots.txt: it
		// counts as absent (everything allowed), as a 404 would, instead
		// of failing every page of the host as unreachable.
		first := !p.noRobots
		p.noRobots = true
		p.mu.Unlock()
		if first && p.log != nil {
			p.log.Info("The recording holds no robots.txt for a host; replay treats robots.txt as absent (everything allowed), for every host it lacks.",
				zap.String("url", u))
		}
		return notRecorded(req), nil
	}
	if q == nil {
		p.stats.Misses++
		p.mu.Unlock()
		return nil, fmt.Errorf("%w: %s %s", ErrNotInRecording, method, u)
	}
	e := q.entries[q.next]
	if q.next < len(q.entries)-1 {
		q.next++
	}
	wait := p.delayLocked(e.date)
	p.mu.Unlock()

	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-req.Context().Done():
			t.Stop()
			return nil, req.Context().Err()
		}
	}
	resp, n, err := p.build(e, req)
	p.mu.Lock()
	p.stats.Served++
	p.stats.Bytes += uint64(n)
	p.mu.Unlock()
	return resp, err
}

// notRecorded is the 404 a replay answers for a robots.txt it does not hold.
func notRecorded(req *http.Request) *http.Response {
	return &http.Response{Status: "404 Not Found", StatusCode: http.StatusNotFound, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/plain"}, "X-Newsflow-Replay": {"not in recording"}},
		Body:   http.NoBody, ContentLength: 0, Request: req}
}

// delayLocked is how long to hold a record dated d back, when pacing.
func (p *Replay) delayLocked(d time.Time) time.Duration {
	if p.speed == 0 || d.IsZero() {
		return 0
	}
	now := time.Now()
	if p.start.IsZero() {
		p.start = now
	}
	due := p.start.Add(time.Duration(float64(d.Sub(p.first)) / p.speed))
	return due.Sub(now)
}

// build turns an entry into the response the live transport would have returned.
func (p *Replay) build(e *entry, req *http.Request) (*http.Response, int, error) {
	if e.kind == kindFailure {
		return nil, 0, fmt.Errorf("%w: %s %s: %s", ErrRecordedFailure, e.method, e.uri, e.fetchErr)
	}
	block, err := p.block(e)
	if err != nil {
		return nil, 0, err
	}
	if e.kind == kindResource {
		return resourceResponse(e, block, req), len(block), nil
	}
	resp, body, herr, berr := parseHTTP(block, e.method)
	if herr != nil {
		return nil, 0, e.recordErr(herr)
	}
	if e.kind == kindRevisit && e.ref != nil {
		refBlock, err := p.block(e.ref)
		if err != nil {
			return nil, 0, err
		}
		_, body, _, berr = parseHTTP(refBlock, e.ref.method)
		if resp.ContentLength >= 0 {
			resp.ContentLength = int64(len(body))
		}
	} else if e.kind == kindRevisit {
		berr = nil // server-not-modified: the head is the whole answer
	}
	var rd io.Reader = bytes.NewReader(body)
	if berr != nil {
		if !e.truncated {
			return nil, 0, e.recordErr(berr)
		}
		rd = io.MultiReader(rd, errReader{fmt.Errorf("%w: %s", ErrTruncated, e.uri)})
	}
	resp.Body = io.NopCloser(rd)
	resp.Request = req
	if req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && req.Method != http.MethodHead &&
		strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && len(body) > 0 {
		decodeForClient(resp)
	}
	return resp, len(body), nil
}

// resourceResponse answers with a resource record's payload.
func resourceResponse(e *entry, block []byte, req *http.Request) *http.Response {
	h := http.Header{}
	if e.contentType != "" {
		h.Set("Content-Type", e.contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(block)))
	return &http.Response{Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, ContentLength: int64(len(block)), Body: io.NopCloser(bytes.NewReader(block)), Request: req}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// block returns the record block of e, re-reading it from disk when it was not kept.
func (p *Replay) block(e *entry) ([]byte, error) {
	if e.block != nil {
		return e.block, nil
	}
	zr, _ := p.gz.Get().(*gzip.Reader)
	if zr == nil {
		zr = new(gzip.Reader)
	}
	b, err := readMember(p.files[e.file], e.offset, e.size, zr, e.blockAt, e.blockLen)
	p.gz.Put(zr)
	if err != nil {
		return nil, e.recordErr(err)
	}
	return b, nil
}

// parseHTTP parses an HTTP response message. herr is a broken head; berr a body that does
// not match its framing (bad chunking, short or overlong for its Content-Length).
func parseHTTP(block []byte, method string) (resp *http.Response, body []byte, herr, berr error) {
	rd := bytes.NewReader(block)
	br := bufio.NewReader(rd)
	resp, herr = http.ReadResponse(br, &http.Request{Method: method})
	if herr != nil {
		return nil, nil, fmt.Errorf("HTTP head: %w", herr), nil
	}
	if n := resp.ContentLength; n >= 0 && len(resp.TransferEncoding) == 0 && bodyAllowed(resp.StatusCode, method) {
		// The usual case: the body is the rest of the block, no copy needed.
		headLen := len(block) - rd.Len() - br.Buffered()
		rest := block[headLen:]
		switch {
		case int64(len(rest)) < n:
			return resp, rest, nil, fmt.Errorf("HTTP body: Content-Length %d but %d bytes: %w", n, len(rest), io.ErrUnexpectedEOF)
		case len(bytes.TrimRight(rest[n:], "\r\n")) > 0:
			return resp, rest[:n], nil, fmt.Errorf("HTTP body: %d bytes after the end of the body (Content-Length %d)", len(bytes.TrimRight(rest[n:], "\r\n")), n)
		}
		return resp, rest[:n:n], nil, nil
	}
	body, berr = readAllSized(resp.Body, int64(len(block)))
	_ = resp.Body.Close()
	if berr != nil {
		switch {
		case len(resp.TransferEncoding) > 0:
			berr = fmt.Errorf("HTTP body: bad chunked encoding after %d bytes: %w", len(body), berr)
		case errors.Is(berr, io.ErrUnexpectedEOF) && resp.ContentLength > 0:
			berr = fmt.Errorf("HTTP body: Content-Length %d but %d bytes: %w", resp.ContentLength, len(body), berr)
		default:
			berr = fmt.Errorf("HTTP body: %w", berr)
		}
		return resp, body, nil, berr
	}
	if bodyAllowed(resp.StatusCode, method) {
		rest, _ := io.ReadAll(br)
		if extra := len(bytes.TrimRight(rest, "\r\n")); extra > 0 {
			berr = fmt.Errorf("HTTP body: %d bytes after the end of the body (Content-Length %d)", extra, resp.ContentLength)
		}
	}
	return resp, body, nil, berr
}

func bodyAllowed(status int, method string) bool {
	return method != http.MethodHead && status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// normalizeURL makes recorded and requested URLs comparable: wget's <uri> brackets go,
// scheme and host are lower-cased, default ports and fragments dropped.
func normalizeURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if (u.Scheme == "http" && strings.HasSuffix(u.Host, ":80")) || (u.Scheme == "https" && strings.HasSuffix(u.Host, ":443")) {
		u.Host = u.Host[:strings.LastIndexByte(u.Host, ':')]
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Host != "" && u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

// ParseSpeed parses a replay speed: "" or "max" (0: no pacing), "real" (1) or "<N>x".
func ParseSpeed(s string) (float64, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "max":
		return 0, nil
	case "real":
		return 1, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "x"), 64)
	if err != nil || f <= 0 || !strings.HasSuffix(strings.ToLower(s), "x") {
		return 0, fmt.Errorf("%w: %q (want max, real or <N>x)", ErrBadSpeed, s)
	}
	return f, nil
}
