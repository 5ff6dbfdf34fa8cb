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
