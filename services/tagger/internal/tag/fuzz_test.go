package tag

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzTag(f *testing.F) {
	files, _ := filepath.Glob("testdata/dev/*.txt")
	for _, p := range files[:min(6, len(files))] {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b), "Title", "Related Posts")
		}
	}
	for _, s := range []string{
		"“Unclosed quote, he said", "Col. . . Gen. U.S.", "\"\"\"", "said", "according to", ", said",
		"He, however, stressed", "the US secretary said.", "Both said.", "\xff\xfe“”", "IS IS IS ISIS Isis",
		"A (B (C) D) said E.", "Mr. al- Abadi’s", "between 5 and", "…….", "– — - ‐",
	} {
		f.Add(s, s, s)
	}
	tg := newDefault(f)
	f.Fuzz(func(t *testing.T, text, title, chrome string) {
		d := Document{Title: title, Text: text, Chrome: strings.Split(chrome, "\n")}
		r := tg.Tag(d)
		for _, c := range r.Claims {
			if c.Offset < 0 || c.Offset+len(c.Text) > len(text) || text[c.Offset:c.Offset+len(c.Text)] != c.Text {
				t.Fatalf("claim offset %d does not point at %q", c.Offset, c.Text)
			}
		}
		for _, g := range r.Tags {
			if g.Score < 0 || g.Score > 1 {
				t.Fatalf("score %v", g.Score)
			}
		}
	})
}
