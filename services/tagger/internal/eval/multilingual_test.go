package eval

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/services/tagger/internal/tag"
)

// TestMultilingual prints the multilingual relevance report (`make eval`)
// and holds its figures to floors just below what the tagger reaches.
func TestMultilingual(t *testing.T) {
	var out strings.Builder
	rep, err := RunMultilingual(testkit.Shared(t, "tagger-realworld"), LangDir(testkit.RepoRoot(t)), &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	shared, english := rep.Shared(), rep.English()
	floors := []struct {
		name       string
		got, floor float64
	}{
		{"shared non-English precision", shared.Precision, 0.95},
		{"shared non-English recall", shared.Recall, 0.90},
		{"own examples precision", rep.Own.Precision, 0.95},
		{"own examples recall", rep.Own.Recall, 0.90},
		{"English relevance F1", english.F1, 0.97},
	}
	for _, f := range floors {
		if f.got < f.floor {
			t.Errorf("%s = %.3f, below %.2f", f.name, f.got, f.floor)
		}
	}
}

func TestHeldOutRule(t *testing.T) {
	t.Parallel()
	// FNV-1a of the id, mod 3: fixed, so the held-out part never moves.
	for id, want := range map[string]bool{"E004": true, "E011": false, "M008": true, "M011": false} {
		if got := HeldOut(id); got != want {
			t.Errorf("HeldOut(%s) = %v, want %v", id, got, want)
		}
	}
}

// Every language's data loaded, the general pages of the shared corpora
// (news, blogs, shops, in many languages, given without a language so
// that the tagger guesses it) are marked relevant no more often than by
// the English data alone.
func TestLanguagesAddNoFalsePositives(t *testing.T) {
	t.Parallel()
	topics, err := tag.DefaultTopics()
	if err != nil {
		t.Fatal(err)
	}
	all, err := tag.New(topics...)
	if err != nil {
		t.Fatal(err)
	}
	en, err := tag.New(topics[0])
	if err != nil {
		t.Fatal(err)
	}
	var docs []tag.Document
	files, err := filepath.Glob(filepath.Join(testkit.Shared(t, "corpus", "wcxb-dev-articles", "ground-truth"), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			GT struct {
				Title string `json:"title"`
				Main  string `json:"main_content"`
			} `json:"ground_truth"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		docs = append(docs, tag.Document{Title: d.GT.Title, Text: d.GT.Main})
	}
	pages, err := filepath.Glob(filepath.Join(testkit.Shared(t, "corpus", "readability-test-pages"), "*", "expected.html"))
	if err != nil {
		t.Fatal(err)
	}
	markup := regexp.MustCompile(`<[^>]*>`)
	for _, p := range pages {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, tag.Document{Text: markup.ReplaceAllString(string(raw), "\n")})
	}
	if len(docs) < 500 {
		t.Fatalf("only %d pages", len(docs))
	}
	for i, d := range docs {
		if a, e := all.Tag(d).Relevant, en.Tag(d).Relevant; a && !e {
			t.Errorf("page %d (%.60q) is relevant only with the other languages' data", i, d.Title+" "+d.Text)
		}
	}
}
