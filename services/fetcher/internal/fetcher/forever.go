package fetcher

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/service/logx"
	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
)

// RunForever polls every enabled feed when it is due until ctx is done,
// sharing the feeds with every other replica through the feed-state
// bucket: a replica claims a due feed with a compare-and-set lease, polls
// it, fetches and publishes its new items, writes the outcome and the next
// poll time, and releases the lease. A feed is therefore polled by one
// replica per interval, and when a replica stops, the others find its feeds
// due and take them (at once if it stopped cleanly, after the lease if it
// died mid-poll). The feed list is reloaded when the file changes and on
// every value received from reload (SIGHUP).
//
// On shutdown it stops claiming, lets in-flight polls finish within the
// shutdown timeout (their pages published and acknowledged, their state
// written), then cuts the rest short and releases their leases.
func (f *Fetcher) RunForever(ctx context.Context, reload <-chan os.Signal) error {
	if f.cfg.Feeds == "" {
		return ErrNoFeeds
	}
	w, err := feedlist.NewWatcher(f.cfg.Feeds, feedlist.WatchOptions{
		Debounce: f.reloadDebounce,
		OnReload: func(l []feedlist.Feed) { f.log.Info("Feeds reloaded.", zap.Int("feeds", len(enabled(l)))) },
		OnError: func(err error) {
			f.log.Error("Feeds reload failed; keeping the previous list.", zap.Error(err))
		},
	})
	if err != nil {
		return fmt.Errorf("fetcher: feeds %s: %w", f.cfg.Feeds, err)
	}
	f.log.Info("Polling feeds.", zap.Int("feeds", len(enabled(w.Feeds()))), zap.String("replica", f.owner))

	var bg sync.WaitGroup
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	bg.Go(func() {
		if err := w.Run(watchCtx); err != nil {
			f.log.Error("Watching the feeds file; reload with SIGHUP.", zap.Error(err))
		}
	})
	// The view would otherwise hold a feed back until the next poll time
	// this replica last saw: a reset (`fetcher feeds reset`) or another
	// replica's write must reach it at once.
	bg.Go(func() {
		for {
			err := f.store.Watch(watchCtx, f.refreshView)
			if watchCtx.Err() != nil {
				return
			}
			f.log.Warn("Watching the feed state failed; watching again in 5s.", zap.Error(err))
			select {
			case <-watchCtx.Done():
				return
			case <-time.After(5 * time.Second):
			}
		}
	})

	// Work outlives ctx by up to the shutdown timeout, so an in-flight poll
	// finishes what it started.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	work := make(chan feedlist.Feed)
	var workers sync.WaitGroup
	for range max(f.cfg.FeedWorkers, 1) {
		workers.Go(func() {
			for fd := range work {
				f.pollClaimed(workCtx, fd)
				f.viewMu.Lock()
				delete(f.inflight, fd.URL)
				f.viewMu.Unlock()
			}
		})
	}

	tick := time.NewTimer(f.nextTick())
	defer tick.Stop()
loop:
	for {
		f.dispatch(w.Feeds(), work)
		select {
		case <-ctx.Done():
			break loop
		case <-reload:
			if err := w.Reload(); err != nil {
				f.log.Error("Feeds reload failed; keeping the previous list.", zap.Error(err))
			}
		case <-tick.C:
			tick.Reset(f.nextTick())
		}
	}
	close(work)
	stopWatch()
	finished := make(chan struct{})
	go func() { workers.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(f.cfg.Common.ShutdownTimeout):
		f.log.Warn("In-flight polls did not finish within the shutdown timeout; cutting them short.")
		cancelWork()
		<-finished
	}
	bg.Wait()
	return nil
}

// tick is how often due feeds are looked for: a tenth of the shortest
// interval, between 10ms and 1s.
func (f *Fetcher) tick() time.Duration {
	return min(max(f.cfg.MinInterval/10, 10*time.Millisecond), time.Second)
}

// nextTick is tick give or take half of it, drawn anew each time. A due
// feed goes to the replica that looks first; with a fixed period each
// replica kept its phase, and the one whose ticks came first after most
// due times (replicas started a few milliseconds apart) took three
// polls in four. Wandering phases give each replica its share.
func (f *Fetcher) nextTick() time.Duration {
	t := f.tick()
	f.mu.Lock()
	defer f.mu.Unlock()
	return t/2 + time.Duration(f.rnd.Int64N(int64(t)))
}

// dispatch hands due feeds, most overdue first, to idle workers, and
// refreshes the feed gauges from the view.
func (f *Fetcher) dispatch(list []feedlist.Feed, work chan<- feedlist.Feed) {
	now := f.now()
	type due struct {
		fd feedlist.Feed
		at time.Time
	}
	var dues []due
	failing := map[string]int{}
	n := 0
	f.viewMu.Lock()
	for _, fd := range list {
		if !fd.IsEnabled() {
			continue
		}
		n++
		e := f.view[fd.URL]
		if e.st.ConsecutiveFailures > 0 {
			failing[e.st.LastErrorClass]++
		}
		if f.inflight[fd.URL] || !e.st.Due(now, f.fingerprint(fd)) || e.notBefore.After(now) {
			continue
		}
		dues = append(dues, due{fd, e.st.NextPoll})
	}
	f.viewMu.Unlock()
	f.metrics.feeds.Set(float64(n))
	for _, c := range failingClasses() {
		f.metrics.failing.WithLabelValues(c).Set(float64(failing[c]))
		delete(failing, c)
	}
	for c, k := range failing { // classes outside the usual set, if any
		f.metrics.failing.WithLabelValues(c).Set(float64(k))
	}

	sort.SliceStable(dues, func(i, j int) bool { return dues[i].at.Before(dues[j].at) })
	for _, d := range dues {
		f.viewMu.Lock()
		f.inflight[d.fd.URL] = true
		f.viewMu.Unlock()
		select {
		case work <- d.fd:
		default: // every worker is busy: the rest wait for the next tick
			f.viewMu.Lock()
			delete(f.inflight, d.fd.URL)
			f.viewMu.Unlock()
			return
		}
	}
}

// refreshView takes a feed state written to the bucket into the view,
// keeping the local hold-back.
func (f *Fetcher) refreshView(st state.FeedState) {
	f.viewMu.Lock()
	e := f.view[st.URL]
	e.st = st
	f.view[st.URL] = e
	f.viewMu.Unlock()
}

func (f *Fetcher) setView(st state.FeedState, notBefore time.Time) {
	f.viewMu.Lock()
	f.view[st.URL] = viewEntry{st: st, notBefore: notBefore}
	f.viewMu.Unlock()
}

// lease is a claimed feed: the state as claimed and its revision, which
// every write (renewal, result) must match.
type lease struct {
	mu   sync.Mutex
	st   state.FeedState
	rev  uint64
	lost bool
}

// pollClaimed claims fd if it is due and nobody holds it, and if so polls
// it, fetches its new pages and writes the result.
func (f *Fetcher) pollClaimed(ctx context.Context, fd feedlist.Feed) {
	now := f.now()
	st, rev, ok, err := f.store.Claim(ctx, fd.URL, f.owner, f.fingerprint(fd), now, f.cfg.Lease)
	if err != nil {
		f.log.Warn("Claiming a feed.", zap.String(logx.KeyFeedURL, fd.URL), zap.Error(err))
		f.viewMu.Lock()
		e := f.view[fd.URL]
		e.notBefore = now.Add(min(f.cfg.MinInterval, 5*time.Second))
		f.view[fd.URL] = e
		f.viewMu.Unlock()
		return
	}
	st.URL = fd.URL
	if !ok {
		// Not due after all, or another replica is polling it. In the
		// second case look again soon rather than at the lease's end: the
		// holder will release it with its next poll time in a moment, and
		// a replica that knows that time in time gets a fair chance at the
		// next poll (and takes over promptly if the holder dies).
		var notBefore time.Time
		if st.Owner != f.owner && st.LeaseUntil.After(now) {
			notBefore = now.Add(min(st.LeaseUntil.Sub(now), max(f.tick(), f.cfg.MinInterval/4)))
		}
		f.setView(st, notBefore)
		return
	}
	f.setView(st, time.Time{})
	l := &lease{st: st, rev: rev}
	renewCtx, stopRenew := context.WithCancel(ctx)
	var renewing sync.WaitGroup
	renewing.Go(func() { f.renew(renewCtx, l) })

	p := f.pollFeed(ctx, fd, st)
	f.fetchPages(ctx, p.jobs)
	f.flushMarks(ctx)
	stopRenew()
	renewing.Wait()
	f.release(ctx, l, p)
}

// renew extends the lease every third of its length while the poll runs,
// so a feed with many new pages is not taken over half-way.
func (f *Fetcher) renew(ctx context.Context, l *lease) {
	t := time.NewTicker(f.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l.mu.Lock()
		st := l.st
		st.LeaseUntil = f.now().Add(f.cfg.Lease)
		rev, err := f.store.Put(ctx, st, l.rev)
		switch {
		case err == nil:
			l.st, l.rev = st, rev
		case errors.Is(err, state.ErrConflict):
			l.lost = true
		case ctx.Err() == nil:
			f.log.Warn("Renewing a feed lease.", zap.String(logx.KeyFeedURL, st.URL), zap.Error(err))
		}
		lost := l.lost
		l.mu.Unlock()
		if lost {
			return
		}
	}
}

// release writes the poll's outcome and gives the feed back. A poll cut
// short by shutdown writes nothing but the release, so the feed is due for
// the next replica at once.
func (f *Fetcher) release(ctx context.Context, l *lease, p *polled) {
	l.mu.Lock()
	defer l.mu.Unlock()
	url := p.feed.URL
	st := l.st
	if ctx.Err() == nil {
		f.apply(&st, p)
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
	}
	st.LeaseUntil = time.Time{} // Owner stays: who polled last
	if l.lost {
		f.leaseLost(url)
		return
	}
	if _, err := f.store.Put(ctx, st, l.rev); err != nil {
		if errors.Is(err, state.ErrConflict) {
			f.leaseLost(url)
			return
		}
		// The result is lost; the lease runs out and the feed is polled
		// again, with the old validators (its items are de-duplicated).
		f.log.Error("Writing the feed state.", zap.String(logx.KeyFeedURL, url), zap.Error(err))
		return
	}
	f.setView(st, time.Time{})
}

func (f *Fetcher) leaseLost(url string) {
	f.metrics.lost.Inc()
	f.log.Warn("Lost the lease on a feed while polling it; another replica took over.", zap.String(logx.KeyFeedURL, url))
}
