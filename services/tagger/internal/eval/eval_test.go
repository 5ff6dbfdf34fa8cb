package eval

import (
	"strings"
	"testing"
)

const seedsDir = "../../../../testdata/seeds"

// extraDirs are the labelled articles written for this package: hard
// negatives and more relevant articles (dev), and a batch written and
// labelled before any tuning on it (blind).
var extraDirs = ExtraDirs("../../../..")

// TestEval prints the report (go test -v -run TestEval) and holds the
// figures to floors just below what the tagger reaches, so a regression
// fails the build.
func TestEval(t *testing.T) {
	var out strings.Builder
	rep, err := Run(seedsDir, &out, extraDirs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	floors := []struct {
		name       string
		got, floor float64
	}{
		{"relevance F1", rep.Relevance.F1, 0.97},
		{"seed claim recall", rep.Seeds.Recall, 0.95},
		{"seed speaker accuracy", rep.Seeds.SpeakerAccuracy, 0.95},
		{"seed quantity F1", rep.Seeds.Quantity.F1, 0.95},
		{"claim recall", rep.All.Recall, 0.95},
		{"speaker accuracy", rep.All.SpeakerAccuracy, 0.95},
		{"quantity F1", rep.All.Quantity.F1, 0.95},
	}
	for _, f := range floors {
		if f.got < f.floor {
			t.Errorf("%s = %.3f, below %.2f", f.name, f.got, f.floor)
		}
	}
	if rep.All.ChromeClaims != 0 {
		t.Errorf("%d claims come from chrome lines", rep.All.ChromeClaims)
	}
	if rep.Articles < 60 || rep.Relevance.FP+rep.Relevance.TP == 0 {
		t.Errorf("only %d articles evaluated", rep.Articles)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if _, err := Run(t.TempDir(), &out); err == nil {
		t.Error("no error for a directory without labels")
	}
}

func TestSpeakerMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pred string
		gold []string
		want bool
	}{
		{"James Mattis", []string{"Mattis"}, true},
		{"joint communique", []string{"a joint communique issued on Monday"}, true},
		{"", nil, true},
		{"AFP", nil, false},
		{"", []string{"Trump"}, false},
		{"Blinken", []string{"Di Maio", "Italian Minister"}, false},
	}
	for _, tc := range tests {
		if got := speakerMatches(tc.pred, tc.gold); got != tc.want {
			t.Errorf("speakerMatches(%q, %q) = %v", tc.pred, tc.gold, got)
		}
	}
}
