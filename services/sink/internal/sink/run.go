// Package sink is the sink service: it consumes tagged articles in batches
// and stores them with package store. The claim desk (package desk) reads
// them back in a process of its own; cli.go dispatches the binary's
// commands, run.go is the service.
package sink

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// OpenStores opens the configured database and JSON lines directory as one
// store.
func OpenStores(ctx context.Context, cfg Config, log *zap.Logger) (store.Store, error) {
	return openStores(ctx, cfg, log, store.Open)
}

// openStores is OpenStores with the database opened by openDB.
func openStores(ctx context.Context, cfg Config, log *zap.Logger,
	openDB func(context.Context, string, *zap.Logger) (store.Store, error)) (store.Store, error) {
	var stores []store.Store
	if cfg.DB != "" {
		s, err := openDB(ctx, cfg.DB, log)
		if err != nil {
			return nil, fmt.Errorf("sink: open %s: %w", config.RedactURL(cfg.DB), err)
		}
		stores = append(stores, s)
	}
	if cfg.JSONLDir != "" {
		s, err := store.Open(ctx, "jsonl:"+cfg.JSONLDir+"?fsync="+cfg.FSync, log)
		if err != nil {
			for _, o := range stores {
				_ = o.Close()
			}
			return nil, fmt.Errorf("sink: open jsonl %s: %w", cfg.JSONLDir, err)
		}
		stores = append(stores, s)
	}
	switch len(stores) {
	case 0:
		return nil, errors.New("sink: no store configured: set NEWSFLOW_SINK_DB or NEWSFLOW_SINK_JSONL_DIR")
	case 1:
		return stores[0], nil
	}
	return store.Multi(stores...), nil
}

// Run consumes NEWSFLOW_TAGGED until ctx is done, storing what is waiting
// as one batch of up to Worker.Batch articles; a short batch waits at most
// Worker.BatchWait to fill. A batch is acked
// only after it committed, and every store upserts by article id, so
// redeliveries and replays never duplicate a row. While the database is
// down nothing is acked, /readyz is not ready, and the batch is retried.
// Storing never waits for the claim desk: it follows the stored articles
// on its own (`sink serve`).
func Run(ctx context.Context, cfg Config, log *zap.Logger) error {
	// A database down at start is waited for (not ready meanwhile), so a
	// database restart during a deploy does not crash-loop the sink.
	st, err := openStores(ctx, cfg, log, store.OpenWhenUp)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("Closing the store.", zap.Error(err))
		}
	}()
	base, err := app.Start(ctx, schema.StageSink, cfg.Common, log)
	if err != nil {
		return err
	}
	p := newProcessor(st, log, base.Ops.Registry)
	p.stopping = ctx.Done()
	base.Ops.AddCheck("store", p.ready)
	w, err := base.Worker(schema.ConsumerSink, cfg.Worker)
	if err != nil {
		return err
	}
	w.ProcessBatch = p.processBatch
	return base.Run(ctx, w.Run)
}

type processor struct {
	store store.Store
	log   *zap.Logger
	now   func() time.Time
	down  atomic.Bool
	// downWhy says which store refuses writes and why, for /readyz.
	downWhy atomic.Pointer[string]
	// stopping is closed when the service stops: a batch held while the
	// store is down is given back then (the worker's context outlives it).
	stopping <-chan struct{}
	stored   prometheus.Counter
	claims   prometheus.Counter
	relev    prometheus.Counter
	batches  prometheus.Histogram
	// outages counts store outages by cause; downGauge is 1 during one.
	outages   *prometheus.CounterVec
	downGauge prometheus.Gauge
}

func newProcessor(st store.Store, log *zap.Logger, reg prometheus.Registerer) *processor {
	p := &processor{store: st, log: log, now: time.Now,
		stored: prometheus.NewCounter(prometheus.CounterOpts{Name: "newsflow_sink_articles_stored_total",
			Help: "Articles committed to the store (an unchanged redelivery counts again; rows are not duplicated)."}),
		claims: prometheus.NewCounter(prometheus.CounterOpts{Name: "newsflow_sink_claims_stored_total",
			Help: "Claims committed with their articles."}),
		relev: prometheus.NewCounter(prometheus.CounterOpts{Name: "newsflow_sink_relevant_stored_total",
			Help: "Relevant articles committed."}),
		batches: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "newsflow_sink_batch_size",
			Help: "Articles per committed batch.", Buckets: prometheus.ExponentialBuckets(1, 2, 12)}),
		outages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newsflow_sink_store_outages_total",
			Help: "Store outages (writes held, no delivery attempt charged), by cause: read-only, disk full, locked, connection, unavailable, unreachable."}, []string{"cause"}),
		downGauge: prometheus.NewGauge(prometheus.GaugeOpts{Name: "newsflow_sink_store_down",
			Help: "1 while the sink holds its batch because a store refuses writes."}),
	}
	reg.MustRegister(p.stored, p.claims, p.relev, p.batches, p.outages, p.downGauge)
	return p
}

func (p *processor) ready(ctx context.Context) error {
	if err := p.store.Ping(ctx); err != nil {
		return err
	}
	if p.down.Load() {
		if why := p.downWhy.Load(); why != nil {
			return fmt.Errorf("sink: holding the batch: %s", *why)
		}
		return errors.New("sink: last write failed; waiting for the store")
	}
	return nil
}

func (p *processor) processBatch(ctx context.Context, ms []*bus.Message) []error {
	errs := make([]error, len(ms))
	arts := make([]schema.ArticleTaggedV1, 0, len(ms))
	idx := make([]int, 0, len(ms))
	now := p.now().UTC()
	for i, m := range ms {
		a, err := schema.DecodeTagged(m.Data)
		if err != nil {
			errs[i] = err
			continue
		}
		a.Stages.StoredAt = &now
		arts = append(arts, a)
		idx = append(idx, i)
	}
	if len(arts) == 0 {
		return errs
	}
	err := p.hold(ctx, "batch", len(arts), func() error { return p.store.Upsert(ctx, arts) })
	if errors.Is(err, errStopped) {
		for _, i := range idx {
			errs[i] = err
		}
		return errs
	}
	if err == nil {
		p.count(arts)
		return errs
	}
	// The store is up and took nothing, so something in the batch is bad:
	// store one by one so the good articles are not held back by it. Only
	// the article's own error is charged to it; an outage on the way holds
	// as above.
	p.log.Warn("Batch failed with the store up; storing one by one.", zap.Int("batch", len(arts)), zap.Error(err))
	for k := range arts {
		one := arts[k : k+1]
		if err := p.hold(ctx, "article", 1, func() error { return p.store.Upsert(ctx, one) }); err != nil {
			errs[idx[k]] = err
			continue
		}
		p.count(one)
	}
	return errs
}

// errStopped marks a write given up because the service is stopping while
// the store was down: the messages go back unacked, charged nothing.
var errStopped = errors.New("sink: stopping with the store unavailable")

// hold runs write until it succeeds or fails for a reason of the articles'
// own, which it returns. While the store is down (an error store.Outage
// names: read-only, disk full, locked, connection; or any error while a
// ping fails) it holds the messages and retries with backoff: the worker
// keeps them alive with in-progress acks, so an outage of any length costs
// no delivery attempt and sends nothing to the dead-letter stream, /readyz
// reports not ready, and one log line names the store and the cause. Only
// a shutdown gives the messages back (errStopped).
func (p *processor) hold(ctx context.Context, what string, n int, write func() error) error {
	err := write()
	for delay := 100 * time.Millisecond; err != nil; delay = min(delay*2, 2*time.Second) {
		cause := store.Outage(err)
		if cause == "" {
			if p.storeUp(ctx) {
				break
			}
			cause = "unreachable"
		}
		why := fmt.Sprintf("%s refuses writes (%s): %v", store.Where(p.store), cause, err)
		p.downWhy.Store(&why)
		if !p.down.Swap(true) {
			p.outages.WithLabelValues(cause).Inc()
			p.downGauge.Set(1)
			p.log.Error("Store unavailable; holding the "+what+" until it is back.", zap.String("store", store.Where(p.store)),
				zap.String("cause", cause), zap.Int("articles", n), zap.Error(err))
		}
		select {
		case <-p.stopping:
			return fmt.Errorf("%w (%s): %w", errStopped, cause, err)
		case <-time.After(delay):
		}
		err = write()
	}
	// Here the write went through, or failed with the store up: either
	// way the store takes writes again.
	if p.down.Swap(false) {
		p.downGauge.Set(0)
		p.log.Info("Store back; held "+what+" written.", zap.String("store", store.Where(p.store)), zap.Int("articles", n))
	}
	return err
}

// storeUp pings the store, bounded so that an unreachable host cannot
// stall the retry loop.
func (p *processor) storeUp(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return p.store.Ping(ctx) == nil
}

func (p *processor) count(arts []schema.ArticleTaggedV1) {
	p.batches.Observe(float64(len(arts)))
	p.stored.Add(float64(len(arts)))
	for _, a := range arts {
		p.claims.Add(float64(len(a.Claims)))
		if a.Relevant {
			p.relev.Inc()
		}
	}
}
