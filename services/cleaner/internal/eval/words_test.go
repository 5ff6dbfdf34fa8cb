package eval

import (
	"testing"
	"time"
)

func TestWordMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		truth, pred string
		p, r        float64
	}{
		{"The cat sat", "the CAT sat", 1, 1},
		{"a a b", "a b", 1, 2.0 / 3},
		{"a b", "a b c d", 0.5, 1},
		{"a b", "", 0, 0},
		{"", "", 1, 1},
	}
	for _, tc := range tests {
		got := WordMatch(tc.truth, tc.pred)
		if !near(got.Precision, tc.p) || !near(got.Recall, tc.r) {
			t.Errorf("WordMatch(%q, %q) = %+v, want P=%v R=%v", tc.truth, tc.pred, got, tc.p, tc.r)
		}
	}
}

func TestContainsSnippet(t *testing.T) {
	t.Parallel()
	if !ContainsSnippet("He said: the\nplan WORKS, mostly.", "the plan works") {
		t.Error("snippet across a line break and case not found")
	}
	if ContainsSnippet("the planet works", "the plan works") {
		t.Error("a word prefix matched")
	}
}

func TestMetadataVerdicts(t *testing.T) {
	t.Parallel()
	day := time.Date(2025, 9, 4, 23, 0, 0, 0, time.FixedZone("", -4*3600))
	if !SameDay("2025-09-04", &day) || SameDay("2025-09-05", &day) || SameDay("2025-09-04", nil) {
		t.Error("SameDay")
	}
	if !AuthorFound("Dylan Bailey, MS, RD", "By Dylan Bailey") || AuthorFound("Dylan Bailey", "Staff") {
		t.Error("AuthorFound")
	}
	if !SameTitle("It’s here — finally", "It's here - finally") || SameTitle("A", "B") {
		t.Error("SameTitle")
	}
	if !SameLang("en-US", "en") || SameLang("de", "en") {
		t.Error("SameLang")
	}
}

func TestHeldOutIsFixed(t *testing.T) {
	t.Parallel()
	// FNV-1a of "0001.html.gz" is fixed; the split must never drift.
	n := 0
	for i := range 300 {
		if HeldOut(string(rune('a'+i%26)) + string(rune('a'+i/26))) {
			n++
		}
	}
	if n < 70 || n > 130 {
		t.Errorf("%d of 300 names held out, want about a third", n)
	}
}
