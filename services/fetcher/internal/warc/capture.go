package warc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// exchange is one request and its outcome, waiting in the recorder's queue.
type exchange struct {
	date      time.Time
	targetURI string
	reqHead   []byte
	reqBody   []byte
	respHead  []byte // nil when the round trip failed
	body      []byte // entity body as received (still content-encoded)
	chunked   bool   // the response came with Transfer-Encoding: chunked
	truncated string // WARC-Truncated reason, "" when the body is complete
	fetchErr  string // the round trip's error, when respHead is nil
}

// Truncation reasons (WARC-Truncated values, WARC 1.1 section 5.13).
const (
	truncLength      = "length"      // the body exceeded RecorderOptions.MaxBodyBytes
	truncDisconnect  = "disconnect"  // reading the body failed
	truncUnspecified = "unspecified" // the client closed the body before its end
)

// requestHead serialises the request line and headers as they go on the wire; goUA adds
// the User-Agent net/http's transport sends when the request has none.
func requestHead(req *http.Request, goUA bool) []byte {
	var b bytes.Buffer
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, req.URL.RequestURI())
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	fmt.Fprintf(&b, "Host: %s\r\n", host)
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Del("Host")
	if _, set := h["User-Agent"]; goUA && !set {
		h.Set("User-Agent", "Go-http-client/1.1")
	}
	if req.ContentLength > 0 && h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	}
	_ = h.Write(&b) // a bytes.Buffer does not fail
	b.WriteString("\r\n")
	return b.Bytes()
}

// responseHead serialises the status line and headers. Go's transport has already removed
// the chunked framing from the body, so a chunked response is written back as one chunk
// (see chunk): replay then sees the same Transfer-Encoding the live client saw.
func responseHead(resp *http.Response, chunked bool) []byte {
	var b bytes.Buffer
	status := resp.Status
	if status == "" || !startsWithCode(status, resp.StatusCode) {
		status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	// HTTP/2 exchanges are written in HTTP/1.1 form, as other WARC writers do.
	fmt.Fprintf(&b, "HTTP/1.1 %s\r\n", status)
	h := resp.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if chunked {
		h.Set("Transfer-Encoding", "chunked")
		h.Del("Content-Length")
	}
	_ = h.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes()
}

func startsWithCode(status string, code int) bool {
	c := strconv.Itoa(code)
	return len(status) >= len(c) && status[:len(c)] == c
}

// chunk frames body as one HTTP chunk, plus the last chunk unless the body is truncated.
func chunk(body []byte, complete bool) []byte {
	var b bytes.Buffer
	if len(body) > 0 {
		fmt.Fprintf(&b, "%x\r\n", len(body))
		b.Write(body)
		b.WriteString("\r\n")
	}
	if complete {
		b.WriteString("0\r\n\r\n")
	}
	return b.Bytes()
}

// captureBody hands the response body to the client and keeps a copy of what the client
// reads. The exchange is queued when the client reaches EOF or closes the body, so a
// slow disk never holds up the fetch.
type captureBody struct {
	rc     io.ReadCloser
	max    int64
	submit func(*exchange)

	mu     sync.Mutex
	ex     *exchange
	buf    bytes.Buffer
	reason string
	done   bool
}

func (c *captureBody) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	if n > 0 && !c.done && c.reason == "" {
		if room := c.max - int64(c.buf.Len()); int64(n) > room {
			c.buf.Write(p[:room])
			c.reason = truncLength
		} else {
			c.buf.Write(p[:n])
		}
	}
	switch {
	case err == io.EOF:
		c.finishLocked("")
	case err != nil && c.reason == "":
		c.reason = truncDisconnect
	}
	return n, err
}

func (c *captureBody) Close() error {
	err := c.rc.Close()
	c.mu.Lock()
	c.finishLocked(truncUnspecified)
	c.mu.Unlock()
	return err
}

// finishLocked queues the exchange once; reason applies when no earlier one was set.
func (c *captureBody) finishLocked(reason string) {
	if c.done {
		return
	}
	c.done = true
	if c.reason == "" {
		c.reason = reason
	}
	c.ex.body = bytes.Clone(c.buf.Bytes())
	c.ex.truncated = c.reason
	c.buf = bytes.Buffer{}
	c.submit(c.ex)
}

// gunzipBody decompresses for a client that did not ask for an encoding itself, as
// net/http's transport does: the recorder asked for gzip on its behalf to keep the wire bytes.
type gunzipBody struct {
	src io.ReadCloser
	zr  *gzip.Reader
	err error
}

func (g *gunzipBody) Read(p []byte) (int, error) {
	if g.zr == nil && g.err == nil {
		g.zr, g.err = gzip.NewReader(g.src)
	}
	if g.err != nil {
		return 0, g.err
	}
	return g.zr.Read(p)
}

func (g *gunzipBody) Close() error { return g.src.Close() }

// decodeForClient mirrors net/http's transparent gzip handling on resp.
func decodeForClient(resp *http.Response) {
	resp.Body = &gunzipBody{src: resp.Body}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
}

// memContent is a read-only, in-memory record block satisfying gowarc's
// spooledtempfile.ReadWriteSeekCloser, so records never touch a temp file.
type memContent struct{ *bytes.Reader }

func newMemContent(parts ...[]byte) memContent {
	return memContent{bytes.NewReader(bytes.Join(parts, nil))}
}

func (m memContent) Len() int64                { return m.Size() }
func (m memContent) FileName() string          { return "" }
func (m memContent) Close() error              { return nil }
func (m memContent) Write([]byte) (int, error) { return 0, errReadOnly }

var errReadOnly = errors.New("warc: record content is read-only")
