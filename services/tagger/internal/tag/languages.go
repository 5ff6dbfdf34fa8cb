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
