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
			if asciiClass[c] == asciiSpace {
				t.space = true
				for i++; i < len(s) && asciiClass[s[i]] == asciiSpace; i++ {
				}
				continue
			}
			// A run of visible ASCII goes in at once.
			j, punct, commas := i, 0, 0
			for ; j < len(s); j++ {
				k := asciiClass[s[j]]
				if k >= asciiSpace {
					break
				}
				if k != 0 {
					punct++
					if k == asciiComma {
						commas++
					}
				}
			}
			t.putASCII(s[i:j], punct, commas)
			i = j
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
	var punct, commas int
	switch r {
	case ',', '،', '、', '，':
		punct, commas = 1, 1
	case '.', '!', '?', ';', ':', '。', '！', '？', '؟', '।':
		punct = 1
	}
	t.putRun(raw, 1, punct, commas)
}

// Classes of bytes for write: ASCII sentence punctuation, spaces, and
// bytes that start multi-byte runes.
const (
	asciiPunct = 1 + iota
	asciiComma
	asciiSpace
	notASCII
)

var asciiClass = func() (c [256]uint8) {
	for _, b := range ".!?;:" {
		c[b] = asciiPunct
	}
	c[','] = asciiComma
	for _, b := range " \t\n\r\f\v" {
		c[b] = asciiSpace
	}
	for b := utf8.RuneSelf; b < 256; b++ {
		c[b] = notASCII
	}
	return c
}()

// putASCII is put for a run of visible ASCII characters holding punct
// sentence punctuation marks, commas among them.
func (t *textBuf) putASCII(run string, punct, commas int) {
	t.putRun(run, len(run), punct, commas)
}

// putRun appends run, chars visible characters, after the space pending
// before it, and counts them.
func (t *textBuf) putRun(run string, chars, punct, commas int) {
	if t.space && t.started && t.b[len(t.b)-1] != '\n' {
		t.b = append(t.b, ' ')
	}
	t.space = false
	t.started = true
	t.b = append(t.b, run...)
	if t.inLink {
		t.links += chars
		if t.lead == t.chars {
			t.lead += chars
		}
	}
	t.chars += chars
	t.punct += punct
	t.commas += commas
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
	for i, r := range s {
		if r < utf8.RuneSelf {
			// ASCII: the common case, without the Unicode tables.
			switch c := s[i]; {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				b.WriteByte(c)
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			}
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// containsLong is strings.Contains for needles that may be long (lines,
// paragraphs): past 63 bytes strings.Index may fall back to Rabin-Karp,
// several times slower on these texts than looking for the first 32 bytes
// and comparing the rest where they occur.
func containsLong(s, sub string) bool {
	const prefix = 32
	if len(sub) <= prefix {
		return strings.Contains(s, sub)
	}
	for misses := 0; ; misses++ {
		i := strings.Index(s, sub[:prefix])
		if i < 0 {
			return false
		}
		if strings.HasPrefix(s[i:], sub) {
			return true
		}
		if misses == 8 {
			// A repetitive text: back to the linear-time search.
			return strings.Contains(s[i+1:], sub)
		}
		s = s[i+1:]
	}
}

// gramFilter is a Bloom filter of the 8-byte substrings of a text, with a
// bit for each: a string one of whose 8-byte substrings has its bit clear
// does not occur in the text. It spares scanning the text for the many
// lines it is checked against but does not hold.
type gramFilter [1 << 12]uint64

// index fills the filter from text, forgetting the previous one.
func (f *gramFilter) index(text string) textSearch {
	clear(f[:])
	if len(text) < 8 {
		return textSearch{text, f}
	}
	x := gram(text)
	for i := 8; ; i++ {
		h := gramBit(x)
		f[h/64] |= 1 << (h % 64)
		if i == len(text) {
			break
		}
		x = x>>8 | uint64(text[i])<<56 // slide the window by a byte
	}
	return textSearch{text, f}
}

// gram packs the first 8 bytes of s, little-endian.
func gram(s string) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// gramBit hashes a gram to a bit of a gramFilter.
func gramBit(x uint64) uint64 {
	return (x * 0x9E3779B97F4A7C15) >> (64 - 18) // 2^18 bits
}

// textSearch is a text with its gramFilter.
type textSearch struct {
	text  string
	grams *gramFilter
}

// contains is strings.Contains(t.text, s), most often answered by the
// filter.
func (t textSearch) contains(s string) bool {
	if len(s) >= 8 {
		// The first, middle and last 8 bytes must all occur.
		for _, i := range [3]int{0, (len(s) - 8) / 2, len(s) - 8} {
			if h := gramBit(gram(s[i:])); t.grams[h/64]&(1<<(h%64)) == 0 {
				return false
			}
		}
	}
	return containsLong(t.text, s)
}
