package clean

import (
	"strings"
	"testing"
)

// TestConfidenceOrders: a long article under its headline is sure; a page
// whose prose lies mostly outside the chosen block, or a bare line, is not.
func TestConfidenceOrders(t *testing.T) {
	t.Parallel()
	para := "<p>" + strings.Repeat("The coalition said the operation continued through the night, officials told reporters. ", 3) + "</p>"
	tests := []struct {
		name     string
		page     string
		min, max float64
	}{
		{"article", `<html><head><title>Coalition presses on</title></head><body><article><h1>Coalition presses on</h1>` +
			strings.Repeat(para, 8) + `</article></body></html>`, 0.8, 1},
		{"one line", `<html><body><div>Subscribe to our newsletter today.</div></body></html>`, 0, 0.5},
		{"nothing", `<html><body><nav><a href="/">Home</a></nav></body></html>`, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, _ := Extract("https://ex.com/a", strings.NewReader(tc.page), "text/html", Options{})
			if a.Confidence < tc.min || a.Confidence > tc.max {
				t.Errorf("confidence %.2f (method %q), want %.2f-%.2f", a.Confidence, a.Method, tc.min, tc.max)
			}
		})
	}
}

// TestConfidenceCalibration: the rank of a candidate says how it compares
// with another of the same page; the confidence also says whether it is
// more likely wrong than right (below 0.5). A fragment near the headline
// ranks fair but is usually wrong; a short text, likewise.
func TestConfidenceCalibration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		f     confFeatures
		below bool
	}{
		{"article", confFeatures{textLen: 6000, cov: 0.9, pageShare: 0.7, nearTitle: true}, false},
		{"long article, a third of the page's text", confFeatures{textLen: 9000, cov: 0.8, pageShare: 0.3, nearTitle: true}, false},
		{"fragment under the headline", confFeatures{textLen: 1600, cov: 0.12, pageShare: 0.1, nearTitle: true}, true},
		{"one section of many", confFeatures{textLen: 5700, cov: 0.25, pageShare: 0.23, nearTitle: true}, true},
		{"short text", confFeatures{textLen: 300, cov: 1, pageShare: 0.5, nearTitle: true}, true},
		{"nothing", confFeatures{cov: -1}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if c := tc.f.confidence(true); (c < 0.5) != tc.below {
				t.Errorf("confidence %.2f (rank %.2f), want below 0.5: %v", c, tc.f.rank(true), tc.below)
			}
		})
	}
}
