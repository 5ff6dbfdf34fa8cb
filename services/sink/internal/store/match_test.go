package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

var phraseCases = []struct {
	name, query string
	want        bool
}{
	{"James Mattis", "Mattis", true},
	{"James Mattis", "mattis", true},
	{"James Mattis", "JAMES MATTIS", true},
	{"James Mattis", "  james   mattis ", true},
	{"James Mattis", "Jim Mattis", false},
	{"James Mattis", "Matt", false},
	{"James Mattis", "mattis james", false},
	{"Al-Raqqa", "raqqa", true},
	{"Haider al-Abadi", "al abadi", true},
	{"Gen. Joseph Votel", "joseph votel", true},
	{"Gen. Joseph Votel", "gen joseph", true},
	{"www.gulf-times.com Gulf Times", "gulf-times", true},
	{"www.gulf-times.com Gulf Times", "Gulf Times", true},
	{"O'Brien (spokesman)", "o brien", true},
	{"Mossul", "Mosul", false},
	{"Anything", "", true},
	{"' OR '1'='1", "' or '1'='1", true},
	{"1; UPDATE articles SET title='pwned' WHERE 1=1", "' OR '1'='1", false},
	{"100%_ of _everything_ %", "everything", true},
	{"a=b; c", "A=B; C", true},
	{"—", "—", true},
	{"James Mattis", "—", false},
}

func TestHasPhrase(t *testing.T) {
	t.Parallel()
	for _, tc := range phraseCases {
		if got := HasPhrase(tc.name, tc.query); got != tc.want {
			t.Errorf("HasPhrase(%q, %q) = %v, want %v", tc.name, tc.query, got, tc.want)
		}
	}
}

// TestPhraseSQL: both databases match names as HasPhrase does (the name
// is given lower-cased, as the key columns hold it).
func TestPhraseSQL(t *testing.T) {
	for _, b := range backends()[:2] {
		t.Run(b.name, func(t *testing.T) {
			if b.ready != nil {
				b.ready(t)
			}
			db, ok := DBOf(b.newPlace(t)(t))
			if !ok {
				t.Fatal("no DB handle")
			}
			p1 := "?"
			if db.Postgres {
				p1 = "$1::text"
			}
			for _, tc := range phraseCases {
				if strings.TrimSpace(tc.query) == "" {
					continue
				}
				var args []any
				arg := func(v any) string {
					args = append(args, v)
					if db.Postgres {
						return "$" + strconv.Itoa(len(args)+1) + "::text"
					}
					return "?"
				}
				cond := NameCond("t.k", tc.query, arg)
				rows, err := db.Query(context.Background(), "SELECT CASE WHEN "+cond+" THEN 1 ELSE 0 END FROM (SELECT "+p1+" AS k) t",
					order(db.Postgres, strings.ToLower(tc.name), args)...)
				if err != nil {
					t.Fatal(err)
				}
				var got int
				for rows.Next() {
					if err := rows.Scan(&got); err != nil {
						t.Fatal(err)
					}
				}
				rows.Close()
				if (got == 1) != tc.want {
					t.Errorf("%q LIKE %q: %v, want %v", tc.name, tc.query, got == 1, tc.want)
				}
			}
		})
	}
}

// TestClaimsMatchWords: the claims filters find a speaker and a place by
// a word of their name, in any case, on every backend, and Language
// keeps one language's articles, in Claims and in Export.
func TestClaimsMatchWords(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			if b.ready != nil {
				b.ready(t)
			}
			s := b.newPlace(t)(t)
			as := stamped(storetest.Articles(3, 6))
			for i := range as {
				as[i].Relevant = true
				as[i].Language = []string{"en", "fr-FR"}[i%2]
				as[i].Claims = as[i].Claims[:1]
				as[i].Claims[0].Speaker = []string{"James Mattis", "Haider al-Abadi", "Jens Stoltenberg"}[i%3]
				as[i].Claims[0].Places = []string{"Al-Raqqa"}
			}
			upsert(t, s, as)
			count := func(f ClaimFilter) int {
				rows, err := s.Claims(context.Background(), f)
				if err != nil {
					t.Fatal(err)
				}
				return len(rows)
			}
			for _, tc := range []struct {
				f    ClaimFilter
				want int
			}{
				{ClaimFilter{Speaker: "Mattis"}, 2},
				{ClaimFilter{Speaker: "mattis"}, 2},
				{ClaimFilter{Speaker: "James Mattis"}, 2},
				{ClaimFilter{Speaker: "Jim Mattis"}, 0},
				{ClaimFilter{Speaker: "abadi"}, 2},
				{ClaimFilter{Place: "raqqa"}, 6},
				{ClaimFilter{Place: "RAQQA", Speaker: "stoltenberg"}, 2},
				{ClaimFilter{Language: "fr"}, 3},
				{ClaimFilter{Language: "EN", Speaker: "mattis"}, 1},
			} {
				if got := count(tc.f); got != tc.want {
					t.Errorf("Claims(%s) = %d claims, want %d", fmt.Sprintf("%+v", tc.f), got, tc.want)
				}
			}
			for lang, want := range map[string]int{"fr": 3, "FR-fr": 3, "en": 3, "de": 0, "": 6} {
				n := 0
				err := s.Export(context.Background(), ExportFilter{Language: lang, Offset: 1}, func(schema.ArticleTaggedV1) error { n++; return nil })
				if err != nil || n != max(want-1, 0) {
					t.Errorf("Export(Language %q, Offset 1) = %d articles, %v; want %d", lang, n, err, max(want-1, 0))
				}
			}
		})
	}
}

// order puts the name's argument where the SQL text has it: first for
// PostgreSQL's $1, last for SQLite's positional ? (the FROM comes last).
func order(postgres bool, name string, args []any) []any {
	if postgres {
		return append([]any{name}, args...)
	}
	return append(args, name)
}
