package clean

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newsflow/newsflow/services/cleaner/internal/eval"
)

// FuzzExtract feeds real pages and hostile HTML to the extractor: it must
// not panic, must return only its own errors, and must emit valid UTF-8
// text free of markup from scripts.
func FuzzExtract(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(seedsDir, "html", "*.html"))
	for _, s := range seeds {
		if page, err := os.ReadFile(s); err == nil {
			f.Add(page, "text/html; charset=utf-8")
		}
	}
	if c, err := eval.LoadCorpus(benchmarkDir(f)); err == nil {
		// A few real pages, cut short: whole ones make the fuzzer spend
		// its time minimising 100 KB inputs, and a cut page is hostile
		// input too (unclosed everything).
		for i, id := range c.IDs {
			if i%45 == 0 {
				page := c.HTML[id]
				f.Add(page[:min(len(page), 12<<10)], "text/html")
			}
		}
	}
	hostile := []string{
		strings.Repeat("<div>", 600) + "text",
		strings.Repeat("<div><p>", 200) + "<p>Some text, with commas, and a sentence end.</p>",
		`<div class="` + strings.Repeat("x", 1<<16) + `">a</div>`,
		`<p>unclosed <b>bold <i>italic <a href="x">link <table><tr><td>cell`,
		`<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","articleBody":"<p>x</p><script>alert(1)</script>"}]}</script>`,
		"<html><body>\x00\xff\xfe<p>\x80</p></body></html>",
		`<meta charset="x-unknown"><p>caf\xe9</p>`,
		`<svg><foreignObject><p>in svg</p></foreignObject></svg><math><mi>x</mi></math>`,
		`<a href=x>` + strings.Repeat(`<a href=y>`, 300),
		`<br><br><br>` + strings.Repeat("<br>", 1000) + "end",
	}
	for _, h := range hostile {
		f.Add([]byte(h), "text/html")
	}
	f.Fuzz(func(t *testing.T, page []byte, contentType string) {
		a, err := Extract("https://example.com/2024/01/02/x", bytes.NewReader(page), contentType, Options{MaxBytes: 4 << 20})
		if err != nil {
			if !errors.Is(err, ErrNoContent) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if !utf8.ValidString(a.Text) {
			t.Fatalf("Text is not valid UTF-8: %q", a.Text)
		}
		if strings.TrimSpace(a.Text) == "" {
			t.Fatal("empty Text without ErrNoContent")
		}
		for _, c := range a.Chrome {
			if c == "" || c != strings.TrimSpace(c) {
				t.Fatalf("Chrome line %q not trimmed", c)
			}
		}
	})
}
