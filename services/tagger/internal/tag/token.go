package tag

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

type tokKind uint8

const (
	tWord  tokKind = iota + 1 // starts with a letter
	tNum                      // starts with a digit
	tPunct                    // one rune of anything else
	tPoss                     // possessive 's
)

const (
	fUpper  uint16 = 1 << iota // first letter is upper case
	fCaps                      // every letter upper case, two letters or more
	fSpaced                    // whitespace (or the start of the line) precedes it
	fInit                      // an initialism with dots: U.S., U.N.
	fQuote                     // inside a quotation
	fShout                     // the line is written in capitals
	fTitle                     // the line is a headline in title case
)

// token is one lexical unit; offsets are bytes in the source string.
type token struct {
	start, end int
	norm       string // folded lower case; the rune itself for punctuation
	kind       tokKind
	flags      uint16
	line       int32
}

func (t *token) isWord() bool         { return t.kind == tWord || t.kind == tNum }
func (t *token) has(f uint16) bool    { return t.flags&f != 0 }
func (t *token) text(s string) string { return s[t.start:t.end] }

// tokenize appends the tokens of s to dst, all on one line.
func tokenize(s string, line int32, dst []token) []token {
	return tokenizeRange(s, asciiLower(s), 0, len(s), line, dst)
}

// asciiLower lower-cases ASCII letters only, so byte offsets are kept; it
// lets ASCII words share one lower-case copy of the text.
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

// tokenizeRange appends the tokens of text[start:end]; lower is
// asciiLower(text).
func tokenizeRange(text, lower string, start, end int, line int32, dst []token) []token {
	spaced := true
	for i := start; i < end; {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v':
				spaced = true
				i++
				continue
			case c >= '0' && c <= '9':
				j := scanDigits(text, i, end)
				dst = append(dst, token{start: i, end: j, kind: tNum, norm: text[i:j], flags: spacedFlag(spaced), line: line})
				i, spaced = j, false
				continue
			case isASCIILetter(c):
				var t token
				t, i = scanWord(text, lower, i, end)
				t.flags |= spacedFlag(spaced)
				t.line = line
				dst = append(dst, t)
				spaced = false
				continue
			}
			if (c == '\'') && i+1 < end && (text[i+1] == 's' || text[i+1] == 'S') && isBoundary(text, i+2, end) && len(dst) > 0 && !spaced {
				dst = append(dst, token{start: i, end: i + 2, kind: tPoss, norm: "'s", line: line})
				i += 2
				spaced = false
				continue
			}
			dst = append(dst, token{start: i, end: i + 1, kind: tPunct, norm: text[i : i+1], flags: spacedFlag(spaced), line: line})
			i++
			spaced = false
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:end])
		switch {
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			spaced = true
			i += size
			continue
		case unicode.IsLetter(r):
			var t token
			t, i = scanWord(text, lower, i, end)
			t.flags |= spacedFlag(spaced)
			t.line = line
			if isArabicLetter(r) {
				dst = splitArabic(text, t, dst)
			} else {
				dst = append(dst, t)
			}
			spaced = false
			continue
		case unicode.IsDigit(r):
			j, n := scanDigitsIntl(text, i, end)
			dst = append(dst, token{start: i, end: j, kind: tNum, norm: n, flags: spacedFlag(spaced), line: line})
			i = j
			spaced = false
			continue
		}
		if r == '’' && i+size < end && (text[i+size] == 's' || text[i+size] == 'S') && isBoundary(text, i+size+1, end) && len(dst) > 0 && !spaced {
			dst = append(dst, token{start: i, end: i + size + 1, kind: tPoss, norm: "'s", line: line})
			i += size + 1
			spaced = false
			continue
		}
		n := text[i : i+size]
		if r == utf8.RuneError {
			n = "\ufffd"
		}
		dst = append(dst, token{start: i, end: i + size, kind: tPunct, norm: n, flags: spacedFlag(spaced), line: line})
		i += size
		spaced = false
	}
	return dst
}

func spacedFlag(b bool) uint16 {
	if b {
		return fSpaced
	}
	return 0
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// isBoundary reports whether a word may end before text[i].
func isBoundary(text string, i, end int) bool {
	if i >= end {
		return true
	}
	r, _ := utf8.DecodeRuneInString(text[i:end])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// scanDigits reads 14,000 or 2.5: separators only between digits.
func scanDigits(text string, i, end int) int {
	for i < end {
		c := text[i]
		if c >= '0' && c <= '9' {
			i++
			continue
		}
		if (c == ',' || c == '.') && i+1 < end && text[i+1] >= '0' && text[i+1] <= '9' {
			i++
			continue
		}
		break
	}
	return i
}

// scanWord reads a word starting at a letter: letters, digits, marks and
// apostrophes between letters (Da'esh, hasn't), but not a possessive 's.
// Initialisms such as U.S. become one token.
func scanWord(text, lower string, i, end int) (token, int) {
	start := i
	if j, ok := scanInitialism(text, i, end); ok {
		return token{start: start, end: j, kind: tWord, norm: initialismNorm(text[start:j]), flags: caseFlags(text[start:j]) | fInit}, j
	}
	// The case flags are counted on the way, as caseFlags(w) would.
	ascii := true
	var f uint16
	letters, upper := 0, 0
word:
	for i < end {
		c := text[i]
		r, size := rune(c), 1
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z':
				letters++
				i++
				continue
			case c >= 'A' && c <= 'Z':
				if i == start {
					f |= fUpper
				}
				letters++
				upper++
				i++
				continue
			case c >= '0' && c <= '9':
				i++
				continue
			case c != '\'':
				break word
			}
		} else {
			r, size = utf8.DecodeRuneInString(text[i:end])
			if unicode.IsLetter(r) {
				if unicode.IsUpper(r) {
					if i == start {
						f |= fUpper
					}
					upper++
				}
				letters++
				ascii = false
				i += size
				continue
			}
			// Persian writes a zero-width non-joiner inside words
			// (بین‌المللی); fold drops it.
			if unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == '\u200c' || r == '\u200d' {
				ascii = false
				i += size
				continue
			}
		}
		if (r == '\'' || r == '’') && i+size < end {
			r2, s2 := utf8.DecodeRuneInString(text[i+size : end])
			if unicode.IsLetter(r2) && !((r2 == 's' || r2 == 'S') && isBoundary(text, i+size+s2, end)) {
				if splitsAtApostrophe(text, start, i, i+size, end) {
					break // l'EI, IŞİD'in: two words joined by the apostrophe
				}
				if r == '’' {
					ascii = false
				}
				i += size
				continue
			}
		}
		break
	}
	if letters >= 2 && upper == letters {
		f |= fCaps
	}
	n := lower[start:i]
	if !ascii {
		n = fold(text[start:i])
	}
	return token{start: start, end: i, kind: tWord, norm: n, flags: f}, i
}

// scanInitialism matches single letters each followed by a dot, at least
// two of them: U.S., e.g., a.m.
func scanInitialism(text string, i, end int) (int, bool) {
	j := i
	n := 0
	for j+1 < end && isASCIILetter(text[j]) && text[j+1] == '.' {
		j += 2
		n++
		if j < end && isASCIILetter(text[j]) && (j+1 >= end || text[j+1] != '.') {
			return i, false // "U.Sa" is not an initialism
		}
	}
	if n < 2 {
		return i, false
	}
	return j, true
}

func initialismNorm(s string) string {
	b := make([]byte, 0, len(s)/2)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' {
			b = append(b, c|0x20)
		}
	}
	return string(b)
}

// caseFlags reads fUpper and fCaps off a word: ASCII bytes directly, other
// runes through package unicode, in one pass.
func caseFlags(w string) uint16 {
	var f uint16
	letters, upper := 0, 0
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'A' && c <= 'Z':
				letters++
				upper++
				if i == 0 {
					f |= fUpper
				}
			case c >= 'a' && c <= 'z':
				letters++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
				if i == 0 {
					f |= fUpper
				}
			}
		}
		i += size
	}
	if letters >= 2 && upper == letters {
		f |= fCaps
	}
	return f
}

// fold lower-cases a word, strips accents and unifies apostrophes, so that
// "Türkiye" = "turkiye" and "Da’esh" = "da'esh".
func fold(w string) string {
	ascii, lower := true, true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' {
			lower = false
		}
	}
	if ascii {
		if lower {
			return w
		}
		return strings.ToLower(w)
	}
	if foldsToItself(w) {
		return w // lower-case text in other scripts: no copy
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		switch {
		case r < utf8.RuneSelf:
			if r >= 'A' && r <= 'Z' {
				r += 32
			}
			b.WriteByte(byte(r))
		case r == '’' || r == '‘' || r == 'ʼ':
			b.WriteByte('\'')
		case unicode.Is(unicode.Mn, r), r == '\u0640', r == '\u200c', r == '\u200d': // marks, tatweel, joiners
		case r >= 0xC0 && r < 0x250:
			b.WriteString(latinFold[r-0xC0])
		case r >= 0x0622 && r <= 0x06D3:
			b.WriteRune(arabicFold(r))
		case r == 'ё' || r == 'Ё':
			b.WriteRune('е') // Russian writes ё as е more often than not
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// latinFold holds fold of the accented Latin letters U+00C0 to U+024F,
// decomposed with their marks dropped, so that fold does not normalise a
// rune at a time.
var latinFold = func() []string {
	t := make([]string, 0x250-0xC0)
	for r := rune(0xC0); r < 0x250; r++ {
		var b strings.Builder
		for _, d := range norm.NFD.String(string(r)) {
			if !unicode.Is(unicode.Mn, d) {
				b.WriteRune(unicode.ToLower(d))
			}
		}
		t[r-0xC0] = b.String()
	}
	// Turkish dotless ı: "Işid" is written for "IŞİD", so both fold to i.
	t['ı'-0xC0] = "i"
	return t
}()

// foldsToItself reports a word that fold would return unchanged: no
// capitals, apostrophes to unify, marks or accented Latin letters, and valid
// UTF-8.
func foldsToItself(w string) bool {
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return false // fold writes U+FFFD for the bad byte
		case r == '’' || r == '‘' || r == 'ʼ', r >= 0xC0 && r < 0x250, unicode.Is(unicode.Mn, r), r == '\u0640', r == '\u200c', r == '\u200d':
			return false
		case r >= 0x0622 && r <= 0x06D3 && arabicFold(r) != r, r == 'ё':
			return false
		case unicode.ToLower(r) != r:
			return false
		}
		i += size
	}
	return true
}
