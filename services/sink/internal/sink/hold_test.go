package sink

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// refusing is a store whose writes fail with err for the first fails
// calls while its Ping keeps answering: what a read-only SQLite file or a
// full disk looks like.
type refusing struct {
	store.Store
	err    error
	fails  int
	calls  int
	during func() // called at each refused write
}

func (r *refusing) Upsert(ctx context.Context, b []schema.ArticleTaggedV1) error {
	r.calls++
	if r.calls <= r.fails {
		if r.during != nil {
			r.during()
		}
		return fmt.Errorf("store: sqlite: begin: %w", r.err)
	}
	return r.Store.Upsert(ctx, b)
}

// readOnlyError is modernc's own error for a write to a read-only database.
func readOnlyError(t *testing.T) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ro.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER)`); err != nil {
		t.Fatal(err)
	}
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	_, err = ro.Exec(`INSERT INTO t VALUES (1)`)
	if err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("read-only write gave %v", err)
	}
	return err
}

// TestReadOnlyStoreHoldsTheBatch: a store that refuses writes while it
// answers pings is an outage, not a fault of the articles: the batch is
// held (no error charged to any message), /readyz is not ready meanwhile,
// one log line names the store and the cause, the metric counts it, and
// the batch is stored once the store takes writes again.
func TestReadOnlyStoreHoldsTheBatch(t *testing.T) {
	ctx := context.Background()
	st, err := OpenStores(ctx, Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "t.db")}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	core, logs := observer.New(zap.InfoLevel)
	ref := &refusing{Store: st, err: readOnlyError(t), fails: 3}
	p := newProcessor(ref, zap.New(core), prometheus.NewRegistry())
	var readyDuring []error
	ref.during = func() { readyDuring = append(readyDuring, p.ready(ctx)) }

	errs := p.processBatch(ctx, []*bus.Message{taggedMsg(t, "a", "1", 1), taggedMsg(t, "b", "1", 0)})
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("a read-only store charged the articles: %v", err)
	}
	if len(readyDuring) != 3 || readyDuring[1] == nil || readyDuring[2] == nil {
		t.Errorf("readiness during the outage = %v, want not ready after the first refusal", readyDuring)
	} else if why := readyDuring[2].Error(); !strings.Contains(why, "t.db") || !strings.Contains(why, "read-only") {
		t.Errorf("/readyz says %q, want the file and the cause", why)
	}
	if err := p.ready(ctx); err != nil {
		t.Errorf("not ready after the store came back: %v", err)
	}
	if n := testutil.ToFloat64(p.outages.WithLabelValues("read-only")); n != 1 {
		t.Errorf("newsflow_sink_store_outages_total{cause=read-only} = %v, want 1", n)
	}
	held := logs.FilterMessageSnippet("Store unavailable").All()
	if len(held) != 1 {
		t.Fatalf("%d 'Store unavailable' lines, want 1", len(held))
	}
	f := held[0].ContextMap()
	if f["cause"] != "read-only" || !strings.Contains(fmt.Sprint(f["store"]), "t.db") {
		t.Errorf("log line fields %v, want the cause and the file", f)
	}
	stats, err := st.Stats(ctx)
	if err != nil || stats.Articles != 2 {
		t.Fatalf("stored %+v, %v; want the 2 held articles", stats, err)
	}
}

// TestStopWhileHeldGivesTheBatchBack: a shutdown during an outage returns
// the batch unacked with an error saying why, not charged as the articles'.
func TestStopWhileHeldGivesTheBatchBack(t *testing.T) {
	ctx := context.Background()
	st, err := OpenStores(ctx, Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "t.db")}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	stop := make(chan struct{})
	ref := &refusing{Store: st, err: readOnlyError(t), fails: 1 << 30}
	ref.during = func() {
		if ref.calls == 2 {
			close(stop)
		}
	}
	p := newProcessor(ref, zap.NewNop(), prometheus.NewRegistry())
	p.stopping = stop
	errs := p.processBatch(ctx, []*bus.Message{taggedMsg(t, "a", "1", 1)})
	if !errors.Is(errs[0], errStopped) || bus.IsPermanent(errs[0]) {
		t.Fatalf("errs = %v, want the batch given back on stop", errs)
	}
}

func (r *refusing) Where() string { return store.Where(r.Store) }
