// Package schedule decides when a feed is polled next. It is pure: the same
// state, result, bounds and random source give the same time.
//
// On success the delay is the learned interval between new items (an EWMA),
// raised to the server's own hints (RSS ttl, Cache-Control max-age, Expires),
// kept within the feed's bounds, with random jitter so feeds loaded together
// drift apart. On failure it backs off exponentially, and a rate-limited feed
// waits at least the (capped) Retry-After. A failing feed is never dropped:
// its delay stops growing at MaxBackoff.
package schedule

import (
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Defaults for zero Bounds fields.
const (
	DefaultMin           = 5 * time.Minute
	DefaultMax           = 6 * time.Hour
	DefaultMaxBackoff    = 24 * time.Hour
	DefaultMaxRetryAfter = 6 * time.Hour
	DefaultJitter        = 0.1
	// ewmaWeight is the weight of the newest observation: about the last
	// five gaps dominate, so a feed that speeds up is followed within a day.
	ewmaWeight = 0.3
)

// Bounds limit the schedule of one feed.
type Bounds struct {
	Min, Max time.Duration // success interval bounds
	// MaxBackoff caps the delay after failures; zero means
	// max(Max, DefaultMaxBackoff).
	MaxBackoff time.Duration
	// MaxRetryAfter caps a server's Retry-After.
	MaxRetryAfter time.Duration
	// Jitter is the relative spread, 0.1 meaning ±10%; negative disables.
	Jitter float64
}

func (b Bounds) withDefaults() Bounds {
	if b.Min <= 0 {
		b.Min = DefaultMin
	}
	if b.Max <= 0 {
		b.Max = DefaultMax
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	if b.MaxBackoff <= 0 {
		b.MaxBackoff = max(b.Max, DefaultMaxBackoff)
	}
	if b.MaxRetryAfter <= 0 {
		b.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if b.Jitter == 0 {
		b.Jitter = DefaultJitter
	}
	if b.Jitter < 0 {
		b.Jitter = 0
	}
	b.Jitter = min(b.Jitter, 0.5)
	return b
}

// State is what the schedule learns about a feed; the caller stores it (in
// the feed state) and passes it back.
type State struct {
	// ItemInterval is the EWMA of the time between new items; zero until
	// learned.
	ItemInterval time.Duration
	// LastItemAt is when the newest item seen was published (or first seen,
	// for items without a date).
	LastItemAt time.Time
	// ConsecutiveFailures counts failed polls since the last success.
	ConsecutiveFailures int
}

// Result describes one poll.
type Result struct {
	At     time.Time // when the poll finished
	Failed bool
	// RateLimited marks a 429 or a 503 with Retry-After.
	RateLimited bool
	RetryAfter  time.Duration
	NotModified bool
	// NewItems is how many items this poll saw for the first time, and
	// ItemTimes their publication times where known.
	NewItems  int
	ItemTimes []time.Time
	// TTL is the feed's own <ttl>; Header the response headers, for
	// Cache-Control, Expires, Date and Age.
	TTL    time.Duration
	Header http.Header
}

// Observe folds r into st: failures are counted or reset, and new items
// update the learned interval.
func Observe(st State, r Result) State {
	if r.Failed {
		st.ConsecutiveFailures++
		return st
	}
	st.ConsecutiveFailures = 0
	if r.NewItems <= 0 {
		return st
	}
	times := validTimes(r.ItemTimes, r.At)
	newest := r.At
	if len(times) > 0 {
		newest = times[len(times)-1]
	}
	var gap time.Duration
	switch {
	case !st.LastItemAt.IsZero() && newest.After(st.LastItemAt):
		gap = newest.Sub(st.LastItemAt) / time.Duration(r.NewItems)
	case st.LastItemAt.IsZero() && len(times) >= 2:
		// First poll: learn from the spread of the items' own dates.
		gap = times[len(times)-1].Sub(times[0]) / time.Duration(len(times)-1)
	}
	if gap > 0 {
		if st.ItemInterval <= 0 {
			st.ItemInterval = gap
		} else {
			st.ItemInterval = time.Duration(ewmaWeight*float64(gap) + (1-ewmaWeight)*float64(st.ItemInterval))
		}
	}
	if newest.After(st.LastItemAt) {
		st.LastItemAt = newest
	}
	return st
}

// validTimes keeps the dates that can be trusted (set, not in the future),
// sorted.
func validTimes(ts []time.Time, now time.Time) []time.Time {
	out := make([]time.Time, 0, len(ts))
	for _, t := range ts {
		if !t.IsZero() && !t.After(now.Add(time.Minute)) {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Next returns when to poll again after result r. st is the state before r;
// Next applies Observe itself.
func Next(st State, r Result, b Bounds, rnd *rand.Rand) time.Time {
	b = b.withDefaults()
	st = Observe(st, r)
	if r.Failed {
		return r.At.Add(failureDelay(st, r, b, rnd))
	}

	delay := b.Min
	if st.ItemInterval > 0 {
		delay = st.ItemInterval
	}
	// A feed that has gone quiet for longer than its usual rhythm is
	// probably slower than learned: move halfway toward the silence.
	if !st.LastItemAt.IsZero() {
		if quiet := r.At.Sub(st.LastItemAt); quiet > delay {
			delay = (delay + quiet) / 2
		}
	}
	// The server's hints are a floor: polling sooner only fetches the same
	// bytes (or a cache's copy).
	delay = max(delay, r.TTL, cacheHint(r.Header, r.At))
	delay = jitter(delay, b.Jitter, rnd)
	delay = min(max(delay, b.Min), b.Max)
	return r.At.Add(delay)
}

func failureDelay(st State, r Result, b Bounds, rnd *rand.Rand) time.Duration {
	n := max(st.ConsecutiveFailures, 1)
	// Min, 2·Min, 4·Min ... up to MaxBackoff.
	backoff := time.Duration(math.Min(float64(b.Min)*math.Pow(2, float64(n-1)), float64(b.MaxBackoff)))
	if ra := min(r.RetryAfter, b.MaxRetryAfter); ra > 0 {
		// The server's wait is a floor: jitter only pushes later. Repeated
		// rate limits still grow with the backoff.
		d := min(max(ra, backoff), b.MaxBackoff)
		return d + positiveJitter(d, b.Jitter, rnd)
	}
	return jitter(backoff, b.Jitter, rnd)
}

func jitter(d time.Duration, j float64, rnd *rand.Rand) time.Duration {
	if j <= 0 || rnd == nil {
		return d
	}
	f := 1 + j*(2*rnd.Float64()-1)
	return time.Duration(float64(d) * f)
}

func positiveJitter(d time.Duration, j float64, rnd *rand.Rand) time.Duration {
	if j <= 0 || rnd == nil {
		return 0
	}
	return time.Duration(float64(d) * j * rnd.Float64())
}

// cacheHint is how long the response says it stays fresh: Cache-Control
// max-age (less Age), else Expires relative to Date. no-store and no-cache
// give no hint.
func cacheHint(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	for _, directive := range strings.Split(strings.ToLower(h.Get("Cache-Control")), ",") {
		directive = strings.TrimSpace(directive)
		switch {
		case directive == "no-store", directive == "no-cache":
			return 0
		case strings.HasPrefix(directive, "max-age="):
			secs, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(directive, "max-age="), `"`), 10, 64)
			if err != nil || secs <= 0 {
				return 0
			}
			age, _ := strconv.ParseInt(strings.TrimSpace(h.Get("Age")), 10, 64)
			secs = min(secs, int64(365*24*3600)) - max(age, 0)
			if secs <= 0 {
				return 0
			}
			return time.Duration(secs) * time.Second
		}
	}
	if exp := h.Get("Expires"); exp != "" {
		t, err := http.ParseTime(exp)
		if err != nil {
			return 0
		}
		base := now
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			base = d // both times from the server's clock
		}
		if d := t.Sub(base); d > 0 {
			return d
		}
	}
	return 0
}
