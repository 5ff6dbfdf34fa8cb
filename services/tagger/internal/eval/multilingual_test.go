package eval

import (
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
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
