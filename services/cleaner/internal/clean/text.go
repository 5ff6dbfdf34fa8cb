package clean

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// textBuf accumulates the text of one block with whitespace collapsed.
// Zero-width and soft-hyphen characters are dropped, no-break spaces become
// spaces, and a <br> becomes a line break so that text laid out with line
// breaks keeps its paragraphs.
type textBuf struct {
	b       []byte
	space   bool // a space is pending before the next word
	chars   int  // non-space runes
	links   int  // non-space runes inside links
	lead    int  // link runes before the first non-link rune
	punct   int  // sentence punctuation marks
	commas  int
	inLink  bool
	started bool
}

func (t *textBuf) reset() {
	t.b = t.b[:0]
	t.space, t.started = false, false
	t.chars, t.links, t.punct, t.commas, t.lead = 0, 0, 0, 0, 0
}

// write appends s, a text node's data.
func (t *textBuf) write(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case ' ', '\t', '\n', '\r', '\f', '\v':
				t.space = true
				continue
			}
			t.put(rune(c), s[i-1:i])
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		raw := s[i : i+size]
		i += size
		switch {
		case r == '\u00a0' || r == '\u2007' || r == '\u202f' || r == '\u3000' || (r >= '\u2000' && r <= '\u200a') || r == '\u2028' || r == '\u2029' || r == '\u0085':
			t.space = true
			continue
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
			continue
		case r == utf8.RuneError && size == 1:
			raw = "\uFFFD"
		}
		t.put(r, raw)
	}
}

func (t *textBuf) put(r rune, raw string) {
	if t.space && t.started {
		last := t.b[len(t.b)-1]
		if last != '\n' {
			t.b = append(t.b, ' ')
		}
	}
	t.space = false
	t.started = true
	t.b = append(t.b, raw...)
	if t.inLink {
		t.links++
		if t.lead == t.chars {
			t.lead++
		}
	}
	t.chars++
	switch r {
	case ',', '،', '、', '，':
		t.commas++
		t.punct++
	case '.', '!', '?', ';', ':', '。', '！', '？', '؟', '।':
		t.punct++
	}
}

// lineBreak records a <br>.
func (t *textBuf) lineBreak() {
	if !t.started {
		return
	}
	if n := len(t.b); n > 0 && t.b[n-1] != '\n' {
		t.b = append(t.b, '\n')
	}
	t.space = false
}

// text returns the block's text with no trailing line break.
func (t *textBuf) text() string {
	b := t.b
	for len(b) > 0 && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// normSpace collapses whitespace runs to single spaces and trims.
func normSpace(s string) string {
	var t textBuf
	t.write(s)
	return t.text()
}

// foldKey lower-cases s and keeps only letters and digits, for comparing
// texts that differ in punctuation or spacing (titles, JSON-LD bodies).
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
