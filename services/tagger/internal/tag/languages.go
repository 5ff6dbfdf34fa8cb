package tag

import (
	"fmt"
	"strings"
)

// langEnglish is the bit of the base topics' data: always on, since pages
// in every language quote English names (ISIS, Daesh, SDF).
const langEnglish uint32 = 1

// maxLangs is how many languages a Tagger holds: one bit each in a uint32.
const maxLangs = 32

func isForeign(lang string) bool {
	l := strings.ToLower(lang)
	return l != "" && l != "en" && l != "eng"
}

// addLanguage returns the bit of lang, giving it one on first sight, and
// makes lang and codes select it.
func (tg *Tagger) addLanguage(lang string, codes []string) (uint32, error) {
	lang = strings.ToLower(lang)
	bit := uint32(0)
	for i, l := range tg.langs {
		if l == lang {
			bit = 1 << i
		}
	}
	if bit == 0 {
		if len(tg.langs) == maxLangs {
			return 0, fmt.Errorf("%w: more than %d languages", ErrInvalidTopic, maxLangs)
		}
		bit = 1 << len(tg.langs)
		tg.langs = append(tg.langs, lang)
	}
	for _, c := range append([]string{lang}, codes...) {
		tg.langCodes[strings.ToLower(c)] |= bit
	}
	return bit, nil
}

// activeLangs returns the language bits a document in lang reads: English,
// and the data lang selects. A region ("fr-BE", "pt_BR") is dropped.
func (tg *Tagger) activeLangs(lang string) uint32 {
	if lang == "" {
		return langEnglish
	}
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	bits, ok := tg.langCodes[lang]
	if !ok {
		bits = tg.langCodes[strings.ToLower(lang)]
	}
	return langEnglish | bits
}

// langOf names the language of a payload: its first active bit.
func (tg *Tagger) langOf(langs, active uint32) string {
	m := langs & active
	for i := range tg.langs {
		if m&(1<<i) != 0 {
			return tg.langs[i]
		}
	}
	return "en"
}

// Languages lists the languages the Tagger has topic data for, English
// first.
func (tg *Tagger) Languages() []string {
	return append([]string(nil), tg.langs...)
}

// guessSpan is how many words of a document the language guess reads.
const guessSpan = 400

// guessLang chooses the language of a document that comes without one
// (the cleaner's detector was not sure): the language whose function
// words (stopwords in its topic file) are most frequent, when they are
// frequent enough and more so than the English ones. English text, with
// almost no letters outside ASCII, is let through after one pass over its
// bytes.
func (tg *Tagger) guessLang(dc *doc) uint32 {
	if len(tg.langs) == 1 || len(tg.stopwords) == 0 {
		return langEnglish
	}
	// The first bytes of accented Latin (é, ü, ş, ñ), Cyrillic and Arabic
	// letters; not of punctuation such as curly quotes, which English uses.
	n := 0
	text := dc.text
	for i := 0; i < len(text); i++ {
		// Eight ASCII bytes at a time: English text is let through fast.
		if i+8 <= len(text) && (text[i]|text[i+1]|text[i+2]|text[i+3]|text[i+4]|text[i+5]|text[i+6]|text[i+7]) < 0x80 {
			i += 7
			continue
		}
		if c := text[i]; c >= 0xC3 && c <= 0xC5 || c >= 0xD0 && c <= 0xD1 || c >= 0xD8 && c <= 0xDB {
			n++
		}
	}
	if n*400 < len(dc.text) {
		return langEnglish
	}
	var counts [maxLangs]int
	words := 0
	for i := range dc.toks {
		t := &dc.toks[i]
		if t.kind != tWord {
			continue
		}
		if words++; words > guessSpan {
			break
		}
		m := tg.stopwords[t.norm]
		for b := 0; m != 0; b++ {
			if m&1 != 0 {
				counts[b]++
			}
			m >>= 1
		}
	}
	best := 1
	for b := 2; b < len(tg.langs); b++ {
		if counts[b] > counts[best] {
			best = b
		}
	}
	if counts[best] < 2 || counts[best] <= counts[0] {
		return langEnglish
	}
	return tg.activeLangs(tg.langs[best])
}

// addStopwords registers the function words that tell lang's text.
func (tg *Tagger) addStopwords(words []string, bit uint32) {
	for _, w := range words {
		for _, t := range tokenize(w, 0, nil) {
			if t.kind == tWord {
				tg.stopwords[t.norm] |= bit
			}
		}
	}
}
