package clean

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/pkg/service/testkit/gold"
)

var seedsDir = testkit.Testdata("seeds")

var update = flag.Bool("update", false, "rewrite golden files")

// seedSpan names where each seed's article runs in its .txt file: from the
// line starting with first to the line starting with last. Lines in between
// that are gold chrome, the headline or a dateline are not paragraphs.
var seedSpan = map[string]struct{ first, last string }{
	"000_6472ec96983d24f1": {"Brusels, MINA", "Some 35 countries"},
	"001_d8aee011cb06e7c6": {"A Global Coalition to Defeat IS", "The Ministers also reaffirmed"}, // after the standfirst
	"002_e746ca10a89e37f5": {"The Small Group of the Global Coalition", "“We also appreciate"},
	"003_b20276f8bb1996d1": {"The US promised Wednesday", "The report by the UN analysts"},
	"004_04d904eda5a7a569": {"Relatively soon, ISIS", "“In Iraq, the coalition trained"},
}

// seedGolden is the reviewed output for a seed page.
type seedGolden struct {
	Title     string   `json:"title"`
	Byline    string   `json:"byline,omitempty"`
	Authors   []string `json:"authors,omitempty"`
	Published string   `json:"published,omitempty"`
	Modified  string   `json:"modified,omitempty"`
	SiteName  string   `json:"site_name,omitempty"`
	Language  string   `json:"language,omitempty"`
	Canonical string   `json:"canonical_url,omitempty"`
	Image     string   `json:"image,omitempty"`
	Text      string   `json:"text"`
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func TestSeedPages(t *testing.T) {
	seeds, err := gold.ReadSeeds(seedsDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(seeds) != len(seedSpan) {
		t.Fatalf("gold.json has %d seeds, test knows %d", len(seeds), len(seedSpan))
	}
	for _, g := range seeds {
		base := strings.TrimSuffix(g.File, ".txt")
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			span, ok := seedSpan[base]
			if !ok {
				t.Fatalf("no span for %s", base)
			}
			raw, err := os.ReadFile(filepath.Join(seedsDir, g.File))
			if err != nil {
				t.Fatal(err)
			}
			page, err := os.ReadFile(filepath.Join(seedsDir, "html", base+".html"))
			if err != nil {
				t.Fatal(err)
			}
			// Generic extraction alone must pass; the built-in site rules
			// (the default) must too, and give the golden output.
			generic, err := Extract(g.URL, bytes.NewReader(page), "text/html; charset=utf-8", Options{Rules: &Rules{}})
			if err != nil {
				t.Fatal(err)
			}
			checkSeed(t, "generic", generic, raw, g, span)
			a, err := Extract(g.URL, bytes.NewReader(page), "text/html; charset=utf-8", Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkSeed(t, "default", a, raw, g, span)
			got := seedGolden{
				Title: a.Title, Byline: a.Byline, Authors: a.Authors,
				Published: fmtTime(a.Published), Modified: fmtTime(a.Modified),
				SiteName: a.SiteName, Language: a.Language, Canonical: a.CanonicalURL,
				Image: a.Image, Text: a.Text,
			}
			checkGolden(t, filepath.Join("testdata", "seeds", base+".golden.json"), got)
		})
	}
}

// checkSeed asserts every article paragraph of the seed is in the text and
// no gold chrome line, nor anything after the article, is.
func checkSeed(t *testing.T, mode string, a Article, raw []byte, g gold.Article, span struct{ first, last string }) {
	t.Helper()
	text := normSpace(a.Text)
	chrome := map[string]bool{}
	for _, c := range g.Chrome {
		chrome[normSpace(c)] = true
	}
	var paras, after []string
	state := 0
	for _, line := range strings.Split(string(raw), "\n") {
		line = normSpace(line)
		if line == "" {
			continue
		}
		if state == 0 && strings.HasPrefix(line, span.first) {
			state = 1
		}
		switch {
		case state == 1 && !chrome[line]:
			paras = append(paras, line)
		case state == 2:
			after = append(after, line)
		}
		if state == 1 && strings.HasPrefix(line, span.last) {
			state = 2
		}
	}
	if len(paras) < 3 {
		t.Fatalf("%s: span found %d paragraphs", mode, len(paras))
	}
	for _, p := range paras {
		if !strings.Contains(text, p) {
			t.Errorf("%s: article paragraph missing from Text: %.80q", mode, p)
		}
	}
	for c := range chrome {
		if strings.Contains(text, c) {
			t.Errorf("%s: chrome line in Text: %q", mode, c)
		}
	}
	for _, l := range after {
		if strings.Contains(text, l) {
			t.Errorf("%s: text after the article in Text: %.80q", mode, l)
		}
	}
	// Every gold claim is in the text and in no chrome line: later stages
	// drop claims found in chrome.
	for _, cl := range g.Claims {
		if !strings.Contains(text, normSpace(cl.Text)) {
			t.Errorf("%s: claim missing from Text: %q", mode, cl.Text)
		}
		for _, c := range a.Chrome {
			if strings.Contains(normSpace(c), normSpace(cl.Text)) {
				t.Errorf("%s: claim %q inside Chrome line %q", mode, cl.Text, c)
			}
		}
	}
	allChrome := normSpace(strings.Join(a.Chrome, "\n"))
	for c := range chrome {
		if !strings.Contains(allChrome, c) {
			t.Errorf("%s: chrome line not reported in Chrome: %q", mode, c)
		}
	}
	if g.Title != nil && a.Title != *g.Title {
		t.Errorf("%s: title %q, want %q", mode, a.Title, *g.Title)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// checkGolden compares got with the JSON golden file, rewriting it under
// -update.
func checkGolden(t *testing.T, path string, got any) {
	t.Helper()
	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(want) != string(out) {
		t.Errorf("%s differs from output:\n%s", path, out)
	}
}
