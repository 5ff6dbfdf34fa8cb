package tag

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestCorpusRealNews tags 181 real news articles on every subject (the
// article-extraction benchmark's ground truth). Only one is about the
// anti-ISIS coalition: a fact check on the al-Tanf base. The rest are
// realistic negatives, and their messy text must give well-formed claims.
func TestCorpusRealNews(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	var gt map[string]struct {
		Body string `json:"articleBody"`
		URL  string `json:"url"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		t.Fatal(err)
	}
	tg := newDefault(t)
	claims, speakers := 0, 0
	for id, v := range gt {
		r := tg.Tag(Document{Text: v.Body})
		want := strings.Contains(v.URL, "al-tanf")
		if r.Relevant != want {
			t.Errorf("%s %s: relevant %v, want %v (tags %+v)", id[:8], v.URL, r.Relevant, want, r.Tags)
		}
		for _, c := range r.Claims {
			if v.Body[c.Offset:c.Offset+len(c.Text)] != c.Text {
				t.Errorf("%s: bad offset for %q", id[:8], c.Text)
			}
			claims++
			if c.Speaker != "" {
				speakers++
			}
		}
	}
	if claims < 1000 || speakers < claims/3 {
		t.Errorf("only %d claims, %d with a speaker, from %d articles", claims, speakers, len(gt))
	}
}
