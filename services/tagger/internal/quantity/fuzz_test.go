package quantity

import (
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"between 14,000 and 18,000 ISIS militants, including up to 3,000 foreign fighters",
		"some 4mn people in more than 41,000sq km", "$200mn", "1.5bn", "10k", "100%",
		"June 2022", "9/11", "(T/RS5/RS1)", "+44 20 7946 0000", "two hundred and fifty thousand",
		"half a million", "twenty-five", "a dozen", "3-1", "1,2,3", "0.5.6", "$", "between 5 and",
		"9999999999999999999999999999 people", "another", "one-third", "\xff\xfe 12 ”’",
	} {
		f.Add(s)
	}
	p := New(Options{DropModifiers: []string{"ISIS"}})
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range p.Find(s) {
			if m.Start < 0 || m.End > len(s) || m.Start > m.End {
				t.Fatalf("offsets %d:%d out of %d", m.Start, m.End, len(s))
			}
			if s[m.Start:m.End] != m.Raw {
				t.Fatalf("raw %q != text %q", m.Raw, s[m.Start:m.End])
			}
			if (m.Value == nil) == (m.Low == nil || m.High == nil) {
				t.Fatalf("value and range both set or both missing: %+v", m)
			}
			if m.Low != nil && m.High != nil && *m.Low >= *m.High {
				t.Fatalf("range %v-%v not increasing", *m.Low, *m.High)
			}
			if m.Unit == "" {
				t.Fatalf("quantity without unit: %+v", m)
			}
			if utf8.ValidString(s) && !utf8.ValidString(m.Raw) {
				t.Fatalf("raw cuts a rune: %q", m.Raw)
			}
		}
	})
}
