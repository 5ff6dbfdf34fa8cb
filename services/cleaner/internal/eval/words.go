package eval

import (
	"strings"
)

// WordScore is one page's word-level score as WCXB computes it: the
// lowercase \w+ tokens of both texts compared as multisets.
type WordScore struct {
	Precision, Recall, F1 float64
}

// lowerTokens is Tokenize with every token lowercased.
func lowerTokens(text string) []string {
	toks := Tokenize(text)
	for i, t := range toks {
		toks[i] = strings.ToLower(t)
	}
	return toks
}

// WordMatch scores pred against truth. An empty prediction scores zero;
// both empty score one (nothing was to be found and nothing was).
func WordMatch(truth, pred string) WordScore {
	tt, pt := lowerTokens(truth), lowerTokens(pred)
	if len(tt) == 0 && len(pt) == 0 {
		return WordScore{1, 1, 1}
	}
	if len(tt) == 0 || len(pt) == 0 {
		return WordScore{}
	}
	bag := make(map[string]int, len(tt))
	for _, t := range tt {
		bag[t]++
	}
	common := 0
	for _, t := range pt {
		if bag[t] > 0 {
			bag[t]--
			common++
		}
	}
	if common == 0 {
		return WordScore{}
	}
	p := float64(common) / float64(len(pt))
	r := float64(common) / float64(len(tt))
	return WordScore{Precision: p, Recall: r, F1: 2 * p * r / (p + r)}
}

// ContainsSnippet reports whether the snippet's lowercase tokens appear as
// a run in the text's: WCXB's with/without snippets, insensitive to case,
// punctuation and line breaks.
func ContainsSnippet(text, snippet string) bool {
	st := lowerTokens(snippet)
	if len(st) == 0 {
		return false
	}
	return strings.Contains(" "+strings.Join(lowerTokens(text), " ")+" ", " "+strings.Join(st, " ")+" ")
}

// HeldOut is the fixed rule that splits every corpus into a tuning part
// and a held-out part: a page is held out when the FNV-1a hash of its file
// (or folder) name is 0 mod 3. Tuning looks only at the other pages.
func HeldOut(name string) bool {
	const offset, prime = 2166136261, 16777619
	h := uint32(offset)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= prime
	}
	return h%3 == 0
}
