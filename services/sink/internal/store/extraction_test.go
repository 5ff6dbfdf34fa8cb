package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// extractionCase stores an article with the cleaner's confidence, method
// and date source, then a newer version of it with others, and an article
// without them; query reads (confidence, method, source) back by id.
func extractionCase(t *testing.T, s Store, query func(id string) (*float64, string, string)) {
	t.Helper()
	in := stamped(storetest.Articles(7, 2))
	in[0].Extraction = &schema.Extraction{Confidence: 0.42, Method: "fallback"}
	in[0].PublishedSource = "text"
	in[1].Extraction, in[1].PublishedSource = nil, ""
	upsert(t, s, in)
	check := func(id string, conf float64, hasConf bool, method, source string) {
		t.Helper()
		c, m, src := query(id)
		if hasConf != (c != nil) || c != nil && *c != conf || m != method || src != source {
			t.Errorf("%s: stored confidence %v, method %q, source %q; want %v (set %v), %q, %q", id, c, m, src, conf, hasConf, method, source)
		}
	}
	check(in[0].ID, 0.42, true, "fallback", "text")
	check(in[1].ID, 0, false, "", "")

	next := in[0]
	next.ContentHash = "changed-" + next.ContentHash
	next.Stages.FetchedAt = next.Stages.FetchedAt.Add(time.Hour)
	next.Extraction = &schema.Extraction{Confidence: 0.9, Method: "dom"}
	next.PublishedSource = "meta"
	upsert(t, s, []schema.ArticleTaggedV1{next})
	check(next.ID, 0.9, true, "dom", "meta")
}

func TestSQLiteStoresExtraction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	s := specOpener("sqlite:" + path)(t)
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	extractionCase(t, s, func(id string) (*float64, string, string) {
		var c sql.NullFloat64
		var m, src string
		if err := db.QueryRow("SELECT extraction_confidence, extraction_method, published_source FROM articles WHERE id = ?", id).Scan(&c, &m, &src); err != nil {
			t.Fatal(err)
		}
		if !c.Valid {
			return nil, m, src
		}
		return &c.Float64, m, src
	})
}

func TestPostgresStoresExtraction(t *testing.T) {
	dsn := storetest.PostgresSchema(t)
	s := specOpener(withParam(t, dsn, searchIndexerParam, "off"))(t)
	c := pgConn(t, dsn)
	extractionCase(t, s, func(id string) (*float64, string, string) {
		var conf *float64
		var m, src string
		if err := c.QueryRow(context.Background(), "SELECT extraction_confidence, extraction_method, published_source FROM articles WHERE id = $1", id).Scan(&conf, &m, &src); err != nil {
			t.Fatal(err)
		}
		return conf, m, src
	})
}
