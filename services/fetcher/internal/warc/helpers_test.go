package warc

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

// fixedDate keeps Date headers stable, so a live response and its replay compare equal.
const fixedDate = "Mon, 02 Jun 2025 10:00:00 GMT"

// testServer serves every case the recorder must keep: statuses, headers, redirects,
// conditional requests, chunked and gzip bodies.
func testServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedDate)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Custom", "kept")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		body := "<html><body>hello " + r.URL.Query().Get("q") + "</body></html>"
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		io.WriteString(w, body)
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedDate)
		w.Header().Set("Content-Type", "text/plain")
		for i := range 5 {
			fmt.Fprintf(w, "part %d %s\n", i, strings.Repeat("x", 100*i))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedDate)
		w.Header().Set("Content-Type", "application/rss+xml")
		body := []byte("<rss><channel><title>zipped</title></channel></rss>")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(body)
			zw.Close()
			body = b.Bytes()
			w.Header().Set("Content-Encoding", "gzip")
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedDate)
		http.Redirect(w, r, "/ok?q=redirected", http.StatusFound)
	})
	mux.HandleFunc("/cond", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedDate)
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Sun, 01 Jun 2025 08:00:00 GMT")
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, "conditional body")
	})
	mux.HandleFunc("/limited", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedDate)
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedDate)
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedDate)
		http.NotFound(w, r)
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedDate)
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// deadURL is a loopback address nothing listens on, for a failing round trip.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/feed"
}

// fixedClock returns a clock that ticks one second per call from a fixed instant, and a
// record id source counting up: together they make recordings byte-reproducible.
func fixedClock() (func() time.Time, func() string) {
	var n, ids atomic.Int64
	base := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Second) },
		func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", ids.Add(1)) }
}

func newTestRecorder(t *testing.T, o RecorderOptions) *Recorder {
	t.Helper()
	if o.Log == nil {
		o.Log = zaptest.NewLogger(t)
	}
	r, err := NewRecorder(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// result is what a client saw; live and replayed results must match.
type result struct {
	status       int
	header       http.Header
	body         string
	length       int64
	te           []string
	uncompressed bool
	err          string
}

type call struct {
	method string
	path   string // appended to the server URL, unless it is a full URL
	header map[string]string
}

func do(t *testing.T, c *http.Client, base string, k call) result {
	t.Helper()
	u := k.path
	if !strings.HasPrefix(u, "http") {
		u = base + u
	}
	req, err := http.NewRequest(k.method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for h, v := range k.header {
		req.Header.Set(h, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return result{err: err.Error()}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", k.method, u, err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: string(b), length: resp.ContentLength,
		te: resp.TransferEncoding, uncompressed: resp.Uncompressed}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the recorder")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
