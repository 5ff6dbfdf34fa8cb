package tag

import (
	"strings"
	"unicode"
	"unicode/utf8"
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
	dc := new(doc)
	dc.build(d)
	return dc
}

// build is buildDoc into dc, reusing the token and line buffers dc kept
// from an earlier document.
func (dc *doc) build(d Document) {
	toks, ttoks, lines := dc.toks[:0], dc.ttoks[:0], dc.lines[:0]
	*dc = doc{text: d.Text, lower: asciiLower(d.Text), title: d.Title}
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
	// News text has about one token per five bytes, a few percent more in
	// one article out of two: size for that rather than grow and copy.
	if n := len(d.Text)/4 + 16; cap(toks) < n {
		toks = make([]token, 0, n)
	}
	dc.toks = toks
	// A paragraph is rarely shorter than 80 bytes.
	if n := len(d.Text)/80 + 4; cap(lines) < n {
		lines = make([]line, 0, n)
	}
	dc.lines = lines
	var segs [][2]int // splitChrome's scratch, reused across lines
	text := d.Text
	var cf *chromeFinder
	if len(chromeLong) > 0 {
		cf = newChromeFinder(text, chromeLong)
	}
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
				var cut []string
				if cf != nil {
					cut = cf.within(s, e)
				}
				if len(cut) == 0 {
					// Nothing to cut out; trim again as splitChrome would,
					// since dropping a non-breaking space can bare a space.
					if a, b := trimRange(text, s, e); a < b {
						dc.addLine(a, b, isTitle)
					}
				} else {
					segs = splitChrome(text, s, e, cut, segs[:0])
					for _, seg := range segs {
						dc.addLine(seg[0], seg[1], isTitle)
					}
				}
			}
		}
		pos = end + 1
	}
	if d.Title != "" {
		dc.ttoks = tokenize(d.Title, -1, ttoks)
		markLine(dc.ttoks, d.Title, true)
	} else {
		dc.ttoks = ttoks // empty, kept for the next document
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
}

// release drops dc's references to the document, keeping its buffers.
func (dc *doc) release() {
	clear(dc.toks)
	clear(dc.ttoks)
	*dc = doc{toks: dc.toks[:0], ttoks: dc.ttoks[:0], lines: dc.lines[:0]}
}

func (dc *doc) addLine(s, e int, isTitle bool) {
	first := len(dc.toks)
	idx := int32(len(dc.lines))
	dc.toks = tokenizeRange(dc.text, dc.lower, s, e, idx, dc.toks)
	markLine(dc.toks[first:], dc.text, false)
	dc.lines = append(dc.lines, line{start: s, end: e, first: first, last: len(dc.toks), title: isTitle})
}

// splitChrome cuts long chrome strings out of a line and appends the
// pieces left to dst.
func splitChrome(text string, s, e int, chrome []string, dst [][2]int) [][2]int {
	segs := append(dst, [2]int{s, e})
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

// chromeFinder knows where each long chrome string occurs in the text, so
// that a line is searched only for the chrome strings inside it rather
// than for all of them. A string that occurs in no line changes no line.
type chromeFinder struct {
	chrome []string
	at     [][]int // where each string starts in the text, in order
	next   []int   // per string, its first start not before the line asked
	inLine []string
}

func newChromeFinder(text string, chrome []string) *chromeFinder {
	f := &chromeFinder{chrome: chrome, at: make([][]int, len(chrome)), next: make([]int, len(chrome))}
	for i, c := range chrome {
		for k := 0; ; {
			j := strings.Index(text[k:], c)
			if j < 0 {
				break
			}
			f.at[i] = append(f.at[i], k+j)
			k += j + 1 // overlapping occurrences count too
		}
	}
	return f
}

// within returns the chrome strings, in their order, that occur in
// text[s:e]. Lines must be asked in text order.
func (f *chromeFinder) within(s, e int) []string {
	f.inLine = f.inLine[:0]
	for i, c := range f.chrome {
		at := f.at[i]
		k := f.next[i]
		for k < len(at) && at[k] < s {
			k++
		}
		f.next[i] = k
		if k < len(at) && at[k]+len(c) <= e {
			f.inLine = append(f.inLine, c)
		}
	}
	return f.inLine
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

// normSpace collapses runs of white space, for comparing lines. Nearly
// every string is already in that form and is then returned as it is,
// without building a copy.
func normSpace(s string) string {
	if isNormSpaced(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// isNormSpaced reports whether strings.Join(strings.Fields(s), " ") == s:
// no white space other than single ' ' between non-space runes.
func isNormSpaced(s string) bool {
	last := -2 // where the last ' ' is
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c > ' ' && c < utf8.RuneSelf:
			// The common case first.
		case c == ' ':
			if i == 0 || last == i-1 {
				return false // leading or doubled
			}
			last = i
		case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			return false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return false
			}
			i += size
			continue
		}
		i++
	}
	return last != len(s)-1 // no trailing space
}
