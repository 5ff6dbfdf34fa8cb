package clean

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadRules(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"sites.yaml", "sites.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := LoadRules(filepath.Join("testdata", "rules", name))
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				url  string
				want bool
				body int
			}{
				{"https://example.com/a", true, 2},
				{"https://www.example.com/a", true, 2},
				{"https://sub.example.com/a", true, 2},
				{"https://news.example.org/a", true, 0},
				{"https://example.org/a", false, 0},
				{"https://asianlite.com/a", true, 1}, // built-in kept
				{"not a url", false, 0},
			}
			for _, tc := range tests {
				c, ok := r.lookup(tc.url)
				if ok != tc.want || len(c.body) != tc.body {
					t.Errorf("lookup(%q) = %d body selectors, %v; want %d, %v", tc.url, len(c.body), ok, tc.body, tc.want)
				}
			}
		})
	}
}

func TestLoadRulesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ file, want string }{
		{"bad-selector.json", `body selector "div[[["`},
		{"unknown-field.json", "unknown field"},
		{"missing.json", "read rules"},
	}
	for _, tc := range tests {
		_, err := LoadRules(filepath.Join("testdata", "rules", tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "clean: ") {
			t.Errorf("%s: err = %v, want one mentioning %q", tc.file, err, tc.want)
		}
	}
}

// TestRulesOverrideGeneric shows a page where the generic extractor keeps a
// block of reader picks between the two halves of the story; the site rule
// names the halves and drops the promotion.
func TestRulesOverrideGeneric(t *testing.T) {
	t.Parallel()
	page, err := os.ReadFile(filepath.Join("testdata", "rules", "example.com.html"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := LoadRules(filepath.Join("testdata", "rules", "sites.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Extract("https://www.example.com/port-strike", strings.NewReader(string(page)), "text/html", Options{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	want := "The port strike ended on Friday after the union accepted a pay offer of 6%, the operator said in a statement.\n" +
		"Ships that waited offshore for nine days began to dock in the afternoon, and cranes were working again by the evening.\n" +
		"The agreement runs for two years. Both sides said talks had been hard but fair, and thanked the mediator."
	if a.Text != want {
		t.Errorf("Text with rules:\n%s\nwant:\n%s", a.Text, want)
	}
	generic, err := Extract("https://www.example.com/port-strike", strings.NewReader(string(page)), "text/html", Options{Rules: &Rules{}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(generic.Text, "Readers' pick") {
		t.Errorf("generic extraction no longer keeps the reader picks; this fixture no longer shows what rules are for:\n%s", generic.Text)
	}
}
