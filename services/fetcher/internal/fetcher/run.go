// Package fetcher is the fetcher service: it polls feeds, fetches the pages
// of new items with the one HTTP client (live, recording or replaying) and
// publishes them to NEWSFLOW_FETCHED.
package fetcher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpx"
	"github.com/newsflow/newsflow/services/fetcher/internal/warc"
)

// Main dispatches the command line: `warc ls`, or the service.
func Main(ctx context.Context, env app.Env) error {
	if len(env.Args) > 1 && env.Args[0] == "warc" && env.Args[1] == "ls" {
		if len(env.Args) != 3 {
			return errors.New("fetcher: usage: fetcher warc ls FILE")
		}
		return warc.List(env.Args[2], env.Stdout)
	}
	var cfg Config
	rest, handled, err := app.ParseConfig(Table(&cfg), env)
	if err != nil || handled {
		return err
	}
	log, err := app.Logger(schema.StageFetcher, cfg.Common)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	if len(rest) > 0 && rest[0] == "feeds" {
		return feedsCommand(ctx, cfg, env.Stdout, log)
	}
	return Run(ctx, cfg, log, env.Stdout)
}

// Run polls and fetches until ctx is done (or, with Once, until every feed
// was polled once and its new articles published; the totals are then
// printed to out as one JSON line). An article counts as fetched only once
// JetStream acknowledged it; pages are published with a Nats-Msg-Id of
// their id and content hash, so a re-fetch of unchanged content is a no-op.
func Run(ctx context.Context, cfg Config, log *zap.Logger, out io.Writer) error {
	client, closeClient, err := newClient(cfg, log)
	if err != nil {
		return err
	}
	defer closeClient()
	base, err := app.Start(ctx, schema.StageFetcher, cfg.Common, log)
	if err != nil {
		return err
	}
	f := newFetcher(cfg, client, base.Publisher, log, base.Ops.Registry)
	return base.Run(ctx, func(ctx context.Context) error {
		if cfg.Once {
			totals, err := f.RunOnce(ctx)
			if out != nil {
				_ = json.NewEncoder(out).Encode(totals)
			}
			return err
		}
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		return f.RunForever(ctx, hup)
	})
}

// newClient builds the one HTTP client: live, live and recording, or
// replaying a recording. The caller must call the returned close function.
func newClient(cfg Config, log *zap.Logger) (*httpx.Client, func(), error) {
	opts := httpx.Options{
		UserAgent:          cfg.UserAgent,
		ConnectTimeout:     cfg.ConnectTimeout,
		HeaderTimeout:      cfg.HeaderTimeout,
		Timeout:            cfg.Timeout,
		MaxBodyBytes:       cfg.MaxBodyBytes,
		MaxRedirects:       cfg.MaxRedirects,
		AllowLoopback:      cfg.AllowLoopback,
		AllowPrivate:       cfg.AllowPrivate,
		PerHostConcurrency: cfg.PerHostConcurrency,
		PerHostInterval:    cfg.PerHostInterval,
		RespectRobots:      cfg.RespectRobots,
	}
	closers := []func() error{}
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			if err := closers[i](); err != nil {
				log.Warn("Closing the HTTP client.", zap.Error(err))
			}
		}
	}
	if cfg.Replay != "" {
		rp, err := warc.OpenReplay(cfg.Replay, warc.ReplayOptions{Speed: cfg.ReplaySpeed, Log: log})
		if err != nil {
			return nil, nil, fmt.Errorf("fetcher: replay: %w", err)
		}
		closers = append(closers, rp.Close)
		opts.Base = rp
		// A recording is replayed as fast as it can be served: politeness
		// protects remote hosts, and there are none.
		opts.PerHostInterval = -1
		opts.PerHostConcurrency = -1
		st := rp.Stats()
		log.Info("Replaying a recording.", zap.String("path", cfg.Replay), zap.Int("files", st.Files), zap.Int("responses", st.Responses))
	}
	if cfg.Record != "" {
		rec, err := warc.NewRecorder(warc.RecorderOptions{Dir: cfg.Record, MaxFileBytes: cfg.RecordMax,
			Software: "newsflow-fetcher", Config: map[string]string{"user-agent": cfg.UserAgent, "replay": cfg.Replay}, Log: log})
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("fetcher: record: %w", err)
		}
		closers = append(closers, rec.Close)
		// The recorder sits under the client's decoding, over the live
		// transport (or the replay), so it keeps the raw wire bytes.
		opts.Wrap = rec.Wrap
	}
	c, err := httpx.New(opts)
	if err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("fetcher: http client: %w", err)
	}
	closers = append(closers, func() error { c.CloseIdleConnections(); return nil })
	return c, closeAll, nil
}
