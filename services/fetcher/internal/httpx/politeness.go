package httpx

import (
	"context"
	"sync"
	"time"
)

// hostLimiter bounds concurrent requests per host and spaces their starts by
// a minimum interval. Entries carry no information once idle and past their
// interval, so they are swept: memory follows the hosts in use, not every host
// ever seen.
type hostLimiter struct {
	concurrency int           // <= 0: unlimited
	interval    time.Duration // <= 0: none
	now         func() time.Time
	// scheduled, when set (by tests), is told each request's planned start,
	// under the lock: what the limiter decided, before any scheduling delay
	// on the way to the server blurs it.
	scheduled func(host string, start time.Time)

	mu    sync.Mutex
	hosts map[string]*hostSlot
	ops   int
}

type hostSlot struct {
	sem  chan struct{} // nil when concurrency is unlimited
	next time.Time     // earliest start of the next request; guarded by hostLimiter.mu
	refs int           // waiting or running requests; guarded by hostLimiter.mu
}

func newHostLimiter(concurrency int, interval time.Duration, now func() time.Time) *hostLimiter {
	return &hostLimiter{concurrency: concurrency, interval: interval, now: now, hosts: map[string]*hostSlot{}}
}

// acquire blocks until a request to host may start. The returned function
// must be called when the request is done.
func (l *hostLimiter) acquire(ctx context.Context, host string) (func(), error) {
	l.mu.Lock()
	s := l.hosts[host]
	if s == nil {
		s = &hostSlot{}
		if l.concurrency > 0 {
			s.sem = make(chan struct{}, l.concurrency)
		}
		l.hosts[host] = s
	}
	s.refs++
	l.ops++
	if l.ops >= max(256, len(l.hosts)) {
		l.ops = 0
		l.sweepLocked()
	}
	l.mu.Unlock()

	if s.sem != nil {
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			l.unref(s, host)
			return nil, ctx.Err()
		}
	}
	release := func() {
		if s.sem != nil {
			<-s.sem
		}
		l.unref(s, host)
	}
	if l.interval <= 0 {
		return release, nil
	}

	l.mu.Lock()
	now := l.now()
	start := s.next
	if start.Before(now) {
		start = now
	}
	s.next = start.Add(l.interval)
	if l.scheduled != nil {
		l.scheduled(host, start)
	}
	l.mu.Unlock()

	if wait := start.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			release()
			return nil, ctx.Err()
		}
	}
	return release, nil
}

func (l *hostLimiter) unref(s *hostSlot, host string) {
	l.mu.Lock()
	s.refs--
	if s.refs == 0 && l.interval <= 0 && l.hosts[host] == s {
		delete(l.hosts, host)
	}
	l.mu.Unlock()
}

func (l *hostLimiter) sweepLocked() {
	now := l.now()
	for h, s := range l.hosts {
		if s.refs == 0 && !s.next.After(now) {
			delete(l.hosts, h)
		}
	}
}

// size is the number of hosts tracked, for tests.
func (l *hostLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hosts)
}
