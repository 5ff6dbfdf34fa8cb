// Package diff compares two exports of the same replayed recording, made
// by two builds, and says what changed: articles that appeared or went,
// articles that became relevant or stopped being so, claims added, removed
// or changed (speaker, quantity, unit, topic, places, text), articles
// whose text grew or shrank beyond a threshold, and articles whose
// published date changed. It is pure: `newsflow diff`
// replays and exports, this package only compares.
package diff

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Options tune the comparison.
type Options struct {
	// A text length change is reported when it is at least MinTextChars
	// characters and at least MinTextRatio of the base length.
	MinTextChars int
	MinTextRatio float64
}

// DefaultOptions report a change of 40 characters and 5% or more.
var DefaultOptions = Options{MinTextChars: 40, MinTextRatio: 0.05}

// Article names an article in a report.
type Article struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
}

// Claim is a claim as the report shows it.
type Claim struct {
	Text       string   `json:"text"`
	Speaker    string   `json:"speaker,omitempty"`
	Topic      string   `json:"topic,omitempty"`
	Quantities []string `json:"quantities,omitempty"` // "95 percent", "2000000-4000000 people (more than)"
	Places     []string `json:"places,omitempty"`
}

// ClaimChange is one claim added, removed or changed in an article.
type ClaimChange struct {
	Article Article `json:"article"`
	Kind    string  `json:"kind"` // added, removed, changed
	Base    *Claim  `json:"base,omitempty"`
	Head    *Claim  `json:"head,omitempty"`
	// Fields that differ, for a changed claim: text, speaker, quantity,
	// unit, topic, places.
	Fields []string `json:"fields,omitempty"`
}

// TextChange is an article whose text length changed beyond the threshold.
type TextChange struct {
	Article Article `json:"article"`
	Base    int     `json:"base_chars"`
	Head    int     `json:"head_chars"`
}

// DateChange is an article whose published date changed (nil: none).
type DateChange struct {
	Article Article    `json:"article"`
	Base    *time.Time `json:"base,omitempty"`
	Head    *time.Time `json:"head,omitempty"`
}

// Side counts what one build stored.
type Side struct {
	Articles int `json:"articles"`
	Relevant int `json:"relevant"`
	Claims   int `json:"claims"`
}

// Report is what changed from base to head.
type Report struct {
	Base             Side          `json:"base"`
	Head             Side          `json:"head"`
	Added            []Article     `json:"articles_added,omitempty"`
	Removed          []Article     `json:"articles_removed,omitempty"`
	BecameRelevant   []Article     `json:"became_relevant,omitempty"`
	BecameIrrelevant []Article     `json:"became_irrelevant,omitempty"`
	Claims           []ClaimChange `json:"claims,omitempty"`
	Text             []TextChange  `json:"text,omitempty"`
	Dates            []DateChange  `json:"published_dates,omitempty"`
}

// Empty reports whether nothing changed.
func (r Report) Empty() bool {
	return len(r.Added)+len(r.Removed)+len(r.BecameRelevant)+len(r.BecameIrrelevant)+len(r.Claims)+len(r.Text)+len(r.Dates) == 0
}

// ClaimCounts are the claim changes by kind.
func (r Report) ClaimCounts() (added, removed, changed int) {
	for _, c := range r.Claims {
		switch c.Kind {
		case "added":
			added++
		case "removed":
			removed++
		default:
			changed++
		}
	}
	return added, removed, changed
}

// Compare compares base with head, articles matched by id. Everything in
// the report is in a stable order (by URL, then claim position), so two
// runs of the same builds give the same report.
func Compare(base, head []schema.ArticleTaggedV1, o Options) Report {
	var r Report
	bm, hm := index(base), index(head)
	r.Base, r.Head = count(bm), count(hm)
	for _, id := range sortedIDs(bm, hm) {
		b, inBase := bm[id]
		h, inHead := hm[id]
		switch {
		case !inHead:
			r.Removed = append(r.Removed, ref(b))
			r.Claims = append(r.Claims, all("removed", b)...)
			continue
		case !inBase:
			r.Added = append(r.Added, ref(h))
			r.Claims = append(r.Claims, all("added", h)...)
			continue
		}
		a := ref(h)
		if b.Relevant != h.Relevant {
			if h.Relevant {
				r.BecameRelevant = append(r.BecameRelevant, a)
			} else {
				r.BecameIrrelevant = append(r.BecameIrrelevant, a)
			}
		}
		r.Claims = append(r.Claims, claims(a, b.Claims, h.Claims)...)
		bl, hl := utf8.RuneCountInString(b.Text), utf8.RuneCountInString(h.Text)
		if d := abs(hl - bl); d > 0 && d >= o.MinTextChars && float64(d) >= o.MinTextRatio*float64(bl) {
			r.Text = append(r.Text, TextChange{Article: a, Base: bl, Head: hl})
		}
		if !sameTime(b.PublishedAt, h.PublishedAt) {
			r.Dates = append(r.Dates, DateChange{Article: a, Base: b.PublishedAt, Head: h.PublishedAt})
		}
	}
	return r
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func index(arts []schema.ArticleTaggedV1) map[string]schema.ArticleTaggedV1 {
	m := make(map[string]schema.ArticleTaggedV1, len(arts))
	for _, a := range arts {
		m[a.ID] = a
	}
	return m
}

func count(m map[string]schema.ArticleTaggedV1) Side {
	var s Side
	for _, a := range m {
		s.Articles++
		if a.Relevant {
			s.Relevant++
		}
		s.Claims += len(a.Claims)
	}
	return s
}

// sortedIDs are the ids of both sides, ordered by URL (then id), so a
// report reads like a list of pages.
func sortedIDs(bm, hm map[string]schema.ArticleTaggedV1) []string {
	url := map[string]string{}
	for id, a := range bm {
		url[id] = a.URL
	}
	for id, a := range hm {
		url[id] = a.URL
	}
	ids := make([]string, 0, len(url))
	for id := range url {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(strings.Compare(url[a], url[b]), strings.Compare(a, b)) })
	return ids
}

func ref(a schema.ArticleTaggedV1) Article { return Article{ID: a.ID, URL: a.URL, Title: a.Title} }

func all(kind string, a schema.ArticleTaggedV1) []ClaimChange {
	out := make([]ClaimChange, 0, len(a.Claims))
	for _, c := range a.Claims {
		v := view(c)
		cc := ClaimChange{Article: ref(a), Kind: kind}
		if kind == "added" {
			cc.Head = &v
		} else {
			cc.Base = &v
		}
		out = append(out, cc)
	}
	return out
}

// claims pairs the claims of one article: first those with the same text,
// in order; then, of the rest, those whose texts share most of their words
// (a sentence split or joined differently, a word more or less), best
// pairs first; what remains was removed or added.
func claims(a Article, base, head []schema.Claim) []ClaimChange {
	bUsed, hUsed := make([]bool, len(base)), make([]bool, len(head))
	pairs := [][2]int{}
	byText := map[string][]int{}
	for j, c := range head {
		k := norm(c.Text)
		byText[k] = append(byText[k], j)
	}
	for i, c := range base {
		k := norm(c.Text)
		if js := byText[k]; len(js) > 0 {
			pairs = append(pairs, [2]int{i, js[0]})
			bUsed[i], hUsed[js[0]] = true, true
			byText[k] = js[1:]
		}
	}
	type cand struct {
		i, j int
		sim  float64
	}
	var cands []cand
	for i := range base {
		if bUsed[i] {
			continue
		}
		bw := words(base[i].Text)
		for j := range head {
			if hUsed[j] {
				continue
			}
			if s := jaccard(bw, words(head[j].Text)); s >= similar {
				cands = append(cands, cand{i, j, s})
			}
		}
	}
	slices.SortStableFunc(cands, func(x, y cand) int { return cmp.Compare(y.sim, x.sim) })
	for _, c := range cands {
		if !bUsed[c.i] && !hUsed[c.j] {
			pairs = append(pairs, [2]int{c.i, c.j})
			bUsed[c.i], hUsed[c.j] = true, true
		}
	}
	type change struct {
		pos int // position in head (or base, for removed claims) for the order
		cc  ClaimChange
	}
	var out []change
	for _, p := range pairs {
		b, h := view(base[p[0]]), view(head[p[1]])
		if f := fields(b, h); len(f) > 0 {
			out = append(out, change{p[1], ClaimChange{Article: a, Kind: "changed", Base: &b, Head: &h, Fields: f}})
		}
	}
	for i, used := range bUsed {
		if !used {
			b := view(base[i])
			out = append(out, change{i, ClaimChange{Article: a, Kind: "removed", Base: &b}})
		}
	}
	for j, used := range hUsed {
		if !used {
			h := view(head[j])
			out = append(out, change{j, ClaimChange{Article: a, Kind: "added", Head: &h}})
		}
	}
	slices.SortStableFunc(out, func(x, y change) int { return cmp.Compare(x.pos, y.pos) })
	res := make([]ClaimChange, len(out))
	for i, c := range out {
		res[i] = c.cc
	}
	return res
}

// similar is the share of words two claim texts must have in common to be
// one claim that changed rather than one removed and another added.
const similar = 0.6

func view(c schema.Claim) Claim {
	v := Claim{Text: c.Text, Speaker: c.Speaker, Topic: c.Topic, Places: c.Places}
	for _, q := range c.Quantities {
		v.Quantities = append(v.Quantities, quantity(q))
	}
	return v
}

// quantity renders a normalised quantity: value or range, unit, and the
// qualifier when it is not exact.
func quantity(q schema.Quantity) string {
	var s string
	switch {
	case q.Value != nil:
		s = num(*q.Value)
	case q.Low != nil && q.High != nil:
		s = num(*q.Low) + "-" + num(*q.High)
	case q.Low != nil:
		s = ">=" + num(*q.Low)
	case q.High != nil:
		s = "<=" + num(*q.High)
	default:
		s = "?"
	}
	if q.Unit != "" {
		s += " " + q.Unit
	}
	if q.Qualifier != "" && q.Qualifier != "exact" {
		s += " (" + q.Qualifier + ")"
	}
	return s
}

func num(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// fields lists what differs between two versions of a claim. A quantity
// whose number stayed but whose unit changed is a unit change; any other
// difference in the quantities is a quantity change.
func fields(b, h Claim) []string {
	var f []string
	if norm(b.Text) != norm(h.Text) {
		f = append(f, "text")
	}
	if b.Speaker != h.Speaker {
		f = append(f, "speaker")
	}
	if !slices.Equal(b.Quantities, h.Quantities) {
		bn, hn := numbers(b.Quantities), numbers(h.Quantities)
		if slices.Equal(bn, hn) {
			f = append(f, "unit")
		} else {
			f = append(f, "quantity")
		}
	}
	if b.Topic != h.Topic {
		f = append(f, "topic")
	}
	if !slices.Equal(b.Places, h.Places) {
		f = append(f, "places")
	}
	return f
}

// numbers are the quantities without unit and qualifier.
func numbers(qs []string) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i], _, _ = strings.Cut(q, " ")
	}
	return out
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		m[w] = true
	}
	return m
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// pct renders a change relative to base: "+12%", "−30%".
func pct(base, head int) string {
	if base == 0 {
		return "new"
	}
	return fmt.Sprintf("%+.0f%%", 100*float64(head-base)/float64(base))
}
