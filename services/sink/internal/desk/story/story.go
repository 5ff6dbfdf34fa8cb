package story

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Key kinds, the prefixes of Doc.Keys.
const (
	KindPlace  = "place"
	KindEntity = "entity"
	KindFigure = "figure"
	KindWord   = "word"
)

// Doc is what story grouping needs of an article.
type Doc struct {
	ID string
	// At is the published time, else the fetched one.
	At time.Time
	// Keys are "kind:value", sorted and unique (see Keys).
	Keys []string
}

// Keys lists the article's places, organisations and people, figures
// (unit and value) and title words, as "kind:value", sorted.
func Keys(a *schema.ArticleTaggedV1, r *Rules) []string {
	set := map[string]bool{}
	add := func(kind, v string) {
		v = strings.ToLower(strings.Join(strings.Fields(v), " "))
		if v != "" {
			set[kind+":"+v] = true
		}
	}
	for _, e := range a.Entities {
		if e.Kind == "place" {
			add(KindPlace, e.Name)
		} else {
			add(KindEntity, e.Name)
		}
	}
	for _, c := range a.Claims {
		for _, p := range c.Places {
			add(KindPlace, p)
		}
		for _, q := range c.Quantities {
			if v, ok := point(q); ok {
				add(KindFigure, r.Unit(q.Unit)+"="+strconv.FormatFloat(v, 'g', 6, 64))
			}
		}
	}
	for _, w := range strings.FieldsFunc(a.Title, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) }) {
		w = strings.ToLower(w)
		if len([]rune(w)) >= 4 && !r.stop[w] {
			add(KindWord, w)
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// DocOf is the Doc of a stored article.
func DocOf(a *schema.ArticleTaggedV1, r *Rules) Doc {
	return Doc{ID: a.ID, At: At(a), Keys: Keys(a, r)}
}

// At is when the article was published, else fetched.
func At(a *schema.ArticleTaggedV1) time.Time {
	for _, t := range []*time.Time{a.PublishedAt, a.Item.PublishedAt} {
		if t != nil && !t.IsZero() {
			return t.UTC().Truncate(time.Microsecond)
		}
	}
	return a.Stages.FetchedAt.UTC().Truncate(time.Microsecond)
}

// point is a quantity's number: its value, else the middle of its range.
func point(q schema.Quantity) (float64, bool) {
	switch {
	case q.Value != nil:
		return *q.Value, true
	case q.Low != nil && q.High != nil:
		return (*q.Low + *q.High) / 2, true
	}
	return 0, false
}

func (r *Rules) weight(key string) float64 {
	kind, _, _ := strings.Cut(key, ":")
	return r.Weights[kind]
}

func (r *Rules) total(keys []string) float64 {
	var t float64
	for _, k := range keys {
		t += r.weight(k)
	}
	return t
}

// Linked reports whether a and b are about one event: published within
// the window and sharing enough weight of keys. It is symmetric and
// depends on the two articles only.
func (r *Rules) Linked(a, b *Doc) bool {
	d := a.At.Sub(b.At)
	if d < 0 {
		d = -d
	}
	if d > r.Window || a.ID == b.ID {
		return false
	}
	var shared float64
	i, j := 0, 0
	for i < len(a.Keys) && j < len(b.Keys) {
		switch c := strings.Compare(a.Keys[i], b.Keys[j]); {
		case c == 0:
			shared += r.weight(a.Keys[i])
			i++
			j++
		case c < 0:
			i++
		default:
			j++
		}
	}
	lighter := min(r.total(a.Keys), r.total(b.Keys))
	return shared >= r.MinShared && lighter > 0 && shared/lighter >= r.MinOverlap
}

// Story is one event: its articles, first report first.
type Story struct {
	// ID is the first article's id: stable while that article is the first.
	ID string
	// Members are the article ids, oldest first (time, then id).
	Members []string
	First   time.Time
	Last    time.Time
}

// Group makes the stories of docs: the connected components of Linked,
// found through an Index, so the result is the same in any order of docs.
func Group(docs []Doc, r Rules) []Story {
	ix := NewIndex(r)
	for i := range docs {
		ix.Add(docs[i])
	}
	return ix.Stories()
}

// before orders docs by time, then id: the order of a story's members.
func before(a, b *Doc) int {
	return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
}
