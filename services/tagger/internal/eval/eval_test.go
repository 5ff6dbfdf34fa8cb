package eval

import (
	"fmt"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/testkit"
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

// TestRealworld scores ../shared/tagger-realworld with the rules of its
// README (go test -v -run TestRealworld prints the report) and holds both
// parts to floors a little under what the tagger reaches. Relevance floors
// stay at the figures before issue 19 (relevance is tuned elsewhere).
func TestRealworld(t *testing.T) {
	var out strings.Builder
	rep, err := RunRealworld(testkit.Shared(t, "tagger-realworld"), &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if rep.Tune.Articles+rep.Held.Articles != 88 || rep.Held.Articles < 20 {
		t.Errorf("parts of %d and %d articles, want 88 split about 2:1", rep.Tune.Articles, rep.Held.Articles)
	}
	floors := []struct {
		name       string
		got, floor float64
	}{
		{"tuning relevance F1", rep.Tune.Relevance.F1, 0.96},
		{"held-out relevance F1", rep.Held.Relevance.F1, 0.90},
		{"tuning claim recall", rep.Tune.ClaimRecall, 0.98},
		{"held-out claim recall", rep.Held.ClaimRecall, 0.92},
		{"tuning speaker accuracy", rep.Tune.SpeakerAccuracy, 0.93},
		{"held-out speaker accuracy", rep.Held.SpeakerAccuracy, 0.79},
		{"tuning value+unit recall", rep.Tune.ValueUnitRecall, 0.91},
		{"held-out value+unit recall", rep.Held.ValueUnitRecall, 0.86},
		{"tuning quantity precision", rep.Tune.QuantityPrecision, 0.98},
		{"held-out quantity precision", rep.Held.QuantityPrecision, 0.97},
	}
	for _, f := range floors {
		if f.got < f.floor {
			t.Errorf("%s = %.3f, below %.2f", f.name, f.got, f.floor)
		}
	}
}

func TestCoverClaim(t *testing.T) {
	t.Parallel()
	gold := "The coalition said 120 fighters were killed near Raqqa on Monday."
	tests := []struct {
		pred string
		want bool
	}{
		{gold, true},
		{"“The coalition said 120 fighters were killed near Raqqa on Monday.”", true},
		{"The coalition said 120 fighters were killed", true},           // contained, over 35 %
		{"The coalition said", false},                                   // contained, under 35 %
		{"Coalition: 120 fighters killed near Raqqa on Monday", true},   // tokens shared
		{"Fighters were seen in Aleppo on Tuesday by residents", false}, // few tokens shared
	}
	for _, tc := range tests {
		got := coverClaim([]schema.Claim{{Text: tc.pred}}, gold) != nil
		if got != tc.want {
			t.Errorf("coverClaim(%q) = %v, want %v", tc.pred, got, tc.want)
		}
	}
}

func TestShareSignificantWord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pred, gold string
		want       bool
	}{
		{"Steve Warren", "Army Col. Steve Warren", true},
		{"officials", "U.S. Central Command officials", true},
		{"the U.S.", "US officials", true},
		{"Haider al Abadi", "Capt. Ahmed Hilal al Jubouri", false},
		{"the report", "the group", false},
		{"", "Mattis", false},
	}
	for _, tc := range tests {
		if got := shareSignificantWord(tc.pred, tc.gold); got != tc.want {
			t.Errorf("shareSignificantWord(%q, %q) = %v", tc.pred, tc.gold, got)
		}
	}
}

func TestUnitMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pred, gold string
		want       bool
	}{
		{"fighters", "fighters", true},
		{"fighters", "IS fighters", true},
		{"air strikes", "strikes", true},
		{"USD per day", "USD", true},
		{"people", "fighters", false},
		{"", "percent", false},
	}
	for _, tc := range tests {
		if got := unitMatches(tc.pred, tc.gold); got != tc.want {
			t.Errorf("unitMatches(%q, %q) = %v", tc.pred, tc.gold, got)
		}
	}
}

func TestHeldOutIsFixed(t *testing.T) {
	t.Parallel()
	// The split is part of the documented method: it must not drift.
	n := 0
	for i := 0; i < 300; i++ {
		if HeldOut(fmt.Sprintf("A%03d", i)) {
			n++
		}
	}
	if n < 70 || n > 130 {
		t.Errorf("%d of 300 ids held out, want about a third", n)
	}
	for id, want := range map[string]bool{"A002": true, "A005": false, "A008": false, "C001": false, "D003": false} {
		if HeldOut(id) != want {
			t.Errorf("HeldOut(%q) = %v", id, !want)
		}
	}
}

func TestWithin1(t *testing.T) {
	t.Parallel()
	if !within1(33.3, 33.33) || !within1(1010, 1000) || within1(1020, 1000) {
		t.Error("within1 is not ±1 %")
	}
}
