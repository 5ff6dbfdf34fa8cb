// Package eval scores article-body extraction the way the
// article-extraction-benchmark (scrapinghub, MIT) does: token 4-gram shingles
// compared per page, normalised so long pages weigh no more than short ones,
// then precision and recall averaged over pages and F1 taken from the means.
package eval

import (
	"math"
	"math/rand/v2"
	"unicode"
)

// ShingleSize is the n of the token n-grams the benchmark compares.
const ShingleSize = 4

// Counts holds one page's true positives, false positives and false
// negatives over shingles, normalised to sum to 1 (all zero when both texts
// have no tokens).
type Counts struct {
	TP, FP, FN float64
}

// Metrics are the corpus-level scores.
type Metrics struct {
	Precision, Recall, F1 float64
}

// isWord reports whether r belongs to a token: Python's `\w` in a Unicode
// pattern matches letters, numbers (any numeric type) and the underscore.
func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// Tokenize splits text into maximal runs of word characters. Invalid UTF-8
// decodes to U+FFFD, a symbol, so it separates tokens.
func Tokenize(text string) []string {
	var toks []string
	start := -1
	for i, r := range text {
		if isWord(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, text[start:])
	}
	return toks
}

// shingles counts the n-token shingles of text. A text with fewer than n
// (but at least one) tokens yields a single shorter shingle, as upstream.
func shingles(text string, n int) map[string]int {
	toks := Tokenize(text)
	out := make(map[string]int, len(toks))
	if len(toks) == 0 {
		return out
	}
	last := max(1, len(toks)-n+1)
	for i := range last {
		end := min(i+n, len(toks))
		key := joinTokens(toks[i:end])
		out[key]++
	}
	return out
}

// joinTokens joins with a separator no token contains, so distinct tuples
// stay distinct keys.
func joinTokens(toks []string) string {
	size := len(toks)
	for _, t := range toks {
		size += len(t)
	}
	b := make([]byte, 0, size)
	for i, t := range toks {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, t...)
	}
	return string(b)
}

// Match compares the predicted text with the true one.
func Match(truth, pred string) Counts {
	ts := shingles(truth, ShingleSize)
	ps := shingles(pred, ShingleSize)
	var tp, fp, fn float64
	for k, tc := range ts {
		pc := ps[k]
		tp += float64(min(tc, pc))
		fp += float64(max(0, pc-tc))
		fn += float64(max(0, tc-pc))
	}
	for k, pc := range ps {
		if _, seen := ts[k]; !seen {
			fp += float64(pc)
		}
	}
	s := tp + fp + fn
	if s > 0 {
		return Counts{TP: tp / s, FP: fp / s, FN: fn / s}
	}
	return Counts{}
}

// Precision of one page; an exact match (nothing wrong either way) is 1.
func (c Counts) Precision() float64 {
	switch {
	case c.FP == 0 && c.FN == 0:
		return 1
	case c.TP == 0 && c.FP == 0:
		return 0
	}
	return c.TP / (c.TP + c.FP)
}

// Recall of one page; an exact match is 1.
func (c Counts) Recall() float64 {
	switch {
	case c.FP == 0 && c.FN == 0:
		return 1
	case c.TP == 0 && c.FN == 0:
		return 0
	}
	return c.TP / (c.TP + c.FN)
}

// F1 of one page, for reports; the corpus F1 is computed from the means.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Aggregate averages precision over pages that predicted something and
// recall over pages whose truth has something, then takes F1 of the means.
func Aggregate(pages []Counts) Metrics {
	var ps, rs float64
	var np, nr int
	for _, c := range pages {
		if c.TP+c.FP > 0 {
			ps += c.Precision()
			np++
		}
		if c.TP+c.FN > 0 {
			rs += c.Recall()
			nr++
		}
	}
	var m Metrics
	if np > 0 {
		m.Precision = ps / float64(np)
	}
	if nr > 0 {
		m.Recall = rs / float64(nr)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}

// Exact reports whether both texts have the same token sequence (the
// benchmark's "accuracy").
func Exact(truth, pred string) bool {
	a, b := Tokenize(truth), Tokenize(pred)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Bootstrap estimates the standard deviation of each metric by resampling
// pages with replacement n times. The generator is seeded so reports are
// reproducible.
func Bootstrap(pages []Counts, exact []bool, n int, seed uint64) (std Metrics, accStd float64) {
	if n < 2 || len(pages) == 0 {
		return Metrics{}, 0
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	sample := make([]Counts, len(pages))
	var p, r, f, a []float64
	for range n {
		hits := 0
		for i := range sample {
			j := rng.IntN(len(pages))
			sample[i] = pages[j]
			if j < len(exact) && exact[j] {
				hits++
			}
		}
		m := Aggregate(sample)
		p = append(p, m.Precision)
		r = append(r, m.Recall)
		f = append(f, m.F1)
		a = append(a, float64(hits)/float64(len(sample)))
	}
	return Metrics{Precision: stdev(p), Recall: stdev(r), F1: stdev(f)}, stdev(a)
}

// stdev is the sample standard deviation (n-1), as Python's statistics.stdev.
func stdev(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}
