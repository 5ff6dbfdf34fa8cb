package quantity

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	kNum  tokKind = iota + 1 // digits with thousands separators and decimals
	kWord                    // letters, with internal apostrophes
	kSym                     // one punctuation or symbol rune
)

// tok is one lexical unit of the text being parsed. The small fields are
// grouped at the end so that a token takes 72 bytes rather than 96.
type tok struct {
	start, end int
	text       string // surface
	low        string // lower case (words), surface otherwise
	val        float64
	ndig       int // digits in the number
	kind       tokKind
	spaced     bool // whitespace (or text start) precedes it
	upper      bool // word starts with an upper-case letter
	caps       bool // word is all upper case, two letters or more
	dec        bool // number has a decimal point
	sep        bool // number has a thousands separator
}

// scan splits text into tokens. It never fails: bytes that are not valid
// UTF-8 become symbols.
func scan(text string) []tok {
	return scanLower(text, asciiLower(text), make([]tok, 0, len(text)/6+1))
}

// asciiLower lower-cases ASCII letters only, so byte offsets are kept.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 32
				}
			}
			return string(b)
		}
	}
	return s
}

// scanLower appends the tokens of text, whose ASCII-lowered copy is lower,
// to toks.
func scanLower(text, lower string, toks []tok) []tok {
	spaced := true
	for i := 0; i < len(text); {
		c := text[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			spaced = true
			i++
			continue
		}
		if c >= '0' && c <= '9' {
			t := scanNumber(text, i)
			t.spaced = spaced
			toks = append(toks, t)
			i = t.end
			spaced = false
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		switch {
		case unicode.IsSpace(r):
			spaced = true
			i += size
			continue
		case size == 1 && isInitialism(text, i):
			// U.S., U.N.: one word, so "200 U.S. troops" keeps its unit.
			j := i
			for j+1 < len(text) && isLetterByte(text[j]) && text[j+1] == '.' {
				j += 2
			}
			toks = append(toks, tok{start: i, end: j, kind: kWord, text: text[i:j], low: lower[i:j], spaced: spaced, upper: r <= 'Z', caps: isAllUpper(text[i:j])})
			i = j
		case unicode.IsLetter(r):
			// Note on the way whether the word is ASCII and has a small
			// ASCII letter, which spares two more passes over it.
			ascii, small := size == 1, r >= 'a' && r <= 'z'
			j := i + size
			for j < len(text) {
				c2 := text[j]
				if c2 < utf8.RuneSelf {
					if c2 >= 'a' && c2 <= 'z' {
						small = true
						j++
						continue
					}
					if c2 >= 'A' && c2 <= 'Z' {
						j++
						continue
					}
					if c2 != '\'' {
						break
					}
				}
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if unicode.IsLetter(r2) || unicode.Is(unicode.Mn, r2) {
					ascii = false // r2 is not an ASCII letter
					j += s2
					continue
				}
				if (r2 == '\'' || r2 == '’') && j+s2 < len(text) {
					r3, _ := utf8.DecodeRuneInString(text[j+s2:])
					if unicode.IsLetter(r3) && !(r3 == 's' && isWordEnd(text, j+s2+1)) {
						if r2 != '\'' {
							ascii = false
						}
						j += s2
						continue
					}
				}
				break
			}
			w := text[i:j]
			low := lower[i:j]
			if !ascii {
				low = strings.ToLower(w)
			}
			t := tok{start: i, end: j, kind: kWord, text: w, low: low, spaced: spaced}
			t.upper = unicode.IsUpper(r)
			if ascii {
				t.caps = j-i >= 2 && !small
			} else {
				t.caps = j-i >= 2 && isAllUpper(w)
			}
			toks = append(toks, t)
			i = j
		default:
			toks = append(toks, tok{start: i, end: i + size, kind: kSym, text: text[i : i+size], low: text[i : i+size], spaced: spaced})
			i += size
		}
		spaced = false
	}
	return toks
}

func isWordEnd(text string, i int) bool {
	if i >= len(text) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func isAllUpper(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			return isAllUpperRunes(w)
		}
		if c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}

// isAllUpperRunes is isAllUpper for text beyond ASCII.
func isAllUpperRunes(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) && !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// scanNumber reads 14,000 / 2.3 / 1,500.25 starting at a digit. A comma is a
// thousands separator only when exactly three digits follow it. The value
// is accumulated while scanning, so no digit string is built, and very long
// digit runs saturate instead of failing as strconv would.
func scanNumber(text string, i int) tok {
	start := i
	t := tok{kind: kNum, start: start}
	var v, frac, scale float64
	var sepKind byte // the thousands separator in use: ',', '.' or ' '
	lead := true     // still in the first group of digits
	for i < len(text) {
		c := text[i]
		// "12.000" and "45 000" (a space, a no-break or a narrow no-break
		// space) separate thousands when a first group of one to three
		// digits, not starting with 0, is followed by exactly three.
		if !t.dec && (sepKind == 0 && lead && t.ndig >= 1 && t.ndig <= 3 && text[start] != '0' || sepKind != 0 && sepKind != ',') {
			if w := spaceSepWidth(text, i); w > 0 && (sepKind == 0 || sepKind == ' ') && threeDigits(text, i+w) {
				t.sep, sepKind, lead = true, ' ', false
				i += w
				continue
			}
			if c == '.' && (sepKind == 0 || sepKind == '.') && threeDigits(text, i+1) {
				t.sep, sepKind, lead = true, '.', false
				i++
				continue
			}
		}
		// "2½": a vulgar fraction glued to the digits.
		if c == 0xC2 && i+1 < len(text) && scale == 0 {
			if f, ok := vulgarFractions[text[i+1]]; ok {
				frac, t.dec = f, true
				i += 2
				break
			}
		}
		switch {
		case c >= '0' && c <= '9':
			d := float64(c - '0')
			if scale > 0 {
				scale *= 10
				frac += d / scale
			} else {
				v = v*10 + d
			}
			t.ndig++
			i++
			continue
		case c == ',' && !t.dec && (sepKind == 0 || sepKind == ',') && threeDigits(text, i+1):
			t.sep, sepKind, lead = true, ',', false
			i++
			continue
		case c == '.' && !t.dec && i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9':
			t.dec = true
			scale = 1
			i++
			continue
		}
		break
	}
	t.end = i
	t.text = text[start:i]
	t.low = t.text
	t.val = v + frac
	return t
}

// vulgarFractions are the second bytes of ½, ¼ and ¾ in UTF-8 (after 0xC2).
var vulgarFractions = map[byte]float64{0xBD: 0.5, 0xBC: 0.25, 0xBE: 0.75}

// spaceSepWidth is the byte length of a space, no-break space or narrow
// no-break space at i, 0 if there is none.
func spaceSepWidth(text string, i int) int {
	switch {
	case i < len(text) && text[i] == ' ':
		return 1
	case i+1 < len(text) && text[i] == 0xC2 && text[i+1] == 0xA0:
		return 2
	case i+2 < len(text) && text[i] == 0xE2 && text[i+1] == 0x80 && text[i+2] == 0xAF:
		return 3
	}
	return 0
}

func threeDigits(text string, i int) bool {
	if i+3 > len(text) {
		return false
	}
	for k := i; k < i+3; k++ {
		if text[k] < '0' || text[k] > '9' {
			return false
		}
	}
	return i+3 == len(text) || text[i+3] < '0' || text[i+3] > '9'
}

func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isInitialism reports single letters each followed by a dot, two or more
// of them, starting at i: U.S., U.N., e.g.
func isInitialism(text string, i int) bool {
	n := 0
	j := i
	for j+1 < len(text) && isLetterByte(text[j]) && text[j+1] == '.' {
		j += 2
		n++
	}
	return n >= 2 && (j >= len(text) || !isLetterByte(text[j]))
}
