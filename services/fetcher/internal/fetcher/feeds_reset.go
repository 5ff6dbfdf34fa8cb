package fetcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
)

// feedsResetMain runs `fetcher [flags] feeds reset [URL...|--failing]`.
// Flags and URLs may come in any order after the word reset.
func feedsResetMain(ctx context.Context, env app.Env, rest []string) error {
	var cfg Config
	var failing bool
	set := Table(&cfg)
	set.Bool(&failing, "failing", "NEWSFLOW_FETCHER_RESET_FAILING", false, "`fetcher feeds reset`: every feed that is failing now.")
	pre := env.Args[:len(env.Args)-len(rest)]
	args := append(append([]string{}, pre...), rest[2:]...)
	var urls []string
	for {
		env.Args = args
		more, handled, err := app.ParseConfig(set, env)
		if err != nil || handled {
			return err
		}
		if len(more) == 0 {
			break
		}
		urls = append(urls, more[0])
		args = more[1:]
	}
	if len(urls) == 0 && !failing {
		return errors.New("fetcher: feeds reset: name the feeds (URL...) or give --failing")
	}
	store, closeStore, err := openFeedState(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	return resetFeeds(ctx, store, urls, failing, env.Stdout, time.Now())
}

// resetFeeds makes the named feeds, and with failing every failing feed,
// due now: running fetchers watch the state bucket and poll them at their
// next tick. A feed keeps its failure count and last error until that poll.
// Naming a feed the bucket does not know is an error (a typo, most likely),
// reported after the others were reset.
func resetFeeds(ctx context.Context, store *state.Store, urls []string, failing bool, out io.Writer, now time.Time) error {
	targets := map[string]state.FeedState{}
	var order []string
	if failing {
		states, err := store.List(ctx)
		if err != nil {
			return fmt.Errorf("fetcher: feeds reset: %w", err)
		}
		for _, st := range states {
			if st.ConsecutiveFailures > 0 {
				targets[st.URL] = st
				order = append(order, st.URL)
			}
		}
	}
	for _, u := range urls {
		u = strings.TrimSpace(u)
		if _, ok := targets[u]; !ok {
			targets[u] = state.FeedState{URL: u}
			order = append(order, u)
		}
	}
	var unknown []string
	n := 0
	for _, u := range order {
		st, _, err := store.Get(ctx, u)
		if errors.Is(err, state.ErrNotFound) {
			unknown = append(unknown, u)
			continue
		}
		if err != nil {
			return fmt.Errorf("fetcher: feeds reset: %w", err)
		}
		if _, err := store.Reset(ctx, u); err != nil {
			return fmt.Errorf("fetcher: feeds reset: %w", err)
		}
		n++
		was := "was due " + ago(st.NextPoll, now)
		if st.ConsecutiveFailures > 0 {
			was += fmt.Sprintf(", failing %d× (%s)", st.ConsecutiveFailures, st.LastErrorClass)
		}
		fmt.Fprintf(out, "reset %s (%s)\n", u, was)
	}
	if failing && len(urls) == 0 && n == 0 {
		fmt.Fprintln(out, "no feed is failing")
	}
	if len(unknown) > 0 {
		return fmt.Errorf("fetcher: feeds reset: not in the feed state (never polled, or a typo): %s", strings.Join(unknown, ", "))
	}
	return nil
}

// openFeedState connects to NATS and opens the feed-state bucket for the
// feeds commands (the listing and reset); closeStore ends both.
func openFeedState(ctx context.Context, cfg Config) (store *state.Store, closeStore func(), err error) {
	log, err := app.Logger(schema.StageFetcher, cfg.Common)
	if err != nil {
		return nil, nil, err
	}
	conn, err := bus.Connect(ctx, cfg.Common.NATS, "newsflow-fetcher-feeds", log)
	if err != nil {
		_ = log.Sync()
		return nil, nil, err
	}
	closeStore = func() { _ = conn.Close(); _ = log.Sync() }
	store, err = state.Open(ctx, conn.JS, state.Options{Bucket: schema.BucketFeedState,
		Replicas: cfg.Common.Streams.Replicas, Storage: storageType(cfg)})
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	return store, closeStore, nil
}
