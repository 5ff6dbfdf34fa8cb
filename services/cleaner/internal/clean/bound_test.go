package clean

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// realPages returns every page of the shared corpora: the extraction
// benchmark, WCXB's dev articles and the readability test pages.
func realPages(t testing.TB) map[string][]byte {
	t.Helper()
	pages := map[string][]byte{}
	add := func(glob string) {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			var b []byte
			if strings.HasSuffix(f, ".gz") {
				b = testkit.Gunzip(t, f)
			} else {
				var err error
				if b, err = os.ReadFile(f); err != nil {
					t.Fatal(err)
				}
			}
			pages[f] = b
		}
	}
	add(filepath.Join(testkit.Shared(t, "corpus", "article-extraction-benchmark", "html"), "*.html.gz"))
	add(filepath.Join(testkit.Shared(t, "corpus", "wcxb-dev-articles", "html"), "*.html.gz"))
	add(filepath.Join(testkit.Shared(t, "corpus", "readability-test-pages"), "*", "source.html"))
	if len(pages) < 800 {
		t.Fatalf("%d corpus pages, want the three corpora", len(pages))
	}
	return pages
}

// TestPageCostOfRealPages: no real page comes near the limits.
func TestPageCostOfRealPages(t *testing.T) {
	var most pageCost
	withUnclosed := 0
	for _, page := range realPages(t) {
		c := costOf(page)
		most.nodes, most.adoptions = max(most.nodes, c.nodes), max(most.adoptions, c.adoptions)
		if len(c.unclosed) > 0 {
			withUnclosed++
		}
	}
	t.Logf("most nodes %d, most misnested formatting end tags %d; %d pages with an unclosed aside, nav, header, form or dialog",
		most.nodes, most.adoptions, withUnclosed)
	if most.nodes*4 > maxNodes || most.adoptions*4 > maxAdoptions {
		t.Errorf("a real page has %+v, within 4x of the limits (%d nodes, %d)", most, maxNodes, maxAdoptions)
	}
}

// hostilePage is n bytes of misnested formatting tags.
func hostilePage(n int) []byte {
	const unit = "<b><i><u><p>x</b>y</i>z</u>"
	return []byte("<html><body>" + strings.Repeat(unit, n/len(unit)) + "</body></html>")
}

// TestHostilePagesAreRefused: pages whose tree would dwarf them are refused
// with the reason, before they are parsed.
func TestHostilePagesAreRefused(t *testing.T) {
	for name, page := range map[string][]byte{
		"misnested formatting": hostilePage(10 << 20),
		"many paragraphs":      []byte(strings.Repeat("<p>x", 2<<20)),
	} {
		_, err := Extract("https://example.com/a", bytes.NewReader(page), "text/html", Options{MaxBytes: 16 << 20})
		if !errors.Is(err, ErrTooComplex) {
			t.Errorf("%s: err = %v, want ErrTooComplex", name, err)
		}
	}
}

// BenchmarkHostilePage cleans the 10 MB page of misnested formatting tags
// and prints the peak heap while it is refused (it was 884 MB of RSS when
// the page was parsed whole).
func BenchmarkHostilePage(b *testing.B) {
	page := hostilePage(10 << 20)
	for b.Loop() {
		runtime.GC()
		stop := testkit.PeakHeap()
		_, err := Extract("https://example.com/a", bytes.NewReader(page), "text/html", Options{MaxBytes: 16 << 20})
		peak := stop()
		if !errors.Is(err, ErrTooComplex) {
			b.Fatalf("err = %v", err)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(testkit.PeakRSS())/(1<<20), "peak-RSS-MB")
	}
	fmt.Fprintf(os.Stderr, "page %d MB\n", len(page)>>20)
}

// BenchmarkPageCost is the cost scan alone over the 181 benchmark pages:
// what checking every page before it is parsed adds (compare
// BenchmarkParseOnly).
func BenchmarkPageCost(b *testing.B) {
	benchPages(b, func(_ string, page []byte) error {
		_ = costOf(page)
		return nil
	})
}
