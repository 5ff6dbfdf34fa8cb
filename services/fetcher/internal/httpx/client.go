package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Defaults used where an Options field is zero.
const (
	DefaultUserAgent          = "newsflow-fetcher/1.0 (+https://github.com/newsflow/newsflow)"
	DefaultConnectTimeout     = 10 * time.Second
	DefaultHeaderTimeout      = 20 * time.Second
	DefaultTimeout            = 60 * time.Second
	DefaultMaxBodyBytes       = 10 << 20
	DefaultMaxRedirects       = 5
	DefaultMaxURLLength       = 4096
	DefaultPerHostConcurrency = 2
	DefaultPerHostInterval    = time.Second
	DefaultRobotsTTL          = time.Hour
	DefaultMaxRetryAfter      = 6 * time.Hour
	DefaultMaxIdleConns       = 256
	robotsMaxBytes            = 500 << 10 // RFC 9309 asks parsers to read at least 500 KiB
)

// Kind tells Get what is being fetched: feeds skip robots.txt (a feed is
// published to be polled), article pages honour it when RespectRobots is set.
type Kind int

const (
	KindFeed Kind = iota
	KindPage
)

// Conditional holds the validators of a previous response.
type Conditional struct {
	ETag         string
	LastModified string
}

// Options configure a Client. Zero values take the defaults above; for
// MaxRedirects, PerHostConcurrency and PerHostInterval a negative value means
// none (no redirect followed, no concurrency limit, no interval).
type Options struct {
	UserAgent      string
	ConnectTimeout time.Duration // TCP connect and TLS handshake
	HeaderTimeout  time.Duration // request sent to response headers received
	Timeout        time.Duration // whole request, body included
	MaxBodyBytes   int64         // after decompression
	MaxRedirects   int
	MaxURLLength   int
	AllowLoopback  bool // tests and local replay only
	AllowPrivate   bool // RFC 1918, CGNAT and unique-local ranges
	// PerHostConcurrency and PerHostInterval are the politeness limits,
	// keyed by the URL's host:port.
	PerHostConcurrency int
	PerHostInterval    time.Duration
	RespectRobots      bool
	RobotsTTL          time.Duration
	// MaxRetryAfter caps the Retry-After a server may ask for.
	MaxRetryAfter time.Duration
	// MaxIdleConns caps pooled keep-alive connections across all hosts.
	MaxIdleConns int
	// Resolve maps a host (or host:port) to the ip:port to dial instead,
	// like curl --resolve. The target still goes through the address guard.
	Resolve map[string]string
	// Base replaces the live transport (replay, recording). It sees raw wire
	// bytes: Accept-Encoding is set and decoded by the Client, not by Base.
	Base http.RoundTripper
	// Wrap, if set, wraps the transport (live or Base) once; a recorder
	// placed here sees raw wire bytes and every redirect hop.
	Wrap func(http.RoundTripper) http.RoundTripper
}

// Response is a fetched resource with its body decoded and capped.
type Response struct {
	Status      int
	Header      http.Header
	Body        []byte // decoded (Content-Encoding undone), at most MaxBodyBytes
	FinalURL    string // after redirects
	ContentType string // media type only, lower case
	Charset     string // charset parameter of Content-Type, lower case, may be ""
	NotModified bool   // 304: Body is empty, keep the previous validators
	Elapsed     time.Duration
}

// Validators returns the ETag and Last-Modified to send on the next request.
func (r *Response) Validators() Conditional {
	return Conditional{ETag: r.Header.Get("ETag"), LastModified: r.Header.Get("Last-Modified")}
}

// Client is the one HTTP client for feeds and pages. It is safe for
// concurrent use.
type Client struct {
	o       Options
	guard   guard
	hc      *http.Client
	limiter *hostLimiter
	robots  *robotsCache
}

// New returns a Client for o.
func New(o Options) (*Client, error) {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	o.ConnectTimeout = orDefault(o.ConnectTimeout, DefaultConnectTimeout)
	o.HeaderTimeout = orDefault(o.HeaderTimeout, DefaultHeaderTimeout)
	o.Timeout = orDefault(o.Timeout, DefaultTimeout)
	o.RobotsTTL = orDefault(o.RobotsTTL, DefaultRobotsTTL)
	o.MaxRetryAfter = orDefault(o.MaxRetryAfter, DefaultMaxRetryAfter)
	o.PerHostInterval = orDefault(o.PerHostInterval, DefaultPerHostInterval)
	o.MaxBodyBytes = orDefault(o.MaxBodyBytes, DefaultMaxBodyBytes)
	o.MaxRedirects = orDefault(o.MaxRedirects, DefaultMaxRedirects)
	o.MaxURLLength = orDefault(o.MaxURLLength, DefaultMaxURLLength)
	o.PerHostConcurrency = orDefault(o.PerHostConcurrency, DefaultPerHostConcurrency)
	o.MaxIdleConns = orDefault(o.MaxIdleConns, DefaultMaxIdleConns)
	if o.MaxBodyBytes < 0 || o.MaxURLLength < 0 || o.MaxIdleConns < 0 {
		return nil, errors.New("httpx: options: negative MaxBodyBytes, MaxURLLength or MaxIdleConns")
	}
	resolve := make(map[string]string, len(o.Resolve))
	for host, target := range o.Resolve {
		if _, err := netip.ParseAddrPort(target); err != nil {
			return nil, fmt.Errorf("httpx: options: resolve %q: %w", host, err)
		}
		resolve[strings.ToLower(host)] = target
	}

	c := &Client{o: o, guard: guard{allowLoopback: o.AllowLoopback, allowPrivate: o.AllowPrivate}}
	rt := o.Base
	if rt == nil {
		rt = c.liveTransport(resolve)
	}
	if o.Wrap != nil {
		rt = o.Wrap(rt)
	}
	c.hc = &http.Client{Transport: rt, CheckRedirect: c.checkRedirect}
	c.limiter = newHostLimiter(o.PerHostConcurrency, o.PerHostInterval, time.Now)
	c.robots = newRobotsCache(o.RobotsTTL, time.Now)
	return c, nil
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func (c *Client) liveTransport(resolve map[string]string) *http.Transport {
	d := &net.Dialer{Timeout: c.o.ConnectTimeout, KeepAlive: 30 * time.Second, Control: c.guard.control}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if t, ok := resolve[strings.ToLower(addr)]; ok {
			addr = t
		} else if host, _, err := net.SplitHostPort(addr); err == nil {
			if t, ok := resolve[strings.ToLower(host)]; ok {
				addr = t
			}
		}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Transport{
		Proxy:                  nil, // a proxy would dial for us and bypass the guard
		DialContext:            dial,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           c.o.MaxIdleConns,
		MaxIdleConnsPerHost:    max(2, c.o.PerHostConcurrency),
		IdleConnTimeout:        60 * time.Second,
		TLSHandshakeTimeout:    c.o.ConnectTimeout,
		ResponseHeaderTimeout:  c.o.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true, // we decode, so the cap applies after decompression
		MaxResponseHeaderBytes: 1 << 20,
	}
}

// CloseIdleConnections closes pooled keep-alive connections.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// validate parses raw and applies the URL rules: length, scheme, host, and
// the guard for IP literals.
func (c *Client) validate(raw string) (*url.URL, error) {
	if c.o.MaxURLLength > 0 && len(raw) > c.o.MaxURLLength {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrURLTooLong, len(raw), c.o.MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	return u, c.validateURL(u)
}

func (c *Client) validateURL(u *url.URL) error {
	if c.o.MaxURLLength > 0 && len(u.String()) > c.o.MaxURLLength {
		return fmt.Errorf("%w: limit %d", ErrURLTooLong, c.o.MaxURLLength)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q is not http or https", ErrInvalidURL, u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: no host in %q", ErrInvalidURL, u.Redacted())
	}
	return c.guard.checkLiteral(u.Hostname())
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	limit := max(c.o.MaxRedirects, 0)
	if len(via) > limit {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, limit)
	}
	return c.validateURL(req.URL)
}

// Get fetches rawURL. A 304 is a success with NotModified set. Any other
// non-2xx status is a *StatusError; transport errors are wrapped as they are.
// Use Classify and RetryAfter on the error to decide when to try again.
func (c *Client) Get(ctx context.Context, rawURL string, cond Conditional, kind Kind) (*Response, error) {
	u, err := c.validate(rawURL)
	if err != nil {
		return nil, err
	}
	if c.o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.o.Timeout)
		defer cancel()
	}
	if kind == KindPage && c.o.RespectRobots {
		if err := c.robots.allowed(ctx, c, u); err != nil {
			return nil, err
		}
	}
	return c.do(ctx, u, cond, kind, c.o.MaxBodyBytes, false)
}

func (c *Client) do(ctx context.Context, u *url.URL, cond Conditional, kind Kind, limit int64, truncate bool) (*Response, error) {
	release, err := c.limiter.acquire(ctx, strings.ToLower(u.Host))
	if err != nil {
		return nil, fmt.Errorf("httpx: wait for host slot: %w", err)
	}
	defer release()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	req.Header.Set("User-Agent", c.o.UserAgent)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	if kind == KindFeed {
		req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
	} else {
		req.Header.Set("Accept", "text/html, application/xhtml+xml;q=0.9, */*;q=0.5")
	}
	if cond.ETag != "" {
		req.Header.Set("If-None-Match", cond.ETag)
	}
	if cond.LastModified != "" {
		req.Header.Set("If-Modified-Since", cond.LastModified)
	}

	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("httpx: get: %w", err)
	}
	defer resp.Body.Close()

	out := &Response{Status: resp.StatusCode, Header: resp.Header, FinalURL: resp.Request.URL.String()}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		if mt, params, err := mime.ParseMediaType(ct); err == nil {
			out.ContentType = mt
			out.Charset = strings.ToLower(strings.TrimSpace(params["charset"]))
		}
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		drain(resp.Body)
		out.NotModified = true
		out.Elapsed = time.Since(start)
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		drain(resp.Body)
		se := &StatusError{Code: resp.StatusCode, URL: out.FinalURL, Header: resp.Header}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			se.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now(), c.o.MaxRetryAfter)
		}
		return nil, se
	}
	if !truncate && resp.Header.Get("Content-Encoding") == "" && resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: content-length %d, limit %d", ErrBodyTooLarge, resp.ContentLength, limit)
	}
	body, err := decodeBody(resp.Body, resp.Header.Get("Content-Encoding"), limit, resp.ContentLength, truncate)
	if err != nil {
		return nil, err
	}
	out.Body = body
	out.Elapsed = time.Since(start)
	return out, nil
}

// drain reads a little of an unwanted body so the connection can be reused.
func drain(r io.Reader) {
	_, _ = io.CopyN(io.Discard, r, 64<<10)
}
