package ledger

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

var day0 = time.Date(2025, 6, 2, 4, 0, 0, 0, time.UTC)

func num(v float64) *float64 { return &v }

// fig is an entry stating value in unit, from article id, hours after day0.
func fig(id string, hours float64, value float64, unit, topic string, places ...string) Entry {
	return Entry{ArticleID: id, Claim: 0, Quantity: 0, Unit: unit, Topic: topic, At: day0.Add(time.Duration(hours * float64(time.Hour))),
		Value: num(value), Places: places, Site: id + ".example", Text: "claim of " + id}
}

func rng(id string, hours float64, lo, hi float64, unit, topic string) Entry {
	e := fig(id, hours, 0, unit, topic)
	e.Value, e.Low, e.High = nil, num(lo), num(hi)
	return e
}

func words(id string, hours float64, text string) Entry {
	e := fig(id, hours, 0, "", "territory")
	e.Quantity, e.Value, e.Text = NoQuantity, nil, text
	return e
}

func weak(e Entry) Entry { e.TopicWeak = true; return e }

// membership lists, per group, its members' article ids.
func membership(groups []Group) [][]string {
	var out [][]string
	for _, g := range groups {
		var ids []string
		for _, e := range g.Entries {
			ids = append(ids, e.ArticleID)
		}
		out = append(out, ids)
	}
	return out
}

func TestRegroupRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []Entry
		want    [][]string
	}{
		{"same figure, other wording and outlets", []Entry{
			fig("a", 0, 95, "percent", "territory", "Iraq", "Syria"), fig("b", 5, 95, "percent", "territory", "Iraq"),
			fig("c", 10, 95, "Percent", "territory")}, [][]string{{"a", "b", "c"}}},
		{"different numbers never share a group", []Entry{
			fig("a", 0, 95, "percent", "territory"), fig("b", 1, 98, "percent", "territory"), fig("c", 2, 100, "percent", "territory")},
			[][]string{{"a"}, {"b"}, {"c"}}},
		{"small numbers must be equal", []Entry{
			fig("a", 0, 29, "strikes", "strikes"), fig("b", 1, 30, "strikes", "strikes")}, [][]string{{"a"}, {"b"}}},
		{"large numbers within the tolerance", []Entry{
			fig("a", 0, 4_000_000, "people", "people freed"), fig("b", 1, 4_050_000, "people", "people freed"),
			fig("c", 2, 4_200_000, "people", "people freed")}, [][]string{{"a", "b"}, {"c"}}},
		{"no drift: compared with the first appearance", []Entry{
			fig("a", 0, 100_000, "fighters", "fighters"), fig("b", 1, 101_900, "fighters", "fighters"),
			fig("c", 2, 103_800, "fighters", "fighters")}, [][]string{{"a", "b"}, {"c"}}},
		{"other unit", []Entry{
			fig("a", 0, 41000, "km2", "territory"), fig("b", 1, 41000, "people", "territory")}, [][]string{{"a"}, {"b"}}},
		{"sure topics must agree", []Entry{
			fig("a", 0, 8e6, "people", "people freed"), fig("b", 1, 8e6, "people", "displaced")}, [][]string{{"a"}, {"b"}}},
		{"a weak or missing topic agrees with any", []Entry{
			weak(fig("a", 0, 4e6, "people", "territory")), fig("b", 1, 4e6, "people", "people freed"), fig("c", 2, 4e6, "people", "")},
			[][]string{{"a", "b", "c"}}},
		{"once a group has a sure topic, another sure topic starts a new group", []Entry{
			fig("a", 0, 8e6, "people", ""), fig("b", 1, 8e6, "people", "people freed"), fig("c", 2, 8e6, "people", "displaced")},
			[][]string{{"a", "b"}, {"c"}}},
		{"places must overlap when both name some", []Entry{
			fig("a", 0, 29, "strikes", "strikes", "Hawija", "Anbar"), fig("b", 1, 29, "strikes", "strikes", "Hawija"),
			fig("c", 2, 29, "strikes", "strikes", "Mosul"), fig("d", 3, 29, "strikes", "strikes")},
			[][]string{{"a", "b", "d"}, {"c"}}},
		{"outside the window a new group starts", []Entry{
			fig("a", 0, 95, "percent", "territory"), fig("b", 24*6, 95, "percent", "territory"), fig("c", 24*8, 95, "percent", "territory")},
			[][]string{{"a", "b"}, {"c"}}},
		{"ranges match ranges only", []Entry{
			rng("a", 0, 14000, 18000, "militants", "fighters"), rng("b", 1, 14000, 18000, "militants", "fighters"),
			fig("c", 2, 18000, "militants", "fighters"), rng("d", 3, 14000, 20000, "militants", "fighters")},
			[][]string{{"a", "b"}, {"c"}, {"d"}}},
		{"words: the same statement reprinted", []Entry{
			words("a", 0, "The group's leadership has been reduced to a dispersed network, says a UN report"),
			words("b", 3, "The report says the group's leadership has been reduced to a dispersed network."),
			words("c", 4, "The coalition will keep supporting the Iraqi Security Forces in Mosul.")},
			[][]string{{"a", "b"}, {"c"}}},
		{"words: too few to tell", []Entry{words("a", 0, "Raqqa was liberated"), words("b", 1, "Raqqa was liberated")},
			[][]string{{"a"}, {"b"}}},
		{"numbers and words never mix", []Entry{fig("a", 0, 35, "", "members"), words("b", 0, "thirty five countries met")},
			[][]string{{"a"}, {"b"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := membership(Regroup(tc.entries, DefaultOptions()))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("groups = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGroupFields(t *testing.T) {
	t.Parallel()
	a := fig("a", 0, 95, "percent", "", "Iraq")
	a.TopicWeak = true
	b := fig("b", 2, 95, "percent", "territory", "Syria", "Iraq")
	b.Speaker, b.SiteName = "James Mattis", "Levant Daily"
	c := fig("c", 1, 95, "percent", "territory")
	c.Speaker, c.Site = "Jens Stoltenberg", "a.example" // same outlet as a
	gs := Regroup([]Entry{b, c, a}, DefaultOptions())
	if len(gs) != 1 {
		t.Fatalf("%d groups, want 1", len(gs))
	}
	g := gs[0]
	if g.ArticleID != "a" || !g.First.Equal(a.At) || !g.Last.Equal(b.At) || g.Members != 3 {
		t.Errorf("first %s at %v, last %v, %d members", g.ArticleID, g.First, g.Last, g.Members)
	}
	if g.Speaker != "Jens Stoltenberg" {
		t.Errorf("speaker %q, want the first named one", g.Speaker)
	}
	if g.Topic != "territory" || g.Entries[0].SeriesTopic != "territory" {
		t.Errorf("topic %q, series topic of the topic-less member %q", g.Topic, g.Entries[0].SeriesTopic)
	}
	if !slices.Equal(g.Outlets, []string{"a.example", "Levant Daily"}) {
		t.Errorf("outlets %v", g.Outlets)
	}
	if !slices.Equal(g.Places, []string{"Iraq", "Syria"}) {
		t.Errorf("places %v", g.Places)
	}
	if g.ID != GroupID("a", 0, 0) {
		t.Errorf("id %s, want the first appearance's", g.ID)
	}
}

// TestRegroupIgnoresOrder: the same entries in any order give the same
// groups, which is what makes a replay rebuild the same ledger.
func TestRegroupIgnoresOrder(t *testing.T) {
	t.Parallel()
	var es []Entry
	for i := range 60 {
		id := string(rune('a'+i%26)) + string(rune('a'+i/26))
		v := []float64{95, 100, 4e6, 4.05e6, 29}[i%5]
		e := fig(id, float64(i%17)*11, v, []string{"percent", "people", "strikes"}[i%3], []string{"territory", "", "people freed"}[i%3])
		e.Claim = i % 4
		es = append(es, e)
	}
	want := Regroup(es, DefaultOptions())
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		r.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
		if got := Regroup(es, DefaultOptions()); !reflect.DeepEqual(got, want) {
			t.Fatal("another order gave other groups")
		}
	}
}

func TestEntriesOf(t *testing.T) {
	t.Parallel()
	pub := day0
	a := schema.ArticleTaggedV1{ID: "x", URL: "https://www.gulf-times.com/story/1", Relevant: true, PublishedAt: &pub, SiteName: "Gulf Times",
		Claims: []schema.Claim{
			{Text: "some 4mn people in more than 41,000sq km", Topic: "territory", Offset: 10, Places: []string{"Iraq"},
				Quantities: []schema.Quantity{{Value: num(4e6), Unit: "people", Raw: "4mn people"}, {Value: num(41000), Unit: "km2", Raw: "41,000sq km"}}},
			{Text: "Mosul has been liberated", Speaker: "Mattis", Topic: "territory", Offset: 60},
			{Text: "95 percent", Quantities: []schema.Quantity{{Value: num(95), Unit: "percent", Raw: "95 percent"}, {Unit: "percent", Raw: "most"}}},
		}}
	es := EntriesOf(&a)
	type row struct {
		claim, qty int
		unit       string
		weak       bool
	}
	var got []row
	for _, e := range es {
		got = append(got, row{e.Claim, e.Quantity, e.Unit, e.TopicWeak})
		if e.Site != "www.gulf-times.com" || !e.At.Equal(pub) {
			t.Errorf("site %q at %v", e.Site, e.At)
		}
	}
	want := []row{{0, 0, "people", true}, {0, 1, "km2", true}, {1, NoQuantity, "", false}, {2, 0, "percent", true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries %v, want %v", got, want)
	}
	a.Relevant = false
	if es := EntriesOf(&a); len(es) != 0 {
		t.Errorf("an irrelevant article gave %d entries", len(es))
	}
}

func TestNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   float64
		want string
	}{{95, "95"}, {41000, "41,000"}, {2.3e6, "2.3 million"}, {1.5e9, "1.5 billion"}, {2345678, "2,345,678"}, {0.5, "0.5"}, {-12000, "-12,000"}} {
		if got := Number(tc.in); got != tc.want {
			t.Errorf("Number(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
