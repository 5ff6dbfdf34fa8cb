package clean

import (
	"strings"
	"testing"
)

// TestTextAfterUnclosedElementsIsKept: what a browser shows inside the
// article after an unclosed button, or at an svg or MathML integration
// point, is article text; the raw markup of noframes and noembed is not.
func TestTextAfterUnclosedElementsIsKept(t *testing.T) {
	t.Parallel()
	const (
		a = "The council approved the new budget on Tuesday, after a debate that lasted well into the evening hours."
		b = "Opposition members said the plan would cut services in the poorest districts, which the mayor denied."
		c = "The budget takes effect in January, and a review of its first six months is due before the summer."
	)
	page := func(middle string) string {
		return `<html><body><article><h1>Budget passes</h1><p>` + a + `</p>` + middle + `</article></body></html>`
	}
	tests := []struct {
		name    string
		page    string
		want    []string
		notWant []string
	}{
		{"unclosed button", page(`<button>Share<p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, []string{"Share"}},
		{"closed button keeps its label out", page(`<button><span>Share</span></button><p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, []string{"Share"}},
		{"svg foreignObject", page(`<svg><foreignObject><p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, nil},
		{"svg text is not article text", page(`<svg><title>Chart title</title><text>Axis label</text></svg><p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, []string{"Chart title", "Axis label"}},
		{"math annotation-xml", page(`<math><annotation-xml encoding="text/html"><p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, nil},
		{"unclosed aside", page(`<aside>Share this<p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, nil},
		{"unclosed nav", page(`<nav><a href="/x">Home</a><p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, nil},
		{"unclosed header", page(`<header><p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, nil},
		{"unclosed form", page(`<form><input name=q><p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, nil},
		{"unclosed dialog", page(`<dialog><p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, nil},
		{"closed aside stays chrome", page(`<p>` + b + `</p><aside><p>Most read: a sidebar list of other stories and their teasers here.</p></aside><p>` + c + `</p>`), []string{a, b, c}, []string{"Most read"}},
		{"noframes markup", page(`<noframes><script>alert(1)</script></noframes><p>` + b + `</p><p>` + c + `</p>`), []string{a, b, c}, []string{"<script>", "alert"}},
		{"noembed markup", page(`<p>` + b + `</p><noembed><b>bold</b> tag</noembed><p>` + c + `</p>`), []string{a, b, c}, []string{"<b>", "bold"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, filter := range []bool{true, false} {
				art, err := extract("https://example.com/a", strings.NewReader(tc.page), "text/html", Options{}, filter)
				if err != nil {
					t.Fatalf("filter %v: %v", filter, err)
				}
				for _, w := range tc.want {
					if !strings.Contains(art.Text, w) {
						t.Errorf("filter %v: text lacks %q:\n%s", filter, w[:30], art.Text)
					}
				}
				for _, nw := range tc.notWant {
					if strings.Contains(art.Text, nw) {
						t.Errorf("filter %v: text has %q:\n%s", filter, nw, art.Text)
					}
				}
			}
		})
	}
}
