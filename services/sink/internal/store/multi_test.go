package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// flaky fails Upsert while down is set, like a database that went away.
type flaky struct {
	Store
	down bool
}

var errDown = errors.New("down")

func (f *flaky) Upsert(ctx context.Context, b []schema.ArticleTaggedV1) error {
	if f.down {
		return errDown
	}
	return f.Store.Upsert(ctx, b)
}

func TestMultiWritesEveryStore(t *testing.T) {
	dir := t.TempDir()
	db := specOpener("sqlite:" + filepath.Join(dir, "m.db"))(t)
	files := &flaky{Store: specOpener("jsonl:" + filepath.Join(dir, "out"))(t)}
	m := Multi(db, files)
	in := storetest.Articles(40, 6) // no stored time: Multi stamps one for all

	upsert(t, m, in[:3])
	files.down = true
	if err := m.Upsert(context.Background(), in); !errors.Is(err, errDown) {
		t.Fatalf("Upsert with one store down = %v, want its error", err)
	}
	files.down = false
	upsert(t, m, in) // the retry: the database skips, the files catch up

	fromDB, fromFiles := export(t, db, ExportFilter{}), export(t, files, ExportFilter{})
	if len(fromDB) != 6 || len(fromFiles) != 6 {
		t.Fatalf("%d and %d articles, want 6 in each", len(fromDB), len(fromFiles))
	}
	// The first three were stored by one call: the same stored time. The
	// others got one per store, from the call that stored them there.
	sameArticles(t, fromFiles[:3], fromDB[:3])
	if fromDB[3].Stages.StoredAt.Equal(*fromFiles[3].Stages.StoredAt) {
		t.Error("the retried articles have the stored time of the failed call in the files")
	}
	for i := range fromDB {
		fromDB[i].Stages.StoredAt, fromFiles[i].Stages.StoredAt = nil, nil
	}
	sameArticles(t, fromFiles, fromDB)
	if got, want := stats(t, m), stats(t, db); got != want {
		t.Errorf("Multi Stats = %+v, want the first store's %+v", got, want)
	}
	if err := m.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestMultiReadsFromFirstThatCan(t *testing.T) {
	dir := t.TempDir()
	files := specOpener("jsonl:" + filepath.Join(dir, "out"))(t)
	m := Multi(files)
	upsert(t, m, storetest.Articles(41, 2))
	if err := m.Export(context.Background(), ExportFilter{Query: "x"}, func(schema.ArticleTaggedV1) error { return nil }); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Export with a query no store supports = %v, want ErrUnsupported", err)
	}
	rows, err := m.Claims(context.Background(), ClaimFilter{})
	if err != nil || len(rows) == 0 {
		t.Errorf("Claims = %d rows, %v", len(rows), err)
	}
}
