package warc

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// corpusDir holds real news pages (Scrapinghub article-extraction-benchmark, MIT).
var corpusDir = testkit.Testdata("corpus", "article-extraction-benchmark", "html")

// recordCorpus records n page fetches, cycling through the corpus pages, and returns
// the recording directory and the URLs.
func recordCorpus(b *testing.B, n int) (string, []string) {
	b.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.html.gz"))
	if err != nil || len(files) == 0 {
		b.Fatalf("corpus pages missing under %s: %v", corpusDir, err)
	}
	sort.Strings(files)
	pages := make([][]byte, len(files))
	for i, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			b.Fatal(err)
		}
		pages[i], err = io.ReadAll(zr)
		fh.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/article/"), "%d", &i)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(pages[i%len(pages)])
	}))
	defer srv.Close()
	dir := b.TempDir()
	rec, err := NewRecorder(RecorderOptions{Dir: dir, QueueSize: n})
	if err != nil {
		b.Fatal(err)
	}
	c := &http.Client{Transport: rec.Wrap(nil)}
	urls := make([]string, n)
	for i := range n {
		urls[i] = fmt.Sprintf("%s/article/%d", srv.URL, i)
		resp, err := c.Get(urls[i])
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err := rec.Close(); err != nil || rec.Errors() != 0 {
		b.Fatalf("recording: %v, %d errors", err, rec.Errors())
	}
	return dir, urls
}

// BenchmarkReplay replays a recording of 1,000 article pages through an http.Client,
// reading every body, and reports records/s and MB/s (body bytes). "open+serve" includes
// OpenReplay, which reads and checks every record; "serve" is RoundTrip alone.
func BenchmarkReplay(b *testing.B) {
	const pages = 1000
	dir, urls := recordCorpus(b, pages)
	serveAll := func(b *testing.B, rp *Replay) int64 {
		c := &http.Client{Transport: rp}
		var n int64
		for _, u := range urls {
			resp, err := c.Get(u)
			if err != nil {
				b.Fatal(err)
			}
			m, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			n += m
		}
		return n
	}
	report := func(b *testing.B, iters int, bytes int64, el time.Duration) {
		b.ReportMetric(float64(iters*pages)/el.Seconds(), "records/s")
		b.ReportMetric(float64(bytes)/1e6/el.Seconds(), "MB/s")
	}
	b.Run("open+serve", func(b *testing.B) {
		b.ReportAllocs()
		var iters int
		var bytes int64
		start := time.Now()
		for b.Loop() {
			rp, err := OpenReplay(dir, ReplayOptions{})
			if err != nil {
				b.Fatal(err)
			}
			bytes += serveAll(b, rp)
			rp.Close()
			iters++
		}
		report(b, iters, bytes, time.Since(start))
	})
	b.Run("serve", func(b *testing.B) {
		b.ReportAllocs()
		rp, err := OpenReplay(dir, ReplayOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer rp.Close()
		var iters int
		var bytes int64
		start := time.Now()
		for b.Loop() {
			bytes += serveAll(b, rp)
			iters++
		}
		report(b, iters, bytes, time.Since(start))
	})
}
