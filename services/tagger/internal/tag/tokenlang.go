package tag

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokenisation rules for languages other than English. They are written
// so that the topic data and the article text are cut the same way: a
// phrase in a topic file is tokenised by the same code as the article, so
// "الدولة الإسلامية" in the data matches "والدولة الإسلامية" in a text, and
// "IŞİD" matches "IŞİD'in".

// elisions are the French words that drop their vowel before another
// word: l'EI, d'Daech, qu'il.
var elisions = map[string]bool{
	"l": true, "d": true, "j": true, "m": true, "n": true, "s": true, "t": true, "c": true,
	"qu": true, "jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true,
}

// turkishSuffixes are case, possessive and plural endings that Turkish
// writes after an apostrophe on proper names and abbreviations
// (IŞİD'in, DEAŞ'a, Irak'ta, Suriye'deki), folded as fold folds them.
var turkishSuffixes = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`in nin un nun i yi u yu a e ya ye da de ta te dan den tan ten
		la le yla yle ki daki deki taki teki na ne ni nu nda nde ndan nden ndaki ndeki
		ca ce ci cu lar ler lari leri larin lerin lara lere larda lerde lardan lerden
		dir tir dur tur si su sin sun sini sunu sine suna sina sinda sinde sindan sinden
		ini unu ina ine una inda inde unda unde indan inden undan li lu lik luk lilar liler
		ye yla yle yken dakiler dekiler takiler tekiler ciler cilar culer cular ya yi yu`) {
		m[s] = true
	}
	return m
}()

// splitsAtApostrophe reports whether the word text[start:apos] and the
// letters after the apostrophe (from after) are two words: a French
// elision (l'EI) or a name with a Turkish suffix (IŞİD'in). English words
// and names (Da'esh, O'Brien, hasn't, Sana'a) are not split.
func splitsAtApostrophe(text string, start, apos, after, end int) bool {
	left := text[start:apos]
	if len(left) <= 6 && elisions[strings.ToLower(left)] {
		return true
	}
	// A Turkish suffix: a capitalised name before, lower-case letters after.
	r0, _ := utf8.DecodeRuneInString(left)
	if !unicode.IsUpper(r0) || utf8.RuneCountInString(left) < 2 {
		return false
	}
	j := after
	for j < end {
		r, size := utf8.DecodeRuneInString(text[j:end])
		if !unicode.IsLetter(r) {
			break
		}
		if !unicode.IsLower(r) {
			return false
		}
		j += size
	}
	if j-after > 12 {
		return false
	}
	// A one-letter ending only after an abbreviation (DEAŞ'a, IŞİD'e):
	// names such as Sana'a and Sare'e keep their apostrophe.
	if utf8.RuneCountInString(text[after:j]) == 1 && caseFlags(left)&fCaps == 0 {
		return false
	}
	return turkishSuffixes[fold(text[after:j])]
}

func isArabicLetter(r rune) bool { return r >= 0x0600 && r <= 0x06FF }

// arabicFold unifies the letters Arabic, Persian and Kurdish write in
// several ways: the alef with hamza or madda, alef maqsura and the Persian
// yeh, the Persian kaf, taa marbuta and heh goal.
func arabicFold(r rune) rune {
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	case 'ى', 'ی', 'ې':
		return 'ي'
	case 'ک':
		return 'ك'
	case 'ة', 'ۀ', 'ہ':
		return 'ه'
	}
	return r
}

// arabicClitics are the one-letter conjunctions and prepositions Arabic
// writes attached to the next word: و ف ب ل ك.
func isArabicClitic(r rune) bool {
	return r == 'و' || r == 'ف' || r == 'ب' || r == 'ل' || r == 'ك'
}

// splitArabic appends the word t cut into its attached clitics, the
// article and the stem: "والدولة" is و + ال + دولة, "للتنظيم" is ل + ال +
// تنظيم. A clitic is split off only when three letters remain, the article
// when two do; the rule is applied again to what remains, so that the data
// and the text, cut by the same rule, line up.
func splitArabic(text string, t token, dst []token) []token {
	s, e := t.start, t.end
	piece := func(a, b int, norm string) token {
		p := token{start: a, end: b, kind: tWord, norm: norm, line: t.line}
		if a == t.start {
			p.flags = t.flags & fSpaced
		}
		return p
	}
	for s < e {
		r, size := utf8.DecodeRuneInString(text[s:e])
		rest := utf8.RuneCountInString(text[s+size : e])
		switch {
		case r == 'ل' && rest >= 3 && strings.HasPrefix(text[s+size:e], "ل"):
			// li + al: "للدولة" is ل + ال + دولة.
			dst = append(dst, piece(s, s+size, "ل"), piece(s+size, s+2*size, "ال"))
			s += 2 * size
			continue
		case isArabicClitic(r) && rest >= 3:
			dst = append(dst, piece(s, s+size, string(r)))
			s += size
			continue
		case r == 'ا' && rest >= 3 && strings.HasPrefix(text[s+size:e], "ل"):
			dst = append(dst, piece(s, s+2*size, "ال"))
			s += 2 * size
			continue
		}
		break
	}
	if s == t.start {
		return append(dst, t)
	}
	if s < e {
		dst = append(dst, piece(s, e, fold(text[s:e])))
	}
	return dst
}

// scanDigitsIntl reads a number in any script (Arabic-Indic ٢٠١٤,
// Persian ۲۰۱۴) with its separators, and returns its end and its digits
// in ASCII.
func scanDigitsIntl(text string, i, end int) (int, string) {
	var b strings.Builder
	for i < end {
		r, size := utf8.DecodeRuneInString(text[i:end])
		if d, ok := digitValue(r); ok {
			b.WriteByte(byte('0' + d))
			i += size
			continue
		}
		if r == ',' || r == '.' || r == '٫' || r == '٬' {
			if n, ns := utf8.DecodeRuneInString(text[i+size : end]); i+size < end && ns > 0 {
				if _, ok := digitValue(n); ok {
					sep := byte(',')
					if r == '.' || r == '٫' {
						sep = '.'
					}
					b.WriteByte(sep)
					i += size
					continue
				}
			}
		}
		break
	}
	return i, b.String()
}

// digitValue is the value of a decimal digit of any script.
func digitValue(r rune) (int, bool) {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0'), true
	case r >= 0x0660 && r <= 0x0669:
		return int(r - 0x0660), true
	case r >= 0x06F0 && r <= 0x06F9:
		return int(r - 0x06F0), true
	case unicode.IsDigit(r):
		// Other scripts: Go's tables give no value, but the digits of a
		// block are consecutive from a rune ending in 0.
		for z := r; z > r-10; z-- {
			if !unicode.IsDigit(z - 1) {
				return int(r - z), true
			}
		}
	}
	return 0, false
}
