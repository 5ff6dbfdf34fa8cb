package eval

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

func TestTokenize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello, world!", []string{"Hello", "world"}},
		{"don't stop_me now", []string{"don", "t", "stop_me", "now"}},
		{"3.14 and ½ and ²", []string{"3", "14", "and", "½", "and", "²"}},
		{"Ελληνικά — 日本語テキスト", []string{"Ελληνικά", "日本語テキスト"}},
		// Python's \w has no combining marks: Devanagari vowel signs split words.
		{"नमस्ते", []string{"नमस", "त"}},
		{"a\u00a0b\tc\nd", []string{"a", "b", "c", "d"}},
	}
	for _, tc := range tests {
		if got := Tokenize(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		truth, pred string
		want        Counts
	}{
		{"identical", "a b c d e", "a b c d e", Counts{TP: 1}},
		{"both empty", "", "", Counts{}},
		{"nothing predicted", "a b c d e", "", Counts{FN: 1}},
		{"nothing true", "", "a b c d", Counts{FP: 1}},
		// truth shingles: abcd bcde; pred: abcd bcdx -> tp 1, fp 1, fn 1.
		{"one token differs", "a b c d e", "a b c d x", Counts{TP: 1.0 / 3, FP: 1.0 / 3, FN: 1.0 / 3}},
		// Fewer than four tokens make one short shingle.
		{"short texts", "a b", "a b", Counts{TP: 1}},
		{"short mismatch", "a b", "a c", Counts{FP: 0.5, FN: 0.5}},
		// Repeated shingles count with multiplicity.
		{"repeats", "x y z w x y z w", "x y z w", Counts{TP: 0.2, FN: 0.8}},
		{"punctuation and case are tokens apart", "A, b. c; d!", "A b c d", Counts{TP: 1}},
	}
	for _, tc := range tests {
		got := Match(tc.truth, tc.pred)
		if !near(got.TP, tc.want.TP) || !near(got.FP, tc.want.FP) || !near(got.FN, tc.want.FN) {
			t.Errorf("%s: Match = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestPrecisionRecall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		c    Counts
		p, r float64
	}{
		{Counts{}, 1, 1},
		{Counts{TP: 1}, 1, 1},
		{Counts{FN: 1}, 0, 0},
		{Counts{FP: 1}, 0, 0},
		{Counts{TP: 0.5, FP: 0.25, FN: 0.25}, 2.0 / 3, 2.0 / 3},
	}
	for _, tc := range tests {
		if p, r := tc.c.Precision(), tc.c.Recall(); !near(p, tc.p) || !near(r, tc.r) {
			t.Errorf("%+v: P=%v R=%v, want %v %v", tc.c, p, r, tc.p, tc.r)
		}
	}
}

func TestAggregate(t *testing.T) {
	t.Parallel()
	pages := []Counts{
		{TP: 1},                       // P 1, R 1
		{TP: 0.5, FP: 0.5},            // P .5, R 1
		{FN: 1},                       // no prediction: recall 0, no precision
		{TP: 0.25, FP: 0.25, FN: 0.5}, // P .5, R 1/3
	}
	m := Aggregate(pages)
	wantP := (1 + 0.5 + 0.5) / 3
	wantR := (1 + 1 + 0 + 1.0/3) / 4
	if !near(m.Precision, wantP) || !near(m.Recall, wantR) || !near(m.F1, 2*wantP*wantR/(wantP+wantR)) {
		t.Errorf("Aggregate = %+v, want P %v R %v", m, wantP, wantR)
	}
	std, acc := Bootstrap(pages, []bool{true, false, false, false}, 200, 7)
	if std.F1 <= 0 || acc <= 0 {
		t.Errorf("Bootstrap std = %+v, %v: want spread", std, acc)
	}
	again, _ := Bootstrap(pages, []bool{true, false, false, false}, 200, 7)
	if again != std {
		t.Error("Bootstrap is not reproducible with the same seed")
	}
}

func TestExact(t *testing.T) {
	t.Parallel()
	if !Exact("Hello,  world", "Hello world!") {
		t.Error("Exact compares token sequences, not punctuation")
	}
	if Exact("Hello world", "hello world") {
		t.Error("Exact is case-sensitive, as upstream")
	}
}

func TestEvaluateCorpus(t *testing.T) {
	t.Parallel()
	dir := testkit.Testdata("corpus", "article-extraction-benchmark")
	c, err := LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.IDs) != 181 {
		t.Fatalf("corpus has %d pages, want 181", len(c.IDs))
	}
	// The truth scores perfectly; the whole page as text scores high recall
	// and low precision, as the upstream html-text baseline does.
	byURL := map[string]string{}
	for _, id := range c.IDs {
		byURL[c.URLs[id]] = c.Truth[id]
	}
	rep, err := EvaluateCorpus(dir, func(url string, _ []byte) (string, error) { return byURL[url], nil })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Metrics.F1 != 1 || rep.Accuracy != 1 || rep.Errors != 0 {
		t.Errorf("truth as prediction: %v", rep)
	}
	if !strings.Contains(rep.String(), "F1=1.000") || !strings.Contains(rep.String(), "pages/s=") {
		t.Errorf("report %q lacks F1 or pages/s", rep)
	}
	rep = c.Run(func(_ string, page []byte) (string, error) { return string(page), nil })
	if rep.Metrics.Recall < 0.8 || rep.Metrics.Precision > 0.2 {
		t.Errorf("raw html as prediction: %v", rep)
	}
	if w := rep.Worst(3); len(w) != 3 || w[0].Counts.F1() > w[2].Counts.F1() {
		t.Errorf("Worst(3) = %v", w)
	}
	if _, err := EvaluateCorpus(t.TempDir(), nil); err == nil {
		t.Error("EvaluateCorpus on an empty dir: no error")
	}
}
