package clean

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/newsflow/newsflow/services/cleaner/internal/eval"
)

// TestMarkupFilterChangesNothing extracts every benchmark and seed page
// with and without the filtering: the articles must be identical.
func TestMarkupFilterChangesNothing(t *testing.T) {
	t.Parallel()
	c, err := eval.LoadCorpus(benchmarkDir(t))
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string][]byte{}
	for _, id := range c.IDs {
		pages[c.URLs[id]] = c.HTML[id]
	}
	seeds, _ := filepath.Glob(filepath.Join(seedsDir, "html", "*.html"))
	for _, s := range seeds {
		page, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		pages["https://example.com/"+filepath.Base(s)] = page
	}
	for url, page := range pages {
		a, errA := extract(url, bytes.NewReader(page), "text/html", Options{}, true)
		b, errB := extract(url, bytes.NewReader(page), "text/html", Options{}, false)
		if (errA == nil) != (errB == nil) {
			t.Errorf("%s: errors differ: %v / %v", url, errA, errB)
			continue
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: filtering the markup changed the article", url)
		}
	}
}
