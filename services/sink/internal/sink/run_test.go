package sink

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

func taggedMsg(t *testing.T, id, hash string, claims int) *bus.Message {
	t.Helper()
	now := time.Now().UTC()
	a := schema.ArticleTaggedV1{SchemaVersion: schema.Version, ID: id, URL: "https://ex.com/" + id, CanonicalURL: "https://ex.com/" + id,
		ContentHash: hash, Title: "T " + id, Text: "text", Relevant: true, Tags: []schema.Tag{{Name: "isis", Score: 0.9, Evidence: []string{"ISIS"}}},
		Stages: schema.Stages{FetchedAt: now, CleanedAt: &now, TaggedAt: &now}}
	for i := 0; i < claims; i++ {
		v := float64(i + 1)
		a.Claims = append(a.Claims, schema.Claim{Text: "claim", Speaker: "X", Quantities: []schema.Quantity{{Value: &v, Unit: "people", Qualifier: "exact", Raw: "1 people"}}, Offset: -1})
	}
	data, err := schema.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	return &bus.Message{Data: data}
}

func TestProcessBatchIsIdempotentAndIsolatesPoison(t *testing.T) {
	ctx := context.Background()
	st, err := OpenStores(ctx, Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "t.db"), JSONLDir: t.TempDir(), FSync: "batch"}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	p := newProcessor(st, zaptest.NewLogger(t), prometheus.NewRegistry())
	batch := []*bus.Message{taggedMsg(t, "a", "1", 2), {Data: []byte(`{"schema_version":"1.0"}`)}, taggedMsg(t, "b", "1", 3)}
	errs := p.processBatch(ctx, batch)
	if errs[0] != nil || errs[2] != nil || !bus.IsPermanent(errs[1]) {
		t.Fatalf("errs = %v, want only the poison to fail, permanently", errs)
	}
	// A redelivery of the same batch adds nothing.
	if errs := p.processBatch(ctx, []*bus.Message{taggedMsg(t, "a", "1", 2), taggedMsg(t, "b", "1", 3)}); errors.Join(errs...) != nil {
		t.Fatal(errs)
	}
	// An update replaces the article's claims.
	if errs := p.processBatch(ctx, []*bus.Message{taggedMsg(t, "a", "2", 1)}); errors.Join(errs...) != nil {
		t.Fatal(errs)
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Articles != 2 || stats.Claims != 4 {
		t.Fatalf("stats = %+v, want 2 articles and 1+3 claims", stats)
	}
	if err := p.ready(ctx); err != nil {
		t.Fatalf("ready: %v", err)
	}
	var n int
	if err := st.Export(ctx, store.ExportFilter{}, func(schema.ArticleTaggedV1) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("export: %d, %v", n, err)
	}
}

func TestImportStoresLinesIdempotently(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "import.db")
	var in strings.Builder
	for i, m := range []*bus.Message{taggedMsg(t, "a", "1", 2), {Data: []byte(`{"schema_version":"1.1","url":"no id"}`)}, taggedMsg(t, "b", "1", 3)} {
		in.Write(m.Data)
		in.WriteString("\n")
		if i == 0 {
			in.WriteString("\n")
		}
	}
	run := func() (string, string, error) {
		var out, errb bytes.Buffer
		err := Main(context.Background(), app.Env{Args: []string{"import", "--db", db, "--batch", "2"}, Stdin: strings.NewReader(in.String()),
			Lookup: func(string) (string, bool) { return "", false }, Stdout: &out, Stderr: &errb})
		return out.String(), errb.String(), err
	}
	for range 2 { // a second import of the same lines adds no row
		out, errb, err := run()
		if err == nil || !strings.Contains(err.Error(), "1 articles failed") {
			t.Errorf("err = %v, want one counting the bad line", err)
		}
		if !strings.Contains(out, "imported 2 articles, 1 failed") || !strings.Contains(errb, "stdin:3:") {
			t.Errorf("output %q, stderr %q", out, errb)
		}
	}
	st, err := store.OpenReadOnly(context.Background(), db, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Articles != 2 || stats.Claims != 5 {
		t.Errorf("stored %d articles and %d claims, want 2 and 5", stats.Articles, stats.Claims)
	}
}
