package fetcher

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpx"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
	"github.com/newsflow/newsflow/services/fetcher/internal/warc"
)

// commands are the fetcher's, for its help; Main dispatches them itself
// because `feeds` may follow the service's flags.
var commands = []app.Cmd{
	{Name: "run", Summary: "run the service: poll the feeds and fetch the article pages (the default; flags may come first)"},
	{Name: "feeds", Summary: "list each feed's status: last poll, next poll, failures (table or --format json); feeds reset [URL...|--failing] makes feeds due now"},
	{Name: "warc", Summary: "warc ls FILE: list the records of a WARC recording; warc build --out DIR: write the benchmark recording"},
}

const about = "fetcher polls RSS, Atom and JSON feeds, fetches the article pages and publishes them; it records and replays WARC."

// Main dispatches the command line: `warc ls|build`, `feeds`, or the service
// (`run`, or flags, or nothing); anything else is a usage error.
func Main(ctx context.Context, env app.Env) error {
	if len(env.Args) > 0 {
		switch env.Args[0] {
		case "help", "-h", "-help", "--help":
			if len(env.Args) == 1 {
				app.Usage(env.Stdout, "fetcher", about, commands)
				return nil
			}
			env.Args = append(env.Args[1:2:2], "--help")
		case "run":
			env.Args = env.Args[1:]
			if len(env.Args) > 0 && !strings.HasPrefix(env.Args[0], "-") {
				app.Usage(env.Stderr, "fetcher", about, commands)
				return fmt.Errorf("%w: fetcher run takes no argument, got %q", app.ErrUsage, env.Args[0])
			}
		}
	}
	if len(env.Args) > 0 && env.Args[0] == "warc" {
		return warcMain(env)
	}
	var cfg Config
	rest, handled, err := app.ParseConfig(Table(&cfg), env)
	if err != nil {
		return fmt.Errorf("%w: %v", app.ErrUsage, err)
	}
	if handled {
		return nil
	}
	if len(rest) > 1 && rest[0] == "feeds" && rest[1] == "reset" {
		return feedsResetMain(ctx, env, rest)
	}
	if len(rest) > 0 && rest[0] == "feeds" {
		return feedsMain(ctx, env, rest)
	}
	if len(rest) > 0 {
		app.Usage(env.Stderr, "fetcher", about, commands)
		return fmt.Errorf("%w: unknown command %q", app.ErrUsage, rest[0])
	}
	log, err := app.Logger(schema.StageFetcher, cfg.Common)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return Run(ctx, cfg, log, env.Stdout)
}

// feedsMain runs `fetcher [flags] feeds [flags] [--format table|json]`:
// the flags are parsed again with --format added, so they may come before
// or after the word feeds.
func feedsMain(ctx context.Context, env app.Env, rest []string) error {
	var cfg Config
	var format string
	set := Table(&cfg)
	set.String(&format, "format", "NEWSFLOW_FETCHER_FEEDS_FORMAT", "table", "Output of `fetcher feeds`: table or json.")
	args := append(append([]string{}, env.Args[:len(env.Args)-len(rest)]...), rest[1:]...)
	env.Args = args
	more, handled, err := app.ParseConfig(set, env)
	if err != nil || handled {
		return err
	}
	if len(more) > 0 {
		return fmt.Errorf("%w: fetcher feeds: unexpected argument %q", app.ErrUsage, more[0])
	}
	store, closeStore, err := openFeedState(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	return feedStatusCommand(ctx, cfg, store, format, env.Stdout, time.Now())
}

// Validate checks what the table's parsers cannot.
func (c Config) Validate() error {
	switch {
	case c.MinInterval <= 0 || c.MaxInterval <= 0 || c.DefaultInterval <= 0:
		return errors.New("fetcher: config: --interval, --min-interval and --max-interval must be positive")
	case c.MinInterval > c.MaxInterval:
		return fmt.Errorf("fetcher: config: --min-interval %v is above --max-interval %v", c.MinInterval, c.MaxInterval)
	case c.Lease <= 0:
		return errors.New("fetcher: config: --lease must be positive")
	case c.Jitter < 0 || c.Jitter > 0.5:
		return fmt.Errorf("fetcher: config: --jitter %v: want 0 to 0.5", c.Jitter)
	case c.MaxBackoff < 0 || c.MaxRetryAfter < 0 || c.SeenTTL < 0 || c.TitleWindow < 0:
		return errors.New("fetcher: config: negative --max-backoff, --max-retry-after, --seen-ttl or --title-window")
	case c.BodyEncoding != schema.EncodingS2 && c.BodyEncoding != schema.EncodingZstd && c.BodyEncoding != schema.EncodingIdentity:
		return fmt.Errorf("fetcher: config: --body-encoding %q: want s2, zstd or identity", c.BodyEncoding)
	}
	return nil
}

// Run polls and fetches until ctx is done (or, with Once, until every feed
// was polled once and its new articles published; the totals are then
// printed to out as one JSON line). An article counts as fetched only once
// JetStream acknowledged it, and its item is marked seen only then, so a
// crash re-fetches rather than loses (at least once); pages are published
// with a Nats-Msg-Id of their id and content hash, so a re-fetch of
// unchanged content is a no-op.
//
// Feed state and seen items live in JetStream KV buckets shared by all
// replicas. A replay (cfg.Replay) uses buckets of its own, in memory and
// deleted at exit, so replaying twice publishes everything twice (the
// stream and the sink de-duplicate) and never depends on an earlier run.
func Run(ctx context.Context, cfg Config, log *zap.Logger, out io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Feeds == "" {
		return ErrNoFeeds
	}
	client, replay, closeClient, err := newClient(cfg, log)
	if err != nil {
		return err
	}
	defer closeClient()
	base, err := app.Start(ctx, schema.StageFetcher, cfg.Common, log)
	if err != nil {
		return err
	}
	if replay != nil {
		replayMetrics(base.Ops.Registry, replay)
	}
	return base.Run(ctx, func(ctx context.Context) error {
		if replay != nil {
			pctx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { reportReplay(pctx, replay, os.Stderr, log, 5*time.Second); close(done) }()
			defer func() { stop(); <-done }()
		}
		store, seen, cleanup, err := openState(ctx, cfg, stateBuckets(cfg), base.Conn.JS, log)
		if err != nil {
			return err
		}
		defer cleanup()
		owner := cfg.ReplicaID
		if owner == "" {
			owner = defaultReplicaID()
		}
		f, err := newFetcher(cfg, deps{client: client, pub: base.Publisher, store: store, seen: seen, reg: base.Ops.Registry},
			owner, log.With(zap.String("replica", owner)))
		if err != nil {
			return err
		}
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

func storageType(cfg Config) jetstream.StorageType {
	if cfg.Common.Streams.MemoryStorage {
		return jetstream.MemoryStorage
	}
	return jetstream.FileStorage
}

// buckets names the state buckets a run uses.
type buckets struct {
	feeds, seen string
	replicas    int
	storage     jetstream.StorageType
	// temporary buckets are deleted when the run ends.
	temporary bool
}

// stateBuckets returns the shared buckets, or for a replay buckets of its
// own, in memory: a replay must not depend on (or pollute) the state of
// live fetching or of an earlier replay.
func stateBuckets(cfg Config) buckets {
	b := buckets{feeds: schema.BucketFeedState, seen: schema.BucketSeenItems,
		replicas: cfg.Common.Streams.Replicas, storage: storageType(cfg)}
	if cfg.Replay != "" {
		b = b.scratch("_replay_" + randomHex(6))
	}
	return b
}

// scratch returns temporary in-memory buckets named with suffix.
func (b buckets) scratch(suffix string) buckets {
	return buckets{feeds: b.feeds + suffix, seen: b.seen + suffix, replicas: 1, storage: jetstream.MemoryStorage, temporary: true}
}

// openState binds the feed-state and seen-item buckets. The caller must
// call the returned cleanup.
func openState(ctx context.Context, cfg Config, b buckets, js jetstream.JetStream, log *zap.Logger) (*state.Store, *state.Seen, func(), error) {
	cleanup := func() {}
	if b.temporary {
		cleanup = func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			for _, name := range []string{b.feeds, b.seen} {
				if err := js.DeleteKeyValue(dctx, name); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
					log.Warn("Deleting a temporary state bucket.", zap.String("bucket", name), zap.Error(err))
				}
			}
		}
	}
	store, err := state.Open(ctx, js, state.Options{Bucket: b.feeds, Replicas: b.replicas, Storage: b.storage})
	if err != nil {
		cleanup()
		return nil, nil, nil, fmt.Errorf("fetcher: feed state: %w", err)
	}
	seen, err := state.OpenSeen(ctx, js, state.SeenOptions{Bucket: b.seen, TTL: cfg.SeenTTL, TitleWindow: cfg.TitleWindow,
		Replicas: b.replicas, Storage: b.storage, OnKeyByKey: func(err error) {
			log.Warn("Seen items are read one key at a time from now on.", zap.String("bucket", b.seen), zap.Error(err))
		}})
	if err != nil {
		cleanup()
		return nil, nil, nil, fmt.Errorf("fetcher: seen items: %w", err)
	}
	return store, seen, cleanup, nil
}

// defaultReplicaID names this process in the shared state: host, pid and
// a random suffix, so two replicas on one host never share a name.
func defaultReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "fetcher"
	}
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + randomHex(2)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// newClient builds the one HTTP client: live, live and recording, or
// replaying a recording. The caller must call the returned close function.
func newClient(cfg Config, log *zap.Logger) (*httpx.Client, *warc.Replay, func(), error) {
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
		MaxRetryAfter:      cfg.MaxRetryAfter,
	}
	var replay *warc.Replay
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
			return nil, nil, nil, fmt.Errorf("fetcher: replay: %w", err)
		}
		closers = append(closers, rp.Close)
		replay = rp
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
			return nil, nil, nil, fmt.Errorf("fetcher: record: %w", err)
		}
		closers = append(closers, rec.Close)
		// The recorder sits under the client's decoding, over the live
		// transport (or the replay), so it keeps the raw wire bytes.
		opts.Wrap = rec.Wrap
	}
	c, err := httpx.New(opts)
	if err != nil {
		closeAll()
		return nil, nil, nil, fmt.Errorf("fetcher: http client: %w", err)
	}
	closers = append(closers, func() error { c.CloseIdleConnections(); return nil })
	return c, replay, closeAll, nil
}
