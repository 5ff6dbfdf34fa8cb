package tag

import (
	"strings"
)

// leadWords is how many opening body words count as the lead.
const leadWords = 60

// line is one paragraph of the text that the tagger reads.
type line struct {
	start, end  int // bytes in Document.Text
	first, last int // tokens [first, last)
	title       bool
}

// doc is a Document tokenised once for all stages.
type doc struct {
	text    string
	lower   string // asciiLower(text)
	title   string
	toks    []token // body tokens; chrome lines are left out
	ttoks   []token // title tokens
	lines   []line
	words   int // body words outside the headline line
	leadEnd int // first body token after the lead
}

// buildDoc splits the text into lines, drops chrome, tokenises, and marks
// lines written in capitals or as headlines.
func buildDoc(d Document) *doc {
	dc := &doc{text: d.Text, lower: asciiLower(d.Text), title: d.Title}
	chromeLines := make(map[string]bool, len(d.Chrome))
	var chromeLong []string
	for _, c := range d.Chrome {
		n := normSpace(c)
		if n == "" {
			continue
		}
		chromeLines[n] = true
		if len(n) >= 16 {
			chromeLong = append(chromeLong, strings.TrimSpace(c))
		}
	}
	titleNorm := normSpace(d.Title)
	// Only lines about as long as a chrome line or the title are compared.
	maxCmp := 2 * len(d.Title)
	for _, c := range d.Chrome {
		if 2*len(c) > maxCmp {
			maxCmp = 2 * len(c)
		}
	}
	dc.toks = make([]token, 0, len(d.Text)/5+8)
	text := d.Text
	for pos := 0; pos <= len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		s, e := trimRange(text, pos, end)
		if s < e {
			n := ""
			if e-s <= maxCmp {
				n = normSpace(text[s:e])
			}
			if n == "" || !chromeLines[n] {
				isTitle := titleNorm != "" && n == titleNorm
				for _, seg := range splitChrome(text, s, e, chromeLong) {
					dc.addLine(seg[0], seg[1], isTitle)
				}
			}
		}
		pos = end + 1
	}
	if d.Title != "" {
		dc.ttoks = tokenize(d.Title, -1, make([]token, 0, len(d.Title)/4+2))
		markLine(dc.ttoks, d.Title, true)
	}
	words := 0
	dc.leadEnd = len(dc.toks)
	for _, ln := range dc.lines {
		if ln.title {
			continue
		}
		for k := ln.first; k < ln.last; k++ {
			if dc.toks[k].isWord() {
				words++
				if words == leadWords {
					dc.leadEnd = k + 1
				}
			}
		}
	}
	dc.words = words
	return dc
}

func (dc *doc) addLine(s, e int, isTitle bool) {
	first := len(dc.toks)
	idx := int32(len(dc.lines))
	dc.toks = tokenizeRange(dc.text, dc.lower, s, e, idx, dc.toks)
	markLine(dc.toks[first:], dc.text, false)
	dc.lines = append(dc.lines, line{start: s, end: e, first: first, last: len(dc.toks), title: isTitle})
}

// splitChrome cuts long chrome strings out of a line.
func splitChrome(text string, s, e int, chrome []string) [][2]int {
	segs := [][2]int{{s, e}}
	for _, c := range chrome {
		var out [][2]int
		for _, sg := range segs {
			for {
				k := strings.Index(text[sg[0]:sg[1]], c)
				if k < 0 {
					break
				}
				if k > 0 {
					out = append(out, [2]int{sg[0], sg[0] + k})
				}
				sg[0] += k + len(c)
			}
			if sg[0] < sg[1] {
				out = append(out, sg)
			}
		}
		segs = out
	}
	kept := segs[:0]
	for _, sg := range segs {
		if a, b := trimRange(text, sg[0], sg[1]); a < b {
			kept = append(kept, [2]int{a, b})
		}
	}
	return kept
}

// markLine flags tokens of a line written in capitals (a shouted headline)
// or in title case.
func markLine(toks []token, text string, isTitle bool) {
	words, caps, upper := 0, 0, 0
	for i := range toks {
		t := &toks[i]
		if t.kind != tWord || t.end-t.start < 2 {
			continue
		}
		words++
		if t.has(fCaps) {
			caps++
		}
		if t.has(fUpper) || t.has(fCaps) || t.end-t.start <= 3 {
			upper++
		}
	}
	var f uint16
	if words >= 3 && caps*10 >= words*7 {
		f |= fShout
	}
	endsSentence := len(toks) > 0 && (toks[len(toks)-1].norm == "." || toks[len(toks)-1].norm == "?")
	if words >= 3 && upper*10 >= words*8 && (isTitle || !endsSentence) {
		f |= fTitle
	}
	if isTitle {
		f |= fTitle
	}
	if f == 0 {
		return
	}
	for i := range toks {
		toks[i].flags |= f
	}
	_ = text
}

func trimRange(text string, s, e int) (int, int) {
	for s < e && isSpaceByte(text[s]) {
		s++
	}
	for e > s && isSpaceByte(text[e-1]) {
		e--
	}
	// Non-breaking spaces at the edges.
	for strings.HasPrefix(text[s:e], "\u00a0") {
		s += 2
	}
	for strings.HasSuffix(text[s:e], "\u00a0") {
		e -= 2
	}
	return s, e
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' }

// normSpace collapses runs of white space, for comparing lines.
func normSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
