package eval

import (
	"strings"
	"testing"
)

// TestMetaMissesTuningOnly: disagreements are listed for tuning pages
// only, with the gold and the extracted value.
func TestMetaMissesTuningOnly(t *testing.T) {
	t.Parallel()
	pages := []GoldPage{
		{ID: "tune", URL: "https://ex.com/t", Title: "Right Title", Author: "Jane Doe"},
		{ID: "held", URL: "https://ex.com/h", Title: "Other Title", HeldOut: true},
	}
	rep := RunGold(pages, func(string, []byte) Extracted {
		return Extracted{Title: "Wrong Title", Byline: "By Jane Doe"}
	})
	got := rep.MetaMisses()
	if len(got) != 1 || !strings.HasPrefix(got[0], "tune title: Right Title | Wrong Title") {
		t.Errorf("misses %q, want only the tuning page's title", got)
	}
}
