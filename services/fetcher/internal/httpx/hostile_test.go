package httpx

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/internal/feed"
)

// The open web, hostile: every test here points the client at a local
// listener that misbehaves on purpose, and checks that the client refuses
// or cuts it at its cap, with a clear error and bounded memory.

// memUse is what a call cost in memory.
type memUse struct {
	allocated uint64 // bytes allocated meanwhile (TotalAlloc)
	peak      uint64 // highest live heap growth seen, sampled every millisecond
}

func (m memUse) String() string {
	return fmt.Sprintf("%.1f MiB allocated, peak live heap +%.1f MiB", float64(m.allocated)/(1<<20), float64(m.peak)/(1<<20))
}

// measure runs fn and reports its memory. The hostile tests are not
// parallel, so the figures are theirs (and their local servers').
func measure(fn func()) memUse {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	live := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	base := live()
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if v := live(); v > base && v-base > peak.Load() {
				peak.Store(v - base)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	runtime.ReadMemStats(&after)
	return memUse{allocated: after.TotalAlloc - before.TotalAlloc, peak: peak.Load()}
}

// publicHosts is a transport wrapper that answers requests for the hosts it
// knows itself, as servers on the internet would, and sends every other
// request to the live transport, where the guard checks the address it
// dials. once hosts answer their first request only: after it, the name
// "resolves" through Options.Resolve, as a rebinding DNS server would make
// it.
type publicHosts struct {
	next    http.RoundTripper
	handler http.Handler
	hosts   map[string]bool
	once    map[string]*atomic.Bool
}

func (p *publicHosts) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	serve := p.hosts[host]
	if used, ok := p.once[host]; ok && !used.Swap(true) {
		serve = true
	}
	if !serve {
		return p.next.RoundTrip(req)
	}
	rec := httptest.NewRecorder()
	p.handler.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// internalServer is a loopback listener standing for a service inside the
// network (an admin page, a database's HTTP port); it counts every request
// that reaches it.
func internalServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("internal secret"))
	})
	return srv, &hits
}

// TestSSRFRefused points feeds and pages at a public host that redirects
// to internal addresses (loopback, private ranges, link-local metadata,
// their IPv6, IPv4-mapped, NAT64 and 6to4 forms, names resolving to them,
// and odd IPv4 spellings). Loopback and private addresses are not allowed;
// every request must be refused and none may reach the internal server.
func TestSSRFRefused(t *testing.T) {
	internal, hits := internalServer(t)
	port := internal.URL[strings.LastIndex(internal.URL, ":")+1:]
	targets := []struct {
		name, to string
		// dnsMayFail: a spelling the resolver may reject as a name (which
		// is also a refusal) rather than resolve to a blocked address.
		dnsMayFail bool
	}{
		{name: "loopback", to: "http://127.0.0.1:" + port + "/admin"},
		{name: "loopback 127.0.0.2", to: "http://127.0.0.2:" + port + "/"},
		{name: "ipv6 loopback", to: "http://[::1]:" + port + "/"},
		{name: "ipv4-mapped loopback", to: "http://[::ffff:127.0.0.1]:" + port + "/"},
		{name: "unspecified address", to: "http://0.0.0.0:" + port + "/"},
		{name: "localhost name", to: "http://localhost:" + port + "/"},
		{name: "name resolved to loopback", to: "http://intranet.example/"},
		{name: "decimal ipv4", to: "http://2130706433:" + port + "/", dnsMayFail: true},
		{name: "hex ipv4", to: "http://0x7f000001:" + port + "/", dnsMayFail: true},
		{name: "short ipv4", to: "http://127.1:" + port + "/", dnsMayFail: true},
		{name: "private 10/8", to: "http://10.0.0.1/"},
		{name: "private 10/8 with port", to: "http://10.20.30.40:8080/admin"},
		{name: "private 172.16/12", to: "http://172.16.5.4/"},
		{name: "private 192.168/16", to: "http://192.168.1.1/"},
		{name: "cgnat", to: "http://100.64.0.1/"},
		{name: "unique local ipv6", to: "http://[fd12:3456::1]/"},
		{name: "metadata", to: "http://169.254.169.254/latest/meta-data/iam/security-credentials/"},
		{name: "metadata ipv6", to: "http://[fd00:ec2::254]/latest/meta-data/"},
		{name: "metadata via nat64", to: "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/"},
		{name: "private via 6to4", to: "http://[2002:a00:1::]/"},
		{name: "link-local ipv6", to: "http://[fe80::1]/"},
	}
	public := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	for _, kind := range []Kind{KindFeed, KindPage} {
		c, err := New(Options{PerHostInterval: -1, Resolve: map[string]string{"intranet.example": "127.0.0.1:" + port},
			Wrap: func(next http.RoundTripper) http.RoundTripper {
				return &publicHosts{next: next, handler: public, hosts: map[string]bool{"news.example": true}}
			}})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range targets {
			t.Run(fmt.Sprintf("%s/%s", map[Kind]string{KindFeed: "feed", KindPage: "page"}[kind], tc.name), func(t *testing.T) {
				// Straight to the target, then through a redirect.
				for _, u := range []string{tc.to, "http://news.example/story?to=" + strings.ReplaceAll(tc.to, "&", "%26")} {
					_, err := c.Get(context.Background(), u, Conditional{}, kind)
					var dnsErr *net.DNSError
					switch {
					case errors.Is(err, ErrBlockedAddress):
						if Classify(err) != Permanent {
							t.Errorf("%s: Classify = %v, want permanent", u, Classify(err))
						}
					case tc.dnsMayFail && errors.As(err, &dnsErr):
					default:
						t.Errorf("%s: err = %v, want %v", u, err, ErrBlockedAddress)
					}
				}
			})
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal server was reached %d times", n)
	}
}

// TestDNSRebindingRefused: a name that answered as a public server first
// (its feed is fetched) and then resolves to an internal address (the
// article link on the same host) is refused on the second request. Real
// rebinding cannot be staged without a DNS server; publicHosts answers the
// first request and Options.Resolve gives the internal address after it.
// The guard covers the real thing the same way: it runs in the dialer's
// Control hook on the address each new connection is about to use, after
// DNS, for every redirect hop and every address of a multi-record answer,
// so no earlier answer about a name is ever trusted.
func TestDNSRebindingRefused(t *testing.T) {
	internal, hits := internalServer(t)
	port := internal.URL[strings.LastIndex(internal.URL, ":")+1:]
	feedBody := `<?xml version="1.0"?><rss version="2.0"><channel><title>Rebind</title>
<item><title>Story</title><link>http://rebind.example/story</link></item></channel></rss>`
	c, err := New(Options{PerHostInterval: -1, Resolve: map[string]string{"rebind.example": "127.0.0.1:" + port},
		Wrap: func(next http.RoundTripper) http.RoundTripper {
			return &publicHosts{next: next, hosts: map[string]bool{}, once: map[string]*atomic.Bool{"rebind.example": new(atomic.Bool)},
				handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "application/rss+xml")
					_, _ = w.Write([]byte(feedBody))
				})}
		}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(context.Background(), "http://rebind.example/feed.xml", Conditional{}, KindFeed)
	if err != nil {
		t.Fatalf("first (public) answer: %v", err)
	}
	f, err := feed.Parse("http://rebind.example/feed.xml", resp.Body, resp.Header.Get("Content-Type"), feed.Options{})
	if err != nil || len(f.Items) != 1 {
		t.Fatalf("feed: %v, %+v", err, f)
	}
	_, err = c.Get(context.Background(), f.Items[0].Link, Conditional{}, KindPage)
	if !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("after rebinding: err = %v, want %v", err, ErrBlockedAddress)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal server was reached %d times", n)
	}
}

// gzipBomb returns a gzip body of many concatenated members, each holding
// 8 MiB of zeros: about 1 GiB once inflated, 800 KiB on the wire.
func gzipBomb(t *testing.T) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(make([]byte, 8<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), 128)
}

// TestHostileBodies: bodies that never end, inflate without bound, come a
// byte at a time, or hide behind endless or huge headers. Each is cut at
// its cap or timeout with a clear error, and the memory the client
// allocates stays near its body cap.
func TestHostileBodies(t *testing.T) {
	const limit = 1 << 20
	bomb := gzipBomb(t)
	// Built before the measurements, which count the servers' allocations too.
	hugeHeader := []byte("HTTP/1.1 200 OK\r\nX-Huge: " + strings.Repeat("a", 4<<20) + "\r\n\r\nbody")
	chunk := bytes.Repeat([]byte("<p>never ending</p>\n"), 1<<10)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })

	tests := []struct {
		name    string
		opts    Options
		handler http.HandlerFunc
		raw     func(c net.Conn) // a raw TCP server instead of handler
		wantErr error
		errLike string
		within  time.Duration
	}{
		{
			name: "gzip bomb", wantErr: ErrBodyTooLarge, within: 5 * time.Second,
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Type", "application/rss+xml")
				_, _ = w.Write(bomb)
			},
		},
		{
			name: "never-ending body", wantErr: ErrBodyTooLarge, within: 5 * time.Second,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				for r.Context().Err() == nil {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			},
		},
		{
			name: "lying content-length", wantErr: ErrBodyTooLarge, within: time.Second,
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(1<<30))
				_, _ = w.Write(chunk)
			},
		},
		{
			name: "never-ending body, trickled", opts: Options{Timeout: 700 * time.Millisecond}, wantErr: context.DeadlineExceeded, within: 3 * time.Second,
			handler: func(w http.ResponseWriter, r *http.Request) {
				for {
					if _, err := w.Write([]byte("x")); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
						return
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
					}
				}
			},
		},
		{
			name: "slow loris: headers trickled", opts: Options{HeaderTimeout: 500 * time.Millisecond}, errLike: "timeout", within: 3 * time.Second,
			raw: func(c net.Conn) {
				_, _ = bufio.NewReader(c).ReadString('\n')
				_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nX-Slow: "))
				for {
					if _, err := c.Write([]byte("a")); err != nil {
						return
					}
					select {
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
					}
				}
			},
		},
		{
			name: "huge header", errLike: "headers exceeded", within: 5 * time.Second,
			raw: func(c net.Conn) {
				_, _ = bufio.NewReader(c).ReadString('\n')
				_, _ = c.Write(hugeHeader)
			},
		},
		{
			name: "endless headers", errLike: "headers exceeded", within: 5 * time.Second,
			raw: func(c net.Conn) {
				_, _ = bufio.NewReader(c).ReadString('\n')
				_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\n"))
				line := []byte("X-Again: " + strings.Repeat("b", 100) + "\r\n")
				for {
					if _, err := c.Write(line); err != nil {
						return
					}
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := ""
			if tc.raw != nil {
				url = rawServer(t, tc.raw)
			} else {
				url = serve(t, tc.handler).URL
			}
			o := tc.opts
			o.MaxBodyBytes = limit
			c := testClient(t, o)
			var err error
			start := time.Now()
			mem := measure(func() { _, err = c.Get(context.Background(), url, Conditional{}, KindPage) })
			took := time.Since(start)
			switch {
			case err == nil:
				t.Fatal("no error")
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			case tc.errLike != "" && !strings.Contains(err.Error(), tc.errLike):
				t.Errorf("err = %v, want one saying %q", err, tc.errLike)
			}
			if took > tc.within {
				t.Errorf("took %s, want under %s", took, tc.within)
			}
			// The body cap is 1 MiB and headers are capped at 1 MiB: the
			// buffers around them stay within a few times that.
			if mem.allocated > 12<<20 || mem.peak > 8<<20 {
				t.Errorf("memory: %s", mem)
			}
			t.Logf("%s: refused in %s, %s: %v", tc.name, took.Round(time.Millisecond), mem, err)
		})
	}
}

// rawServer accepts connections on loopback and hands each to serve.
func rawServer(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				serve(c)
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

// TestHostileFeeds: a feed with millions of items, streamed, is cut at the
// body cap; one that fits the cap with a hundred thousand items keeps
// MaxItems of them; entity-expansion and external-entity feeds are not
// expanded. Memory stays bounded in each case.
func TestHostileFeeds(t *testing.T) {
	const limit = 10 << 20 // the fetcher's default body cap
	item := func(i int) string {
		return fmt.Sprintf("<item><title>Item %d</title><link>http://news.example/%d</link><guid>%d</guid></item>\n", i, i, i)
	}
	millions := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Endless</title>` + "\n"))
		for i := 0; i < 5_000_000 && r.Context().Err() == nil; i++ {
			if _, err := w.Write([]byte(item(i))); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte("</channel></rss>"))
	})
	var many strings.Builder
	many.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>` + "\n")
	n := 0
	for ; many.Len() < limit-200; n++ {
		many.WriteString(item(n))
	}
	many.WriteString("</channel></rss>")
	manySrv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(many.String()))
	})
	laughs := `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<rss version="2.0"><channel><title>Laughs &lol9;</title>
<item><title>Story &lol9;</title><link>http://news.example/1</link><description>&xxe;</description></item>
</channel></rss>`
	laughSrv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(laughs))
	})
	c := testClient(t, Options{MaxBodyBytes: limit})
	fetchParse := func(url string) (*feed.Feed, error) {
		resp, err := c.Get(context.Background(), url, Conditional{}, KindFeed)
		if err != nil {
			return nil, err
		}
		return feed.Parse(url, resp.Body, resp.Header.Get("Content-Type"), feed.Options{MaxItems: 500})
	}

	t.Run("millions of items, streamed", func(t *testing.T) {
		var err error
		mem := measure(func() { _, err = fetchParse(millions.URL) })
		if !errors.Is(err, ErrBodyTooLarge) {
			t.Fatalf("err = %v, want %v", err, ErrBodyTooLarge)
		}
		// Bounded by the cap, not by the stream (which never ends): the
		// buffer grows by doubling and the heap is sampled around GCs, so
		// allow a few times the cap; the race detector adds to it.
		if mem.peak > 8*limit {
			t.Errorf("memory for a %d MiB cap: %s", limit>>20, mem)
		}
		t.Logf("cut at the %d MiB body cap, %s: %v", limit>>20, mem, err)
	})
	t.Run("a hundred thousand items under the cap", func(t *testing.T) {
		var f *feed.Feed
		var err error
		mem := measure(func() { f, err = fetchParse(manySrv.URL) })
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 500 || !f.Truncated || f.TotalItems != n {
			t.Errorf("%d items kept of %d (truncated %v), want 500 of %d", len(f.Items), f.TotalItems, f.Truncated, n)
		}
		// The parser builds every item before the cap applies, so the live
		// heap grows with the body (bounded by the body cap), not with
		// MaxItems. Generous bound; the figure is reported.
		if mem.peak > 512<<20 {
			t.Errorf("memory: %s", mem)
		}
		t.Logf("%d items in %.1f MiB: kept %d, %s", n, float64(many.Len())/(1<<20), len(f.Items), mem)
	})
	t.Run("entity expansion and external entities", func(t *testing.T) {
		var f *feed.Feed
		var err error
		mem := measure(func() { f, err = fetchParse(laughSrv.URL) })
		if err != nil {
			if !errors.Is(err, feed.ErrMalformedFeed) {
				t.Fatalf("err = %v, want a parsed feed or %v", err, feed.ErrMalformedFeed)
			}
			t.Logf("refused: %v", err)
		} else {
			for _, it := range f.Items {
				if len(it.Title)+len(it.Description) > 1000 || strings.Contains(it.Description, "root:") {
					t.Errorf("entities expanded: title %d bytes, description %q", len(it.Title), it.Description)
				}
			}
			t.Logf("parsed without expansion: title %q, description %q", f.Items[0].Title, f.Items[0].Description)
		}
		if mem.peak > 16<<20 {
			t.Errorf("memory: %s", mem)
		}
	})
}
