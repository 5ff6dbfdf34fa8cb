package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
)

// Version names the grouping rules. A store whose ledger was built under
// another version rebuilds it.
const Version = "1"

// Options are the grouping rules' parameters.
type Options struct {
	// Window is how long after its first appearance a claim still joins
	// a group: the same briefing figure reprinted over the following
	// days is one claim; the same figure months later is a new one (and
	// the series shows both).
	Window time.Duration
	// Tolerance is the relative difference under which two numbers of at
	// least ExactBelow are the same figure ("some 4mn" and "4.05
	// million"); smaller numbers must be equal.
	Tolerance  float64
	ExactBelow float64
	// TextMinWords and TextOverlap decide when two claims without numbers
	// say the same: the shorter has at least TextMinWords content words
	// and TextOverlap of them are in the other.
	TextMinWords int
	TextOverlap  float64
}

// DefaultOptions are the rules the sink uses.
func DefaultOptions() Options {
	return Options{Window: 7 * 24 * time.Hour, Tolerance: 0.02, ExactBelow: 1000, TextMinWords: 6, TextOverlap: 0.9}
}

// ReopenFrom is how far back a change at t can reach: groups first seen
// before t-Window cannot take an entry at t or later (it is outside their
// window), and their members all come before t, so they stay as they are.
// Regrouping the entries of groups first seen from then on, with the
// changed entries, gives what a full rebuild would.
func (o Options) ReopenFrom(t time.Time) time.Time { return t.Add(-o.Window) }

// Group is a claim and every place it appeared. The claim's fields
// (number, text) are those of its first appearance.
type Group struct {
	ID   string `json:"id"`
	Unit string `json:"unit"`
	// Topic is the first sure topic among the members (else the first
	// weak one).
	Topic string    `json:"topic"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`

	// The first appearance.
	ArticleID   string   `json:"article_id"`
	Claim       int      `json:"claim"`
	Quantity    int      `json:"quantity"`
	Value       *float64 `json:"value,omitempty"`
	Low         *float64 `json:"low,omitempty"`
	High        *float64 `json:"high,omitempty"`
	Qualifier   string   `json:"qualifier,omitempty"`
	Raw         string   `json:"raw,omitempty"`
	Text        string   `json:"text"`
	FirstSite   string   `json:"first_site"`
	FirstOutlet string   `json:"first_outlet"`
	FirstTitle  string   `json:"first_title"`
	FirstURL    string   `json:"first_url"`

	// Speaker is the original speaker: the first member that names one.
	Speaker string `json:"speaker"`
	// Places are the members' places, first named first.
	Places []string `json:"places"`
	// Outlets are the distinct outlets that carried the claim, first
	// first.
	Outlets []string `json:"outlets"`
	Members int      `json:"members"`

	// Entries are the members in canonical order. Regroup fills them;
	// readers fill them when asked.
	Entries []Entry `json:"entries,omitempty"`
}

// Numeric reports whether the group is about a number.
func (g *Group) Numeric() bool { return g.Quantity != NoQuantity }

// Anchor is the group's first appearance as an entry (without its members'
// fields).
func (g *Group) Anchor() Entry {
	return Entry{ArticleID: g.ArticleID, Claim: g.Claim, Quantity: g.Quantity, Unit: g.Unit, Topic: g.Topic,
		At: g.First, Value: g.Value, Low: g.Low, High: g.High, Qualifier: g.Qualifier, Raw: g.Raw}
}

// GroupID is the id of the group first seen at that claim and quantity:
// stable across rebuilds.
func GroupID(articleID string, claim, quantity int) string {
	sum := sha256.Sum256([]byte(articleID + "/" + strconv.Itoa(claim) + "/" + strconv.Itoa(quantity)))
	return hex.EncodeToString(sum[:8])
}

// building is a group while Regroup fills it.
type building struct {
	g         *Group
	anchor    *Entry
	places    map[string]bool
	sites     map[string]bool
	weakTopic string
	words     map[string]bool
}

// Regroup groups entries and returns the groups in the order of their
// first appearance, each with its members. Entries are taken in canonical
// order (Compare), whatever order they are given in; each joins the
// earliest group, first seen within the window, whose first appearance
// states the same number (or, without numbers, nearly the same words) in
// the same unit, whose topic agrees and whose places overlap; otherwise it
// starts a group. Comparing with the first appearance, not the latest
// member, keeps a group from drifting from 100 to 102 to 104.
func Regroup(entries []Entry, o Options) []Group {
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return Compare(&a, &b) })
	type bucket struct {
		unit    string
		numeric bool
	}
	// open lists each bucket's groups in order of first appearance;
	// start skips those whose window has passed.
	open := map[bucket][]*building{}
	start := map[bucket]int{}
	var all []*building
	for i := range sorted {
		e := &sorted[i]
		k := bucket{e.UnitKey(), e.Numeric()}
		gs := open[k]
		s := start[k]
		for s < len(gs) && e.At.Sub(gs[s].g.First) > o.Window {
			s++
		}
		start[k] = s
		var words map[string]bool
		if !e.Numeric() {
			words = contentWords(e.Text)
		}
		var into *building
		for _, b := range gs[s:] {
			if b.accepts(e, words, o) {
				into = b
				break
			}
		}
		if into == nil {
			into = newBuilding(e, words)
			open[k] = append(open[k], into)
			all = append(all, into)
		}
		into.add(e)
	}
	out := make([]Group, len(all))
	for i, b := range all {
		b.finish()
		out[i] = *b.g
	}
	return out
}

func newBuilding(e *Entry, words map[string]bool) *building {
	g := &Group{
		ID: GroupID(e.ArticleID, e.Claim, e.Quantity), Unit: e.Unit, First: e.At,
		ArticleID: e.ArticleID, Claim: e.Claim, Quantity: e.Quantity,
		Value: e.Value, Low: e.Low, High: e.High, Qualifier: e.Qualifier, Raw: e.Raw, Text: e.Text,
		FirstSite: e.Site, FirstOutlet: e.Outlet(), FirstTitle: e.Title, FirstURL: e.URL,
		Places: []string{}, Outlets: []string{},
	}
	return &building{g: g, anchor: e, places: map[string]bool{}, sites: map[string]bool{}, words: words}
}

func (b *building) accepts(e *Entry, words map[string]bool, o Options) bool {
	if !topicOK(b.g.Topic, e) || !placesOK(b.places, e.Places) {
		return false
	}
	if e.Numeric() {
		return o.valuesMatch(b.anchor, e)
	}
	return o.textMatch(b.words, words)
}

func (b *building) add(e *Entry) {
	g := b.g
	if e.Topic != "" {
		if !e.TopicWeak && g.Topic == "" {
			g.Topic = e.Topic
		}
		if b.weakTopic == "" {
			b.weakTopic = e.Topic
		}
	}
	if g.Speaker == "" {
		g.Speaker = e.Speaker
	}
	for _, p := range e.Places {
		if k := placeKey(p); k != "" && !b.places[k] {
			b.places[k] = true
			g.Places = append(g.Places, p)
		}
	}
	site := e.Site
	if site == "" {
		site = e.URL
	}
	if !b.sites[site] {
		b.sites[site] = true
		g.Outlets = append(g.Outlets, e.Outlet())
	}
	g.Last = e.At
	g.Members++
	e.GroupID = g.ID
	g.Entries = append(g.Entries, *e)
}

// finish settles the topic (the first sure one, else the first weak one)
// and gives members without a sure topic the group's, for their series.
func (b *building) finish() {
	g := b.g
	if g.Topic == "" {
		g.Topic = b.weakTopic
	}
	for i := range g.Entries {
		e := &g.Entries[i]
		e.SeriesTopic = e.Topic
		if e.TopicWeak || e.Topic == "" {
			e.SeriesTopic = g.Topic
		}
	}
}
