package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
	"golang.org/x/sync/singleflight"
)

// robotsErrTTL is how long an unreachable robots.txt is remembered, so a
// broken host is not asked again for every page.
const robotsErrTTL = time.Minute

// robotsCache keeps one parsed robots.txt per scheme and host. Concurrent
// misses for one host share a single fetch.
type robotsCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]robotsEntry
	flight  singleflight.Group
}

type robotsEntry struct {
	data    *robotstxt.RobotsData // nil when err is set
	err     error
	expires time.Time
}

func newRobotsCache(ttl time.Duration, now func() time.Time) *robotsCache {
	return &robotsCache{ttl: ttl, now: now, entries: map[string]robotsEntry{}}
}

// allowed returns nil if c's user agent may fetch u, ErrRobotsDisallowed if
// robots.txt forbids it, and an ErrRobotsUnavailable error while robots.txt
// cannot be read (RFC 9309: an unreachable robots.txt means full disallow).
func (rc *robotsCache) allowed(ctx context.Context, c *Client, u *url.URL) error {
	key := u.Scheme + "://" + strings.ToLower(u.Host)
	e, ok := rc.lookup(key)
	if !ok {
		v, err, _ := rc.flight.Do(key, func() (any, error) {
			e := rc.fetch(ctx, c, key)
			if ctx.Err() == nil {
				rc.store(key, e) // a caller's cancelled fetch says nothing about the host
			}
			return e, nil
		})
		if err != nil {
			return err
		}
		e = v.(robotsEntry)
	}
	if e.err != nil {
		return e.err
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !e.data.TestAgent(path, c.o.UserAgent) {
		return fmt.Errorf("%w: %s", ErrRobotsDisallowed, u.Redacted())
	}
	return nil
}

func (rc *robotsCache) lookup(key string) (robotsEntry, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	e, ok := rc.entries[key]
	if !ok || !rc.now().Before(e.expires) {
		return robotsEntry{}, false
	}
	return e, true
}

func (rc *robotsCache) store(key string, e robotsEntry) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	now := rc.now()
	if len(rc.entries) >= 1024 {
		for k, old := range rc.entries {
			if !now.Before(old.expires) {
				delete(rc.entries, k)
			}
		}
	}
	rc.entries[key] = e
}

func (rc *robotsCache) fetch(ctx context.Context, c *Client, origin string) robotsEntry {
	now := rc.now()
	u, err := url.Parse(origin + "/robots.txt")
	if err != nil {
		return robotsEntry{err: fmt.Errorf("%w: %w", ErrInvalidURL, err), expires: now.Add(rc.ttl)}
	}
	resp, err := c.do(ctx, u, Conditional{}, KindFeed, robotsMaxBytes, true)
	var se *StatusError
	switch {
	case err == nil:
		data, perr := robotstxt.FromStatusAndBytes(resp.Status, resp.Body)
		if perr != nil {
			// Unparseable rules are no rules (RFC 9309 ignores bad lines).
			data, _ = robotstxt.FromStatusAndBytes(404, nil)
		}
		return robotsEntry{data: data, expires: now.Add(rc.ttl)}
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500 && se.Code != 429:
		// No robots.txt: everything is allowed.
		data, _ := robotstxt.FromStatusAndBytes(se.Code, nil)
		return robotsEntry{data: data, expires: now.Add(rc.ttl)}
	case errors.Is(err, ErrBlockedAddress), errors.Is(err, ErrInvalidURL):
		return robotsEntry{err: err, expires: now.Add(rc.ttl)}
	default:
		return robotsEntry{err: fmt.Errorf("%w: %w", ErrRobotsUnavailable, err), expires: now.Add(robotsErrTTL)}
	}
}
