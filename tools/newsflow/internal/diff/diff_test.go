package diff

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

func f(v float64) *float64 { return &v }

func q(v float64, unit string) schema.Quantity {
	return schema.Quantity{Value: f(v), Unit: unit, Qualifier: "exact"}
}

func claim(text, speaker string, qs ...schema.Quantity) schema.Claim {
	return schema.Claim{Text: text, Speaker: speaker, Quantities: qs}
}

func art(id string, relevant bool, text string, cs ...schema.Claim) schema.ArticleTaggedV1 {
	return schema.ArticleTaggedV1{ID: id, URL: "https://news.example/" + id, Title: "Title " + id, Relevant: relevant, Text: text, Claims: cs}
}

const (
	mattis  = "Mattis said 95 percent of the territory was liberated."
	strikes = "The coalition carried out 29 strikes near Raqqa."
)

// summary renders the parts of a report a case checks, one string each.
func summary(r Report) []string {
	var out []string
	for _, a := range r.Added {
		out = append(out, "added article "+a.ID)
	}
	for _, a := range r.Removed {
		out = append(out, "removed article "+a.ID)
	}
	for _, a := range r.BecameRelevant {
		out = append(out, "relevant "+a.ID)
	}
	for _, a := range r.BecameIrrelevant {
		out = append(out, "irrelevant "+a.ID)
	}
	for _, c := range r.Claims {
		s := c.Kind + " claim " + c.Article.ID
		if c.Kind == "changed" {
			s += " " + strings.Join(c.Fields, ",")
		}
		out = append(out, s)
	}
	for _, t := range r.Text {
		out = append(out, "text "+t.Article.ID)
	}
	for _, d := range r.Dates {
		out = append(out, "date "+d.Article.ID)
	}
	return out
}

func dated(id string, at *time.Time) schema.ArticleTaggedV1 {
	a := art(id, true, "x")
	a.PublishedAt = at
	return a
}

var (
	day         = ptr(time.Date(2017, 12, 9, 10, 0, 0, 0, time.UTC))
	later       = ptr(time.Date(2025, 12, 9, 10, 0, 0, 0, time.UTC))
	sameInParis = ptr(time.Date(2017, 12, 9, 11, 0, 0, 0, time.FixedZone("CET", 3600)))
)

func ptr(t time.Time) *time.Time { return &t }

func TestCompare(t *testing.T) {
	long := strings.Repeat("word ", 200) // 1,000 characters
	for _, c := range []struct {
		name       string
		base, head []schema.ArticleTaggedV1
		want       []string
	}{
		{"same", []schema.ArticleTaggedV1{art("a", true, long, claim(mattis, "James Mattis", q(95, "percent")))},
			[]schema.ArticleTaggedV1{art("a", true, long, claim(mattis, "James Mattis", q(95, "percent")))}, nil},
		{"articles added and removed, with their claims",
			[]schema.ArticleTaggedV1{art("a", false, "x", claim(strikes, ""))},
			[]schema.ArticleTaggedV1{art("b", false, "x", claim(mattis, "James Mattis"), claim(strikes, ""))},
			[]string{"added article b", "removed article a", "removed claim a", "added claim b", "added claim b"}},
		{"relevance both ways",
			[]schema.ArticleTaggedV1{art("a", false, "x"), art("b", true, "x")},
			[]schema.ArticleTaggedV1{art("a", true, "x"), art("b", false, "x")},
			[]string{"relevant a", "irrelevant b"}},
		{"speaker changed",
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(mattis, "Mattis"))},
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(mattis, "James Mattis"))},
			[]string{"changed claim a speaker"}},
		{"quantity changed",
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, "", q(29, "strikes")))},
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, "", q(28, "strikes")))},
			[]string{"changed claim a quantity"}},
		{"unit changed, number kept",
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, "", q(29, "")))},
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, "", q(29, "strikes")))},
			[]string{"changed claim a unit"}},
		{"quantity found",
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, ""))},
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, "", q(29, "strikes")))},
			[]string{"changed claim a quantity"}},
		{"topic and places",
			[]schema.ArticleTaggedV1{art("a", true, "x", schema.Claim{Text: strikes, Topic: "strikes"})},
			[]schema.ArticleTaggedV1{art("a", true, "x", schema.Claim{Text: strikes, Topic: "attacks", Places: []string{"Raqqa"}})},
			[]string{"changed claim a topic,places"}},
		{"sentence cut differently is one changed claim",
			[]schema.ArticleTaggedV1{art("a", true, "x", claim("The coalition carried out 29 strikes near Raqqa on Monday, officials said.", ""))},
			[]schema.ArticleTaggedV1{art("a", true, "x", claim("The coalition carried out 29 strikes near Raqqa on Monday.", ""))},
			[]string{"changed claim a text"}},
		{"a different sentence is removed and added",
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, ""), claim(mattis, "James Mattis"))},
			[]schema.ArticleTaggedV1{art("a", true, "x", claim("Some 4 million people returned home.", ""), claim(strikes, ""))},
			[]string{"added claim a", "removed claim a"}},
		{"duplicate texts pair in order",
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, "A"), claim(strikes, "B"))},
			[]schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, "A"), claim(strikes, "B"), claim(strikes, "C"))},
			[]string{"added claim a"}},
		{"text length beyond the threshold",
			[]schema.ArticleTaggedV1{art("a", true, long), art("b", true, long), art("c", true, long)},
			[]schema.ArticleTaggedV1{art("a", true, long[:900]), art("b", true, long[:970]), art("c", true, long+strings.Repeat("x", 60))},
			[]string{"text a", "text c"}}, // b: 30 chars, under 40
		{"published dates: changed, found, lost, same instant in another zone",
			[]schema.ArticleTaggedV1{dated("a", day), dated("b", nil), dated("c", day), dated("d", day)},
			[]schema.ArticleTaggedV1{dated("a", later), dated("b", day), dated("c", nil), dated("d", sameInParis)},
			[]string{"date a", "date b", "date c"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := Compare(c.base, c.head, DefaultOptions)
			if got := summary(r); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
			if r.Empty() != (len(c.want) == 0) {
				t.Errorf("Empty() = %v", r.Empty())
			}
		})
	}
}

func TestSmallTextChangeOfShortArticle(t *testing.T) {
	// 45 characters more on a 2,000-character article is 2%: under 5%.
	base := art("a", true, strings.Repeat("y", 2000))
	head := art("a", true, strings.Repeat("y", 2045))
	if r := Compare([]schema.ArticleTaggedV1{base}, []schema.ArticleTaggedV1{head}, DefaultOptions); len(r.Text) != 0 {
		t.Errorf("reported %+v", r.Text)
	}
}

func TestCountsAndOutput(t *testing.T) {
	base := []schema.ArticleTaggedV1{art("a", false, "x", claim(strikes, "")), art("b", true, "x", claim(mattis, "Mattis", q(95, "percent")))}
	head := []schema.ArticleTaggedV1{art("a", true, "x", claim(strikes, "")), art("b", true, "x", claim(mattis, "James Mattis", q(95, "percent")), claim("Some 4 million people returned home.", "", q(4e6, "people")))}
	r := Compare(base, head, DefaultOptions)
	if r.Base != (Side{Articles: 2, Relevant: 1, Claims: 2}) || r.Head != (Side{Articles: 2, Relevant: 2, Claims: 3}) {
		t.Errorf("sides %+v %+v", r.Base, r.Head)
	}
	if a, rm, ch := r.ClaimCounts(); a != 1 || rm != 0 || ch != 1 {
		t.Errorf("claim counts %d %d %d", a, rm, ch)
	}
	var out bytes.Buffer
	if err := WriteText(&out, r, Labels{Base: "main", Head: "work tree", Recording: "testdata/recording"}, 10); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"claims     2     3      +1",
		"Became relevant: 1\n  Title a  https://news.example/a",
		"Claims: 1 added, 0 removed, 1 changed\n",
		`~ Mattis said 95 percent of the territory was liberated.: speaker "Mattis" → "James Mattis"`,
		"+ Some 4 million people returned home. [4000000 people]  (Title b)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	_ = WriteText(&out, Compare([]schema.ArticleTaggedV1{dated("a", day)}, []schema.ArticleTaggedV1{dated("a", later)}, DefaultOptions), Labels{}, 10)
	if !strings.Contains(out.String(), "Published date changed: 1\n  2017-12-09 10:00 → 2025-12-09 10:00  Title a  https://news.example/a") {
		t.Errorf("date change:\n%s", out.String())
	}
	// One example only: the rest is pointed to.
	out.Reset()
	_ = WriteText(&out, r, Labels{}, 1)
	if !strings.Contains(out.String(), "… and 1 more (--format json lists all)") {
		t.Errorf("limited text:\n%s", out.String())
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("JSON round trip: %v\n%s", err, b)
	}
	out.Reset()
	_ = WriteText(&out, Compare(base, base, DefaultOptions), Labels{}, 10)
	if !strings.Contains(out.String(), "No difference") {
		t.Errorf("empty diff:\n%s", out.String())
	}
}
