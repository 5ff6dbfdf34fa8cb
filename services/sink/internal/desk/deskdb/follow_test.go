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
	"github.com/newsflow/newsflow/services/sink/internal/store"
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

// TestOpenIndexesTheStoredTime: the follower's index exists after Open on
// both databases (PostgreSQL builds it concurrently, outside the schema's
// transaction), and a second Open is a no-op.
func TestOpenIndexesTheStoredTime(t *testing.T) {
	for _, b := range backends()[:2] {
		t.Run(b.name, func(t *testing.T) {
			if b.ready != nil {
				b.ready(t)
			}
			s := b.newPlace(t)(t)
			deskOf(t, s)
			d := deskOf(t, s).(*sqlDesk)
			q := "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'desk_articles_stored'"
			if d.d.postgres {
				q = `SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
					JOIN pg_namespace n ON n.oid = c.relnamespace
					WHERE c.relname = 'desk_articles_stored' AND n.nspname = current_schema() AND i.indisvalid`
			}
			var n int64
			if err := scanAll(context.Background(), d.db.Query, rawQuery(d.d, q), func(r store.Rows) error { return r.Scan(&n) }); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%d valid desk_articles_stored indexes, want 1", n)
			}
		})
	}
}
