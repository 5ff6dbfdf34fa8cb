package tag

import "testing"

// Two spellings that differ only in capitals are two phrases: the French
// data's "Iswap" is not held to the capitals of the English "ISWAP".
func TestPhrasesKeepTheirCapitals(t *testing.T) {
	t.Parallel()
	m := newMatcher()
	m.add("ISWAP", "", payload{cat: catAlias, langs: langEnglish})
	m.add("Iswap", "", payload{cat: catAlias, ref: 1, langs: 2})
	text := "Des combattants de l'Iswap ont attaqué."
	hs := m.scan(tokenize(text, 0, nil), text, langEnglish|2, nil)
	if len(hs) != 1 || m.phrases[hs[0].ph].pay[0].ref != 1 {
		t.Fatalf("hits %+v: want the French spelling", hs)
	}
	if hs := m.scan(tokenize(text, 0, nil), text, langEnglish, nil); len(hs) != 0 {
		t.Errorf("English data matched %q: %+v", text, hs)
	}
}
