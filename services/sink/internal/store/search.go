package store

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"unicode"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Full-text search over title and text, with one query syntax on both
// databases (the web-search style Miniflux and PostgreSQL's
// websearch_to_tsquery use):
//
//	isis raqqa          both words, anywhere in title or text
//	"islamic state"     the words in that order
//	-syria  -"al qaeda" articles without the word or phrase
//
// Every word must match; there is no OR. Case and, in Latin scripts,
// accents are ignored. ParseSearch reads a query once, and the query is
// rendered to SQLite FTS5 MATCH syntax (FTS5) or a PostgreSQL tsquery
// (TSQuery), so both backends answer the same thing.

// ErrBadSearch is a query that cannot be searched for (only exclusions).
var ErrBadSearch = errors.New("bad search")

// SearchTerm is a word, or a phrase of several words in order, to find or
// (Not) to exclude.
type SearchTerm struct {
	Words []string
	Not   bool
}

// SearchQuery is a parsed query: all terms must hold.
type SearchQuery struct {
	Terms []SearchTerm
}

// Empty reports whether the query has nothing to search for.
func (q SearchQuery) Empty() bool { return len(q.Terms) == 0 }

// ParseSearch reads a query in the syntax above. An unclosed quote runs to
// the end; a word without a letter or digit ("&", "-") is dropped, as the
// tokenizers would. A query of only exclusions is an error wrapping
// ErrBadSearch: neither database can list "everything but".
func ParseSearch(s string) (SearchQuery, error) {
	var q SearchQuery
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		not := false
		if rs[i] == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			not = true
			i++
		}
		var words []string
		if rs[i] == '"' {
			end := i + 1
			for end < len(rs) && rs[end] != '"' {
				end++
			}
			words = searchWords(string(rs[i+1 : end]))
			i = end + 1
		} else {
			end := i
			for end < len(rs) && !unicode.IsSpace(rs[end]) && rs[end] != '"' {
				end++
			}
			words = searchWords(string(rs[i:end]))
			i = end
		}
		if len(words) > 0 {
			q.Terms = append(q.Terms, SearchTerm{Words: words, Not: not})
		}
	}
	if len(q.Terms) > 0 {
		positive := false
		for _, t := range q.Terms {
			positive = positive || !t.Not
		}
		if !positive {
			return SearchQuery{}, fmt.Errorf("%w: %q only excludes; give a word to find too", ErrBadSearch, s)
		}
	}
	return q, nil
}

// searchWords splits s into the words of a term, dropping those with no
// letter or digit.
func searchWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			out = append(out, w)
		}
	}
	return out
}

// FTS5 renders the query as an FTS5 MATCH expression. Every word is a
// quoted string, so nothing in it is FTS5 syntax: `"isis" AND "raqqa"
// NOT "syria"`.
func (q SearchQuery) FTS5() string {
	var pos, neg []string
	for _, t := range q.Terms {
		quoted := make([]string, len(t.Words))
		for i, w := range t.Words {
			quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		}
		// Adjacent strings joined by + are a phrase.
		p := strings.Join(quoted, " + ")
		if t.Not {
			neg = append(neg, p)
		} else {
			pos = append(pos, p)
		}
	}
	if len(pos) == 0 {
		return ""
	}
	out := "(" + strings.Join(pos, " AND ") + ")"
	for _, n := range neg {
		out += " NOT " + n
	}
	return out
}

// TSQuery renders the query as to_tsquery input: each word a quoted
// lexeme the text search configuration normalises, phrases joined by <->
// ("followed by"): `('islamic' <-> 'state') & !'syria'`.
func (q SearchQuery) TSQuery() string {
	parts := make([]string, 0, len(q.Terms))
	for _, t := range q.Terms {
		p := tsTerm(t)
		if t.Not {
			p = "!" + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " & ")
}

// tsParts splits the query into what must match (all of pos) and what
// must not (any of neg), for matching under two configurations: an
// exclusion must hold under both, which !word inside each would not.
func (q SearchQuery) tsParts() (pos, neg string) {
	var ps, ns []string
	for _, t := range q.Terms {
		if t.Not {
			ns = append(ns, tsTerm(t))
		} else {
			ps = append(ps, tsTerm(t))
		}
	}
	return strings.Join(ps, " & "), strings.Join(ns, " | ")
}

func tsTerm(t SearchTerm) string {
	lex := make([]string, len(t.Words))
	for i, w := range t.Words {
		w = strings.ReplaceAll(w, `\`, `\\`)
		lex[i] = "'" + strings.ReplaceAll(w, "'", "''") + "'"
	}
	p := strings.Join(lex, " <-> ")
	if len(lex) > 1 {
		p = "(" + p + ")"
	}
	return p
}

// The backends mark matches in snippets with these private-use characters,
// which no article text uses, so SnippetHTML can escape the text and then
// turn them into <mark>.
const (
	markStart = "\ue000"
	markEnd   = "\ue001"
	// snippetWords is about how long a snippet is.
	snippetWords = 24
)

// SnippetHTML turns a marked snippet from the database into HTML: the
// text escaped, the matches in <mark>.
func SnippetHTML(marked string) string {
	s := html.EscapeString(marked)
	s = strings.ReplaceAll(s, markStart, "<mark>")
	return strings.ReplaceAll(s, markEnd, "</mark>")
}

// SearchSQL renders a query for one dialect, for a query over the
// articles table as alias a: Join goes after "FROM articles a", Cond in its
// WHERE, Rank (higher is better) and Snippet (marked text, see SnippetHTML)
// are selectable expressions. Each adds its arguments when called, so
// only what is used is bound; in SQLite only Cond takes one, so a caller
// writing `?` placeholders in order calls Cond first and may then write
// the SELECT list before the WHERE.
//
// SQLite searches the FTS5 table article_search (migration 00007), kept by
// triggers on articles and joined through article_search_ids since the
// articles' own rowids are not stable. PostgreSQL searches the search
// column (migration 00003) with the English and the simple configuration,
// as the GIN index serves either, so English words match by stem and
// words of other languages as written.
type SearchSQL struct {
	postgres bool
	q        SearchQuery
	arg      func(any) string
	Join     string
}

// Search renders q for the dialect, adding arguments with arg.
func Search(postgres bool, q SearchQuery, arg func(any) string) SearchSQL {
	s := SearchSQL{postgres: postgres, q: q, arg: arg}
	if !postgres {
		s.Join = " JOIN article_search_ids sid ON sid.id = a.id JOIN article_search ON article_search.rowid = sid.n"
	}
	return s
}

func (s SearchSQL) tsquery(config string) string { return s.ts(config, s.q.TSQuery()) }

func (s SearchSQL) ts(config, query string) string {
	return "to_tsquery(" + config + ", CAST(" + s.arg(query) + " AS TEXT))"
}

// Cond keeps the articles that match.
func (s SearchSQL) Cond() string {
	if !s.postgres {
		return "article_search MATCH " + s.arg(s.q.FTS5())
	}
	pos, neg := s.q.tsParts()
	cond := "(a.search @@ " + s.ts("'english'", pos) + " OR a.search @@ " + s.ts("'simple'", pos) + ")"
	if neg != "" {
		cond += " AND NOT a.search @@ " + s.ts("'english'", neg) + " AND NOT a.search @@ " + s.ts("'simple'", neg)
	}
	return "(" + cond + ")"
}

// ArticleCond keeps the articles that match without the Join.
func (s SearchSQL) ArticleCond() string {
	if !s.postgres {
		return "a.id IN (SELECT sid.id FROM article_search JOIN article_search_ids sid ON sid.n = article_search.rowid WHERE article_search MATCH " +
			s.arg(s.q.FTS5()) + ")"
	}
	return s.Cond()
}

// Rank is how well an article matches, higher first.
func (s SearchSQL) Rank() string {
	if !s.postgres {
		// bm25 is lower for better matches; a title match weighs more.
		return "(-bm25(article_search, 4.0, 1.0))"
	}
	return "CAST(greatest(ts_rank(a.search, " + s.tsquery("'english'") + "), ts_rank(a.search, " + s.tsquery("'simple'") + ")) AS DOUBLE PRECISION)"
}

// Snippet is a passage of the text around the matches, marked.
func (s SearchSQL) Snippet() string {
	if !s.postgres {
		return fmt.Sprintf("snippet(article_search, 1, '%s', '%s', '…', %d)", markStart, markEnd, snippetWords)
	}
	opts := fmt.Sprintf("StartSel=%s, StopSel=%s, MaxWords=%d, MinWords=%d, MaxFragments=2, FragmentDelimiter=\" … \"",
		markStart, markEnd, snippetWords+6, snippetWords/2)
	// As the indexer: a document with a \u0000 escape is not jsonb.
	return "ts_headline(newsflow_ts_config(a.language), CASE WHEN strpos(a.doc, '\\u0000') > 0 THEN '' ELSE " +
		"coalesce(a.doc::jsonb ->> 'text', '') END, " + s.tsquery("newsflow_ts_config(a.language)") + ", CAST(" + s.arg(opts) + " AS TEXT))"
}

// Hit is an article a search found, with how well it matched and a
// passage of its text with the matches in <mark> (HTML, escaped).
type Hit struct {
	schema.ArticleTaggedV1
	Rank    float64 `json:"rank"`
	Snippet string  `json:"snippet_html"`
}

// Find searches st for f.Query (required) with f's other filters, best
// match first, with snippets. SQLite and PostgreSQL answer it, and a Multi
// store its first one that can; others return ErrUnsupported.
func Find(ctx context.Context, st Store, f ExportFilter) ([]Hit, error) {
	if strings.TrimSpace(f.Query) == "" {
		return nil, fmt.Errorf("%w: empty query", ErrBadSearch)
	}
	var r sqlReader
	switch s := st.(type) {
	case *sqliteStore:
		r = s.sqlReader
	case *pgStore:
		r = s.sqlReader
	case *multi:
		for _, o := range s.stores {
			hits, err := Find(ctx, o, f)
			if !errors.Is(err, ErrUnsupported) {
				return hits, err
			}
		}
		return nil, fmt.Errorf("%w: full-text query", ErrUnsupported)
	default:
		return nil, fmt.Errorf("%w: full-text query", ErrUnsupported)
	}
	var out []Hit
	err := r.search(ctx, f, true, func(a schema.ArticleTaggedV1, rank float64, snippet string) error {
		out = append(out, Hit{ArticleTaggedV1: a, Rank: rank, Snippet: SnippetHTML(snippet)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	return out, nil
}
