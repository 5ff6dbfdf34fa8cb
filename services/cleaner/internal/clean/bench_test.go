package clean

import (
	"bytes"
	"testing"

	"github.com/newsflow/newsflow/services/cleaner/internal/evaluate"
	"golang.org/x/net/html"
)

// BenchmarkExtract runs the extractor over the 181 benchmark pages and
// reports pages per second and bytes allocated per page; run it with
// GOMAXPROCS=1 for the one-core figure.
func BenchmarkExtract(b *testing.B) {
	c, err := evaluate.LoadCorpus(benchmarkDir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	pages := 0
	for b.Loop() {
		for _, id := range c.IDs {
			if _, err := Extract(c.URLs[id], bytes.NewReader(c.HTML[id]), "text/html; charset=utf-8", Options{}); err != nil {
				b.Fatalf("%s: %v", id, err)
			}
			pages++
		}
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pages), "ns/page")
}

// BenchmarkParseOnly is the floor: golang.org/x/net/html parsing alone.
func BenchmarkParseOnly(b *testing.B) {
	c, err := evaluate.LoadCorpus(benchmarkDir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	pages := 0
	for b.Loop() {
		for _, id := range c.IDs {
			if _, err := html.Parse(bytes.NewReader(c.HTML[id])); err != nil {
				b.Fatal(err)
			}
			pages++
		}
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkExtractNoSkip is BenchmarkExtract without dropping script and
// style contents before parsing, to show what that saves.
func BenchmarkExtractNoSkip(b *testing.B) {
	c, err := evaluate.LoadCorpus(benchmarkDir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	pages := 0
	for b.Loop() {
		for _, id := range c.IDs {
			if _, err := extract(c.URLs[id], bytes.NewReader(c.HTML[id]), "text/html; charset=utf-8", Options{}, false); err != nil {
				b.Fatalf("%s: %v", id, err)
			}
			pages++
		}
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
