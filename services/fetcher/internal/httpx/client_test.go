package httpx

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// testClient returns a client allowed to reach loopback test servers, with
// politeness off unless opts sets it.
func testClient(t *testing.T, o Options) *Client {
	t.Helper()
	o.AllowLoopback = true
	if o.PerHostInterval == 0 {
		o.PerHostInterval = -1
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encode(t *testing.T, coding string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		return gzipBytes(t, b)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "raw-deflate":
		fw, err := flate.NewWriter(&buf, flate.DefaultCompression)
		if err != nil {
			t.Fatal(err)
		}
		w = fw
	case "br":
		w = brotli.NewWriter(&buf)
	default:
		return b
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestContentEncoding(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("<item>news</item>\n"), 500)
	bomb := make([]byte, 8<<20) // 8 MiB of zeros gzip to a few KiB
	tests := []struct {
		name     string
		header   string // Content-Encoding sent
		body     []byte // wire bytes
		limit    int64
		want     []byte
		wantErr  error
		wantPerm bool
	}{
		{name: "identity", body: payload, want: payload},
		{name: "gzip", header: "gzip", body: encode(t, "gzip", payload), want: payload},
		{name: "x-gzip", header: "x-gzip", body: encode(t, "gzip", payload), want: payload},
		{name: "deflate zlib", header: "deflate", body: encode(t, "deflate", payload), want: payload},
		{name: "deflate raw", header: "deflate", body: encode(t, "raw-deflate", payload), want: payload},
		{name: "brotli", header: "br", body: encode(t, "br", payload), want: payload},
		{name: "gzip then br", header: "gzip, br", body: encode(t, "br", encode(t, "gzip", payload)), want: payload},
		{name: "empty gzip", header: "gzip", body: nil, want: []byte{}},
		{name: "gzip bomb", header: "gzip", body: encode(t, "gzip", bomb), limit: 1 << 20, wantErr: ErrBodyTooLarge},
		{name: "brotli bomb", header: "br", body: encode(t, "br", bomb), limit: 1 << 20, wantErr: ErrBodyTooLarge},
		{name: "identity too large", body: payload, limit: 1000, wantErr: ErrBodyTooLarge},
		{name: "exactly at limit", body: payload, limit: int64(len(payload)), want: payload},
		{name: "unknown coding", header: "compress", body: payload, wantErr: ErrUnsupportedEncoding},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if got := r.Header.Get("Accept-Encoding"); got != "gzip, deflate, br" {
					t.Errorf("Accept-Encoding = %q", got)
				}
				if tc.header != "" {
					w.Header().Set("Content-Encoding", tc.header)
				}
				_, _ = w.Write(tc.body)
			})
			c := testClient(t, Options{MaxBodyBytes: tc.limit})
			resp, err := c.Get(context.Background(), srv.URL, Conditional{}, KindFeed)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error = %v, want %v", err, tc.wantErr)
				}
				if Classify(err) != Permanent {
					t.Errorf("Classify = %v, want permanent", Classify(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, tc.want) {
				t.Errorf("body: got %d bytes, want %d", len(resp.Body), len(tc.want))
			}
		})
	}
}

// recorder is a Base round tripper that keeps the raw wire body, as the WARC
// recorder does.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	raw  [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.raw = append(r.raw, b)
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func TestBaseSeesWireBytes(t *testing.T) {
	t.Parallel()
	payload := []byte(`<rss version="2.0"><channel><title>t</title></channel></rss>`)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/rss+xml; charset=ISO-8859-1")
		_, _ = w.Write(gzipBytes(t, payload))
	})
	var rec *recorder
	c := testClient(t, Options{Wrap: func(base http.RoundTripper) http.RoundTripper {
		rec = &recorder{base: base}
		return rec
	}})
	resp, err := c.Get(context.Background(), srv.URL, Conditional{}, KindFeed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body, payload) {
		t.Errorf("decoded body = %q", resp.Body)
	}
	if len(rec.raw) != 1 || !bytes.HasPrefix(rec.raw[0], []byte{0x1f, 0x8b}) {
		t.Errorf("recorder did not see gzip bytes: %q", rec.raw)
	}
	if resp.ContentType != "application/rss+xml" || resp.Charset != "iso-8859-1" {
		t.Errorf("content type = %q charset = %q", resp.ContentType, resp.Charset)
	}
}

func TestConditionalGet(t *testing.T) {
	t.Parallel()
	const etag = `"v1"`
	const lastMod = "Mon, 02 Jan 2006 15:04:05 GMT"
	var hits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		_, _ = w.Write([]byte("feed"))
	})
	c := testClient(t, Options{})
	first, err := c.Get(context.Background(), srv.URL, Conditional{}, KindFeed)
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || string(first.Body) != "feed" || first.Status != 200 {
		t.Fatalf("first response = %+v", first)
	}
	v := first.Validators()
	if v.ETag != etag || v.LastModified != lastMod {
		t.Fatalf("validators = %+v", v)
	}
	for _, cond := range []Conditional{v, {ETag: etag}, {LastModified: lastMod}} {
		resp, err := c.Get(context.Background(), srv.URL, cond, KindFeed)
		if err != nil {
			t.Fatal(err)
		}
		if !resp.NotModified || resp.Status != http.StatusNotModified || len(resp.Body) != 0 {
			t.Errorf("conditional %+v: response = %+v", cond, resp)
		}
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if n > 0 {
			http.Redirect(w, r, "/"+strconv.Itoa(n-1), http.StatusMovedPermanently)
			return
		}
		_, _ = w.Write([]byte("end"))
	})
	tests := []struct {
		hops, limit int
		wantErr     error
	}{
		{hops: 0, limit: 0},
		{hops: 3, limit: 3},
		{hops: 4, limit: 3, wantErr: ErrTooManyRedirects},
		{hops: 1, limit: -1, wantErr: ErrTooManyRedirects},
		{hops: 5, limit: 0}, // zero means the default of 5
		{hops: 6, limit: 0, wantErr: ErrTooManyRedirects},
	}
	for _, tc := range tests {
		c := testClient(t, Options{MaxRedirects: tc.limit})
		resp, err := c.Get(context.Background(), fmt.Sprintf("%s/%d", srv.URL, tc.hops), Conditional{}, KindFeed)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) || Classify(err) != Permanent {
				t.Errorf("hops=%d limit=%d: error = %v (%v), want %v", tc.hops, tc.limit, err, Classify(err), tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("hops=%d limit=%d: %v", tc.hops, tc.limit, err)
			continue
		}
		if resp.FinalURL != srv.URL+"/0" {
			t.Errorf("hops=%d: FinalURL = %q", tc.hops, resp.FinalURL)
		}
	}
}

func TestURLTooLong(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/"+strings.Repeat("a", 300), http.StatusFound)
	})
	c := testClient(t, Options{MaxURLLength: 200})
	if _, err := c.Get(context.Background(), srv.URL+"/"+strings.Repeat("x", 200), Conditional{}, KindFeed); !errors.Is(err, ErrURLTooLong) {
		t.Errorf("long URL: error = %v", err)
	}
	if _, err := c.Get(context.Background(), srv.URL+"/short", Conditional{}, KindFeed); !errors.Is(err, ErrURLTooLong) {
		t.Errorf("redirect to long URL: error = %v", err)
	}
}

func TestStatusErrors(t *testing.T) {
	t.Parallel()
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		code       int
		retryAfter string
		class      Class
		wantRetry  time.Duration // approximate for dates
	}{
		{code: 404, class: Permanent},
		{code: 410, class: Permanent},
		{code: 401, class: Permanent},
		{code: 408, class: Temporary},
		{code: 500, class: Temporary},
		{code: 502, class: Temporary},
		{code: 503, class: Temporary},
		{code: 429, class: RateLimited},
		{code: 429, retryAfter: "120", class: RateLimited, wantRetry: 2 * time.Minute},
		{code: 503, retryAfter: "30", class: RateLimited, wantRetry: 30 * time.Second},
		{code: 503, retryAfter: future, class: RateLimited, wantRetry: 90 * time.Second},
		{code: 429, retryAfter: "99999999", class: RateLimited, wantRetry: time.Hour}, // capped
		{code: 429, retryAfter: "soon", class: RateLimited},
		{code: 429, retryAfter: "-5", class: RateLimited},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d_%s", tc.code, tc.retryAfter), func(t *testing.T) {
			t.Parallel()
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.code)
			})
			c := testClient(t, Options{MaxRetryAfter: time.Hour})
			_, err := c.Get(context.Background(), srv.URL, Conditional{}, KindFeed)
			var se *StatusError
			if !errors.As(err, &se) || se.Code != tc.code || !errors.Is(err, ErrHTTPStatus) {
				t.Fatalf("error = %v, want StatusError %d", err, tc.code)
			}
			if got := Classify(err); got != tc.class {
				t.Errorf("Classify = %v, want %v", got, tc.class)
			}
			got, ok := RetryAfter(err)
			if ok != (tc.wantRetry > 0) {
				t.Fatalf("RetryAfter = %v, %v; want %v", got, ok, tc.wantRetry)
			}
			if d := got - tc.wantRetry; d < -2*time.Second || d > 2*time.Second {
				t.Errorf("RetryAfter = %v, want about %v", got, tc.wantRetry)
			}
		})
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slowHeaders := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	slowBody := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	tests := []struct {
		name string
		opts Options
		url  string
	}{
		{name: "header timeout", opts: Options{HeaderTimeout: 100 * time.Millisecond}, url: slowHeaders.URL},
		{name: "whole request timeout", opts: Options{Timeout: 150 * time.Millisecond}, url: slowBody.URL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testClient(t, tc.opts)
			start := time.Now()
			_, err := c.Get(context.Background(), tc.url, Conditional{}, KindFeed)
			if err == nil {
				t.Fatal("no error")
			}
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v", el)
			}
			if Classify(err) != Temporary {
				t.Errorf("Classify(%v) = %v, want temporary", err, Classify(err))
			}
		})
	}
}

func TestUserAgentAndAccept(t *testing.T) {
	t.Parallel()
	type seen struct{ ua, accept string }
	got := make(chan seen, 2)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Header.Get("User-Agent"), r.Header.Get("Accept")}
	})
	c := testClient(t, Options{UserAgent: "newsflow-test/2 (+mailto:ops@example.org)"})
	for _, k := range []Kind{KindFeed, KindPage} {
		if _, err := c.Get(context.Background(), srv.URL, Conditional{}, k); err != nil {
			t.Fatal(err)
		}
		s := <-got
		if s.ua != "newsflow-test/2 (+mailto:ops@example.org)" {
			t.Errorf("User-Agent = %q", s.ua)
		}
		if (k == KindFeed) != strings.Contains(s.accept, "application/rss+xml") {
			t.Errorf("kind %d: Accept = %q", k, s.accept)
		}
	}
}

// listen starts srv on a given loopback address, so tests can use several
// hosts.
func listen(t *testing.T, ip string, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestPerHostPoliteness(t *testing.T) {
	t.Parallel()
	type host struct {
		mu       sync.Mutex
		inFlight int
		maxSeen  int
		starts   []time.Time
	}
	handler := func(h *host) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.mu.Lock()
			h.inFlight++
			h.maxSeen = max(h.maxSeen, h.inFlight)
			h.starts = append(h.starts, time.Now())
			h.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			h.mu.Lock()
			h.inFlight--
			h.mu.Unlock()
		})
	}
	var a, b host
	srvA := listen(t, "127.0.0.1", handler(&a))
	srvB := listen(t, "127.0.0.2", handler(&b))
	// Wide margins on a busy machine: the server sees arrivals, not the
	// client's sends, and a loaded scheduler shifts both. Without the
	// limiter, requests would be ~20 ms apart (the handler's time alone);
	// with one limit shared by both hosts, 8 requests would take 7 intervals.
	const interval = 100 * time.Millisecond
	c := testClient(t, Options{PerHostConcurrency: 1, PerHostInterval: interval})
	planned := map[string][]time.Time{}
	c.limiter.scheduled = func(host string, at time.Time) { planned[host] = append(planned[host], at) }

	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 4; i++ {
		for _, u := range []string{srvA.URL, srvB.URL} {
			wg.Go(func() {
				if _, err := c.Get(context.Background(), u, Conditional{}, KindFeed); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	for name, h := range map[string]*host{"a": &a, "b": &b} {
		if h.maxSeen != 1 {
			t.Errorf("host %s: %d concurrent requests, want 1", name, h.maxSeen)
		}
		// What reaches the server: without the limiter requests come ~20 ms
		// apart; a loaded scheduler can delay one send and not the next, so
		// arrivals are held to half the interval only.
		for i := 1; i < len(h.starts); i++ {
			if gap := h.starts[i].Sub(h.starts[i-1]); gap < interval/2 {
				t.Errorf("host %s: requests arrived %v apart, want >= %v", name, gap, interval)
			}
		}
	}
	// What the limiter planned: each host's starts at least the interval apart.
	c.limiter.mu.Lock()
	for host, starts := range planned {
		if len(starts) != 4 {
			t.Errorf("host %s: %d planned starts, want 4", host, len(starts))
		}
		for i := 1; i < len(starts); i++ {
			if gap := starts[i].Sub(starts[i-1]); gap < interval {
				t.Errorf("host %s: starts planned %v apart, want >= %v", host, gap, interval)
			}
		}
	}
	c.limiter.mu.Unlock()
	// Hosts are limited independently: 4 requests per host need 3 intervals,
	// not 7.
	if elapsed > 11*interval/2 {
		t.Errorf("8 requests on 2 hosts took %v; hosts seem to share a limit", elapsed)
	}
	time.Sleep(interval)
	c.limiter.mu.Lock()
	c.limiter.sweepLocked()
	c.limiter.mu.Unlock()
	if n := c.limiter.size(); n != 0 {
		t.Errorf("limiter still tracks %d idle hosts", n)
	}
}

func TestPolitenessHonoursContext(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	c := testClient(t, Options{PerHostInterval: time.Hour})
	if _, err := c.Get(context.Background(), srv.URL, Conditional{}, KindFeed); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Get(ctx, srv.URL, Conditional{}, KindFeed)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second request within the interval: error = %v, want deadline exceeded", err)
	}
}

// replayRT answers from memory, as the WARC replay does: nothing is dialled.
type replayRT struct{ hits atomic.Int32 }

func (r *replayRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.hits.Add(1)
	body := []byte("<rss/>")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(body)
	_ = zw.Close()
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: req,
		Header: http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {"application/rss+xml"}},
		Body:   io.NopCloser(&buf), ContentLength: int64(buf.Len()),
	}, nil
}

func TestBaseReplay(t *testing.T) {
	t.Parallel()
	rt := &replayRT{}
	c, err := New(Options{Base: rt, PerHostInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(context.Background(), "https://feeds.example.org/rss", Conditional{}, KindFeed)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "<rss/>" || resp.FinalURL != "https://feeds.example.org/rss" {
		t.Errorf("response = %q from %s", resp.Body, resp.FinalURL)
	}
	// IP literals are still refused before Base is asked.
	if _, err := c.Get(context.Background(), "http://10.1.2.3/rss", Conditional{}, KindFeed); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("private literal through Base: %v", err)
	}
	if rt.hits.Load() != 1 {
		t.Errorf("Base asked %d times, want 1", rt.hits.Load())
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{
		{MaxBodyBytes: -1},
		{Resolve: map[string]string{"a.example": "not-an-address"}},
		{Resolve: map[string]string{"a.example": "10.0.0.1"}}, // port missing
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}
