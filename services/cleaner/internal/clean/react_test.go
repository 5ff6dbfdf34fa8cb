package clean

import (
	"strings"
	"testing"
)

// TestReactSegmentsPlaced: a page streamed by React sends its article late
// in hidden segments; they take the place of the boundaries' fallbacks
// (and nested placeholders), in order, before the footer.
func TestReactSegmentsPlaced(t *testing.T) {
	t.Parallel()
	para := func(s string) string { return "<p>" + strings.Repeat(s+" ", 3) + "</p>" }
	page := `<html><head><title>How index funds work</title></head><body>
<main><h1>How index funds work</h1><div class="article-body">
<template id="B:0"></template><div>Loading paragraph...</div>
<template id="B:1"></template><div>Loading paragraph...</div>
</div></main>
<footer><p>Copyright and disclosures of the site, all in one footer line here.</p></footer>
<div hidden id="S:2">` + para("An index fund tracks a financial index such as the broad market, the writer explained.") + `<template id="P:5"></template></div>
<div hidden id="S:3">` + para("To invest, pick an index, choose a low-cost fund and buy its shares through a broker.") + `</div>
<div hidden id="S:5">` + para("Index funds are mutual funds or exchange-traded funds that replicate their benchmark.") + `</div>
</body></html>`
	a, err := Extract("https://ex.com/index-funds", strings.NewReader(page), "text/html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := strings.Index(a.Text, "An index fund tracks")
	nested := strings.Index(a.Text, "Index funds are mutual funds")
	second := strings.Index(a.Text, "To invest, pick an index")
	if first < 0 || nested < 0 || second < 0 || !(first < nested && nested < second) {
		t.Errorf("segments missing or out of order (%d, %d, %d):\n%s", first, nested, second, a.Text)
	}
	if strings.Contains(a.Text, "Loading paragraph") || strings.Contains(a.Text, "footer line") {
		t.Errorf("fallback or footer kept:\n%s", a.Text)
	}
}

// TestReactSegmentsOdd: odd pairings (a segment right after its boundary,
// one holding its own placeholder, one inside a template, two for one
// placeholder) neither panic nor lose the text.
func TestReactSegmentsOdd(t *testing.T) {
	t.Parallel()
	para := "<p>" + strings.Repeat("The fund tracks the index closely and charges little for it, analysts said. ", 3) + "</p>"
	for _, page := range []string{
		`<body><template id="B:0"></template><div hidden id="S:0">` + para + `</div></body>`,
		`<body><div hidden id="S:1"><template id="P:1"></template>` + para + `</div></body>`,
		`<body><template id="B:0"><div hidden id="S:2">` + para + `</div></template></body>`,
		`<body><template id="P:3"></template><div hidden id="S:3">` + para + `</div><div hidden id="S:3">` + para + `</div></body>`,
	} {
		a, err := Extract("https://ex.com/a", strings.NewReader(page), "text/html", Options{})
		if strings.Contains(page, `<template id="B:0"><div`) {
			continue // template content is never shown
		}
		if err != nil || !strings.Contains(a.Text, "tracks the index closely") {
			t.Errorf("text %q (%v) on %s", a.Text, err, page)
		}
	}
}

// TestReactSegmentsByID: segments arrive in the order they completed; each
// goes to the boundary of its own id, so the page reads in its order.
func TestReactSegmentsByID(t *testing.T) {
	t.Parallel()
	para := func(s string) string { return "<p>" + strings.Repeat(s+" ", 3) + "</p>" }
	page := `<html><body><article><h1>Two parts</h1>
<template id="B:0"></template><div>Loading...</div><template id="B:1"></template><div>Loading...</div>
</article>
<div hidden id="S:1">` + para("The second part of the story follows the first one, as readers expect it to.") + `</div>
<div hidden id="S:0">` + para("The first part of the story opens the article and sets the scene for the rest.") + `</div>
</body></html>`
	a, err := Extract("https://ex.com/two", strings.NewReader(page), "text/html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, second := strings.Index(a.Text, "The first part"), strings.Index(a.Text, "The second part")
	if first < 0 || second < first {
		t.Errorf("parts missing or out of order:\n%s", a.Text)
	}
}
