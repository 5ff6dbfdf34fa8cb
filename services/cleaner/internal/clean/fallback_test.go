package clean

import (
	"strings"
	"testing"
)

// TestFallbackWhenChoiceHoldsLittle: the body sits in a wrapper whose class
// sounds like chrome, so the first choice is the short intro; the
// alternative extraction, judging by text alone, holds the body and wins,
// yet still leaves the comment thread out.
func TestFallbackWhenChoiceHoldsLittle(t *testing.T) {
	t.Parallel()
	para := func(s string) string {
		return "<p>" + strings.Repeat(s+" ", 4) + "</p>"
	}
	page := `<html><head><title>Sourdough, no kneading</title></head><body>
<article><h1>Sourdough, no kneading</h1>
<div class="entry-content">` + para("This delicious bread is tangy, forgiving and needs no kneading at all, the baker said.") + `</div>
<div class="recipe-menu-card">` +
		para("Mix the flour, the water and the starter in a large bowl until no dry flour remains, then cover it.") +
		para("Let the dough rest overnight at room temperature, about twelve hours, until it has doubled in size.") +
		para("Turn the dough into a greased pan, sprinkle it with seeds and let it rise for another two hours.") +
		para("Bake for fifty minutes at a high heat, until the loaf is deep brown and sounds hollow when tapped.") +
		`</div>
<div id="comments">` + para("I tried this recipe last weekend and it came out great, thanks so much for sharing it with us all.") +
		para("Mine was too dense, I think my starter was not active enough, I will try again next weekend, thanks.") + `</div>
</article></body></html>`
	a, err := Extract("https://ex.com/bread", strings.NewReader(page), "text/html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "Bake for fifty minutes") || !strings.Contains(a.Text, "needs no kneading") {
		t.Errorf("the body is missing:\n%s", a.Text)
	}
	if strings.Contains(a.Text, "tried this recipe") {
		t.Errorf("the comments came in:\n%s", a.Text)
	}
	if a.Method != MethodFallback {
		t.Errorf("method %q, want %q", a.Method, MethodFallback)
	}
}

// TestShortItemsAndClosingLines: a short news item is an article, and its
// short closing paragraph belongs to it.
func TestShortItemsAndClosingLines(t *testing.T) {
	t.Parallel()
	page := `<html><head><title>Brief</title></head><body><div class="menu"><a href="/">Home</a></div>
<div class="content"><h1>Quake hits coast</h1><p>A 5.1 earthquake struck off the coast on Monday.</p>
<p>No damage was reported.</p><p><a href="/share">Share</a></p></div></body></html>`
	a, err := Extract("https://ex.com/a", strings.NewReader(page), "text/html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "A 5.1 earthquake struck off the coast on Monday.\nNo damage was reported."; a.Text != want {
		t.Errorf("text %q, want %q", a.Text, want)
	}
	if a.Confidence <= 0 || a.Confidence >= 0.5 {
		t.Errorf("confidence %.2f: a two-line item should be below 0.5 yet above 0", a.Confidence)
	}
}

// TestCodeCommentsKept: inside code, span classes name the syntax
// ("hljs-comment"), so the comment lines stay with the code.
func TestCodeCommentsKept(t *testing.T) {
	t.Parallel()
	prose := "<p>" + strings.Repeat("Git is a distributed version control system that most teams use today. ", 4) + "</p>"
	page := `<html><body><article><h1>A brief intro to git</h1>` + prose +
		`<pre><code class="language-bash"><span class="hljs-comment"># initialize git</span>
git init
<span class="hljs-comment"># clone repo</span>
git clone url</code></pre>` + prose + `</article></body></html>`
	a, err := Extract("https://ex.com/git", strings.NewReader(page), "text/html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "# initialize git") || !strings.Contains(a.Text, "# clone repo") {
		t.Errorf("code comments dropped:\n%s", a.Text)
	}
}
