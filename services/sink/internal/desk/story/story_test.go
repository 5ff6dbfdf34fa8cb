package story

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

func num(v float64) *float64 { return &v }

var t0 = time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)

func article(id string, at time.Time, title string, places []string, qs ...schema.Quantity) schema.ArticleTaggedV1 {
	a := schema.ArticleTaggedV1{ID: id, URL: "https://" + id + ".example/a", Title: title, Relevant: true, PublishedAt: &at}
	for _, p := range places {
		a.Entities = append(a.Entities, schema.Entity{Name: p, Kind: "place"})
	}
	for _, q := range qs {
		a.Claims = append(a.Claims, schema.Claim{Text: q.Raw, Speaker: "UN monitors", SpeakerKind: "organisation", SpeakerRole: "monitor",
			Topic: "fighters", Quantities: []schema.Quantity{q}})
	}
	return a
}

func TestDefaultRulesParse(t *testing.T) {
	t.Parallel()
	r, err := ParseRules(rulesYAML)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"Fighters", "militants"}, {"jihadists", "militants"}, {"militants", "militants"},
		{"per cent", "percent"}, {"strikes", "strikes"}, {"Drones", "drones"},
	}
	for _, tc := range tests {
		if got := r.Unit(tc.in); got != tc.want {
			t.Errorf("Unit(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if r.Window != 48*time.Hour || r.Tolerance != 0.1 {
		t.Errorf("window %v tolerance %v", r.Window, r.Tolerance)
	}
}

func TestParseRulesRejects(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"bad window":  "window: soon\nmin_shared: 1\nmin_overlap: 0.5\nweights: {place: 1, entity: 1, figure: 1, word: 1}\n",
		"unknown":     "window: 1h\nmin_shared: 1\nmin_overlap: 0.5\nweights: {place: 1, entity: 1, figure: 1, word: 1}\nfoo: 1\n",
		"unit twice":  "window: 1h\nmin_shared: 1\nmin_overlap: 0.5\nweights: {place: 1, entity: 1, figure: 1, word: 1}\nunits: [[a, b], [c, b]]\n",
		"weight gone": "window: 1h\nmin_shared: 1\nmin_overlap: 0.5\nweights: {place: 1}\n",
		"overlap > 1": "window: 1h\nmin_shared: 1\nmin_overlap: 2\nweights: {place: 1, entity: 1, figure: 1, word: 1}\n",
	} {
		if _, err := ParseRules([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// corpus: two events on the same topic and day (Raqqa fighters, Mosul
// strikes), a follow-up a day later, and a Raqqa article outside the
// window.
func corpus() []schema.ArticleTaggedV1 {
	fighters := func(v float64, raw string) schema.Quantity {
		return schema.Quantity{Value: num(v), Unit: "fighters", Qualifier: "approximately", Raw: raw}
	}
	return []schema.ArticleTaggedV1{
		article("a1", t0, "UN report: 18,000 ISIS fighters remain near Raqqa", []string{"Raqqa", "Syria"}, fighters(18000, "18,000 fighters")),
		article("a2", t0.Add(2*time.Hour), "18,000 jihadists still near Raqqa, UN monitors say", []string{"Raqqa", "Syria"},
			schema.Quantity{Value: num(18000), Unit: "jihadists", Raw: "18,000 jihadists"}),
		article("a3", t0.Add(26*time.Hour), "Raqqa: Kurdish forces put ISIS fighters remain at 30,000", []string{"Raqqa", "Syria"},
			fighters(30000, "30,000 fighters"), fighters(18000, "18,000")),
		article("b1", t0.Add(time.Hour), "Coalition strikes hit Mosul bridges overnight", []string{"Mosul", "Iraq"},
			schema.Quantity{Value: num(29), Unit: "strikes", Raw: "29 strikes"}),
		article("b2", t0.Add(3*time.Hour), "Mosul bridges hit by 29 coalition strikes", []string{"Mosul", "Iraq"},
			schema.Quantity{Value: num(29), Unit: "airstrikes", Raw: "29 airstrikes"}),
		article("c1", t0.Add(30*24*time.Hour), "UN report: 18,000 ISIS fighters remain near Raqqa", []string{"Raqqa", "Syria"}, fighters(18000, "18,000 fighters")),
	}
}

func docs(as []schema.ArticleTaggedV1, r Rules) []Doc {
	out := make([]Doc, len(as))
	for i := range as {
		out[i] = DocOf(&as[i], &r)
	}
	return out
}

func members(ss []Story) [][]string {
	var out [][]string
	for _, s := range ss {
		out = append(out, s.Members)
	}
	return out
}

func TestGroupStories(t *testing.T) {
	t.Parallel()
	r := DefaultRules()
	got := members(Group(docs(corpus(), r), r))
	want := [][]string{{"a1", "a2", "a3"}, {"b1", "b2"}, {"c1"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stories %v, want %v", got, want)
	}
}

// The stories depend on the set of articles, not on the order they come in.
func TestGroupOrderIndependent(t *testing.T) {
	t.Parallel()
	r := DefaultRules()
	ds := docs(corpus(), r)
	want := fmt.Sprint(Group(ds, r))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
		if got := fmt.Sprint(Group(ds, r)); got != want {
			t.Fatalf("order %v: %s, want %s", ids(ds), got, want)
		}
	}
	slices.Reverse(ds)
	if got := fmt.Sprint(Group(ds, r)); got != want {
		t.Fatalf("reversed: %s, want %s", got, want)
	}
}

func ids(ds []Doc) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func TestLinkedAgreesWithIndex(t *testing.T) {
	t.Parallel()
	r := DefaultRules()
	ds := docs(corpus(), r)
	for i := range ds {
		for j := range ds {
			if i == j {
				continue
			}
			ix := NewIndex(r)
			ix.Add(ds[i])
			ix.Add(ds[j])
			if got, want := ix.StoryOf(0) == ix.StoryOf(1), r.Linked(&ds[i], &ds[j]); got != want {
				t.Errorf("%s-%s: index %v, Linked %v", ds[i].ID, ds[j].ID, got, want)
			}
		}
	}
}

func TestCompareFigures(t *testing.T) {
	t.Parallel()
	r := DefaultRules()
	as := corpus()[:3]
	as = append(as, article("a4", t0.Add(3*time.Hour), "Copy: UN report: 18,000 ISIS fighters remain near Raqqa", nil,
		schema.Quantity{Value: num(5), Unit: "fighters", Raw: "5 fighters"}))
	figs := Compare(as, map[string]string{"a4": "a1"}, r)
	if len(figs) != 1 {
		t.Fatalf("figures %+v, want one", figs)
	}
	f := figs[0]
	if f.Unit != "militants" || f.Topic != "fighters" || !f.Disagree || f.Low != 18000 || f.High != 30000 || f.Sources != 3 {
		t.Errorf("figures %+v", f)
	}
	c := f.Conservative()
	if c.Low != 18000 || !c.Agrees || c.Role != "monitor" || c.Kind != "organisation" {
		t.Errorf("conservative %+v", c)
	}
	last := f.Says[len(f.Says)-1]
	if last.Low != 30000 || last.Agrees || last.ArticleID != "a3" {
		t.Errorf("highest %+v", last)
	}

	// Within the tolerance: no flag.
	as[2].Claims[0].Quantities[0].Value = num(19000)
	f = Compare(as[:3], nil, r)[0]
	if f.Disagree || !f.Says[len(f.Says)-1].Agrees {
		t.Errorf("19,000 vs 18,000 flagged: %+v", f)
	}
	// A bound ("more than") is never the conservative figure.
	as[2].Claims[0].Quantities[0] = schema.Quantity{Value: num(1000), Unit: "militants", Qualifier: "more than", Raw: "more than 1,000"}
	f = Compare(as[:3], nil, r)[0]
	if f.Conservative().Low != 18000 || !f.Disagree {
		t.Errorf("bound first: %+v", f)
	}
}

// BenchmarkAssign prints story assignment cost (articles/s on one core)
// with a million articles in the index, and the index's memory per article.
// Synthetic articles: a year of 2,740 a day, each with eight keys from a
// skewed vocabulary of 200,000 (a few places in most articles).
func BenchmarkAssign(b *testing.B) {
	const n = 1_000_000
	r := DefaultRules()
	rng := rand.New(rand.NewPCG(3, 4))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(5, 6)), 1.1, 1, 200_000)
	kinds := []string{KindPlace, KindEntity, KindFigure, KindWord}
	gen := func(i int) Doc {
		keys := make([]string, 0, 8)
		for len(keys) < 8 {
			k := zipf.Uint64()
			keys = append(keys, fmt.Sprintf("%s:k%d", kinds[k%4], k))
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		at := t0.Add(time.Duration(i) * (365 * 24 * time.Hour / n)).Add(time.Duration(rng.IntN(3600)) * time.Second)
		return Doc{ID: fmt.Sprintf("article-%07d", i), At: at, Keys: keys}
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix := NewIndex(r)
	for i := range n {
		ix.Add(gen(i))
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	extra := make([]Doc, 20_000)
	for i := range extra {
		extra[i] = gen(n + i)
	}
	b.ResetTimer()
	start := time.Now()
	added := 0
	for b.Loop() {
		ix.Add(extra[added%len(extra)])
		added++
	}
	b.ReportMetric(float64(added)/time.Since(start).Seconds(), "articles/s")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "index-bytes/article")
}
