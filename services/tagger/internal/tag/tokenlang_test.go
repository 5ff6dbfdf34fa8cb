package tag

import (
	"strings"
	"testing"
)

// words lists the folded words of s, as the matcher sees them.
func words(s string) string {
	var out []string
	for _, t := range tokenize(s, 0, nil) {
		if t.isWord() {
			out = append(out, t.norm)
		}
	}
	return strings.Join(out, " ")
}

func TestTokenizeLanguages(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"french elision", "l'EI et d’Daech", "l ei et d daech"},
		{"french qu'", "lorsqu'il", "lorsqu il"},
		{"accents fold", "État islamique", "etat islamique"},
		{"turkish suffix", "IŞİD'in DEAŞ'a Irak'ta", "isid in deas a irak ta"},
		{"turkish dotless i", "Işid", "isid"},
		{"turkish member suffix", "DEAŞ'lı IŞİD'ciler", "deas li isid ciler"},
		{"russian yo", "запрещённая", "запрещенная"},
		{"english apostrophes kept", "Da'esh O'Brien hasn't", "da'esh o'brien hasn't"},
		{"arabic names kept", "Sana'a Sare’e", "sana'a sare'e"},
		{"turkish one letter after an abbreviation", "DEAŞ'a Irak'a", "deas a irak'a"},
		{"english possessive", "Isis's", "isis"},
		{"german hyphen", "Anti-IS-Koalition", "anti is koalition"},
		{"arabic conjunction", "وداعش", "و داعش"},
		{"arabic article", "الدولة الإسلامية", "ال دوله ال اسلاميه"},
		{"arabic conjunction and article", "والدولة", "و ال دوله"},
		{"arabic li+al", "للتنظيم", "ل ال تنظيم"},
		{"arabic bi+al", "بالموصل", "ب ال موصل"},
		{"arabic short word kept", "بين", "بين"},
		{"arabic and persian digits", "٢٠١٤ و ۱۲۳", "2014 و 123"},
		{"arabic separators", "١٬٣٠٠", "1,300"},
		{"persian letters", "داعش در سوریه", "داعش در سوريه"},
		{"persian zwnj", "بین\u200cالمللی", "ب ينالمللي"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := words(tc.in); got != tc.want {
				t.Errorf("words(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
