package tag

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// corpusPath holds real news articles (about 4.7 KB of text each on
// average) with their ground-truth bodies: the benchmark's input.
var corpusPath = testkit.Testdata("corpus", "article-extraction-benchmark", "ground-truth.json")

// benchDocs returns the corpus bodies plus the labelled dev articles.
func benchDocs(tb testing.TB) []Document {
	tb.Helper()
	raw, err := os.ReadFile(corpusPath)
	if err != nil {
		tb.Fatalf("read corpus: %v", err)
	}
	var gt map[string]struct {
		Body string `json:"articleBody"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		tb.Fatalf("decode corpus: %v", err)
	}
	docs := make([]Document, 0, len(gt)+40)
	for _, v := range gt {
		docs = append(docs, Document{Text: v.Body})
	}
	files, err := filepath.Glob("testdata/dev/*.txt")
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, Document{Text: string(b)})
	}
	return docs
}

// BenchmarkTag reports articles/s and MB/s on one goroutine.
func BenchmarkTag(b *testing.B) {
	top, err := DefaultTopic()
	if err != nil {
		b.Fatal(err)
	}
	tg, err := New(top)
	if err != nil {
		b.Fatal(err)
	}
	docs := benchDocs(b)
	total := 0
	for _, d := range docs {
		total += len(d.Text)
	}
	b.SetBytes(int64(total / len(docs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tg.Tag(docs[i%len(docs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(total)/float64(len(docs)), "bytes/article")
}
