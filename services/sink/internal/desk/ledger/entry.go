package ledger

import (
	"cmp"
	"net/url"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// NoQuantity is Entry.Quantity for a claim without a number.
const NoQuantity = -1

// Entry is one thing a claim states: one of its numbers (a claim with two
// figures, "4mn people in 41,000 sq km", gives two entries, each grouped
// with its own kind), or the whole claim when it has no number.
type Entry struct {
	ArticleID string `json:"article_id"`
	// Claim is the claim's index in the article; Quantity the number's
	// index in the claim, or NoQuantity.
	Claim    int `json:"claim"`
	Quantity int `json:"quantity"`

	// Unit is the number's unit as the tagger wrote it; empty without a
	// number. Units match ignoring case (UnitKey).
	Unit string `json:"unit"`
	// Topic is the claim's topic. TopicWeak marks a topic that may not be
	// this number's: the claim has none, or it states figures in several
	// units and the tagger gives a claim only one topic.
	Topic     string `json:"topic"`
	TopicWeak bool   `json:"topic_weak,omitempty"`

	// At is when the article was published (fetched when it gives no date).
	At        time.Time `json:"at"`
	Value     *float64  `json:"value,omitempty"`
	Low       *float64  `json:"low,omitempty"`
	High      *float64  `json:"high,omitempty"`
	Qualifier string    `json:"qualifier,omitempty"`
	Raw       string    `json:"raw,omitempty"`

	Places  []string `json:"places"`
	Speaker string   `json:"speaker"`
	Via     string   `json:"via,omitempty"`

	// Site is the host of the article's URL, the outlet; SiteName its
	// own name for itself when known.
	Site     string `json:"site"`
	SiteName string `json:"site_name,omitempty"`
	Title    string `json:"title"`
	URL      string `json:"url"`
	// Text is the claim's exact text; Offset its byte offset in the
	// article text, -1 if unknown.
	Text   string `json:"text"`
	Offset int    `json:"offset"`

	// GroupID and SeriesTopic are set by Regroup. SeriesTopic is Topic,
	// or the group's topic where Topic is weak.
	GroupID     string `json:"group_id"`
	SeriesTopic string `json:"series_topic"`
}

// UnitKey is the unit as matched: lower-cased.
func (e *Entry) UnitKey() string { return UnitKey(e.Unit) }

// UnitKey is how units are matched and filtered: lower-cased.
func UnitKey(unit string) string { return strings.ToLower(unit) }

// Numeric reports whether the entry is a number rather than a whole claim.
func (e *Entry) Numeric() bool { return e.Quantity != NoQuantity }

// IsRange reports whether the number is a range ("between 14,000 and
// 18,000"), which only ever matches another range.
func (e *Entry) IsRange() bool { return e.Low != nil && e.High != nil && e.Value == nil }

// Point is the number to plot: the value, else the middle of the range.
func (e *Entry) Point() float64 {
	switch {
	case e.Value != nil:
		return *e.Value
	case e.Low != nil && e.High != nil:
		return (*e.Low + *e.High) / 2
	case e.Low != nil:
		return *e.Low
	case e.High != nil:
		return *e.High
	}
	return 0
}

// Outlet is the name to show for the entry's outlet.
func (e *Entry) Outlet() string {
	if e.SiteName != "" {
		return e.SiteName
	}
	return e.Site
}

// Compare is the canonical order every ledger is built in: time, then
// article id, claim and quantity. Ties in time are broken by ids, never
// by arrival.
func Compare(a, b *Entry) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return cmp.Or(strings.Compare(a.ArticleID, b.ArticleID), cmp.Compare(a.Claim, b.Claim), cmp.Compare(a.Quantity, b.Quantity))
}

// EntriesOf lists what a's claims state, in claim order. Only relevant
// articles are in the ledger: others give none. A quantity without any
// number (only raw text) is skipped; a claim left without numbers gives
// one entry for its text.
func EntriesOf(a *schema.ArticleTaggedV1) []Entry {
	if !a.Relevant {
		return nil
	}
	at := articleTime(a)
	site := SiteOf(a.CanonicalURL, a.URL)
	var out []Entry
	for ci := range a.Claims {
		c := &a.Claims[ci]
		units := map[string]bool{}
		for _, q := range c.Quantities {
			if hasNumber(q) {
				units[UnitKey(normUnit(q.Unit))] = true
			}
		}
		base := Entry{
			ArticleID: a.ID, Claim: ci, Quantity: NoQuantity,
			Topic: strings.TrimSpace(c.Topic), At: at,
			Places: nonNil(c.Places), Speaker: strings.TrimSpace(c.Speaker), Via: strings.TrimSpace(c.Via),
			Site: site, SiteName: a.SiteName, Title: a.Title, URL: a.URL, Text: c.Text, Offset: c.Offset,
		}
		base.TopicWeak = base.Topic == "" || len(units) > 1
		if len(units) == 0 {
			out = append(out, base)
			continue
		}
		for qi, q := range c.Quantities {
			if !hasNumber(q) {
				continue
			}
			e := base
			e.Places = nonNil(c.Places)
			e.Quantity, e.Unit = qi, normUnit(q.Unit)
			e.Value, e.Low, e.High = copyNum(q.Value), copyNum(q.Low), copyNum(q.High)
			e.Qualifier, e.Raw = q.Qualifier, q.Raw
			out = append(out, e)
		}
	}
	return out
}

func hasNumber(q schema.Quantity) bool { return q.Value != nil || q.Low != nil || q.High != nil }

func normUnit(u string) string { return strings.Join(strings.Fields(u), " ") }

func copyNum(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// articleTime is the article's own date, else its feed's, else when it
// was fetched. Stored time is never used: a replay must date claims alike.
func articleTime(a *schema.ArticleTaggedV1) time.Time {
	for _, t := range []*time.Time{a.PublishedAt, a.Item.PublishedAt} {
		if t != nil && !t.IsZero() {
			return t.UTC().Truncate(time.Microsecond)
		}
	}
	return a.Stages.FetchedAt.UTC().Truncate(time.Microsecond)
}

// SiteOf is the lower-cased host of the first URL that has one: the
// outlet the newsroom counts.
func SiteOf(urls ...string) string {
	for _, raw := range urls {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			return strings.ToLower(u.Hostname())
		}
	}
	return ""
}
