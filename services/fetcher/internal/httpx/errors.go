package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. Every error Get returns wraps one of these or a transport
// error, so callers can tell them apart with errors.Is.
var (
	ErrBodyTooLarge        = errors.New("httpx: body too large")
	ErrBlockedAddress      = errors.New("httpx: blocked address")
	ErrTooManyRedirects    = errors.New("httpx: too many redirects")
	ErrURLTooLong          = errors.New("httpx: url too long")
	ErrInvalidURL          = errors.New("httpx: invalid url")
	ErrRobotsDisallowed    = errors.New("httpx: disallowed by robots.txt")
	ErrRobotsUnavailable   = errors.New("httpx: robots.txt unavailable")
	ErrUnsupportedEncoding = errors.New("httpx: unsupported content encoding")
	ErrHTTPStatus          = errors.New("httpx: http status")
)

// StatusError is returned for any final response that is neither 2xx nor 304.
// errors.Is(err, ErrHTTPStatus) holds for it.
type StatusError struct {
	Code int
	URL  string
	// RetryAfter is the parsed, capped Retry-After of a 429 or 503; zero when
	// the server sent none.
	RetryAfter time.Duration
	Header     http.Header
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("httpx: http status %d %s: %s", e.Code, http.StatusText(e.Code), e.URL)
}

// Is makes errors.Is(err, ErrHTTPStatus) true for every StatusError.
func (e *StatusError) Is(target error) bool { return target == ErrHTTPStatus }

// Class says how a caller should react to a failure.
type Class int

const (
	// None is the class of a nil error.
	None Class = iota
	// Temporary failures (timeouts, resets, 5xx) are retried with backoff.
	Temporary
	// Permanent failures (4xx, blocked address, body too large, bad URL) will
	// not fix themselves soon; a feed is still retried, at its longest backoff.
	Permanent
	// RateLimited failures (429, 503 with Retry-After) wait for RetryAfter.
	RateLimited
)

// String returns the snake_case name used in state, logs and metrics.
func (c Class) String() string {
	switch c {
	case None:
		return "none"
	case Temporary:
		return "temporary"
	case Permanent:
		return "permanent"
	case RateLimited:
		return "rate_limited"
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// Classify tells whether err is temporary, permanent or a rate limit.
// Unknown errors are Temporary: retrying too much is cheaper than dropping a
// feed that only had a bad minute.
func Classify(err error) Class {
	if err == nil {
		return None
	}
	var se *StatusError
	if errors.As(err, &se) {
		switch {
		case se.Code == http.StatusTooManyRequests:
			return RateLimited
		case se.Code == http.StatusServiceUnavailable && se.RetryAfter > 0:
			return RateLimited
		case se.Code == http.StatusRequestTimeout, se.Code == http.StatusTooEarly:
			return Temporary
		case se.Code >= 500:
			return Temporary
		default:
			return Permanent
		}
	}
	switch {
	case errors.Is(err, ErrBodyTooLarge), errors.Is(err, ErrBlockedAddress),
		errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrURLTooLong),
		errors.Is(err, ErrInvalidURL), errors.Is(err, ErrRobotsDisallowed),
		errors.Is(err, ErrUnsupportedEncoding):
		return Permanent
	case errors.Is(err, ErrRobotsUnavailable):
		return Temporary
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Temporary
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return Permanent
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return Permanent
	}
	return Temporary
}

// RetryAfter returns the server's Retry-After for a 429 or 503, already capped
// by Options.MaxRetryAfter.
func RetryAfter(err error) (time.Duration, bool) {
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		return se.RetryAfter, true
	}
	return 0, false
}

// parseRetryAfter reads delay-seconds or an HTTP date relative to now.
func parseRetryAfter(v string, now time.Time, maxWait time.Duration) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxWait/time.Second) {
			return maxWait
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0
	}
	if d <= 0 {
		return 0
	}
	return min(d, maxWait)
}
