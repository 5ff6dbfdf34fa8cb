package httpx

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// BenchmarkDecodeBody decodes the gzipped benchmark pages as a response
// body arrives (a reader that is not a byte slice), with the fetcher's
// default 10 MiB cap, and reports decoded MB/s.
func BenchmarkDecodeBody(b *testing.B) {
	files, err := filepath.Glob(testkit.Testdata("corpus", "article-extraction-benchmark", "html", "*.html.gz"))
	if err != nil || len(files) == 0 {
		b.Fatalf("benchmark pages: %v (%d files)", err, len(files))
	}
	var bodies [][]byte
	var decoded int64
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		page, err := io.ReadAll(zr)
		if err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, raw)
		decoded += int64(len(page))
	}
	b.ReportAllocs()
	b.SetBytes(decoded)
	for b.Loop() {
		for _, raw := range bodies {
			// A network body: no Len method, read in chunks.
			body := io.NopCloser(bytes.NewReader(raw))
			if _, err := decodeBody(body, "gzip", 10<<20, int64(len(raw)), false); err != nil {
				b.Fatal(err)
			}
		}
	}
}
