package fetcher

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/service/logx"
	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
)

// loadFeeds reads the feeds file and keeps the enabled feeds.
func loadFeeds(path string) ([]feedlist.Feed, error) {
	if path == "" {
		return nil, ErrNoFeeds
	}
	all, err := feedlist.Load(path)
	if err != nil {
		return nil, fmt.Errorf("fetcher: feeds %s: %w", path, err)
	}
	return enabled(all), nil
}

func enabled(all []feedlist.Feed) []feedlist.Feed {
	out := make([]feedlist.Feed, 0, len(all))
	for _, f := range all {
		if f.IsEnabled() {
			out = append(out, f)
		}
	}
	return out
}

// RunOnce polls every enabled feed once, whatever its schedule, and
// publishes the pages of items not seen before. It reads and writes the
// feed state without leases: it is meant for replays and cron jobs, not to
// run beside RunForever replicas on the same feeds.
func (f *Fetcher) RunOnce(ctx context.Context) (Totals, error) {
	list, err := loadFeeds(f.cfg.Feeds)
	if err != nil {
		return f.Totals(), err
	}
	polls := make([]*polled, len(list))
	runLimited(ctx, max(f.cfg.FeedWorkers, 1), len(list), func(i int) {
		fd := list[i]
		st, _, err := f.store.Get(ctx, fd.URL)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			f.log.Warn("Reading the feed state; polling without it.", zap.String(logx.KeyFeedURL, fd.URL), zap.Error(err))
			st = state.FeedState{URL: fd.URL}
		}
		polls[i] = f.pollFeed(ctx, fd, st)
	})
	// Polls finish in any order; go by feed URL so a replay publishes in
	// the same order every time, and the same article in two feeds is
	// fetched once.
	order := make([]*polled, 0, len(polls))
	for _, p := range polls {
		if p != nil {
			order = append(order, p)
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i].feed.URL < order[j].feed.URL })
	var jobs []*articleJob
	ids := map[string]bool{}
	for _, p := range order {
		for _, j := range p.jobs {
			if ids[j.id] {
				j.outcome = skipped
				f.metrics.articles.WithLabelValues(articleDuplicate).Inc()
				f.add(func(t *Totals) { t.Duplicates++ })
				continue
			}
			ids[j.id] = true
			jobs = append(jobs, j)
		}
	}
	f.fetchPages(ctx, jobs)
	f.flushMarks(ctx)
	if err := ctx.Err(); err != nil {
		return f.Totals(), fmt.Errorf("fetcher: interrupted: %w", err)
	}
	runLimited(ctx, max(f.cfg.FeedWorkers, 1), len(order), func(i int) {
		p := order[i]
		if _, err := f.store.Update(ctx, p.feed.URL, func(st *state.FeedState) error {
			f.apply(st, p)
			return nil
		}); err != nil {
			f.log.Warn("Writing the feed state.", zap.String(logx.KeyFeedURL, p.feed.URL), zap.Error(err))
		}
	})
	return f.Totals(), nil
}

// runLimited runs fn(0..n-1) with at most limit at once, stopping early
// when ctx ends.
func runLimited(ctx context.Context, limit, n int, fn func(i int)) {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case sem <- struct{}{}:
		}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}
