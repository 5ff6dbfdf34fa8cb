package clean

import (
	"bytes"
	"testing"

	"github.com/newsflow/newsflow/services/cleaner/internal/eval"
	"golang.org/x/net/html"
)

// benchPages runs fn over the 181 benchmark pages per iteration and
// reports pages per second (and allocations).
func benchPages(b *testing.B, fn func(url string, page []byte) error) {
	c, err := eval.LoadCorpus(benchmarkDir(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	pages := 0
	for b.Loop() {
		for _, id := range c.IDs {
			if err := fn(c.URLs[id], c.HTML[id]); err != nil {
				b.Fatalf("%s: %v", id, err)
			}
			pages++
		}
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pages), "ns/page")
}

// BenchmarkExtract runs the extractor over the 181 benchmark pages and
// reports pages per second and bytes allocated per page; run it with
// GOMAXPROCS=1 for the one-core figure.
func BenchmarkExtract(b *testing.B) {
	benchPages(b, func(url string, page []byte) error {
		_, err := Extract(url, bytes.NewReader(page), "text/html; charset=utf-8", Options{})
		return err
	})
}

// BenchmarkParseOnly is the floor: golang.org/x/net/html parsing alone.
func BenchmarkParseOnly(b *testing.B) {
	benchPages(b, func(_ string, page []byte) error {
		_, err := html.Parse(bytes.NewReader(page))
		return err
	})
}

// BenchmarkExtractNoSkip is BenchmarkExtract without filtering the markup
// (script and style contents, comments, unused attributes) before parsing,
// to show what that saves.
func BenchmarkExtractNoSkip(b *testing.B) {
	benchPages(b, func(url string, page []byte) error {
		_, err := extract(url, bytes.NewReader(page), "text/html; charset=utf-8", Options{}, false)
		return err
	})
}
