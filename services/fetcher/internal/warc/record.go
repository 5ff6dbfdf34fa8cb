package warc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	gowarc "github.com/internetarchive/gowarc"
	"go.uber.org/zap"
)

// RecorderOptions configures a Recorder. Dir is required; the rest has defaults.
type RecorderOptions struct {
	Dir          string            // output directory, created if missing
	MaxFileBytes int64             // rotate to a new file once one reaches this size; 0 means 1 GiB
	Software     string            // warcinfo "software" field; "" means newsflow-fetcher
	Config       map[string]string // extra warcinfo fields, e.g. the fetcher's resolved config
	Log          *zap.Logger       // nil means no logging
	OnError      func(error)       // called (from the writer goroutine) for each recording error

	QueueSize    int                     // exchanges waiting for the writer; 0 means 1024. When full, exchanges are dropped and counted.
	MaxBodyBytes int64                   // body bytes kept per response; 0 means 64 MiB. Longer bodies are recorded cut, with WARC-Truncated: length.
	Now          func() time.Time        // clock for WARC-Date; nil means time.Now
	NewRecordID  func() string           // a UUID for WARC-Record-ID; nil means a random one
	FileName     func(serial int) string // name of the serial-th file (0-based); nil means newsflow-<UTC time>-<serial>.warc.gz
}

// Recorder writes every HTTP exchange made through Wrap to rotated WARC 1.1 files,
// one gzip member per record. Recording never breaks fetching: write errors are logged,
// counted (Errors) and reported to OnError, and fetching goes on.
type Recorder struct {
	o    RecorderOptions
	log  *zap.Logger
	open func(path string) (writeFile, error)

	mu     sync.Mutex // guards closed and sends on queue
	closed bool
	queue  chan *exchange
	done   chan struct{}

	errs    atomic.Uint64
	dropped atomic.Uint64
	written atomic.Uint64

	// Owned by the writer goroutine after NewRecorder returns.
	cur      *warcFile
	serial   int
	closeErr error
}

// writeFile is what the recorder needs from an output file; tests substitute a failing one.
type writeFile interface {
	io.WriteCloser
	Truncate(size int64) error
	Seek(offset int64, whence int) (int64, error)
}

type warcFile struct {
	name       string // final name; the file is written as name+".open" until rotated or closed
	f          writeFile
	cw         *countWriter
	w          *gowarc.Writer
	warcinfoID string
	records    int
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// NewRecorder creates Dir and the first WARC file, so a bad directory is reported at
// start-up rather than on the first fetch.
func NewRecorder(o RecorderOptions) (*Recorder, error) {
	return newRecorder(o, openExclusive)
}

func newRecorder(o RecorderOptions, open func(path string) (writeFile, error)) (*Recorder, error) {
	if o.Dir == "" {
		return nil, errors.New("warc: recorder: empty directory")
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = 1 << 30
	}
	if o.Software == "" {
		o.Software = "newsflow-fetcher"
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 1024
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewRecordID == nil {
		o.NewRecordID = uuid.NewString
	}
	if o.FileName == nil {
		start := o.Now().UTC().Format("20060102150405")
		o.FileName = func(serial int) string {
			return fmt.Sprintf("newsflow-%s-%05d.warc.gz", start, serial)
		}
	}
	log := o.Log
	if log == nil {
		log = zap.NewNop()
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("warc: recorder: %w", err)
	}
	r := &Recorder{
		o:     o,
		log:   log,
		open:  open,
		queue: make(chan *exchange, o.QueueSize),
		done:  make(chan struct{}),
	}
	if err := r.openNext(); err != nil {
		return nil, fmt.Errorf("warc: recorder: %w", err)
	}
	go r.run()
	return r, nil
}

func openExclusive(path string) (writeFile, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

// Errors counts recording errors: failed writes, failed file opens and dropped exchanges.
func (r *Recorder) Errors() uint64 { return r.errs.Load() }

// Dropped counts exchanges dropped because the queue was full or the recorder closed.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Records counts WARC records written, warcinfo records included.
func (r *Recorder) Records() uint64 { return r.written.Load() }

// Wrap returns a RoundTripper that sends requests through base (nil means
// http.DefaultTransport) and records each exchange: request and response records, or a
// request and a metadata record holding the error when the round trip fails.
//
// The response body is recorded as received on the wire, still content-encoded. A request
// without Accept-Encoding is sent with "Accept-Encoding: gzip" and the body is decompressed
// for the caller, exactly as net/http's transport would do, so the recording keeps the wire
// bytes while the caller sees no difference. The exchange is written once the caller has
// read the body to its end or closed it; a body closed early is recorded as read so far,
// marked WARC-Truncated.
func (r *Recorder) Wrap(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	_, goUA := base.(*http.Transport)
	return &recordingTransport{r: r, base: base, goUA: goUA}
}

type recordingTransport struct {
	r    *Recorder
	base http.RoundTripper
	goUA bool // base is net/http's transport, which adds its User-Agent when none is set
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := &exchange{date: t.r.o.Now(), targetURI: targetURI(req)}
	send := req
	decode := false
	if req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && req.Method != http.MethodHead {
		send = req.Clone(req.Context())
		if send.Header == nil {
			send.Header = http.Header{}
		}
		send.Header.Set("Accept-Encoding", "gzip")
		decode = true
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			ex.reqBody, _ = io.ReadAll(io.LimitReader(body, t.r.o.MaxBodyBytes))
			_ = body.Close()
		}
	}
	ex.reqHead = requestHead(send, t.goUA)

	resp, err := t.base.RoundTrip(send)
	if err != nil {
		ex.fetchErr = err.Error()
		t.r.submit(ex)
		return nil, err
	}
	ex.chunked = len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked"
	ex.respHead = responseHead(resp, ex.chunked)
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	resp.Body = &captureBody{rc: resp.Body, max: t.r.o.MaxBodyBytes, submit: t.r.submit, ex: ex}
	if decode && !resp.Uncompressed && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		decodeForClient(resp)
	}
	if send != req {
		resp.Request = req
	}
	return resp, nil
}

// targetURI is the request URL without fragment, as WARC-Target-URI wants it.
func targetURI(req *http.Request) string {
	u := *req.URL
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// submit queues ex without blocking: when the writer lags behind, the exchange is
// dropped and counted rather than slowing the fetch.
func (r *Recorder) submit(ex *exchange) {
	why := ""
	r.mu.Lock()
	if r.closed {
		why = "recorder closed"
	} else {
		select {
		case r.queue <- ex:
		default:
			why = "queue full"
		}
	}
	r.mu.Unlock()
	if why != "" {
		r.drop(ex, why)
	}
}

func (r *Recorder) drop(ex *exchange, why string) {
	r.dropped.Add(1)
	r.fail(fmt.Errorf("warc: exchange dropped: %s: %s", why, ex.targetURI))
}

func (r *Recorder) fail(err error) {
	r.errs.Add(1)
	r.log.Warn("Recording error; fetching goes on.", zap.Error(err), zap.Uint64("recording_errors", r.errs.Load()))
	if r.o.OnError != nil {
		r.o.OnError(err)
	}
}

// Close writes what is queued, closes the current file and renames it to its final
// name. Exchanges finishing after Close are dropped and counted.
func (r *Recorder) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		<-r.done
		return r.closeErr
	}
	r.closed = true
	close(r.queue)
	r.mu.Unlock()
	<-r.done
	return r.closeErr
}

func (r *Recorder) run() {
	defer close(r.done)
	for ex := range r.queue {
		if err := r.write(ex); err != nil {
			r.fail(err)
		}
	}
	if r.cur != nil {
		if err := r.finish(); err != nil {
			r.closeErr = fmt.Errorf("warc: close: %w", err)
		}
	}
}

// write records one exchange, rotating first if the file is full. On a write error the
// file is cut back to its last complete record, so what was written stays readable.
func (r *Recorder) write(ex *exchange) error {
	if r.cur != nil && r.cur.records > 0 && r.cur.cw.n >= r.o.MaxFileBytes {
		err := r.finish()
		if err != nil {
			r.fail(fmt.Errorf("warc: rotate: %w", err))
		}
	}
	if r.cur == nil {
		if err := r.openNext(); err != nil {
			r.dropped.Add(1)
			return fmt.Errorf("warc: open next file: %w (exchange dropped: %s)", err, ex.targetURI)
		}
	}
	good := r.cur.cw.n
	if err := r.writeExchange(ex); err != nil {
		r.rollback(good)
		return fmt.Errorf("warc: write %s: %w", r.cur.name, err)
	}
	return nil
}

func (r *Recorder) writeExchange(ex *exchange) error {
	date := ex.date.UTC().Format(time.RFC3339Nano)
	reqID := r.recordID()
	outID := r.recordID()

	req := r.newRecord("request", reqID, date, ex.targetURI, "application/http; msgtype=request", ex.reqHead, ex.reqBody)
	req.Header.Set("WARC-Concurrent-To", outID)
	if err := r.writeRecord(req); err != nil {
		return err
	}

	if ex.respHead == nil {
		// The round trip failed: a metadata record keeps the error so replay can repeat it.
		block := fmt.Sprintf("fetch-error: %s\r\n", oneLine(ex.fetchErr))
		meta := r.newRecord("metadata", outID, date, ex.targetURI, "application/warc-fields", []byte(block))
		meta.Header.Set("WARC-Concurrent-To", reqID)
		return r.writeRecord(meta)
	}

	body := ex.body
	if ex.chunked {
		body = chunk(ex.body, ex.truncated == "")
	}
	resp := r.newRecord("response", outID, date, ex.targetURI, "application/http; msgtype=response", ex.respHead, body)
	resp.Header.Set("WARC-Concurrent-To", reqID)
	digest, err := gowarc.GetDigest(bytes.NewReader(ex.body), gowarc.SHA1)
	if err != nil {
		return err
	}
	resp.Header.Set("WARC-Payload-Digest", digest)
	if ex.truncated != "" {
		resp.Header.Set("WARC-Truncated", ex.truncated)
	}
	return r.writeRecord(resp)
}

func (r *Recorder) recordID() string { return "<urn:uuid:" + r.o.NewRecordID() + ">" }

func (r *Recorder) newRecord(typ, id, date, uri, contentType string, block ...[]byte) *gowarc.Record {
	content := newMemContent(block...)
	rec := &gowarc.Record{Header: gowarc.NewHeader(), Content: content}
	rec.Header.Set("WARC-Type", typ)
	rec.Header.Set("WARC-Record-ID", id)
	rec.Header.Set("WARC-Date", date)
	if uri != "" {
		rec.Header.Set("WARC-Target-URI", uri)
	}
	if r.cur != nil && r.cur.warcinfoID != "" && typ != "warcinfo" {
		rec.Header.Set("WARC-Warcinfo-ID", r.cur.warcinfoID)
	}
	rec.Header.Set("Content-Type", contentType)
	rec.Header.Set("Content-Length", strconv.FormatInt(content.Size(), 10))
	return rec
}

func (r *Recorder) writeRecord(rec *gowarc.Record) error {
	// gowarc closes the gzip member after each record; without this Reset the next
	// record would go into a closed compressor and be lost.
	r.cur.w.Reset(r.cur.cw)
	if _, err := r.cur.w.WriteRecord(rec); err != nil {
		return err
	}
	r.cur.records++
	r.written.Add(1)
	return nil
}

func (r *Recorder) rollback(good int64) {
	_, serr := r.cur.f.Seek(good, io.SeekStart)
	terr := r.cur.f.Truncate(good)
	if serr == nil && terr == nil {
		r.cur.cw.n = good
		return
	}
	// The file cannot be repaired: finish it as is and start a fresh one next time.
	if err := r.finish(); err != nil {
		r.log.Warn("Closing a damaged WARC file failed.", zap.Error(err))
	}
}

func (r *Recorder) openNext() error {
	for range 1000 {
		name := r.o.FileName(r.serial)
		r.serial++
		f, err := r.open(filepath.Join(r.o.Dir, name+".open"))
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(r.o.Dir, name)); err == nil {
			// A finished file of that name exists already: keep it, take the next serial.
			_ = f.Close()
			_ = os.Remove(filepath.Join(r.o.Dir, name+".open"))
			continue
		}
		cw := &countWriter{w: f}
		w, err := gowarc.NewWriter(cw, name, gowarc.SHA1, gowarc.CompressionNone, true, nil)
		if err != nil {
			_ = f.Close()
			return err
		}
		w.Compressor = newMemberWriter(cw)
		w.BufWriter.Reset(w.Compressor)
		r.cur = &warcFile{name: name, f: f, cw: cw, w: w}
		if err := r.writeWarcinfo(); err != nil {
			_ = r.finish()
			return err
		}
		return nil
	}
	return errors.New("no free file name")
}

func (r *Recorder) writeWarcinfo() error {
	var b strings.Builder
	fmt.Fprintf(&b, "software: %s\r\n", oneLine(r.o.Software))
	b.WriteString("format: WARC File Format 1.1\r\n")
	b.WriteString("conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n")
	keys := make([]string, 0, len(r.o.Config))
	for k := range r.o.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\r\n", oneLine(k), oneLine(r.o.Config[k]))
	}
	id := r.recordID()
	rec := r.newRecord("warcinfo", id, r.o.Now().UTC().Format(time.RFC3339Nano), "", "application/warc-fields", []byte(b.String()))
	rec.Header.Set("WARC-Filename", r.cur.name)
	if err := r.writeRecord(rec); err != nil {
		return err
	}
	r.cur.warcinfoID = id
	r.cur.records = 0 // the warcinfo alone does not make a file worth rotating
	return nil
}

// finish closes the current file and drops its .open suffix.
func (r *Recorder) finish() error {
	cur := r.cur
	r.cur = nil
	err := cur.f.Close()
	if rerr := os.Rename(filepath.Join(r.o.Dir, cur.name+".open"), filepath.Join(r.o.Dir, cur.name)); rerr != nil {
		err = errors.Join(err, rerr)
	}
	return err
}

func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
