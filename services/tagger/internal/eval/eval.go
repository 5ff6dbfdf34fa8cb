// Package eval measures the tagger on labelled articles: relevance
// precision and recall, claim recall, speaker accuracy and quantity
// value+unit precision and recall. `make eval` prints its report.
package eval

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/testkit/gold"
	"github.com/newsflow/newsflow/services/tagger/internal/tag"
)

// ErrNoLabels is returned for a directory without gold.json or labels.json.
var ErrNoLabels = gold.ErrNoLabels

// PRF holds counts and the figures derived from them.
type PRF struct {
	TP, FP, FN    int
	Precision     float64
	Recall        float64
	F1            float64
	Support, Pred int
}

func (p *PRF) finish() {
	p.Precision = ratio(p.TP, p.TP+p.FP)
	p.Recall = ratio(p.TP, p.TP+p.FN)
	if p.Precision+p.Recall > 0 {
		p.F1 = 2 * p.Precision * p.Recall / (p.Precision + p.Recall)
	}
	p.Support, p.Pred = p.TP+p.FN, p.TP+p.FP
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// ClaimFigures are the claim measures over one set of articles.
type ClaimFigures struct {
	Gold, Found      int
	Recall           float64
	Speakers, Right  int
	SpeakerAccuracy  float64
	Quantity         PRF
	QualifierRight   int
	QualifierChecked int
	ChromeClaims     int // claims that overlap a gold chrome line; must be 0
}

// Report is the outcome of a run.
type Report struct {
	Articles  int
	Relevance PRF
	Tags      PRF
	Seeds     ClaimFigures // the seed articles only (gold.json)
	All       ClaimFigures // seeds and the extra labelled articles
	Misses    []string
}

// ExtraDirs returns the labelled article directories kept beside the tag
// package (hard negatives and more relevant articles, and a blind batch),
// given the repository root.
func ExtraDirs(root string) []string {
	base := filepath.Join(root, "services", "tagger", "internal", "tag", "testdata")
	return []string{filepath.Join(base, "dev"), filepath.Join(base, "blind")}
}

// Run evaluates the default topic on the seeds in seedsDir and on extra
// labelled directories, and prints the report to w.
func Run(seedsDir string, w io.Writer, extraDirs ...string) (Report, error) {
	topic, err := tag.DefaultTopic()
	if err != nil {
		return Report{}, err
	}
	tg, err := tag.New(topic)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	for i, dir := range append([]string{seedsDir}, extraDirs...) {
		labels, err := gold.ReadDir(dir)
		if err != nil {
			return Report{}, err
		}
		for _, l := range labels {
			raw, err := os.ReadFile(filepath.Join(dir, l.File))
			if err != nil {
				return Report{}, fmt.Errorf("eval: read article: %w", err)
			}
			d := tag.Document{Text: string(raw), Chrome: l.Chrome}
			if l.Title != nil {
				d.Title = *l.Title
			}
			res := tg.Tag(d)
			rep.Articles++
			rep.score(l, res, i == 0)
		}
	}
	for _, p := range []*PRF{&rep.Relevance, &rep.Tags, &rep.Seeds.Quantity, &rep.All.Quantity} {
		p.finish()
	}
	for _, c := range []*ClaimFigures{&rep.Seeds, &rep.All} {
		c.Recall = ratio(c.Found, c.Gold)
		c.SpeakerAccuracy = ratio(c.Right, c.Speakers)
	}
	rep.print(w)
	return rep, nil
}

func (r *Report) score(l gold.Article, res tag.Result, seed bool) {
	switch {
	case res.Relevant && l.Relevant:
		r.Relevance.TP++
	case res.Relevant:
		r.Relevance.FP++
		r.miss("%s: relevance: predicted relevant (%s)", l.File, l.Kind)
	case l.Relevant:
		r.Relevance.FN++
		r.miss("%s: relevance: missed (%s)", l.File, l.Kind)
	}
	got := map[string]bool{}
	for _, t := range res.Tags {
		got[t.Name] = true
	}
	for _, t := range l.Tags {
		if got[t] {
			r.Tags.TP++
			delete(got, t)
		} else {
			r.Tags.FN++
			r.miss("%s: tag %s missed", l.File, t)
		}
	}
	for t := range got {
		r.Tags.FP++
		r.miss("%s: tag %s not expected", l.File, t)
	}
	figs := []*ClaimFigures{&r.All}
	if seed {
		figs = append(figs, &r.Seeds)
	}
	for _, gc := range l.Claims {
		pc := covering(res.Claims, gc.Text)
		for _, f := range figs {
			f.Gold++
		}
		if pc == nil {
			for _, f := range figs {
				f.Quantity.FN += len(gc.Quantities)
			}
			r.miss("%s: claim not found: %q", l.File, gc.Text)
			continue
		}
		right := speakerMatches(pc.Speaker, gc.Speaker)
		if !right {
			r.miss("%s: speaker %q, want %q: %q", l.File, pc.Speaker, gc.Speaker, gc.Text)
		}
		tp, fp, fn, qr := matchQuantities(pc.Quantities, gc.Quantities)
		if fp+fn > 0 {
			r.miss("%s: quantities %s, want %s", l.File, fmtPred(pc.Quantities), fmtGold(gc.Quantities))
		}
		for _, f := range figs {
			f.Found++
			f.Speakers++
			if right {
				f.Right++
			}
			f.Quantity.TP += tp
			f.Quantity.FP += fp
			f.Quantity.FN += fn
			f.QualifierRight += qr
			f.QualifierChecked += tp
		}
	}
	for _, ch := range l.Chrome {
		ch = strings.TrimSpace(ch)
		if ch == "" {
			continue
		}
		for _, c := range res.Claims {
			if strings.Contains(c.Text, ch) || strings.Contains(ch, c.Text) {
				for _, f := range figs {
					f.ChromeClaims++
				}
				r.miss("%s: claim from chrome: %q", l.File, c.Text)
			}
		}
	}
}

func (r *Report) miss(format string, args ...any) {
	r.Misses = append(r.Misses, fmt.Sprintf(format, args...))
}

// covering returns the shortest predicted claim whose text contains the
// gold text (white space and quote marks compared loosely).
func covering(cs []schema.Claim, gold string) *schema.Claim {
	g := loose(gold)
	var best *schema.Claim
	for i := range cs {
		if strings.Contains(loose(cs[i].Text), g) && (best == nil || len(cs[i].Text) < len(best.Text)) {
			best = &cs[i]
		}
	}
	return best
}

func loose(s string) string {
	s = strings.NewReplacer("“", "\"", "”", "\"", "’", "'", "‘", "'").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// speakerMatches: a predicted speaker matches one gold speaker when either
// contains the other, ignoring case; no gold speaker means none predicted.
func speakerMatches(pred string, gold []string) bool {
	p := strings.ToLower(strings.TrimSpace(pred))
	if len(gold) == 0 {
		return p == ""
	}
	if p == "" {
		return false
	}
	for _, g := range gold {
		g = strings.ToLower(strings.TrimSpace(g))
		if g != "" && (strings.Contains(p, g) || strings.Contains(g, p)) {
			return true
		}
	}
	return false
}

// matchQuantities pairs predicted and gold quantities one to one on value
// (or low and high) and unit.
func matchQuantities(pred []schema.Quantity, want []gold.Quantity) (tp, fp, fn, qualRight int) {
	used := make([]bool, len(pred))
	for _, g := range want {
		found := -1
		for i, p := range pred {
			if !used[i] && sameQuantity(p, g) {
				found = i
				break
			}
		}
		if found < 0 {
			fn++
			continue
		}
		used[found] = true
		tp++
		if pred[found].Qualifier == g.Qualifier {
			qualRight++
		}
	}
	for _, u := range used {
		if !u {
			fp++
		}
	}
	return tp, fp, fn, qualRight
}

// sameQuantity compares units by the real-world set's rule (equal,
// contained or sharing a word), so that "troops" counts for "US troops".
func sameQuantity(p schema.Quantity, g gold.Quantity) bool {
	if !unitMatches(p.Unit, g.Unit) {
		return false
	}
	if g.Value != nil {
		return p.Value != nil && near(*p.Value, *g.Value)
	}
	return g.Low != nil && g.High != nil && p.Low != nil && p.High != nil && near(*p.Low, *g.Low) && near(*p.High, *g.High)
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-3*math.Max(1, math.Abs(b))
}

func fmtPred(qs []schema.Quantity) string {
	var parts []string
	for _, q := range qs {
		parts = append(parts, fmtQ(q.Value, q.Low, q.High, q.Unit))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func fmtGold(qs []gold.Quantity) string {
	var parts []string
	for _, q := range qs {
		parts = append(parts, fmtQ(q.Value, q.Low, q.High, q.Unit))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func fmtQ(v, lo, hi *float64, unit string) string {
	switch {
	case v != nil:
		return fmt.Sprintf("%g %s", *v, unit)
	case lo != nil && hi != nil:
		return fmt.Sprintf("%g-%g %s", *lo, *hi, unit)
	}
	return "? " + unit
}

func (r *Report) print(w io.Writer) {
	rel := r.Relevance
	fmt.Fprintf(w, "articles            %d (%d relevant)\n", r.Articles, rel.Support)
	fmt.Fprintf(w, "relevance           P %.3f  R %.3f  F1 %.3f  (tp %d fp %d fn %d)\n", rel.Precision, rel.Recall, rel.F1, rel.TP, rel.FP, rel.FN)
	fmt.Fprintf(w, "tags                P %.3f  R %.3f  F1 %.3f\n", r.Tags.Precision, r.Tags.Recall, r.Tags.F1)
	for _, c := range []struct {
		name string
		f    ClaimFigures
	}{{"seeds", r.Seeds}, {"all labelled", r.All}} {
		f := c.f
		fmt.Fprintf(w, "claims (%s)\n", c.name)
		fmt.Fprintf(w, "  recall            %.3f  (%d of %d)\n", f.Recall, f.Found, f.Gold)
		fmt.Fprintf(w, "  speaker accuracy  %.3f  (%d of %d found)\n", f.SpeakerAccuracy, f.Right, f.Speakers)
		fmt.Fprintf(w, "  quantity          P %.3f  R %.3f  F1 %.3f  (tp %d fp %d fn %d)\n", f.Quantity.Precision, f.Quantity.Recall, f.Quantity.F1, f.Quantity.TP, f.Quantity.FP, f.Quantity.FN)
		fmt.Fprintf(w, "  qualifier right   %d of %d matched\n", f.QualifierRight, f.QualifierChecked)
		fmt.Fprintf(w, "  claims in chrome  %d\n", f.ChromeClaims)
	}
	if len(r.Misses) > 0 {
		sort.Strings(r.Misses)
		fmt.Fprintf(w, "misses (%d)\n", len(r.Misses))
		for _, m := range r.Misses {
			fmt.Fprintf(w, "  %s\n", m)
		}
	}
}
