package schedule

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestNextWithoutJitter(t *testing.T) {
	t.Parallel()
	b := Bounds{Min: 5 * time.Minute, Max: 6 * time.Hour, MaxBackoff: 24 * time.Hour, MaxRetryAfter: 2 * time.Hour, Jitter: -1}
	tests := []struct {
		name string
		st   State
		r    Result
		b    Bounds
		want time.Duration
	}{
		{name: "nothing known: min", r: Result{At: t0}, want: 5 * time.Minute},
		{name: "learned interval", st: State{ItemInterval: 40 * time.Minute, LastItemAt: t0.Add(-10 * time.Minute)}, r: Result{At: t0, NotModified: true}, want: 40 * time.Minute},
		{name: "learned below min", st: State{ItemInterval: time.Minute, LastItemAt: t0}, r: Result{At: t0}, want: 5 * time.Minute},
		{name: "learned above max", st: State{ItemInterval: 20 * time.Hour, LastItemAt: t0}, r: Result{At: t0}, want: 6 * time.Hour},
		{name: "quiet feed slows down", st: State{ItemInterval: 30 * time.Minute, LastItemAt: t0.Add(-3 * time.Hour)}, r: Result{At: t0, NotModified: true}, want: 105 * time.Minute},
		{name: "rss ttl is a floor", st: State{ItemInterval: 10 * time.Minute, LastItemAt: t0}, r: Result{At: t0, TTL: time.Hour}, want: time.Hour},
		{name: "ttl above max is capped", r: Result{At: t0, TTL: 48 * time.Hour}, want: 6 * time.Hour},
		{name: "cache-control max-age", r: Result{At: t0, Header: hdr("Cache-Control", "public, max-age=1800")}, want: 30 * time.Minute},
		{name: "max-age less age", r: Result{At: t0, Header: hdr("Cache-Control", "max-age=1800", "Age", "600")}, want: 20 * time.Minute},
		{name: "no-cache ignores max-age", r: Result{At: t0, Header: hdr("Cache-Control", "no-cache, max-age=1800")}, want: 5 * time.Minute},
		{name: "expires relative to date", r: Result{At: t0, Header: hdr(
			"Expires", t0.Add(47*time.Minute).Format(http.TimeFormat),
			"Date", t0.Add(-13*time.Minute).Format(http.TimeFormat))}, want: time.Hour},
		{name: "expires in the past", r: Result{At: t0, Header: hdr("Expires", t0.Add(-time.Hour).Format(http.TimeFormat))}, want: 5 * time.Minute},
		{name: "bad expires", r: Result{At: t0, Header: hdr("Expires", "0")}, want: 5 * time.Minute},
		{name: "max-age wins over expires", r: Result{At: t0, Header: hdr("Cache-Control", "max-age=600", "Expires", t0.Add(5*time.Hour).Format(http.TimeFormat))}, want: 10 * time.Minute},
		{name: "first failure", r: Result{At: t0, Failed: true}, want: 5 * time.Minute},
		{name: "third failure", st: State{ConsecutiveFailures: 2}, r: Result{At: t0, Failed: true}, want: 20 * time.Minute},
		{name: "backoff capped", st: State{ConsecutiveFailures: 40}, r: Result{At: t0, Failed: true}, want: 24 * time.Hour},
		{name: "retry-after honoured", r: Result{At: t0, Failed: true, RateLimited: true, RetryAfter: 45 * time.Minute}, want: 45 * time.Minute},
		{name: "retry-after capped", r: Result{At: t0, Failed: true, RateLimited: true, RetryAfter: 30 * time.Hour}, want: 2 * time.Hour},
		{name: "short retry-after raised to backoff", st: State{ConsecutiveFailures: 3}, r: Result{At: t0, Failed: true, RateLimited: true, RetryAfter: time.Minute}, want: 40 * time.Minute},
		{name: "rate limited without retry-after backs off", st: State{ConsecutiveFailures: 1}, r: Result{At: t0, Failed: true, RateLimited: true}, want: 10 * time.Minute},
		{name: "success after failures resets", st: State{ConsecutiveFailures: 9}, r: Result{At: t0}, want: 5 * time.Minute},
		{name: "zero bounds take defaults", r: Result{At: t0, TTL: 100 * time.Hour}, b: Bounds{Jitter: -1}, want: DefaultMax},
		{name: "max below min", r: Result{At: t0}, b: Bounds{Min: time.Hour, Max: time.Minute, Jitter: -1}, want: time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bb := b
			if tc.b != (Bounds{}) {
				bb = tc.b
			}
			got := Next(tc.st, tc.r, bb, rand.New(rand.NewPCG(1, 2)))
			if d := got.Sub(tc.r.At); d != tc.want {
				t.Errorf("delay = %v, want %v", d, tc.want)
			}
		})
	}
}

func TestObserve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		st   State
		r    Result
		want State
	}{
		{name: "failure counts", st: State{ConsecutiveFailures: 2, ItemInterval: time.Hour}, r: Result{At: t0, Failed: true},
			want: State{ConsecutiveFailures: 3, ItemInterval: time.Hour}},
		{name: "no new items keeps interval", st: State{ConsecutiveFailures: 2, ItemInterval: time.Hour, LastItemAt: t0.Add(-time.Hour)}, r: Result{At: t0},
			want: State{ItemInterval: time.Hour, LastItemAt: t0.Add(-time.Hour)}},
		{name: "first poll learns from item dates", r: Result{At: t0, NewItems: 4, ItemTimes: []time.Time{t0.Add(-time.Hour), t0.Add(-4 * time.Hour), t0.Add(-2 * time.Hour), t0.Add(-3 * time.Hour)}},
			want: State{ItemInterval: time.Hour, LastItemAt: t0.Add(-time.Hour)}},
		{name: "first poll without dates", r: Result{At: t0, NewItems: 3},
			want: State{LastItemAt: t0}},
		{name: "future dates ignored", r: Result{At: t0, NewItems: 2, ItemTimes: []time.Time{t0.Add(24 * time.Hour), t0.Add(-time.Hour)}},
			want: State{LastItemAt: t0.Add(-time.Hour)}},
		{name: "ewma update", st: State{ItemInterval: time.Hour, LastItemAt: t0.Add(-4 * time.Hour)}, r: Result{At: t0, NewItems: 1},
			// 0.3*4h + 0.7*1h = 1h54m
			want: State{ItemInterval: 114 * time.Minute, LastItemAt: t0}},
		{name: "several new items split the gap", st: State{ItemInterval: time.Hour, LastItemAt: t0.Add(-2 * time.Hour)}, r: Result{At: t0, NewItems: 4, ItemTimes: []time.Time{t0}},
			// gap 2h/4 = 30m; 0.3*30m + 0.7*60m = 51m
			want: State{ItemInterval: 51 * time.Minute, LastItemAt: t0}},
		{name: "backdated item does not rewind", st: State{ItemInterval: time.Hour, LastItemAt: t0}, r: Result{At: t0.Add(time.Hour), NewItems: 1, ItemTimes: []time.Time{t0.Add(-48 * time.Hour)}},
			want: State{ItemInterval: time.Hour, LastItemAt: t0}},
	}
	for _, tc := range tests {
		if got := Observe(tc.st, tc.r); got != tc.want {
			t.Errorf("%s: Observe = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestJitter(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(7, 7))
	b := Bounds{Min: time.Minute, Max: 10 * time.Hour, Jitter: 0.2}
	st := State{ItemInterval: time.Hour, LastItemAt: t0}
	lo, hi := time.Duration(1<<62), time.Duration(0)
	for i := 0; i < 1000; i++ {
		d := Next(st, Result{At: t0}, b, rnd).Sub(t0)
		lo, hi = min(lo, d), max(hi, d)
	}
	if lo < 48*time.Minute || hi > 72*time.Minute {
		t.Errorf("jittered delays in [%v, %v], want within ±20%% of 1h", lo, hi)
	}
	if hi-lo < 20*time.Minute {
		t.Errorf("jittered delays in [%v, %v]: too little spread", lo, hi)
	}
	// Retry-After is never undercut by jitter.
	for i := 0; i < 200; i++ {
		d := Next(State{}, Result{At: t0, Failed: true, RateLimited: true, RetryAfter: 30 * time.Minute}, b, rnd).Sub(t0)
		if d < 30*time.Minute || d > 36*time.Minute {
			t.Fatalf("rate-limited delay %v, want in [30m, 36m]", d)
		}
	}
	// Same seed, same answer.
	a := Next(st, Result{At: t0}, b, rand.New(rand.NewPCG(3, 4)))
	c := Next(st, Result{At: t0}, b, rand.New(rand.NewPCG(3, 4)))
	if !a.Equal(c) {
		t.Errorf("not deterministic: %v vs %v", a, c)
	}
}
