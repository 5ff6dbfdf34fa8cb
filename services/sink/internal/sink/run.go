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
	var stores []store.Store
	if cfg.DB != "" {
		s, err := store.Open(ctx, cfg.DB, log)
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
	st, err := OpenStores(ctx, cfg, log)
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
	// stopping is closed when the service stops: a batch held while the
	// store is down is given back then (the worker's context outlives it).
	stopping <-chan struct{}
	stored   prometheus.Counter
	claims   prometheus.Counter
	relev    prometheus.Counter
	batches  prometheus.Histogram
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
	}
	reg.MustRegister(p.stored, p.claims, p.relev, p.batches)
	return p
}

func (p *processor) ready(ctx context.Context) error {
	if err := p.store.Ping(ctx); err != nil {
		return err
	}
	if p.down.Load() {
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
	err := p.store.Upsert(ctx, arts)
	// The store is down: hold the batch and retry with backoff until it is
	// back. The worker keeps the messages alive with in-progress acks, so
	// an outage of any length costs no delivery attempt and sends nothing
	// to the dead-letter stream. Only a shutdown gives the batch back.
	for delay := 100 * time.Millisecond; err != nil && !p.storeUp(ctx); delay = min(delay*2, 2*time.Second) {
		if !p.down.Swap(true) {
			p.log.Warn("Store unavailable; holding the batch until it is back.", zap.Int("batch", len(arts)), zap.Error(err))
		}
		select {
		case <-p.stopping:
			for _, i := range idx {
				errs[i] = fmt.Errorf("sink: store unavailable: %w", err)
			}
			return errs
		case <-time.After(delay):
		}
		err = p.store.Upsert(ctx, arts)
	}
	if err == nil {
		if p.down.Swap(false) {
			p.log.Info("Store back; held batch stored.", zap.Int("batch", len(arts)))
		}
		p.count(arts)
		return errs
	}
	// The store is up, so something in the batch is bad: store one by one
	// so the good articles are not held back by it.
	p.log.Warn("Batch failed with the store up; storing one by one.", zap.Int("batch", len(arts)), zap.Error(err))
	for k := range arts {
		if err := p.store.Upsert(ctx, arts[k:k+1]); err != nil {
			errs[idx[k]] = err
			continue
		}
		p.count(arts[k : k+1])
	}
	return errs
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
