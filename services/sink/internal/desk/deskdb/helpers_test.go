package deskdb

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// backend opens stores of one kind, as the store's conformance suite does:
// newPlace returns a function opening a store on one fresh, empty place.
type backend struct {
	name string
	// ready fails the test at once, with one message, when the backend's
	// server is missing.
	ready    func(t *testing.T)
	newPlace func(t *testing.T) func(t *testing.T) store.Store
}

func backends() []backend {
	return []backend{
		{name: "sqlite", newPlace: func(t *testing.T) func(t *testing.T) store.Store {
			return specOpener("sqlite:" + filepath.Join(t.TempDir(), "newsflow.db"))
		}},
		{name: "postgres", ready: func(t *testing.T) { storetest.PostgresDSN(t) }, newPlace: func(t *testing.T) func(t *testing.T) store.Store {
			return specOpener(storetest.PostgresSchema(t))
		}},
		{name: "jsonl", newPlace: func(t *testing.T) func(t *testing.T) store.Store {
			return specOpener("jsonl:" + t.TempDir())
		}},
	}
}

func specOpener(spec string) func(t *testing.T) store.Store {
	return func(t *testing.T) store.Store {
		t.Helper()
		s, err := store.Open(context.Background(), spec, zaptest.NewLogger(t))
		if err != nil {
			t.Fatalf("Open(%q): %v", spec, err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
}

func deskOf(t *testing.T, s store.Store) Store {
	t.Helper()
	d, err := Open(context.Background(), s)
	if err != nil {
		t.Fatalf("desk Open: %v", err)
	}
	return d
}

// stamped returns articles with a fixed stored time, as the sink sets it.
func stamped(as []schema.ArticleTaggedV1) []schema.ArticleTaggedV1 {
	at := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	out := slices.Clone(as)
	for i := range out {
		out[i].Stages.StoredAt = &at
	}
	return out
}

func upsert(t *testing.T, s store.Store, batch []schema.ArticleTaggedV1) {
	t.Helper()
	if err := s.Upsert(context.Background(), batch); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sameArticles(t *testing.T, got, want []schema.ArticleTaggedV1) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d articles, want %d", len(got), len(want))
	}
	for i := range want {
		if g, w := jsonOf(t, got[i]), jsonOf(t, want[i]); g != w {
			t.Fatalf("article %d (%s) differs:\n got %.300s\nwant %.300s", i, want[i].ID, g, w)
		}
	}
}
