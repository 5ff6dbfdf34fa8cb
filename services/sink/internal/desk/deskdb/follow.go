package deskdb

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// FollowOptions say how the desk follows the stored articles.
type FollowOptions struct {
	// Interval is the time between two looks at the articles.
	Interval time.Duration
	// Lag is how far before the newest stored time of the previous look
	// each look reaches back: a batch whose transaction took longer than
	// that to commit (or was held while the store was down) is found by
	// the next rescan instead.
	Lag time.Duration
	// Rescan is the time between two full catch-ups, which find anything
	// the looks missed and drop articles deleted by hand.
	Rescan time.Duration
}

// followMetrics are the follower's figures, registered by Run.
type followMetrics struct {
	synced  prometheus.Counter
	errs    prometheus.Counter
	looks   prometheus.Histogram
	pending prometheus.Gauge
}

func newFollowMetrics(reg prometheus.Registerer) *followMetrics {
	m := &followMetrics{
		synced: prometheus.NewCounter(prometheus.CounterOpts{Name: "newsflow_desk_ledger_articles_synced_total",
			Help: "Articles whose new or changed content the desk brought into the ledger."}),
		errs: prometheus.NewCounter(prometheus.CounterOpts{Name: "newsflow_desk_ledger_errors_total",
			Help: "Looks at the stored articles that failed (the next look retries)."}),
		looks: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "newsflow_desk_ledger_look_seconds",
			Help:    "Time of one look at the stored articles, syncing what changed.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{Name: "newsflow_desk_ledger_pending_articles",
			Help: "Articles the last look found stored but not yet in the ledger."}),
	}
	reg.MustRegister(m.synced, m.errs, m.looks, m.pending)
	return m
}

// Follow keeps d's ledger up to date with the stored articles until ctx is
// done, and returns nil then. Ingest never waits for it: the sink stores
// and acks, and the desk finds what changed by the articles' stored time
// (indexed, see schema.sql), syncing it as SyncLedger does, so a desk that
// was slow or stopped catches up by itself and a replica that syncs what
// another already did changes nothing. A desk over JSON lines has nothing
// to follow: it computes the ledger on each read.
func Follow(ctx context.Context, d Store, opts FollowOptions, log *zap.Logger, reg prometheus.Registerer) error {
	sd, ok := d.(*sqlDesk)
	if !ok {
		<-ctx.Done()
		return nil
	}
	m := newFollowMetrics(reg)
	opts.Interval = max(opts.Interval, 10*time.Millisecond)
	floor := int64(math.MinInt64)
	lastFull := time.Now()
	failing := false
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		start := time.Now()
		var n int
		var err error
		if opts.Rescan > 0 && time.Since(lastFull) >= opts.Rescan {
			n, err = sd.catchUp(ctx)
			if err == nil {
				lastFull = time.Now()
			}
		} else {
			var newest int64
			n, newest, err = sd.look(ctx, floor, m.pending)
			if err == nil && newest != math.MinInt64 {
				floor = newest - opts.Lag.Microseconds()
			}
		}
		m.synced.Add(float64(n))
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			m.errs.Inc()
			if !failing {
				log.Warn("Following the stored articles failed; retrying.", zap.Error(err))
			}
			failing = true
		default:
			m.looks.Observe(time.Since(start).Seconds())
			if failing {
				log.Info("Following the stored articles again.")
			}
			failing = false
			if n > 0 {
				log.Debug("Ledger synced.", zap.Int("articles", n))
			}
		}
		t.Reset(opts.Interval)
	}
}

// followChunk is how many articles one sync of a look takes.
const followChunk = 256

// look syncs every article stored at or after fromUs that the ledger
// lacks or has an older version of. It returns how many changed the
// ledger and the newest stored time it saw before looking, from which the
// next look reaches back by the lag.
func (l *sqlDesk) look(ctx context.Context, fromUs int64, pending prometheus.Gauge) (int, int64, error) {
	newest := int64(math.MinInt64)
	var top *int64
	if err := scanAll(ctx, l.db.Query, rawQuery(l.d, "SELECT MAX(stored_us) FROM articles"), func(r store.Rows) error {
		return r.Scan(&top)
	}); err != nil {
		return 0, newest, ledgerErr("newest stored time", err)
	}
	if top == nil {
		pending.Set(0)
		return 0, newest, nil
	}
	newest = *top
	total := 0
	lastUs, lastID := fromUs, ""
	first := true
	for {
		q := &query{d: l.d}
		q.sql.WriteString(`SELECT a.id, a.stored_us FROM articles a LEFT JOIN ledger_articles s ON s.article_id = a.id
			WHERE (s.article_id IS NULL OR s.content_hash <> a.content_hash)`)
		q.sql.WriteString(" AND (a.stored_us > " + q.arg(lastUs) + " OR (a.stored_us = " + q.arg(lastUs) + " AND a.id > " + q.arg(lastID) + "))")
		q.sql.WriteString(" ORDER BY a.stored_us, a.id LIMIT " + q.arg(followChunk))
		var ids []string
		err := scanAll(ctx, l.db.Query, q, func(r store.Rows) error {
			var id string
			if err := r.Scan(&id, &lastUs); err != nil {
				return err
			}
			ids = append(ids, id)
			lastID = id
			return nil
		})
		if err != nil {
			return total, newest, ledgerErr("find stored articles", err)
		}
		if first {
			// A lower bound when there are more than a chunk: enough to
			// see the desk is behind.
			pending.Set(float64(len(ids)))
			first = false
		}
		if len(ids) == 0 {
			return total, newest, nil
		}
		n, err := l.sync(ctx, ids)
		total += n
		if err != nil {
			return total, newest, err
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			return total, newest, ctx.Err()
		}
	}
}
