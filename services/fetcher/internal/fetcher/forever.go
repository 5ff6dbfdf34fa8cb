package fetcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/service/logx"
	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpx"
)

// loadFeeds reads the feeds file and keeps the enabled feeds.
func loadFeeds(path string) ([]feedlist.Feed, error) {
	if path == "" {
		return nil, errors.New("fetcher: no feeds: give --feeds FILE (YAML or OPML) or NEWSFLOW_FETCHER_FEEDS")
	}
	all, err := feedlist.Load(path)
	if err != nil {
		return nil, fmt.Errorf("fetcher: feeds %s: %w", path, err)
	}
	var out []feedlist.Feed
	for _, f := range all {
		if f.IsEnabled() {
			out = append(out, f)
		}
	}
	return out, nil
}

// feedState is what the fetcher remembers of a feed between polls.
type feedState struct {
	cond     httpx.Conditional
	bodyHash string
	next     time.Time
	failures int
}

// RunForever polls every feed at its interval until ctx is done. A SIGHUP
// (or a change of the file) reloads the feed list.
func (f *Fetcher) RunForever(ctx context.Context, reload <-chan os.Signal) error {
	list, err := loadFeeds(f.cfg.Feeds)
	if err != nil {
		return err
	}
	states := map[string]*feedState{}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		now := f.now()
		var due []feedlist.Feed
		for _, fd := range list {
			st, ok := states[fd.URL]
			if !ok {
				st = &feedState{}
				states[fd.URL] = st
			}
			if !st.next.After(now) {
				due = append(due, fd)
			}
		}
		if len(due) > 0 {
			f.pollDue(ctx, due, states)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-reload:
			if nl, err := loadFeeds(f.cfg.Feeds); err != nil {
				f.log.Error("Feeds reload failed; keeping the previous list.", zap.Error(err))
			} else {
				list = nl
				f.log.Info("Feeds reloaded.", zap.Int("feeds", len(list)))
			}
		case <-tick.C:
		}
	}
}

func (f *Fetcher) pollDue(ctx context.Context, due []feedlist.Feed, states map[string]*feedState) {
	results := make([]*pollResult, len(due))
	runLimited(ctx, max(f.cfg.FeedWorkers, 1), len(due), func(i int) {
		fd := due[i]
		st := states[fd.URL]
		parsed, resp, err := f.poll(ctx, fd, st.cond)
		interval := f.interval(fd)
		if err != nil {
			st.failures++
			backoff := min(interval*time.Duration(1<<min(st.failures, 6)), f.cfg.MaxInterval)
			if d, ok := httpx.RetryAfter(err); ok && d > backoff {
				backoff = d
			}
			st.next = f.now().Add(backoff)
			f.feedError(fd, err)
			return
		}
		st.failures = 0
		st.next = f.now().Add(interval)
		if resp.NotModified {
			f.metrics.polls.WithLabelValues("not_modified", "").Inc()
			f.add(func(t *Totals) { t.FeedPolls++ })
			return
		}
		st.cond = resp.Validators()
		f.metrics.polls.WithLabelValues("ok", "").Inc()
		f.add(func(t *Totals) { t.FeedPolls++; t.Items += len(parsed.Items) })
		f.log.Info("Feed polled.", zap.String(logx.KeyFeedURL, fd.URL), zap.Int("items", len(parsed.Items)))
		results[i] = &pollResult{feed: fd, title: parsed.Title, items: parsed.Items}
	})
	var polled []pollResult
	for _, r := range results {
		if r != nil {
			polled = append(polled, *r)
		}
	}
	jobs := f.newArticles(polled)
	runLimited(ctx, max(f.cfg.PageWorkers, 1), len(jobs), func(i int) {
		f.mu.Lock()
		_, known := f.seen[jobs[i].id]
		f.mu.Unlock()
		if known {
			// Seen before: pages are re-fetched only when the feed item
			// says it changed; the publish de-duplicates the rest.
			return
		}
		f.fetchArticle(ctx, jobs[i])
	})
}

func (f *Fetcher) interval(fd feedlist.Feed) time.Duration {
	d := f.cfg.DefaultInterval
	lo, hi := f.cfg.MinInterval, f.cfg.MaxInterval
	if fd.MinInterval > 0 {
		lo = fd.MinInterval
	}
	if fd.MaxInterval > 0 {
		hi = fd.MaxInterval
	}
	return min(max(d, lo), hi)
}

// feedsCommand lists the configured feeds.
func feedsCommand(_ context.Context, cfg Config, out io.Writer, _ *zap.Logger) error {
	all, err := feedlist.Load(cfg.Feeds)
	if err != nil {
		return fmt.Errorf("fetcher: feeds %s: %w", cfg.Feeds, err)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "URL\tTITLE\tENABLED")
	for _, f := range all {
		fmt.Fprintf(tw, "%s\t%s\t%v\n", f.URL, f.Title, f.IsEnabled())
	}
	return tw.Flush()
}
