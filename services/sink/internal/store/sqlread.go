package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
)

// rowIter is what both drivers' result sets offer: pgx.Rows as is, and
// *sql.Rows through sqlRows.
type rowIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

// dialect is what differs between the two databases' read queries.
type dialect struct {
	postgres bool
}

func (d dialect) placeholder(n int) string {
	if d.postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// limit renders LIMIT/OFFSET; SQLite needs a LIMIT before any OFFSET.
func (d dialect) limit(q *query, limit, offset int) {
	switch {
	case limit > 0:
		q.sql.WriteString(" LIMIT " + q.arg(limit))
	case offset > 0 && !d.postgres:
		q.sql.WriteString(" LIMIT -1")
	}
	if offset > 0 {
		q.sql.WriteString(" OFFSET " + q.arg(offset))
	}
}

// query builds SQL text and its arguments together, so placeholders are
// numbered right in either dialect.
type query struct {
	d     dialect
	sql   strings.Builder
	args  []any
	conds []string
}

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return q.d.placeholder(len(q.args))
}

func (q *query) where(cond string) { q.conds = append(q.conds, cond) }

func (q *query) writeWhere() {
	if len(q.conds) > 0 {
		q.sql.WriteString(" WHERE " + strings.Join(q.conds, " AND "))
	}
}

// sqlReader answers Export, Claims and Stats for both databases.
type sqlReader struct {
	d     dialect
	query func(ctx context.Context, sql string, args ...any) (rowIter, error)
}

func (r sqlReader) export(ctx context.Context, f ExportFilter, fn func(schema.ArticleTaggedV1) error) error {
	return r.search(ctx, f, false, func(a schema.ArticleTaggedV1, _ float64, _ string) error { return fn(a) })
}

// search lists the articles f selects, as export does; with a Query, best
// match first, with each one's rank and (when snippets) its marked snippet.
func (r sqlReader) search(ctx context.Context, f ExportFilter, snippets bool, fn func(a schema.ArticleTaggedV1, rank float64, snippet string) error) error {
	sq, err := ParseSearch(f.Query)
	if err != nil {
		return err
	}
	q := &query{d: r.d}
	var s SearchSQL
	if !sq.Empty() {
		// The MATCH argument comes first: SQLite's placeholders are in order.
		s = Search(r.d.postgres, sq, q.arg)
		q.where(s.Cond())
	}
	cols := "a.doc, CAST(0 AS DOUBLE PRECISION), ''"
	if !sq.Empty() {
		// Each call binds its arguments: call each once.
		snippet := "''"
		if snippets {
			snippet = s.Snippet()
		}
		cols = "a.doc, " + s.Rank() + ", " + snippet
	}
	q.sql.WriteString("SELECT " + cols + " FROM articles a" + s.Join)
	if !f.Since.IsZero() {
		q.where("a.sort_us >= " + q.arg(micros(f.Since)))
	}
	if f.RelevantOnly {
		q.where("a.relevant = TRUE")
	}
	if f.Site != "" {
		q.where("a.site = " + q.arg(strings.ToLower(f.Site)))
	}
	if lang := strings.ToLower(strings.TrimSpace(f.Language)); lang != "" {
		q.where("(LOWER(a.language) = " + q.arg(lang) + " OR LOWER(a.language) LIKE " + q.arg(lang+"-%") + ")")
	}
	q.writeWhere()
	if !sq.Empty() {
		q.sql.WriteString(" ORDER BY 2 DESC, a.sort_us, a.id")
	} else {
		q.sql.WriteString(" ORDER BY a.sort_us, a.id")
	}
	r.d.limit(q, f.Limit, f.Offset)

	rows, err := r.query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return fmt.Errorf("store: export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			doc, snippet string
			rank         float64
		)
		if err := rows.Scan(&doc, &rank, &snippet); err != nil {
			return fmt.Errorf("store: export: %w", err)
		}
		var a schema.ArticleTaggedV1
		if err := json.Unmarshal([]byte(doc), &a); err != nil {
			return fmt.Errorf("store: export: decode stored article: %w", err)
		}
		if err := fn(a, rank, snippet); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: export: %w", err)
	}
	return nil
}

type claimKey struct {
	articleID string
	ord       int
}

func (r sqlReader) claims(ctx context.Context, f ClaimFilter) ([]ClaimRow, error) {
	sq, err := ParseSearch(f.Query)
	if err != nil {
		return nil, err
	}
	q := &query{d: r.d}
	if !sq.Empty() {
		// First, as SQLite's placeholders are numbered in order.
		q.where(Search(r.d.postgres, sq, q.arg).ArticleCond())
	}
	q.sql.WriteString(`SELECT c.article_id, c.ord, c.text, c.speaker, c.speaker_kind, c.speaker_role, c.verb, c.via, c.topic, c.text_offset,
		a.relevant, a.url, a.title, a.site, a.feed_url, a.published_us, a.stored_us
		FROM claims c JOIN articles a ON a.id = c.article_id`)
	if !f.Since.IsZero() {
		q.where("c.sort_us >= " + q.arg(micros(f.Since)))
	}
	if f.RelevantOnly {
		q.where("c.relevant = TRUE")
	}
	if f.Topic != "" {
		q.where("c.topic = " + q.arg(f.Topic))
	}
	if f.Speaker != "" {
		q.where(NameCond("c.speaker_key", f.Speaker, q.arg))
	}
	if f.SpeakerKind != "" {
		q.where("c.speaker_kind = " + q.arg(f.SpeakerKind))
	}
	if f.SpeakerRole != "" {
		q.where("c.speaker_role = " + q.arg(f.SpeakerRole))
	}
	if f.Place != "" {
		q.where("EXISTS (SELECT 1 FROM claim_places p WHERE " + NameCond("p.place_key", f.Place, q.arg) +
			" AND p.article_id = c.article_id AND p.claim_ord = c.ord)")
	}
	if lang := strings.ToLower(strings.TrimSpace(f.Language)); lang != "" {
		q.where("(LOWER(a.language) = " + q.arg(lang) + " OR LOWER(a.language) LIKE " + q.arg(lang+"-%") + ")")
	}
	if f.Unit != "" {
		q.where("EXISTS (SELECT 1 FROM quantities u WHERE u.unit = " + q.arg(f.Unit) +
			" AND u.article_id = c.article_id AND u.claim_ord = c.ord)")
	}
	q.writeWhere()
	q.sql.WriteString(" ORDER BY c.sort_us, c.article_id, c.ord")
	r.d.limit(q, f.Limit, f.Offset)

	rows, err := r.query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("store: claims: %w", err)
	}
	var out []ClaimRow
	index := map[claimKey]int{}
	seen := map[string]bool{}
	var ids []string
	for rows.Next() {
		var (
			c         ClaimRow
			offset    int64
			pubUs     *int64
			storedUs  int64
			relevant  bool
			claimOrd  int64
			articleID string
		)
		if err := rows.Scan(&articleID, &claimOrd, &c.Text, &c.Speaker, &c.SpeakerKind, &c.SpeakerRole, &c.Verb, &c.Via, &c.Topic, &offset,
			&relevant, &c.ArticleURL, &c.Title, &c.Site, &c.FeedURL, &pubUs, &storedUs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claims: %w", err)
		}
		c.ArticleID, c.Index, c.Offset, c.Relevant = articleID, int(claimOrd), int(offset), relevant
		if pubUs != nil {
			t := fromMicros(*pubUs)
			c.PublishedAt = &t
		}
		c.StoredAt = fromMicros(storedUs)
		c.Quantities, c.Places = []schema.Quantity{}, []string{}
		if !seen[articleID] {
			seen[articleID] = true
			ids = append(ids, articleID)
		}
		index[claimKey{articleID, c.Index}] = len(out)
		out = append(out, c)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("store: claims: %w", err)
	}
	if err := r.fillClaims(ctx, ids, index, out); err != nil {
		return nil, err
	}
	return out, nil
}

// idChunk bounds the ids in one IN list (SQLite limits bound parameters);
// a power of two, as SQLite's IN lists are padded to one.
const idChunk = 512

// fillClaims loads the quantities and places of the listed claims.
func (r sqlReader) fillClaims(ctx context.Context, ids []string, index map[claimKey]int, out []ClaimRow) error {
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]

		q := &query{d: r.d}
		q.sql.WriteString("SELECT article_id, claim_ord, value, low, high, unit, qualifier, raw FROM quantities WHERE ")
		q.sql.WriteString(r.inList(q, "article_id", chunk))
		q.sql.WriteString(" ORDER BY article_id, claim_ord, ord")
		rows, err := r.query(ctx, q.sql.String(), q.args...)
		if err != nil {
			return fmt.Errorf("store: claims: quantities: %w", err)
		}
		for rows.Next() {
			var (
				id  string
				ord int64
				qt  schema.Quantity
			)
			if err := rows.Scan(&id, &ord, &qt.Value, &qt.Low, &qt.High, &qt.Unit, &qt.Qualifier, &qt.Raw); err != nil {
				rows.Close()
				return fmt.Errorf("store: claims: quantities: %w", err)
			}
			if i, ok := index[claimKey{id, int(ord)}]; ok {
				out[i].Quantities = append(out[i].Quantities, qt)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: claims: quantities: %w", err)
		}

		q = &query{d: r.d}
		q.sql.WriteString("SELECT article_id, claim_ord, place FROM claim_places WHERE ")
		q.sql.WriteString(r.inList(q, "article_id", chunk))
		q.sql.WriteString(" ORDER BY article_id, claim_ord, ord")
		rows, err = r.query(ctx, q.sql.String(), q.args...)
		if err != nil {
			return fmt.Errorf("store: claims: places: %w", err)
		}
		for rows.Next() {
			var (
				id, place string
				ord       int64
			)
			if err := rows.Scan(&id, &ord, &place); err != nil {
				rows.Close()
				return fmt.Errorf("store: claims: places: %w", err)
			}
			if i, ok := index[claimKey{id, int(ord)}]; ok {
				out[i].Places = append(out[i].Places, place)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: claims: places: %w", err)
		}
	}
	return nil
}

func (r sqlReader) inList(q *query, col string, ids []string) string {
	if r.d.postgres {
		return col + " = ANY(" + q.arg(ids) + ")"
	}
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = q.arg(id)
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}

func (r sqlReader) stats(ctx context.Context) (Stats, error) {
	rows, err := r.query(ctx, `SELECT
		(SELECT count(*) FROM articles),
		(SELECT count(*) FROM articles WHERE relevant = TRUE),
		(SELECT count(*) FROM claims),
		(SELECT count(*) FROM quantities)`)
	if err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	defer rows.Close()
	var s Stats
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Stats{}, fmt.Errorf("store: stats: %w", err)
		}
		return Stats{}, fmt.Errorf("store: stats: no row")
	}
	if err := rows.Scan(&s.Articles, &s.Relevant, &s.Claims, &s.Quantities); err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	return s, nil
}
