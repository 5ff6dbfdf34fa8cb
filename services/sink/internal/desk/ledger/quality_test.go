package ledger_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/testkit/gold"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger/ledgertest"
)

// recurrence is a seed figure (from gold.json) and, labelled by hand, the
// articles that state it again in other words; the repeats were written
// to do so (testdata/repeats).
type recurrence struct {
	seed string // gold file
	raw  string // the gold quantity's raw text
	// sites are the outlets whose articles state the figure within the
	// grouping window, the seed's first.
	sites []string
}

var recurrences = []recurrence{
	{"000_6472ec96983d24f1.txt", "95 percent", []string{"en.minanews.net", "www.gulfwire.example", "www.levantdaily.example"}},
	{"000_6472ec96983d24f1.txt", "more than two million people", []string{"en.minanews.net", "www.gulfwire.example"}},
	{"001_d8aee011cb06e7c6.txt", "nearly eight million people", []string{"asianlite.com", "www.romewire.example"}},
	{"003_b20276f8bb1996d1.txt", "100%", []string{"diyaruna.com", "www.frontline-report.example"}},
	{"003_b20276f8bb1996d1.txt", "between 14,000 and 18,000 ISIS militants", []string{"diyaruna.com", "www.frontline-report.example"}},
	{"004_04d904eda5a7a569.txt", "some 4mn people", []string{"www.gulf-times.com", "www.baghdadherald.example"}},
	{"004_04d904eda5a7a569.txt", "about 2.3mn people", []string{"www.gulf-times.com", "www.baghdadherald.example"}},
	{"004_04d904eda5a7a569.txt", "29 strikes", []string{"www.gulf-times.com", "www.baghdadherald.example"}},
}

func entriesOf(arts []schema.ArticleTaggedV1) []ledger.Entry {
	var es []ledger.Entry
	for i := range arts {
		es = append(es, ledger.EntriesOf(&arts[i])...)
	}
	return es
}

// sameNumber reports whether an entry states the gold quantity's number.
func sameNumber(e *ledger.Entry, q gold.Quantity) bool {
	if !strings.EqualFold(e.Unit, q.Unit) {
		return false
	}
	if q.Low != nil && q.High != nil {
		return e.IsRange() && *e.Low == *q.Low && *e.High == *q.High
	}
	return q.Value != nil && !e.IsRange() && e.Point() == *q.Value
}

// TestSeedFiguresThatRecurAreGrouped checks, on the bundled recording plus
// the repeats, that each seed figure stated again elsewhere forms one
// group holding exactly the hand-labelled articles: its rewordings join
// it, distractors (98 percent; 95 percent again three months later; the
// same 8 million under another topic) do not.
func TestSeedFiguresThatRecurAreGrouped(t *testing.T) {
	t.Parallel()
	arts := append(ledgertest.Recording(t), ledgertest.Repeats(t)...)
	groups := ledger.Regroup(entriesOf(arts), ledger.DefaultOptions())
	byURL := map[string]*schema.ArticleTaggedV1{}
	for i := range arts {
		byURL[arts[i].URL] = &arts[i]
	}
	seeds := map[string]gold.Article{}
	for _, g := range ledgertest.Gold(t) {
		seeds[g.File] = g
	}
	for _, rc := range recurrences {
		t.Run(rc.seed[:3]+" "+rc.raw, func(t *testing.T) {
			ga := seeds[rc.seed]
			var q *gold.Quantity
			for _, c := range ga.Claims {
				for i := range c.Quantities {
					if c.Quantities[i].Raw == rc.raw {
						q = &c.Quantities[i]
					}
				}
			}
			if q == nil {
				t.Fatalf("gold.json has no quantity %q in %s", rc.raw, rc.seed)
			}
			if byURL[ga.URL] == nil {
				t.Fatalf("the recording has no article at %s", ga.URL)
			}
			var found *ledger.Group
			for i := range groups {
				g := &groups[i]
				if g.FirstURL == ga.URL && g.Numeric() {
					a := g.Anchor()
					if sameNumber(&a, *q) {
						found = g
						break
					}
				}
			}
			if found == nil {
				t.Fatalf("no group starts at the seed's %q (%v %s): did the tagger miss it?", rc.raw, q.Value, q.Unit)
			}
			var sites []string
			for _, e := range found.Entries {
				sites = append(sites, e.Site)
				if !sameNumber(&e, *q) {
					t.Errorf("member %s states %s, not the seed's figure", e.Site, ledger.Figure(&e))
				}
			}
			if !slices.Equal(sites, rc.sites) {
				t.Errorf("group of %q carried by %v, want %v", rc.raw, sites, rc.sites)
			}
			t.Logf("%s: %d outlets, first %s, speaker %q", ledger.GroupFigure(found), len(found.Outlets), found.FirstOutlet, found.Speaker)
		})
	}
}

// TestNoGroupMixesNumbers holds for the recording alone and with the
// repeats: within a group every member states the first appearance's
// number (within the tolerance, which on this data means equal), and no
// two sure topics meet.
func TestNoGroupMixesNumbers(t *testing.T) {
	t.Parallel()
	rec := ledgertest.Recording(t)
	for _, tc := range []struct {
		name string
		arts []schema.ArticleTaggedV1
	}{{"recording", rec}, {"recording and repeats", append(slices.Clone(rec), ledgertest.Repeats(t)...)}} {
		t.Run(tc.name, func(t *testing.T) {
			o := ledger.DefaultOptions()
			groups := ledger.Regroup(entriesOf(tc.arts), o)
			multi, crossOutlet, numeric := 0, 0, 0
			for _, g := range groups {
				if g.Numeric() {
					numeric++
				}
				if g.Members > 1 {
					multi++
				}
				if len(g.Outlets) > 1 {
					crossOutlet++
				}
				topics := map[string]bool{}
				for _, e := range g.Entries {
					if e.UnitKey() != ledger.UnitKey(g.Unit) {
						t.Errorf("group %s (%s) holds unit %q", g.ID, ledger.GroupFigure(&g), e.Unit)
					}
					if g.Numeric() {
						a := g.Anchor()
						if a.IsRange() != e.IsRange() || math.Abs(a.Point()-e.Point()) > o.Tolerance*math.Abs(a.Point()) ||
							a.Point() < o.ExactBelow && a.Point() != e.Point() {
							t.Errorf("group %s mixes %s and %s", g.ID, ledger.GroupFigure(&g), ledger.Figure(&e))
						}
					}
					if e.Topic != "" && !e.TopicWeak {
						topics[e.Topic] = true
					}
				}
				if len(topics) > 1 {
					t.Errorf("group %s (%s) mixes topics %v", g.ID, ledger.GroupFigure(&g), topics)
				}
			}
			t.Logf("%d articles: %d groups (%d about a number), %d with several members, %d carried by several outlets",
				len(tc.arts), len(groups), numeric, multi, crossOutlet)
		})
	}
}

// TestSeriesShowTheChange: the figures of percent of territory line up
// over time with their sources, so 95 becoming 100 (and a 98) is visible.
func TestSeriesShowTheChange(t *testing.T) {
	t.Parallel()
	arts := append(ledgertest.Recording(t), ledgertest.Repeats(t)...)
	var members []ledger.Entry
	for _, g := range ledger.Regroup(entriesOf(arts), ledger.DefaultOptions()) {
		members = append(members, g.Entries...)
	}
	var territory *ledger.Series
	series := ledger.BuildSeries(members, 2)
	for i := range series {
		if series[i].Topic == "territory" && series[i].Unit == "percent" {
			territory = &series[i]
		}
	}
	if territory == nil {
		t.Fatalf("no territory · percent series among %d", len(series))
	}
	values := map[float64]int{}
	for i, p := range territory.Points {
		values[p.Point()]++
		if i > 0 && p.At.Before(territory.Points[i-1].At) {
			t.Errorf("points out of time order")
		}
		if p.Site == "" || p.URL == "" || p.GroupID == "" {
			t.Errorf("point without its source: %+v", p)
		}
	}
	if values[95] < 3 || values[100] < 2 || values[98] != 1 {
		t.Errorf("territory percent values %v, want 95 (x4, one of them months later), 100 (x2) and 98", values)
	}
	t.Logf("%d series of 2 points or more; territory · percent: %d points, %d figures, %d outlets",
		len(series), len(territory.Points), territory.Groups, territory.Outlets)
}
