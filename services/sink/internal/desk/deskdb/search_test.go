package deskdb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/services/sink/internal/store"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// TestSearch: the desk's search ranks, marks and combines with the other
// filters the same in SQLite and PostgreSQL; JSON lines says it cannot.
func TestSearch(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			if b.ready != nil {
				b.ready(t)
			}
			s := b.newPlace(t)(t)
			in := storetest.Articles(50, 5)
			for i := range in {
				in[i].Relevant = true
			}
			in[1].Text += " One zeppelin over the harbour."
			in[3].Title = "Zeppelin day"
			in[3].Text += " The zeppelin came back, a second zeppelin too."
			if err := s.Upsert(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			d := deskOf(t, s)
			f := ArticleFilter{Query: "zeppelin", RelevantOnly: true}
			hits, err := d.Search(context.Background(), f)
			if b.name == "jsonl" {
				if !errors.Is(err, store.ErrUnsupported) {
					t.Fatalf("JSON lines: %v, want ErrUnsupported", err)
				}
				return
			}
			// PostgreSQL indexes behind the writes.
			for deadline := time.Now().Add(15 * time.Second); err == nil && len(hits) < 2 && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
				hits, err = d.Search(context.Background(), f)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 2 || hits[0].ID != in[3].ID || hits[1].ID != in[1].ID {
				t.Fatalf("%d hits, want %s then %s", len(hits), in[3].ID, in[1].ID)
			}
			if !strings.Contains(strings.ToLower(hits[1].Snippet), "<mark>zeppelin</mark>") {
				t.Errorf("snippet %q", hits[1].Snippet)
			}
			// Articles filters by the query and keeps the newest-first order.
			arts, err := d.Articles(context.Background(), ArticleFilter{Query: "zeppelin -harbour"})
			if err != nil || len(arts) != 1 || arts[0].ID != in[3].ID {
				t.Errorf("Articles with a query: %d, %v", len(arts), err)
			}
			f.Site = "nowhere.example"
			if hits, err := d.Search(context.Background(), f); err != nil || len(hits) != 0 {
				t.Errorf("search in an unknown outlet: %d hits, %v", len(hits), err)
			}
		})
	}
}

// TestArticle: one article by id, as stored; ErrNotFound for another.
func TestArticle(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			if b.ready != nil {
				b.ready(t)
			}
			s := b.newPlace(t)(t)
			in := storetest.Articles(51, 3)
			if err := s.Upsert(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			d := deskOf(t, s)
			a, err := d.Article(context.Background(), in[1].ID)
			if err != nil || a.ID != in[1].ID || a.Text != in[1].Text || len(a.Claims) != len(in[1].Claims) {
				t.Errorf("Article(%s) = %s, %v", in[1].ID, a.ID, err)
			}
			if _, err := d.Article(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Article(nope): %v, want ErrNotFound", err)
			}
		})
	}
}
