package story

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Say is one source's figure in a story.
type Say struct {
	ArticleID string    `json:"article_id"`
	Site      string    `json:"site"`
	SiteName  string    `json:"site_name,omitempty"`
	At        time.Time `json:"at"`
	// Speaker, Kind and Role are the claim's (the tagger's speaker kind
	// and the role its topic file gives the source).
	Speaker string `json:"speaker"`
	Kind    string `json:"speaker_kind,omitempty"`
	Role    string `json:"speaker_role,omitempty"`
	// Low and High bound the figure: equal for a single number.
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	Unit      string  `json:"unit"`
	Qualifier string  `json:"qualifier,omitempty"`
	Raw       string  `json:"raw"`
	Text      string  `json:"text"`
	// Agrees: within the tolerance of the conservative figure.
	Agrees bool `json:"agrees"`
}

// Figures are the figures a story's sources give for one topic and unit.
type Figures struct {
	Topic string `json:"topic"`
	// Unit is the unit they count as (Rules.Unit).
	Unit string `json:"unit"`
	// Says are the sources' figures, the conservative one (lowest
	// credible) first, then by value, time and article.
	Says []Say `json:"says"`
	// Low and High are the range across sources.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Disagree: the highest is more than the tolerance above the lowest.
	Disagree bool `json:"disagree"`
	// Sources counts the articles giving a figure.
	Sources int `json:"sources"`
}

// Conservative is the figure shown first: the lowest credible one.
func (f *Figures) Conservative() Say { return f.Says[0] }

// Compare lists the story's figures stated by two articles or more, per
// topic and unit (units that mean the same counting as one), flagged when
// they disagree beyond r.Tolerance. Copies (copyOf[id] != "") repeat their
// original and are left out, so they never make a figure look agreed.
// Figures that disagree come first, then those with most sources.
func Compare(articles []schema.ArticleTaggedV1, copyOf map[string]string, r Rules) []Figures {
	groups := map[[2]string][]Say{}
	for i := range articles {
		a := &articles[i]
		if !a.Relevant || copyOf[a.ID] != "" {
			continue
		}
		site := siteOf(a)
		for _, c := range a.Claims {
			for _, q := range c.Quantities {
				lo, hi, ok := bounds(q)
				if !ok {
					continue
				}
				k := [2]string{strings.TrimSpace(c.Topic), r.Unit(q.Unit)}
				groups[k] = append(groups[k], Say{ArticleID: a.ID, Site: site, SiteName: a.SiteName, At: At(a),
					Speaker: strings.TrimSpace(c.Speaker), Kind: c.SpeakerKind, Role: c.SpeakerRole,
					Low: lo, High: hi, Unit: q.Unit, Qualifier: q.Qualifier, Raw: q.Raw, Text: c.Text})
			}
		}
	}
	var out []Figures
	for k, says := range groups {
		sources := map[string]bool{}
		for _, s := range says {
			sources[s.ArticleID] = true
		}
		if len(sources) < 2 || k[1] == "" {
			continue
		}
		slices.SortFunc(says, func(a, b Say) int {
			return cmp.Or(cmp.Compare(credibleRank(a), credibleRank(b)), cmp.Compare(a.Low, b.Low), cmp.Compare(a.High, b.High),
				a.At.Compare(b.At), strings.Compare(a.ArticleID, b.ArticleID), strings.Compare(a.Raw, b.Raw))
		})
		f := Figures{Topic: k[0], Unit: k[1], Says: says, Low: says[0].Low, High: says[0].High, Sources: len(sources)}
		base := says[0].Low
		for i := range f.Says {
			s := &f.Says[i]
			f.Low, f.High = min(f.Low, s.Low), max(f.High, s.High)
			s.Agrees = within(s.Low, base, r.Tolerance) && within(s.High, base, r.Tolerance) || i == 0
		}
		f.Disagree = !within(f.High, f.Low, r.Tolerance)
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Figures) int {
		return cmp.Or(-cmpBool(a.Disagree, b.Disagree), cmp.Compare(b.Sources, a.Sources),
			strings.Compare(a.Topic, b.Topic), strings.Compare(a.Unit, b.Unit))
	})
	return out
}

// credibleRank puts figures that are bounds ("more than", "up to") after
// stated ones: the conservative figure is the lowest stated one, as
// monitors keep the lowest credible count.
func credibleRank(s Say) int {
	switch s.Qualifier {
	case "more than", "up to", "at least":
		return 1
	}
	return 0
}

// within: v is at most tol (a fraction) away from base.
func within(v, base, tol float64) bool {
	d := v - base
	if d < 0 {
		d = -d
	}
	ref := max(abs(base), abs(v))
	return ref == 0 || d <= tol*ref
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func bounds(q schema.Quantity) (lo, hi float64, ok bool) {
	switch {
	case q.Value != nil:
		return *q.Value, *q.Value, true
	case q.Low != nil && q.High != nil:
		return *q.Low, *q.High, true
	}
	return 0, 0, false
}

func siteOf(a *schema.ArticleTaggedV1) string {
	for _, raw := range []string{a.CanonicalURL, a.URL} {
		if _, rest, ok := strings.Cut(raw, "://"); ok {
			host, _, _ := strings.Cut(rest, "/")
			return strings.ToLower(host)
		}
	}
	return ""
}
