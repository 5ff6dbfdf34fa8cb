package extractbench

import (
	"bytes"
	"net/url"
	"testing"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"

	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/services/cleaner/internal/clean"
	"github.com/newsflow/newsflow/services/cleaner/internal/eval"
)

// newsflow is the cleaner's extractor.
func newsflow(pageURL string, page []byte) eval.Extracted {
	a, err := clean.Extract(pageURL, bytes.NewReader(page), "text/html", clean.Options{})
	return eval.Extracted{Text: a.Text, Title: a.Title, Byline: a.Byline, Published: a.Published,
		Language: a.Language, Confidence: a.Confidence, Method: a.Method, Err: err}
}

// goTrafilatura is go-trafilatura with its fallback extractors
// (readability, dom-distiller) on, its best-quality setting.
func goTrafilatura(pageURL string, page []byte) eval.Extracted {
	return runTrafilatura(pageURL, page, true)
}

// runTrafilatura runs go-trafilatura, with or without its fallbacks.
func runTrafilatura(pageURL string, page []byte, fallback bool) eval.Extracted {
	opts := trafilatura.Options{EnableFallback: fallback, ExcludeComments: true}
	if u, err := url.Parse(pageURL); err == nil {
		opts.OriginalURL = u
	}
	r, err := trafilatura.Extract(bytes.NewReader(page), opts)
	if err != nil || r == nil {
		return eval.Extracted{Err: err}
	}
	x := eval.Extracted{Text: r.ContentText, Title: r.Metadata.Title, Byline: r.Metadata.Author,
		Language: r.Metadata.Language, Confidence: 1, Method: "go-trafilatura"}
	if !r.Metadata.Date.IsZero() {
		d := r.Metadata.Date
		x.Published = &d
	}
	return x
}

func text(fn eval.Extractor) func(string, []byte) (string, error) {
	return func(u string, page []byte) (string, error) {
		x := fn(u, page)
		return x.Text, x.Err
	}
}

// TestCompare prints both extractors' figures on the open corpora, each
// part separately: run it with -v (make bench does).
func TestCompare(t *testing.T) {
	bench, err := eval.LoadCorpus(testkit.Shared(t, "corpus", "article-extraction-benchmark"))
	if err != nil {
		t.Fatal(err)
	}
	wcxb, err := eval.LoadWCXB(testkit.Shared(t, "corpus", "wcxb-dev-articles"))
	if err != nil {
		t.Fatal(err)
	}
	var f1 [2][4]float64 // per extractor: benchmark tuning, held-out; wcxb tuning, held-out
	for i, ex := range []struct {
		name string
		fn   eval.Extractor
	}{{"newsflow", newsflow}, {"go-trafilatura", goTrafilatura}} {
		rep := bench.Run(text(ex.fn))
		tune, held := rep.Parts()
		t.Logf("%-14s 181-page benchmark: F1=%.3f (P=%.3f R=%.3f); tuning F1=%.3f, held-out F1=%.3f", ex.name,
			rep.Metrics.F1, rep.Metrics.Precision, rep.Metrics.Recall, tune.F1, held.F1)
		w := eval.RunGold(wcxb, ex.fn)
		t.Logf("%-14s wcxb tuning:   %v", ex.name, w.Tune)
		t.Logf("%-14s wcxb held-out: %v", ex.name, w.Held)
		f1[i] = [4]float64{tune.F1, held.F1, w.Tune.F1, w.Held.F1}
	}
	// The cleaner stays ahead of go-trafilatura on every part.
	for j, part := range []string{"benchmark tuning", "benchmark held-out", "wcxb tuning", "wcxb held-out"} {
		if f1[0][j] < f1[1][j] {
			t.Errorf("%s: newsflow F1 %.3f below go-trafilatura's %.3f", part, f1[0][j], f1[1][j])
		}
	}
}

// BenchmarkSpeedRatio runs both extractors over the 181 pages in the same
// run, page by page in turn so a busy machine slows both alike, and
// reports each one's pages per second and newsflow's speed as a multiple
// of go-trafilatura's, with its fallbacks on and off; run it with
// GOMAXPROCS=1.
func BenchmarkSpeedRatio(b *testing.B) {
	c, err := eval.LoadCorpus(testkit.Shared(b, "corpus", "article-extraction-benchmark"))
	if err != nil {
		b.Fatal(err)
	}
	var nf, tf, tfFast time.Duration
	pages := 0
	for b.Loop() {
		for _, id := range c.IDs {
			t0 := time.Now()
			newsflow(c.URLs[id], c.HTML[id])
			t1 := time.Now()
			runTrafilatura(c.URLs[id], c.HTML[id], true)
			t2 := time.Now()
			runTrafilatura(c.URLs[id], c.HTML[id], false)
			nf += t1.Sub(t0)
			tf += t2.Sub(t1)
			tfFast += time.Since(t2)
			pages++
		}
	}
	b.ReportMetric(float64(pages)/nf.Seconds(), "newsflow-pages/s")
	b.ReportMetric(float64(pages)/tf.Seconds(), "trafilatura-pages/s")
	b.ReportMetric(float64(pages)/tfFast.Seconds(), "trafilatura-nofallback-pages/s")
	b.ReportMetric(tf.Seconds()/nf.Seconds(), "x-faster")
	b.ReportMetric(tfFast.Seconds()/nf.Seconds(), "x-faster-than-nofallback")
}
