package deskdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// BenchmarkFollowLook times the follower's look at a SQLite store of
// 3,000 articles the ledger already has, published a minute apart as they
// were stored (a live feed): what the desk costs every
// NEWSFLOW_DESK_FOLLOW_INTERVAL when nothing new was stored ("idle"), and
// a look that finds 50 new articles and syncs them ("50 new").
func BenchmarkFollowLook(b *testing.B) {
	ctx := context.Background()
	s := specOpener("sqlite:" + filepath.Join(b.TempDir(), "newsflow.db"))(&testing.T{})
	b.Cleanup(func() { _ = s.Close() })
	d, err := Open(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	sd := d.(*sqlDesk)
	const n = 3000
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	stamp := func(a *schema.ArticleTaggedV1, i int) {
		at := t0.Add(time.Duration(i) * time.Minute)
		a.Stages.StoredAt, a.PublishedAt = &at, &at
	}
	as := storetest.Articles(21, n)
	for i := range as {
		stamp(&as[i], i)
	}
	for start := 0; start < n; start += 500 {
		if err := s.Upsert(ctx, as[start:start+500]); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := d.CatchUpLedger(ctx); err != nil {
		b.Fatal(err)
	}
	pending := prometheus.NewGauge(prometheus.GaugeOpts{Name: "pending"})
	floor := t0.Add((n - 2) * time.Minute).UnixMicro()
	b.Run("idle", func(b *testing.B) {
		for b.Loop() {
			if got, _, err := sd.look(ctx, floor, pending); err != nil || got != 0 {
				b.Fatalf("look: %d, %v", got, err)
			}
		}
		b.ReportMetric(float64(n), "stored")
	})
	b.Run("50 new", func(b *testing.B) {
		round := 0
		for b.Loop() {
			b.StopTimer()
			batch := make([]schema.ArticleTaggedV1, 50)
			for i := range batch {
				k := n + round*50 + i
				batch[i] = storetest.Article(21, k)
				stamp(&batch[i], k)
			}
			round++
			if err := s.Upsert(ctx, batch); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if got, _, err := sd.look(ctx, floor, pending); err != nil || got != 50 {
				b.Fatalf("look: %d, %v; want 50 synced", got, err)
			}
		}
	})
}
