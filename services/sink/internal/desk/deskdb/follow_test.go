package deskdb

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger/ledgertest"
)

// TestLookReachesBackByTheLag: a look finds what was stored at or after
// its floor and nothing older; the rescan (a full catch-up) finds an
// article whose stored time is older than the floor, as a batch held
// through a store outage has.
func TestLookReachesBackByTheLag(t *testing.T) {
	ctx := context.Background()
	s := specOpener("sqlite:" + filepath.Join(t.TempDir(), "newsflow.db"))(t)
	d := deskOf(t, s).(*sqlDesk)
	pending := prometheus.NewGauge(prometheus.GaugeOpts{Name: "pending"})
	as := ledgertest.Recording(t)
	at := func(a schema.ArticleTaggedV1, ts time.Time) schema.ArticleTaggedV1 { a.Stages.StoredAt = &ts; return a }
	t0 := time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)
	upsert(t, s, []schema.ArticleTaggedV1{at(as[0], t0), at(as[1], t0.Add(time.Second))})

	n, newest, err := d.look(ctx, math.MinInt64, pending)
	if err != nil || n != 2 || newest != t0.Add(time.Second).UnixMicro() {
		t.Fatalf("first look: %d synced, newest %d, %v; want 2 and the second's time", n, newest, err)
	}
	if n, _, err := d.look(ctx, newest-time.Minute.Microseconds(), pending); err != nil || n != 0 {
		t.Fatalf("a look with nothing new synced %d, %v", n, err)
	}
	// Stored now but stamped an hour before the floor: the looks miss it.
	upsert(t, s, []schema.ArticleTaggedV1{at(as[2], t0.Add(-time.Hour))})
	if n, _, err := d.look(ctx, newest-time.Minute.Microseconds(), pending); err != nil || n != 0 {
		t.Fatalf("a look reached %d articles older than its floor, %v", n, err)
	}
	if n, err := d.CatchUpLedger(ctx); err != nil || n != 1 {
		t.Fatalf("the rescan synced %d, %v; want the late one", n, err)
	}
}

// TestFollowKeepsTheLedger stores the recording and the repeats in
// batches while Follow runs, and checks the ledger ends equal to a
// rebuild, with the follower's rescans on.
func TestFollowKeepsTheLedger(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := specOpener("sqlite:" + filepath.Join(t.TempDir(), "newsflow.db"))(t)
	d := deskOf(t, s)
	done := make(chan error, 1)
	go func() {
		done <- Follow(ctx, d, FollowOptions{Interval: 5 * time.Millisecond, Lag: time.Minute, Rescan: 50 * time.Millisecond},
			zaptest.NewLogger(t), prometheus.NewRegistry())
	}()
	as := append(ledgertest.Recording(t), ledgertest.Repeats(t)...)
	for start := 0; start < len(as); start += 5 {
		upsert(t, s, as[start:min(start+5, len(as))])
	}
	want := jsonOf(t, fullLedger(as))
	deadline := time.Now().Add(30 * time.Second)
	for jsonOf(t, allGroups(t, d)) != want {
		if time.Now().After(deadline) {
			t.Fatal("the follower did not bring the ledger to the rebuild's in 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Follow: %v", err)
	}
}
