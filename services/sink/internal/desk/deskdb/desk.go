package deskdb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// Store is what the claim desk keeps and reads beyond the article store:
// the ledger of claims grouped across articles (package ledger), the
// articles newest first, and the values a reader filters on. SQLite and
// PostgreSQL keep the ledger in tables of the desk's own (schema.sql)
// next to the articles, updated incrementally; JSON lines computes it from
// Export on each read. Open gives any article store a desk Store.
type Store interface {
	// SyncLedger brings the ledger up to date with the stored versions of
	// the articles ids. Articles whose content it already has cost one
	// lookup, so redeliveries and replays are cheap and change nothing.
	// Only the groups a change can reach are regrouped (see
	// ledger.Options.ReopenFrom), and the result equals a rebuild from
	// scratch. It reports how many articles changed the ledger.
	SyncLedger(ctx context.Context, ids []string) (int, error)
	// CatchUpLedger syncs every article the ledger lacks or has an older
	// version of, oldest first, rebuilding from scratch when the ledger
	// was built under other rules (ledger.Version). The desk runs it at
	// start and now and then while it follows (see Follow); it reports how
	// many articles changed the ledger.
	CatchUpLedger(ctx context.Context) (int, error)
	// LedgerGroups lists groups, most widely carried first (outlets,
	// members, then newest first appearance).
	LedgerGroups(ctx context.Context, f LedgerFilter) ([]ledger.Group, error)
	// LedgerSeries lists the series (topic and unit) of the numbers that
	// pass f, the longest first.
	LedgerSeries(ctx context.Context, f LedgerFilter) ([]ledger.Series, error)
	// Articles lists articles newest first.
	Articles(ctx context.Context, f ArticleFilter) ([]schema.ArticleTaggedV1, error)
	// Article is the stored version of one article; ErrNotFound when there
	// is none.
	Article(ctx context.Context, id string) (schema.ArticleTaggedV1, error)
	// Search lists the articles matching f.Query (see store.ParseSearch)
	// and f's other filters, best match first, with snippets. Stores
	// without full-text search return store.ErrUnsupported.
	Search(ctx context.Context, f ArticleFilter) ([]store.Hit, error)
	// Facets lists what the desk's filters can choose from, over the
	// relevant articles.
	Facets(ctx context.Context) (Facets, error)
}

// LedgerFilter selects groups or series points. Zero values select
// everything. Since, Until, Site and Place apply to members: a group is
// listed when one of its members passes, and is then shown whole.
type LedgerFilter struct {
	// Since is inclusive, Until exclusive.
	Since, Until time.Time
	// Site is an outlet, matched by words against its host and name
	// ("gulf-times", "Gulf Times", "www.gulf-times.com"; see
	// store.HasPhrase), as Place and Speaker are against a member's.
	Site, Place, Speaker string
	// Language keeps members of articles in that language ("fr" takes
	// "fr-CA" too).
	Language string
	// Topic matches exactly, Unit ignoring case.
	Topic, Unit string
	// SpeakerKind and SpeakerRole keep members whose claim has that kind
	// of speaker (SpeakerKinds) and role (government, group-media ...),
	// exactly.
	SpeakerKind, SpeakerRole string
	// Notable keeps groups about a number or carried more than once.
	Notable bool
	// MinOutlets keeps groups carried by at least that many outlets.
	MinOutlets int
	// WithMembers loads each group's members (Group.Entries).
	WithMembers bool
	// MinPoints keeps series with at least that many points.
	MinPoints int
	// Limit 0 means no limit; it counts groups, or series.
	Limit, Offset int
}

// ArticleFilter selects articles for the desk, newest first. Zero values
// select everything.
type ArticleFilter struct {
	// Since is inclusive, Until exclusive, on the published (else stored)
	// time, as Export's Since.
	Since, Until time.Time
	// Site, Place and Speaker match by words, ignoring case (see
	// LedgerFilter): an outlet, a place the article or one of its claims
	// names, a speaker of one of its claims.
	Site, Place, Speaker string
	// Tag is a tag name ("isis"); Language the article's ("fr").
	Tag, Language string
	// Topic, Unit, SpeakerKind and SpeakerRole keep articles with a claim
	// of that topic, with a figure in that unit (ignoring case), by that
	// kind of speaker and of that role. With Speaker they apply to one
	// and the same claim.
	Topic, Unit, SpeakerKind, SpeakerRole string
	// Query is a full-text search; Articles applies it as a filter and
	// keeps its order, Search ranks by it.
	Query        string
	RelevantOnly bool
	// Limit 0 means no limit.
	Limit, Offset int
}

// Facet is one value of a filter with how many relevant articles have it.
type Facet struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Facets are the filter values of the desk and a few totals.
type Facets struct {
	Outlets []Facet `json:"outlets"`
	Tags    []Facet `json:"tags"`
	Places  []Facet `json:"places"`
	// Languages are the relevant articles' languages, most first.
	Languages []Facet `json:"languages"`
	// Topics, Units and Roles are their claims' topics, figures' units
	// (lower-cased) and speakers' roles, counted by article.
	Topics []Facet `json:"topics"`
	Units  []Facet `json:"units"`
	Roles  []Facet `json:"roles"`
	// First and Last bound the relevant articles' dates (zero if none).
	First, Last time.Time
	Articles    int `json:"articles"`
	Relevant    int `json:"relevant"`
	Groups      int `json:"groups"`
	// Recurring counts groups carried by two outlets or more.
	Recurring int `json:"recurring"`
}

// ErrNotFound is an article the store does not have.
var ErrNotFound = errors.New("not found")

// maxFacetPlaces bounds the place list: the most named first.
const maxFacetPlaces = 80

// Open returns the desk Store over st: one keeping the ledger in tables
// when st is a database (creating them if they are missing), else one that
// computes everything from Export.
func Open(ctx context.Context, st store.Store) (Store, error) {
	db, ok := store.DBOf(st)
	if !ok {
		return scanDesk{st}, nil
	}
	d := &sqlDesk{db: db, d: dialect{postgres: db.Postgres}, opts: ledger.DefaultOptions()}
	if err := d.ensureSchema(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// scanDesk answers the desk from Export: JSON lines and any other store
// without ledger tables. SyncLedger has nothing to keep.
type scanDesk struct{ s store.Store }

func (d scanDesk) SyncLedger(context.Context, []string) (int, error) { return 0, nil }

func (d scanDesk) CatchUpLedger(context.Context) (int, error) { return 0, nil }

// articleInfo is what member filters need of an entry's article beyond
// the entry: its language and its claims' speaker kinds and roles.
type articleInfo struct {
	lang         string
	kinds, roles []string
}

// ledgerOf groups every relevant article's entries from scratch; langs
// are the articles by id, for Language and speaker filters.
func (d scanDesk) ledgerOf(ctx context.Context) (groups []ledger.Group, langs map[string]articleInfo, err error) {
	var entries []ledger.Entry
	langs = map[string]articleInfo{}
	err = d.s.Export(ctx, store.ExportFilter{RelevantOnly: true}, func(a schema.ArticleTaggedV1) error {
		entries = append(entries, ledger.EntriesOf(&a)...)
		info := articleInfo{lang: a.Language}
		for _, c := range a.Claims {
			info.kinds, info.roles = append(info.kinds, c.SpeakerKind), append(info.roles, c.SpeakerRole)
		}
		langs[a.ID] = info
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return ledger.Regroup(entries, ledger.DefaultOptions()), langs, nil
}

func (d scanDesk) LedgerGroups(ctx context.Context, f LedgerFilter) ([]ledger.Group, error) {
	groups, langs, err := d.ledgerOf(ctx)
	if err != nil {
		return nil, err
	}
	var out []ledger.Group
	for _, g := range groups {
		if !groupPasses(&g, f) || !slices.ContainsFunc(g.Entries, func(e ledger.Entry) bool { return entryPasses(&e, f, langs) }) {
			continue
		}
		if !f.WithMembers {
			g.Entries = nil
		}
		out = append(out, g)
	}
	slices.SortStableFunc(out, compareRank)
	return page(out, f.Limit, f.Offset), nil
}

func (d scanDesk) LedgerSeries(ctx context.Context, f LedgerFilter) ([]ledger.Series, error) {
	groups, langs, err := d.ledgerOf(ctx)
	if err != nil {
		return nil, err
	}
	var entries []ledger.Entry
	for _, g := range groups {
		for _, e := range g.Entries {
			if entryPasses(&e, f, langs) && (f.Topic == "" || e.SeriesTopic == f.Topic) && (f.Unit == "" || e.UnitKey() == ledger.UnitKey(f.Unit)) {
				entries = append(entries, e)
			}
		}
	}
	return page(ledger.BuildSeries(entries, f.MinPoints), f.Limit, f.Offset), nil
}

func (d scanDesk) Articles(ctx context.Context, f ArticleFilter) ([]schema.ArticleTaggedV1, error) {
	var out []schema.ArticleTaggedV1
	err := d.s.Export(ctx, store.ExportFilter{Since: f.Since, RelevantOnly: f.RelevantOnly, Query: f.Query}, func(a schema.ArticleTaggedV1) error {
		if !f.Until.IsZero() && micros(store.SortTime(&a)) >= micros(f.Until) {
			return nil
		}
		if !siteMatches(store.SiteOf(&a), a.SiteName, f.Site) || !store.LanguageMatches(a.Language, f.Language) {
			return nil
		}
		if f.Tag != "" && !slices.ContainsFunc(a.Tags, func(t schema.Tag) bool { return t.Name == f.Tag }) {
			return nil
		}
		if strings.TrimSpace(f.Place) != "" && !namesPlace(&a, f.Place) {
			return nil
		}
		if f.claimFiltered() && !slices.ContainsFunc(a.Claims, f.claimPasses) {
			return nil
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(out)
	return page(out, f.Limit, f.Offset), nil
}

func (d scanDesk) Article(ctx context.Context, id string) (schema.ArticleTaggedV1, error) {
	var out schema.ArticleTaggedV1
	found := false
	err := d.s.Export(ctx, store.ExportFilter{}, func(a schema.ArticleTaggedV1) error {
		if a.ID == id {
			out, found = a, true
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	if !found {
		return out, fmt.Errorf("desk: article %q: %w", id, ErrNotFound)
	}
	return out, nil
}

func (d scanDesk) Search(context.Context, ArticleFilter) ([]store.Hit, error) {
	return nil, fmt.Errorf("%w: full-text search needs SQLite or PostgreSQL", store.ErrUnsupported)
}

func (d scanDesk) Facets(ctx context.Context) (Facets, error) {
	var fc Facets
	outlets, tags, places, langs := map[string]*Facet{}, map[string]*Facet{}, map[string]*Facet{}, map[string]*Facet{}
	topics, units, roles := map[string]*Facet{}, map[string]*Facet{}, map[string]*Facet{}
	count := func(m map[string]*Facet, value, label string) {
		if f, ok := m[value]; ok {
			f.Count++
			return
		}
		m[value] = &Facet{Value: value, Label: label, Count: 1}
	}
	err := d.s.Export(ctx, store.ExportFilter{}, func(a schema.ArticleTaggedV1) error {
		fc.Articles++
		if !a.Relevant {
			return nil
		}
		fc.Relevant++
		t := store.SortTime(&a)
		if fc.First.IsZero() || t.Before(fc.First) {
			fc.First = t
		}
		if t.After(fc.Last) {
			fc.Last = t
		}
		site := store.SiteOf(&a)
		count(outlets, site, cmp.Or(a.SiteName, site))
		if a.Language != "" {
			count(langs, a.Language, a.Language)
		}
		for _, tg := range a.Tags {
			count(tags, tg.Name, tg.Name)
		}
		seen := map[string]bool{}
		for _, e := range a.Entities {
			if e.Kind == "place" && !seen[e.Name] {
				seen[e.Name] = true
				count(places, e.Name, e.Name)
			}
		}
		once := map[string]bool{}
		countOnce := func(m map[string]*Facet, kind, value string) {
			if value != "" && !once[kind+"\x00"+value] {
				once[kind+"\x00"+value] = true
				count(m, value, value)
			}
		}
		for _, c := range a.Claims {
			countOnce(topics, "topic", c.Topic)
			countOnce(roles, "role", c.SpeakerRole)
			for _, q := range c.Quantities {
				countOnce(units, "unit", asciiLower(q.Unit))
			}
		}
		return nil
	})
	if err != nil {
		return Facets{}, err
	}
	groups, _, err := d.ledgerOf(ctx)
	if err != nil {
		return Facets{}, err
	}
	fc.Groups = len(groups)
	for _, g := range groups {
		if len(g.Outlets) >= 2 {
			fc.Recurring++
		}
	}
	fc.Outlets, fc.Tags = sortedFacets(outlets, 0), sortedFacets(tags, 0)
	fc.Places = sortedFacets(places, maxFacetPlaces)
	fc.Languages = sortedFacets(langs, 0)
	fc.Topics, fc.Units, fc.Roles = sortedFacets(topics, 0), sortedFacets(units, maxFacetPlaces), sortedFacets(roles, 0)
	return fc, nil
}

// asciiLower lower-cases ASCII letters only, as SQLite's LOWER does, so
// both stores list the same units.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// sortedFacets lists m by count, then value, keeping at most limit (0:
// all).
func sortedFacets(m map[string]*Facet, limit int) []Facet {
	out := make([]Facet, 0, len(m))
	for _, f := range m {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b Facet) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func namesPlace(a *schema.ArticleTaggedV1, place string) bool {
	for _, e := range a.Entities {
		if e.Kind == "place" && store.HasPhrase(e.Name, place) {
			return true
		}
	}
	for _, c := range a.Claims {
		for _, p := range c.Places {
			if store.HasPhrase(p, place) {
				return true
			}
		}
	}
	return false
}

// claimFiltered reports whether f has claim-level parts.
func (f ArticleFilter) claimFiltered() bool {
	return strings.TrimSpace(f.Speaker) != "" || f.Topic != "" || f.Unit != "" || f.SpeakerKind != "" || f.SpeakerRole != ""
}

// claimPasses applies f's claim-level parts to c.
func (f ArticleFilter) claimPasses(c schema.Claim) bool {
	return store.HasPhrase(c.Speaker, f.Speaker) && (f.Topic == "" || c.Topic == f.Topic) &&
		(f.SpeakerKind == "" || c.SpeakerKind == f.SpeakerKind) && (f.SpeakerRole == "" || c.SpeakerRole == f.SpeakerRole) &&
		(f.Unit == "" || slices.ContainsFunc(c.Quantities, func(q schema.Quantity) bool { return ledger.UnitKey(q.Unit) == ledger.UnitKey(f.Unit) }))
}

// siteMatches reports whether an outlet filter finds the outlet of host
// site and name: the host whole, or words of the host and the name.
func siteMatches(site, name, outlet string) bool {
	o := strings.ToLower(strings.TrimSpace(outlet))
	return o == "" || o == site || store.PhraseOf(outlet) != "" && store.HasPhrase(site+" "+name, outlet)
}

// groupPasses applies the group-level parts of f.
func groupPasses(g *ledger.Group, f LedgerFilter) bool {
	return (f.Topic == "" || g.Topic == f.Topic) && (f.Unit == "" || ledger.UnitKey(g.Unit) == ledger.UnitKey(f.Unit)) &&
		(!f.Notable || g.Numeric() || g.Members >= 2) && len(g.Outlets) >= f.MinOutlets
}

// entryPasses applies the member-level parts of f; langs are the
// articles by id.
func entryPasses(e *ledger.Entry, f LedgerFilter, langs map[string]articleInfo) bool {
	if !f.Since.IsZero() && e.At.Before(f.Since) || !f.Until.IsZero() && !e.At.Before(f.Until) {
		return false
	}
	if !siteMatches(e.Site, e.SiteName, f.Site) || !store.HasPhrase(e.Speaker, f.Speaker) {
		return false
	}
	info := langs[e.ArticleID]
	if !store.LanguageMatches(info.lang, f.Language) {
		return false
	}
	if f.SpeakerKind != "" && (e.Claim >= len(info.kinds) || info.kinds[e.Claim] != f.SpeakerKind) ||
		f.SpeakerRole != "" && (e.Claim >= len(info.roles) || info.roles[e.Claim] != f.SpeakerRole) {
		return false
	}
	return strings.TrimSpace(f.Place) == "" || slices.ContainsFunc(e.Places, func(p string) bool { return store.HasPhrase(p, f.Place) })
}

// compareRank is the desk's group order: most outlets, most members,
// newest first appearance, id.
func compareRank(a, b ledger.Group) int {
	return cmp.Or(cmp.Compare(len(b.Outlets), len(a.Outlets)), cmp.Compare(b.Members, a.Members),
		b.First.Compare(a.First), strings.Compare(a.ID, b.ID))
}

func page[T any](s []T, limit, offset int) []T {
	if offset > 0 {
		if offset >= len(s) {
			return nil
		}
		s = s[offset:]
	}
	if limit > 0 && len(s) > limit {
		s = s[:limit]
	}
	return s
}

func ledgerErr(what string, err error) error { return fmt.Errorf("desk: ledger: %s: %w", what, err) }

// micros is the unit the store keeps times in: UTC unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
