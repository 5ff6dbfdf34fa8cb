package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

func TestParseSearch(t *testing.T) {
	tests := []struct {
		in, fts5, tsquery string
		bad               bool
	}{
		{"", "", "", false},
		{"   ", "", "", false},
		{"isis", `("isis")`, `'isis'`, false},
		{"isis raqqa", `("isis" AND "raqqa")`, `'isis' & 'raqqa'`, false},
		{`"islamic state" raqqa`, `("islamic" + "state" AND "raqqa")`, `('islamic' <-> 'state') & 'raqqa'`, false},
		{"raqqa -syria", `("raqqa") NOT "syria"`, `'raqqa' & !'syria'`, false},
		{`raqqa -"al qaeda" -isis`, `("raqqa") NOT "al" + "qaeda" NOT "isis"`, `'raqqa' & !('al' <-> 'qaeda') & !'isis'`, false},
		// Quotes and operators in words are text, not syntax.
		{`o'brien say"s`, `("o'brien" AND "say" AND "s")`, `'o''brien' & 'say' & 's'`, false},
		{`back\slash`, `("back\slash")`, `'back\\slash'`, false},
		{"AND OR NOT", `("AND" AND "OR" AND "NOT")`, `'AND' & 'OR' & 'NOT'`, false},
		// An unclosed quote runs to the end; words of no letter are dropped.
		{`"islamic state`, `("islamic" + "state")`, `('islamic' <-> 'state')`, false},
		{"isis & - -- raqqa", `("isis" AND "raqqa")`, `'isis' & 'raqqa'`, false},
		{"well-known", `("well-known")`, `'well-known'`, false},
		{"الرقة داعش", `("الرقة" AND "داعش")`, `'الرقة' & 'داعش'`, false},
		{"-syria", "", "", true},
		{`-"al qaeda" -isis`, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			q, err := ParseSearch(tc.in)
			if tc.bad {
				if !errors.Is(err, ErrBadSearch) {
					t.Fatalf("ParseSearch(%q) err = %v, want ErrBadSearch", tc.in, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := q.FTS5(); got != tc.fts5 {
				t.Errorf("FTS5 = %s, want %s", got, tc.fts5)
			}
			if got := q.TSQuery(); got != tc.tsquery {
				t.Errorf("TSQuery = %s, want %s", got, tc.tsquery)
			}
		})
	}
}

func TestSnippetHTML(t *testing.T) {
	got := SnippetHTML("a <b> & " + markStart + "raqqa" + markEnd + " …")
	if want := "a &lt;b&gt; &amp; <mark>raqqa</mark> …"; got != want {
		t.Errorf("SnippetHTML = %q, want %q", got, want)
	}
}

// searchable waits until every stored article can be searched: at once in
// SQLite (triggers), after the background indexer in PostgreSQL, which
// the test drives itself so it need not sleep.
func searchable(t *testing.T, s Store) {
	t.Helper()
	pg, ok := s.(*pgStore)
	if !ok {
		return
	}
	// The background indexer may hold rows this one skips: wait for none
	// to be left unindexed, not for this one to find none.
	for {
		if _, err := pg.indexSearch(context.Background(), searchBatch); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := pg.pool.QueryRow(context.Background(), "SELECT count(*) FROM articles WHERE search IS NULL").Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func searchIDs(t *testing.T, s Store, f ExportFilter) []string {
	t.Helper()
	var ids []string
	for _, a := range export(t, s, f) {
		ids = append(ids, a.ID)
	}
	return ids
}

// testSearch holds SQLite and PostgreSQL to the same search: words,
// phrases, exclusions, Arabic, ranking, snippets, claims by query, and an
// updated article found by its new words only.
func testSearch(t *testing.T, b backend, open func(t *testing.T) Store) {
	s := open(t)
	in := stamped(storetest.Articles(40, 6))
	in[0].Text += " Two zeppelins were seen over the harbour."
	in[1].Text += " A zeppelin landed near Raqqa."
	in[2].Title = "Harbour news: the harbour reopens"
	in[2].Text += " The harbour reopened; harbour traffic resumed."
	in[3].Language = "ar"
	in[3].Title = "تقرير"
	in[3].Text = "قال المتحدث إن مقاتلي التنظيم انسحبوا من الرقة يوم الأحد."
	upsert(t, s, in)
	if b.name == "jsonl" {
		err := s.Export(context.Background(), ExportFilter{Query: "zeppelin"}, func(schema.ArticleTaggedV1) error { return nil })
		if !errors.Is(err, ErrUnsupported) {
			t.Fatalf("JSON lines search: %v, want ErrUnsupported", err)
		}
		return
	}
	searchable(t, s)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"zeppelin", []string{in[0].ID, in[1].ID}},
		{"ZEPPELINS", []string{in[0].ID, in[1].ID}},
		{`"zeppelins were seen"`, []string{in[0].ID}},
		{`"seen were zeppelins"`, nil},
		{"zeppelin -raqqa", []string{in[0].ID}},
		{`zeppelin -"landed near"`, []string{in[0].ID}},
		{"harbour zeppelin", []string{in[0].ID}},
		{"الرقة", []string{in[3].ID}},
		{"المتحدث انسحبوا", []string{in[3].ID}},
		{"nothingsuchword", nil},
	} {
		got := searchIDs(t, s, ExportFilter{Query: tc.q})
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("Query %q = %v, want %v", tc.q, got, want)
		}
	}
	// Best match first: the title and three mentions beat one mention.
	hits, err := Find(context.Background(), s, ExportFilter{Query: "harbour"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].ID != in[2].ID || hits[1].ID != in[0].ID || !(hits[0].Rank > hits[1].Rank) {
		t.Fatalf("harbour: %d hits, want %s then %s by rank", len(hits), in[2].ID, in[0].ID)
	}
	if !strings.Contains(strings.ToLower(hits[1].Snippet), "<mark>harbour</mark>") {
		t.Errorf("snippet %q lacks the marked match", hits[1].Snippet)
	}
	ar, err := Find(context.Background(), s, ExportFilter{Query: "الرقة"})
	if err != nil || len(ar) != 1 || !strings.Contains(ar[0].Snippet, "<mark>الرقة</mark>") {
		t.Errorf("Arabic snippet: %v %v", ar, err)
	}
	// Search combines with the other filters.
	if got := searchIDs(t, s, ExportFilter{Query: "zeppelin", Language: "ar"}); len(got) != 0 {
		t.Errorf("zeppelin in Arabic articles: %v", got)
	}
	// Claims of the matching articles only, in the claims' order.
	rows, err := s.Claims(context.Background(), ClaimFilter{Query: "zeppelin -raqqa"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || slices.ContainsFunc(rows, func(r ClaimRow) bool { return r.ArticleID != in[0].ID }) {
		t.Errorf("claims for zeppelin -raqqa: %d rows, want only %s's", len(rows), in[0].ID)
	}
	if _, err := s.Claims(context.Background(), ClaimFilter{Query: "-raqqa"}); !errors.Is(err, ErrBadSearch) {
		t.Errorf("only an exclusion: %v, want ErrBadSearch", err)
	}
	// New content replaces the old in the index.
	v2 := stamped([]schema.ArticleTaggedV1{storetest.Revise(in[0], 40, 0, 1)})[0]
	upsert(t, s, []schema.ArticleTaggedV1{v2})
	searchable(t, s)
	if got := searchIDs(t, s, ExportFilter{Query: "zeppelin"}); !slices.Equal(got, []string{in[1].ID}) {
		t.Errorf("after an update: %v, want only %s", got, in[1].ID)
	}
}

// TestSQLiteSearchBackfill: articles stored before migration 00007 are
// searchable once it ran.
func TestSQLiteSearchBackfill(t *testing.T) {
	spec := "sqlite:" + t.TempDir() + "/old.db"
	s := specOpener(spec)(t)
	in := stamped(storetest.Articles(41, 3))
	in[1].Text += " The zeppelin returned."
	upsert(t, s, in)
	db := s.(*sqliteStore).db
	// Back to version 6: as a database written before search existed
	// (and before the later migrations, which goose must not see out of order).
	for _, q := range []string{"DROP TABLE claim_revisions", "DROP TRIGGER articles_search_insert", "DROP TRIGGER articles_search_update",
		"DROP TRIGGER articles_search_delete", "DROP TABLE article_search", "DROP TABLE article_search_ids",
		"DELETE FROM goose_db_version WHERE version_id >= 7"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	again := specOpener(spec)(t)
	if got := searchIDs(t, again, ExportFilter{Query: "zeppelin"}); !slices.Equal(got, []string{in[1].ID}) {
		t.Errorf("after the migration: %v, want [%s]", got, in[1].ID)
	}
}
