package deskdb

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// sqlDesk is the desk Store of both databases, kept over the store's
// narrow handle (store.DB): its dialect, its reads, and write
// transactions, in which the desk's writers take turns (SQLite's write
// lock, a PostgreSQL advisory lock).
type sqlDesk struct {
	db   store.DB
	d    dialect
	opts ledger.Options
}

// ledgerLock is the advisory lock that makes ledger writers of one schema
// take turns: replicas regrouping the same window at once would each
// insert the groups the other deleted. The key is the one the sink used
// when it kept the ledger, so the two never regroup at once in a rollout.
const ledgerLock = `SELECT pg_advisory_xact_lock(hashtextextended('newsflow.sink.ledger:' || current_schema(), 0))`

// inTx runs fn in one write transaction that no other ledger writer runs
// alongside.
func (l *sqlDesk) inTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return l.db.InTx(ctx, func(tx store.Tx) error {
		if l.d.postgres {
			if err := tx.Exec(ctx, ledgerLock); err != nil {
				return fmt.Errorf("ledger lock: %w", err)
			}
		}
		return fn(tx)
	})
}

func (l *sqlDesk) SyncLedger(ctx context.Context, ids []string) (int, error) { return l.sync(ctx, ids) }

func (l *sqlDesk) CatchUpLedger(ctx context.Context) (int, error) { return l.catchUp(ctx) }

func (l *sqlDesk) LedgerGroups(ctx context.Context, f LedgerFilter) ([]ledger.Group, error) {
	return l.groups(ctx, f)
}

func (l *sqlDesk) LedgerSeries(ctx context.Context, f LedgerFilter) ([]ledger.Series, error) {
	return l.series(ctx, f)
}

func (l *sqlDesk) Articles(ctx context.Context, f ArticleFilter) ([]schema.ArticleTaggedV1, error) {
	return l.articles(ctx, f)
}

func (l *sqlDesk) Facets(ctx context.Context) (Facets, error) { return l.facets(ctx) }

const (
	entryColumns = "article_id, claim_ord, qty_ord, unit, unit_key, topic, topic_weak, series_topic, at_us, value, low, high, " +
		"qualifier, raw, places, place_keys, speaker, via, site, site_name, title, url, text, text_offset, group_id"
	groupColumns = "id, unit, unit_key, topic, first_us, last_us, article_id, claim_ord, qty_ord, value, low, high, qualifier, raw, " +
		"text, first_site, first_outlet, first_title, first_url, speaker, places, outlet_names, outlets, members"
	// catchUpChunk is how many articles one catch-up transaction syncs.
	catchUpChunk = 256
)

func (l *sqlDesk) sync(ctx context.Context, ids []string) (int, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return 0, nil
	}
	var n int
	err := l.inTx(ctx, func(tx store.Tx) error {
		var err error
		n, err = l.syncTx(ctx, tx, ids)
		return err
	})
	return n, err
}

type storedDoc struct{ hash, doc string }

// syncTx replaces the entries of the articles whose stored content the
// ledger does not have yet, then regroups, unit by unit, the groups first
// seen from ReopenFrom(the earliest changed entry) on.
func (l *sqlDesk) syncTx(ctx context.Context, tx store.Tx, ids []string) (int, error) {
	current := map[string]storedDoc{}
	have := map[string]string{}
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]
		q := &query{d: l.d}
		q.sql.WriteString("SELECT id, content_hash, doc FROM articles WHERE " + l.d.inList(q, "id", chunk))
		err := scanAll(ctx, tx.Query, q, func(r store.Rows) error {
			var id string
			var d storedDoc
			if err := r.Scan(&id, &d.hash, &d.doc); err != nil {
				return err
			}
			current[id] = d
			return nil
		})
		if err != nil {
			return 0, ledgerErr("read articles", err)
		}
		q = &query{d: l.d}
		q.sql.WriteString("SELECT article_id, content_hash FROM ledger_articles WHERE " + l.d.inList(q, "article_id", chunk))
		err = scanAll(ctx, tx.Query, q, func(r store.Rows) error {
			var id, hash string
			if err := r.Scan(&id, &hash); err != nil {
				return err
			}
			have[id] = hash
			return nil
		})
		if err != nil {
			return 0, ledgerErr("read synced articles", err)
		}
	}
	var changed []string
	for _, id := range ids {
		cur, stored := current[id]
		hash, synced := have[id]
		if stored && synced && hash == cur.hash || !stored && !synced {
			continue
		}
		changed = append(changed, id)
	}
	if len(changed) == 0 {
		return 0, nil
	}

	// earliest is, per unit, the earliest entry removed or added: the
	// point from which its grouping can change.
	earliest := map[string]int64{}
	note := func(unit string, us int64) {
		if t, ok := earliest[unit]; !ok || us < t {
			earliest[unit] = us
		}
	}
	for start := 0; start < len(changed); start += idChunk {
		chunk := changed[start:min(start+idChunk, len(changed))]
		q := &query{d: l.d}
		q.sql.WriteString("SELECT unit_key, MIN(at_us) FROM ledger_entries WHERE " + l.d.inList(q, "article_id", chunk) + " GROUP BY unit_key")
		err := scanAll(ctx, tx.Query, q, func(r store.Rows) error {
			var unit string
			var us int64
			if err := r.Scan(&unit, &us); err != nil {
				return err
			}
			note(unit, us)
			return nil
		})
		if err != nil {
			return 0, ledgerErr("read old entries", err)
		}
	}
	fresh := map[string][]ledger.Entry{}
	var hashes [][]any
	for _, id := range changed {
		cur, ok := current[id]
		if !ok {
			continue
		}
		var a schema.ArticleTaggedV1
		if err := json.Unmarshal([]byte(cur.doc), &a); err != nil {
			return 0, ledgerErr("decode stored article "+id, err)
		}
		for _, e := range ledger.EntriesOf(&a) {
			fresh[e.UnitKey()] = append(fresh[e.UnitKey()], e)
			note(e.UnitKey(), micros(e.At))
		}
		hashes = append(hashes, []any{id, cur.hash})
	}

	for start := 0; start < len(changed); start += idChunk {
		chunk := changed[start:min(start+idChunk, len(changed))]
		for _, table := range []string{"ledger_entries", "ledger_articles"} {
			q := &query{d: l.d}
			q.sql.WriteString("DELETE FROM " + table + " WHERE " + l.d.inList(q, "article_id", chunk))
			if err := tx.Exec(ctx, q.sql.String(), q.args...); err != nil {
				return 0, ledgerErr("delete "+table, err)
			}
		}
	}
	units := make([]string, 0, len(earliest))
	for u := range earliest {
		units = append(units, u)
	}
	slices.Sort(units)
	for _, unit := range units {
		from := micros(l.opts.ReopenFrom(fromMicros(earliest[unit])))
		if err := l.regroup(ctx, tx, unit, from, fresh[unit]); err != nil {
			return 0, err
		}
	}
	if err := tx.ExecEach(ctx, "INSERT INTO ledger_articles (article_id, content_hash) "+l.d.values(2), hashes); err != nil {
		return 0, ledgerErr("insert synced articles", err)
	}
	// A ledger first written here is written under this version's rules;
	// catchUp rebuilds one written under another's.
	err := tx.Exec(ctx, "INSERT INTO ledger_state (name, value) "+l.d.values(2)+" ON CONFLICT (name) DO NOTHING", "version", ledger.Version)
	if err != nil {
		return 0, ledgerErr("write version", err)
	}
	return len(changed), nil
}

// regroup takes apart unit's groups first seen at or after fromUs, and
// groups their entries again with the fresh ones.
func (l *sqlDesk) regroup(ctx context.Context, tx store.Tx, unit string, fromUs int64, fresh []ledger.Entry) error {
	reopened := "SELECT id FROM ledger_groups WHERE unit_key = " + l.d.placeholder(1) + " AND first_us >= " + l.d.placeholder(2)
	entries := slices.Clone(fresh)
	err := scanAll(ctx, tx.Query, rawQuery(l.d, "SELECT "+entryColumns+" FROM ledger_entries WHERE group_id IN ("+reopened+")", unit, fromUs),
		func(r store.Rows) error {
			e, err := scanEntry(r)
			if err != nil {
				return err
			}
			entries = append(entries, e)
			return nil
		})
	if err != nil {
		return ledgerErr("read reopened entries", err)
	}
	if err := tx.Exec(ctx, "DELETE FROM ledger_entries WHERE group_id IN ("+reopened+")", unit, fromUs); err != nil {
		return ledgerErr("delete reopened entries", err)
	}
	if err := tx.Exec(ctx, "DELETE FROM ledger_groups WHERE unit_key = "+l.d.placeholder(1)+" AND first_us >= "+l.d.placeholder(2), unit, fromUs); err != nil {
		return ledgerErr("delete reopened groups", err)
	}
	groups := ledger.Regroup(entries, l.opts)
	groupRows := make([][]any, 0, len(groups))
	var entryRows [][]any
	for i := range groups {
		g := &groups[i]
		row, err := groupArgs(g)
		if err != nil {
			return err
		}
		groupRows = append(groupRows, row)
		for j := range g.Entries {
			row, err := entryArgs(&g.Entries[j])
			if err != nil {
				return err
			}
			entryRows = append(entryRows, row)
		}
	}
	if err := tx.ExecEach(ctx, "INSERT INTO ledger_groups ("+groupColumns+") "+l.d.values(strings.Count(groupColumns, ",")+1), groupRows); err != nil {
		return ledgerErr("insert groups", err)
	}
	if err := tx.ExecEach(ctx, "INSERT INTO ledger_entries ("+entryColumns+") "+l.d.values(strings.Count(entryColumns, ",")+1), entryRows); err != nil {
		return ledgerErr("insert entries", err)
	}
	return nil
}

// catchUp rebuilds a ledger built under other rules, then syncs every
// article it lacks or has an older version of, oldest first so each sync
// only reopens the newest groups, and drops articles deleted by hand.
func (l *sqlDesk) catchUp(ctx context.Context) (int, error) {
	err := l.inTx(ctx, func(tx store.Tx) error {
		version := ""
		err := scanAll(ctx, tx.Query, rawQuery(l.d, "SELECT value FROM ledger_state WHERE name = 'version'"), func(r store.Rows) error {
			return r.Scan(&version)
		})
		if err != nil {
			return ledgerErr("read version", err)
		}
		if version == ledger.Version {
			return nil
		}
		for _, table := range []string{"ledger_entries", "ledger_groups", "ledger_articles"} {
			if err := tx.Exec(ctx, "DELETE FROM "+table); err != nil {
				return ledgerErr("clear "+table, err)
			}
		}
		err = tx.Exec(ctx, "INSERT INTO ledger_state (name, value) "+l.d.values(2)+
			" ON CONFLICT (name) DO UPDATE SET value = excluded.value", "version", ledger.Version)
		if err != nil {
			return ledgerErr("write version", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	total := 0
	lastUs, lastID := int64(math.MinInt64), ""
	for {
		q := &query{d: l.d}
		q.sql.WriteString(`SELECT a.id, a.sort_us FROM articles a LEFT JOIN ledger_articles s ON s.article_id = a.id
			WHERE (s.article_id IS NULL OR s.content_hash <> a.content_hash)`)
		us := q.arg(lastUs)
		q.sql.WriteString(" AND (a.sort_us > " + us + " OR (a.sort_us = " + q.arg(lastUs) + " AND a.id > " + q.arg(lastID) + "))")
		q.sql.WriteString(" ORDER BY a.sort_us, a.id LIMIT " + q.arg(catchUpChunk))
		var ids []string
		err := scanAll(ctx, l.db.Query, q, func(r store.Rows) error {
			var id string
			if err := r.Scan(&id, &lastUs); err != nil {
				return err
			}
			ids = append(ids, id)
			lastID = id
			return nil
		})
		if err != nil {
			return total, ledgerErr("find stale articles", err)
		}
		if len(ids) == 0 {
			break
		}
		n, err := l.sync(ctx, ids)
		total += n
		if err != nil {
			return total, err
		}
	}
	var gone []string
	err = scanAll(ctx, l.db.Query, rawQuery(l.d, `SELECT s.article_id FROM ledger_articles s
		LEFT JOIN articles a ON a.id = s.article_id WHERE a.id IS NULL`), func(r store.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		gone = append(gone, id)
		return nil
	})
	if err != nil {
		return total, ledgerErr("find deleted articles", err)
	}
	for start := 0; start < len(gone); start += catchUpChunk {
		n, err := l.sync(ctx, gone[start:min(start+catchUpChunk, len(gone))])
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// memberConds renders the member-level parts of f on the entries alias e.
func (l *sqlDesk) memberConds(q *query, f LedgerFilter, e string) []string {
	var conds []string
	if !f.Since.IsZero() {
		conds = append(conds, e+".at_us >= "+q.arg(micros(f.Since)))
	}
	if !f.Until.IsZero() {
		conds = append(conds, e+".at_us < "+q.arg(micros(f.Until)))
	}
	if strings.TrimSpace(f.Site) != "" {
		conds = append(conds, siteCond(q, e+".site", e+".site_name", f.Site))
	}
	if strings.TrimSpace(f.Speaker) != "" {
		conds = append(conds, store.NameCond("LOWER("+e+".speaker)", f.Speaker, q.arg))
	}
	if strings.TrimSpace(f.Place) != "" {
		// place_keys is '|iraq|al-raqqa|': a whole name between bars, or
		// its words with the bars as spaces (a phrase could then run
		// across two places: good enough for a filter typed by hand).
		c := e + ".place_keys LIKE " + q.arg("%|"+likeEscape(store.NameKey(f.Place))+"|%") + ` ESCAPE '\'`
		if store.PhraseOf(f.Place) != "" {
			c = "(" + c + " OR " + store.PhraseSQL(e+".place_keys") + " LIKE " + q.arg(store.PhrasePattern(f.Place)) + ")"
		}
		conds = append(conds, c)
	}
	if f.SpeakerKind != "" || f.SpeakerRole != "" {
		c := "EXISTS (SELECT 1 FROM claims sc WHERE sc.article_id = " + e + ".article_id AND sc.ord = " + e + ".claim_ord"
		if f.SpeakerKind != "" {
			c += " AND sc.speaker_kind = " + q.arg(f.SpeakerKind)
		}
		if f.SpeakerRole != "" {
			c += " AND sc.speaker_role = " + q.arg(f.SpeakerRole)
		}
		conds = append(conds, c+")")
	}
	if lang := strings.ToLower(strings.TrimSpace(f.Language)); lang != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM articles la WHERE la.id = "+e+".article_id AND "+languageCond(q, "la", lang)+")")
	}
	return conds
}

// siteCond matches an outlet: its host whole, or the words of its host
// and name (as store.HasPhrase, see siteMatches).
func siteCond(q *query, siteCol, nameCol, outlet string) string {
	c := siteCol + " = " + q.arg(strings.ToLower(strings.TrimSpace(outlet)))
	if store.PhraseOf(outlet) == "" {
		return c
	}
	return "(" + c + " OR " + store.PhraseSQL(siteCol+" || ' ' || "+nameCol) + " LIKE " + q.arg(store.PhrasePattern(outlet)) + ")"
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// languageCond matches the article alias a's language to lang, which
// takes its regions ("fr" finds "fr-CA"), as store.LanguageMatches.
func languageCond(q *query, a, lang string) string {
	return "(LOWER(" + a + ".language) = " + q.arg(lang) + " OR LOWER(" + a + ".language) LIKE " + q.arg(lang+"-%") + ")"
}

func (l *sqlDesk) groups(ctx context.Context, f LedgerFilter) ([]ledger.Group, error) {
	q := &query{d: l.d}
	q.sql.WriteString("SELECT " + groupColumns + " FROM ledger_groups g")
	if f.Topic != "" {
		q.where("g.topic = " + q.arg(f.Topic))
	}
	if f.Unit != "" {
		q.where("g.unit_key = " + q.arg(ledger.UnitKey(f.Unit)))
	}
	if f.Notable {
		q.where("(g.qty_ord >= 0 OR g.members >= 2)")
	}
	if f.MinOutlets > 0 {
		q.where("g.outlets >= " + q.arg(f.MinOutlets))
	}
	if conds := l.memberConds(q, f, "e"); len(conds) > 0 {
		q.where("EXISTS (SELECT 1 FROM ledger_entries e WHERE e.group_id = g.id AND " + strings.Join(conds, " AND ") + ")")
	}
	q.writeWhere()
	q.sql.WriteString(" ORDER BY g.outlets DESC, g.members DESC, g.first_us DESC, g.id")
	l.d.limit(q, f.Limit, f.Offset)
	var out []ledger.Group
	index := map[string]int{}
	err := scanAll(ctx, l.db.Query, q, func(r store.Rows) error {
		g, err := scanGroup(r)
		if err != nil {
			return err
		}
		index[g.ID] = len(out)
		out = append(out, g)
		return nil
	})
	if err != nil {
		return nil, ledgerErr("groups", err)
	}
	if !f.WithMembers || len(out) == 0 {
		return out, nil
	}
	ids := make([]string, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	for start := 0; start < len(ids); start += idChunk {
		q := &query{d: l.d}
		q.sql.WriteString("SELECT " + entryColumns + " FROM ledger_entries WHERE " +
			l.d.inList(q, "group_id", ids[start:min(start+idChunk, len(ids))]) +
			" ORDER BY at_us, article_id, claim_ord, qty_ord")
		err := scanAll(ctx, l.db.Query, q, func(r store.Rows) error {
			e, err := scanEntry(r)
			if err != nil {
				return err
			}
			g := &out[index[e.GroupID]]
			g.Entries = append(g.Entries, e)
			return nil
		})
		if err != nil {
			return nil, ledgerErr("group members", err)
		}
	}
	return out, nil
}

func (l *sqlDesk) series(ctx context.Context, f LedgerFilter) ([]ledger.Series, error) {
	q := &query{d: l.d}
	q.sql.WriteString("SELECT " + entryColumns + " FROM ledger_entries e")
	q.where("e.qty_ord >= 0")
	q.where("e.series_topic <> ''")
	if f.Topic != "" {
		q.where("e.series_topic = " + q.arg(f.Topic))
	}
	if f.Unit != "" {
		q.where("e.unit_key = " + q.arg(ledger.UnitKey(f.Unit)))
	}
	for _, c := range l.memberConds(q, f, "e") {
		q.where(c)
	}
	q.writeWhere()
	q.sql.WriteString(" ORDER BY e.series_topic, e.unit_key, e.at_us, e.article_id, e.claim_ord, e.qty_ord")
	var entries []ledger.Entry
	err := scanAll(ctx, l.db.Query, q, func(r store.Rows) error {
		e, err := scanEntry(r)
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, ledgerErr("series", err)
	}
	return page(ledger.BuildSeries(entries, f.MinPoints), f.Limit, f.Offset), nil
}

func (l *sqlDesk) Article(ctx context.Context, id string) (schema.ArticleTaggedV1, error) {
	q := &query{d: l.d}
	q.sql.WriteString("SELECT doc FROM articles WHERE id = " + q.arg(id))
	var docs []string
	err := scanAll(ctx, l.db.Query, q, func(r store.Rows) error {
		var doc string
		if err := r.Scan(&doc); err != nil {
			return err
		}
		docs = append(docs, doc)
		return nil
	})
	var a schema.ArticleTaggedV1
	if err != nil {
		return a, fmt.Errorf("desk: article %q: %w", id, err)
	}
	if len(docs) == 0 {
		return a, fmt.Errorf("desk: article %q: %w", id, ErrNotFound)
	}
	if err := json.Unmarshal([]byte(docs[0]), &a); err != nil {
		return a, fmt.Errorf("desk: article %q: decode stored article: %w", id, err)
	}
	return a, nil
}

func (l *sqlDesk) Search(ctx context.Context, f ArticleFilter) ([]store.Hit, error) {
	if strings.TrimSpace(f.Query) == "" {
		return nil, fmt.Errorf("desk: search: %w: empty query", store.ErrBadSearch)
	}
	return l.search(ctx, f, true)
}

func (l *sqlDesk) articles(ctx context.Context, f ArticleFilter) ([]schema.ArticleTaggedV1, error) {
	hits, err := l.search(ctx, f, false)
	if err != nil {
		return nil, err
	}
	out := make([]schema.ArticleTaggedV1, len(hits))
	for i := range hits {
		out[i] = hits[i].ArticleTaggedV1
	}
	return out, nil
}

// search lists articles newest first or, with ranked, best match for
// f.Query first with snippets.
func (l *sqlDesk) search(ctx context.Context, f ArticleFilter, ranked bool) ([]store.Hit, error) {
	sq, err := store.ParseSearch(f.Query)
	if err != nil {
		return nil, fmt.Errorf("desk: articles: %w", err)
	}
	q := &query{d: l.d}
	cols, join := "a.doc, CAST(0 AS DOUBLE PRECISION), ''", ""
	if !sq.Empty() {
		// The MATCH argument first: SQLite numbers its placeholders in order.
		s := store.Search(l.d.postgres, sq, q.arg)
		q.where(s.Cond())
		join = s.Join
		if ranked {
			cols = "a.doc, " + s.Rank() + ", " + s.Snippet()
		}
	}
	q.sql.WriteString("SELECT " + cols + " FROM articles a" + join)
	if f.RelevantOnly {
		q.where("a.relevant = TRUE")
	}
	if !f.Since.IsZero() {
		q.where("a.sort_us >= " + q.arg(micros(f.Since)))
	}
	if !f.Until.IsZero() {
		q.where("a.sort_us < " + q.arg(micros(f.Until)))
	}
	if strings.TrimSpace(f.Site) != "" {
		q.where(siteCond(q, "a.site", "a.site_name", f.Site))
	}
	if lang := strings.ToLower(strings.TrimSpace(f.Language)); lang != "" {
		q.where(languageCond(q, "a", lang))
	}
	if f.Tag != "" {
		q.where("EXISTS (SELECT 1 FROM tags t WHERE t.article_id = a.id AND t.name = " + q.arg(f.Tag) + ")")
	}
	if strings.TrimSpace(f.Place) != "" {
		q.where("(EXISTS (SELECT 1 FROM entities n WHERE n.article_id = a.id AND n.kind = 'place' AND " + store.NameCond("n.name_key", f.Place, q.arg) +
			") OR EXISTS (SELECT 1 FROM claim_places p WHERE p.article_id = a.id AND " + store.NameCond("p.place_key", f.Place, q.arg) + "))")
	}
	if f.claimFiltered() {
		// One claim passes every claim-level part.
		var conds []string
		if strings.TrimSpace(f.Speaker) != "" {
			conds = append(conds, store.NameCond("c.speaker_key", f.Speaker, q.arg))
		}
		if f.Topic != "" {
			conds = append(conds, "c.topic = "+q.arg(f.Topic))
		}
		if f.SpeakerKind != "" {
			conds = append(conds, "c.speaker_kind = "+q.arg(f.SpeakerKind))
		}
		if f.SpeakerRole != "" {
			conds = append(conds, "c.speaker_role = "+q.arg(f.SpeakerRole))
		}
		if f.Unit != "" {
			conds = append(conds, "EXISTS (SELECT 1 FROM quantities u WHERE u.article_id = c.article_id AND u.claim_ord = c.ord AND LOWER(u.unit) = "+
				q.arg(ledger.UnitKey(f.Unit))+")")
		}
		q.where("EXISTS (SELECT 1 FROM claims c WHERE c.article_id = a.id AND " + strings.Join(conds, " AND ") + ")")
	}
	q.writeWhere()
	if ranked && !sq.Empty() {
		q.sql.WriteString(" ORDER BY 2 DESC, a.sort_us DESC, a.id DESC")
	} else {
		q.sql.WriteString(" ORDER BY a.sort_us DESC, a.id DESC")
	}
	l.d.limit(q, f.Limit, f.Offset)
	var out []store.Hit
	err = scanAll(ctx, l.db.Query, q, func(r store.Rows) error {
		var (
			doc, snippet string
			rank         float64
		)
		if err := r.Scan(&doc, &rank, &snippet); err != nil {
			return err
		}
		var a schema.ArticleTaggedV1
		if err := json.Unmarshal([]byte(doc), &a); err != nil {
			return fmt.Errorf("decode stored article: %w", err)
		}
		out = append(out, store.Hit{ArticleTaggedV1: a, Rank: rank, Snippet: store.SnippetHTML(snippet)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("desk: articles: %w", err)
	}
	return out, nil
}

func (l *sqlDesk) facets(ctx context.Context) (Facets, error) {
	var fc Facets
	var first, last *int64
	var articles, relevant int64
	err := scanAll(ctx, l.db.Query, rawQuery(l.d, `SELECT (SELECT count(*) FROM articles),
		(SELECT count(*) FROM articles WHERE relevant = TRUE),
		(SELECT MIN(sort_us) FROM articles WHERE relevant = TRUE),
		(SELECT MAX(sort_us) FROM articles WHERE relevant = TRUE)`), func(r store.Rows) error {
		return r.Scan(&articles, &relevant, &first, &last)
	})
	if err != nil {
		return fc, fmt.Errorf("desk: facets: %w", err)
	}
	fc.Articles, fc.Relevant = int(articles), int(relevant)
	if first != nil && last != nil {
		fc.First, fc.Last = fromMicros(*first), fromMicros(*last)
	}
	var groups, recurring int64
	err = scanAll(ctx, l.db.Query, rawQuery(l.d, `SELECT count(*), count(CASE WHEN outlets >= 2 THEN 1 END) FROM ledger_groups`),
		func(r store.Rows) error { return r.Scan(&groups, &recurring) })
	if err != nil {
		return fc, fmt.Errorf("desk: facets: %w", err)
	}
	fc.Groups, fc.Recurring = int(groups), int(recurring)
	lists := []struct {
		dst *[]Facet
		sql string
	}{
		{&fc.Outlets, `SELECT site, MAX(site_name), count(*) FROM articles WHERE relevant = TRUE
			GROUP BY site ORDER BY count(*) DESC, site`},
		{&fc.Tags, `SELECT t.name, t.name, count(*) FROM tags t JOIN articles a ON a.id = t.article_id
			WHERE a.relevant = TRUE GROUP BY t.name ORDER BY count(*) DESC, t.name`},
		{&fc.Languages, `SELECT language, language, count(*) FROM articles WHERE relevant = TRUE AND language <> ''
			GROUP BY language ORDER BY count(*) DESC, language`},
		{&fc.Places, fmt.Sprintf(`SELECT n.name, n.name, count(DISTINCT n.article_id) FROM entities n
			JOIN articles a ON a.id = n.article_id WHERE a.relevant = TRUE AND n.kind = 'place'
			GROUP BY n.name ORDER BY count(DISTINCT n.article_id) DESC, n.name LIMIT %d`, maxFacetPlaces)},
		{&fc.Topics, `SELECT c.topic, c.topic, count(DISTINCT c.article_id) FROM claims c JOIN articles a ON a.id = c.article_id
			WHERE a.relevant = TRUE AND c.topic <> '' GROUP BY c.topic ORDER BY count(DISTINCT c.article_id) DESC, c.topic`},
		{&fc.Roles, `SELECT c.speaker_role, c.speaker_role, count(DISTINCT c.article_id) FROM claims c JOIN articles a ON a.id = c.article_id
			WHERE a.relevant = TRUE AND c.speaker_role <> '' GROUP BY c.speaker_role ORDER BY count(DISTINCT c.article_id) DESC, c.speaker_role`},
		{&fc.Units, fmt.Sprintf(`SELECT u.unit_key, u.unit_key, count(DISTINCT u.article_id) FROM (SELECT article_id, %s AS unit_key FROM quantities) u
			JOIN articles a ON a.id = u.article_id WHERE a.relevant = TRUE AND u.unit_key <> ''
			GROUP BY u.unit_key ORDER BY count(DISTINCT u.article_id) DESC, u.unit_key LIMIT %d`, l.d.asciiLower("unit"), maxFacetPlaces)},
	}
	for _, list := range lists {
		*list.dst = []Facet{} // an empty list, as the scan's
		err := scanAll(ctx, l.db.Query, rawQuery(l.d, list.sql), func(r store.Rows) error {
			var f Facet
			var n int64
			if err := r.Scan(&f.Value, &f.Label, &n); err != nil {
				return err
			}
			f.Count = int(n)
			if f.Label == "" {
				f.Label = f.Value
			}
			*list.dst = append(*list.dst, f)
			return nil
		})
		if err != nil {
			return fc, fmt.Errorf("desk: facets: %w", err)
		}
	}
	return fc, nil
}

// rawQuery is a query with its SQL and arguments given whole.
func rawQuery(d dialect, sql string, args ...any) *query {
	q := &query{d: d, args: args}
	q.sql.WriteString(sql)
	return q
}

// scanAll runs q and calls fn on each row.
func scanAll(ctx context.Context, run func(ctx context.Context, sql string, args ...any) (store.Rows, error), q *query, fn func(store.Rows) error) error {
	rows, err := run(ctx, q.sql.String(), q.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func entryArgs(e *ledger.Entry) ([]any, error) {
	places, err := json.Marshal(e.Places)
	if err != nil {
		return nil, ledgerErr("encode places", err)
	}
	keys := "|"
	for _, p := range e.Places {
		keys += store.Clean(store.NameKey(p)) + "|"
	}
	return []any{e.ArticleID, e.Claim, e.Quantity, store.Clean(e.Unit), store.Clean(e.UnitKey()), store.Clean(e.Topic), e.TopicWeak, store.Clean(e.SeriesTopic),
		micros(e.At), e.Value, e.Low, e.High, store.Clean(e.Qualifier), store.Clean(e.Raw), string(places), keys,
		store.Clean(e.Speaker), store.Clean(e.Via), store.Clean(e.Site), store.Clean(e.SiteName), store.Clean(e.Title), store.Clean(e.URL), store.Clean(e.Text),
		e.Offset, e.GroupID}, nil
}

func scanEntry(r store.Rows) (ledger.Entry, error) {
	var (
		e                  ledger.Entry
		claim, qty, offset int64
		atUs               int64
		places, keys       string
		unitKey            string
	)
	err := r.Scan(&e.ArticleID, &claim, &qty, &e.Unit, &unitKey, &e.Topic, &e.TopicWeak, &e.SeriesTopic, &atUs, &e.Value, &e.Low, &e.High,
		&e.Qualifier, &e.Raw, &places, &keys, &e.Speaker, &e.Via, &e.Site, &e.SiteName, &e.Title, &e.URL, &e.Text,
		&offset, &e.GroupID)
	if err != nil {
		return e, err
	}
	e.Claim, e.Quantity, e.Offset, e.At = int(claim), int(qty), int(offset), fromMicros(atUs)
	if err := json.Unmarshal([]byte(places), &e.Places); err != nil {
		return e, fmt.Errorf("decode places: %w", err)
	}
	return e, nil
}

func groupArgs(g *ledger.Group) ([]any, error) {
	places, err := json.Marshal(g.Places)
	if err != nil {
		return nil, ledgerErr("encode places", err)
	}
	outlets, err := json.Marshal(g.Outlets)
	if err != nil {
		return nil, ledgerErr("encode outlets", err)
	}
	return []any{g.ID, store.Clean(g.Unit), store.Clean(ledger.UnitKey(g.Unit)), store.Clean(g.Topic), micros(g.First), micros(g.Last), g.ArticleID, g.Claim, g.Quantity,
		g.Value, g.Low, g.High, store.Clean(g.Qualifier), store.Clean(g.Raw), store.Clean(g.Text), store.Clean(g.FirstSite), store.Clean(g.FirstOutlet),
		store.Clean(g.FirstTitle), store.Clean(g.FirstURL), store.Clean(g.Speaker), string(places), string(outlets), len(g.Outlets), g.Members}, nil
}

func scanGroup(r store.Rows) (ledger.Group, error) {
	var (
		g                ledger.Group
		firstUs, lastUs  int64
		claim, qty, nMem int64
		nOut             int64 // len(g.Outlets), stored for the order
		places, outlets  string
		unitKey          string
	)
	err := r.Scan(&g.ID, &g.Unit, &unitKey, &g.Topic, &firstUs, &lastUs, &g.ArticleID, &claim, &qty, &g.Value, &g.Low, &g.High,
		&g.Qualifier, &g.Raw, &g.Text, &g.FirstSite, &g.FirstOutlet, &g.FirstTitle, &g.FirstURL, &g.Speaker, &places,
		&outlets, &nOut, &nMem)
	if err != nil {
		return g, err
	}
	g.First, g.Last = fromMicros(firstUs), fromMicros(lastUs)
	g.Claim, g.Quantity, g.Members = int(claim), int(qty), int(nMem)
	if err := json.Unmarshal([]byte(places), &g.Places); err != nil {
		return g, fmt.Errorf("decode places: %w", err)
	}
	if err := json.Unmarshal([]byte(outlets), &g.Outlets); err != nil {
		return g, fmt.Errorf("decode outlets: %w", err)
	}
	return g, nil
}
