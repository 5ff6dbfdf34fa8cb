package eval

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Page is one benchmark page's score.
type Page struct {
	ID, URL   string
	Counts    Counts
	Exact     bool
	Err       error
	Extracted int // bytes of text extracted
}

// Report is the outcome of scoring an extractor over a corpus.
type Report struct {
	Pages       []Page
	Metrics     Metrics
	Std         Metrics
	Accuracy    float64
	AccuracyStd float64
	Errors      int
	Elapsed     time.Duration // time spent inside the extractor only
	PagesPerSec float64
}

// String prints the report in the benchmark's style.
func (r Report) String() string {
	return fmt.Sprintf("pages=%d errors=%d precision=%.3f ± %.3f  recall=%.3f ± %.3f  F1=%.3f ± %.3f  accuracy=%.3f ± %.3f  pages/s=%.1f",
		len(r.Pages), r.Errors,
		r.Metrics.Precision, r.Std.Precision, r.Metrics.Recall, r.Std.Recall,
		r.Metrics.F1, r.Std.F1, r.Accuracy, r.AccuracyStd, r.PagesPerSec)
}

// Worst lists the n pages with the lowest F1, worst first.
func (r Report) Worst(n int) []Page {
	ps := slices.Clone(r.Pages)
	slices.SortStableFunc(ps, func(a, b Page) int {
		switch fa, fb := a.Counts.F1(), b.Counts.F1(); {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	})
	return ps[:min(n, len(ps))]
}

type truthEntry struct {
	ArticleBody string `json:"articleBody"`
	URL         string `json:"url"`
}

// Corpus is a benchmark laid out as upstream: ground-truth.json mapping page
// ids to {articleBody, url}, and html/<id>.html.gz.
type Corpus struct {
	IDs   []string // sorted
	Truth map[string]string
	URLs  map[string]string
	HTML  map[string][]byte // decompressed
}

// LoadCorpus reads a benchmark directory into memory.
func LoadCorpus(dir string) (*Corpus, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, fmt.Errorf("eval: read ground truth: %w", err)
	}
	var gt map[string]truthEntry
	if err := json.Unmarshal(raw, &gt); err != nil {
		return nil, fmt.Errorf("eval: decode ground truth: %w", err)
	}
	c := &Corpus{Truth: map[string]string{}, URLs: map[string]string{}, HTML: map[string][]byte{}}
	for id, e := range gt {
		page, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, err
		}
		c.IDs = append(c.IDs, id)
		c.Truth[id] = e.ArticleBody
		c.URLs[id] = e.URL
		c.HTML[id] = page
	}
	slices.Sort(c.IDs)
	return c, nil
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: open page: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("eval: gunzip %s: %w", filepath.Base(path), err)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, fmt.Errorf("eval: gunzip %s: %w", filepath.Base(path), err)
	}
	return buf.Bytes(), nil
}

// Run scores extract over every page of the corpus. An extractor error
// counts as an empty prediction, as a missing articleBody does upstream.
func (c *Corpus) Run(extract func(url string, html []byte) (string, error)) Report {
	var rep Report
	counts := make([]Counts, 0, len(c.IDs))
	exact := make([]bool, 0, len(c.IDs))
	for _, id := range c.IDs {
		start := time.Now()
		text, err := extract(c.URLs[id], c.HTML[id])
		rep.Elapsed += time.Since(start)
		if err != nil {
			rep.Errors++
			text = ""
		}
		m := Match(c.Truth[id], text)
		ex := Exact(c.Truth[id], text)
		counts = append(counts, m)
		exact = append(exact, ex)
		rep.Pages = append(rep.Pages, Page{ID: id, URL: c.URLs[id], Counts: m, Exact: ex, Err: err, Extracted: len(text)})
	}
	rep.Metrics = Aggregate(counts)
	rep.Std, rep.AccuracyStd = Bootstrap(counts, exact, 1000, 1)
	hits := 0
	for _, e := range exact {
		if e {
			hits++
		}
	}
	if len(exact) > 0 {
		rep.Accuracy = float64(hits) / float64(len(exact))
	}
	if rep.Elapsed > 0 {
		rep.PagesPerSec = float64(len(c.IDs)) / rep.Elapsed.Seconds()
	}
	return rep
}

// EvaluateCorpus loads the benchmark in dir and scores extract on it. Print
// the returned Report (fmt.Println) for precision, recall, F1 and pages/s;
// the speed counts only time spent inside extract, on the calling goroutine.
func EvaluateCorpus(dir string, extract func(url string, html []byte) (string, error)) (Report, error) {
	c, err := LoadCorpus(dir)
	if err != nil {
		return Report{}, err
	}
	if len(c.IDs) == 0 {
		return Report{}, fmt.Errorf("eval: no pages in %s", strings.TrimSpace(dir))
	}
	return c.Run(extract), nil
}

// Parts aggregates the tuning and the held-out pages of the report
// separately (see HeldOut; a page's name is its file name).
func (r Report) Parts() (tune, held Metrics) {
	var t, h []Counts
	for _, p := range r.Pages {
		if HeldOut(p.ID + ".html.gz") {
			h = append(h, p.Counts)
		} else {
			t = append(t, p.Counts)
		}
	}
	return Aggregate(t), Aggregate(h)
}
