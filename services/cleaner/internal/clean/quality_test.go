package clean

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/services/cleaner/internal/eval"
)

// benchmarkDir is the 181-page article-extraction-benchmark in the shared
// data folder.
func benchmarkDir(t testing.TB) string {
	return testkit.Shared(t, "corpus", "article-extraction-benchmark")
}

// f1Floor sits just under the F1 this extractor reaches on the benchmark
// (0.981), so a change that costs quality fails the test.
const f1Floor = 0.977

// The same for each part of the benchmark (0.981 tuning, 0.981 held-out).
const tuneF1Floor, heldF1Floor = 0.979, 0.977

// allocBudget is the most the extractor may allocate per page, on average.
const allocBudget = 3 << 19 // 1.5 MiB

var (
	worstN = flag.Int("worst", 0, "print the N pages with the lowest F1")
	// metaMisses lists the tuning pages' metadata disagreements.
	metaMisses = flag.Bool("meta-misses", false, "print the tuning pages' metadata disagreements")
	dumpDir    = flag.String("dump", "", "write each page's extracted text to this directory")
)

func extractText(url string, page []byte) (string, error) {
	a, err := Extract(url, bytes.NewReader(page), "text/html; charset=utf-8", Options{})
	return a.Text, err
}

func TestBenchmarkQuality(t *testing.T) {
	c, err := eval.LoadCorpus(benchmarkDir(t))
	if err != nil {
		t.Fatal(err)
	}
	rep := c.Run(func(url string, page []byte) (string, error) {
		text, err := extractText(url, page)
		if *dumpDir != "" {
			id := ""
			for _, k := range c.IDs {
				if c.URLs[k] == url {
					id = k
				}
			}
			if werr := os.WriteFile(filepath.Join(*dumpDir, id[:12]+".txt"), []byte(text), 0o644); werr != nil {
				t.Error(werr)
			}
		}
		return text, err
	})
	t.Log(rep)
	tune, held := rep.Parts()
	t.Logf("181-page benchmark: tuning F1=%.3f (P=%.3f R=%.3f), held-out F1=%.3f (P=%.3f R=%.3f)",
		tune.F1, tune.Precision, tune.Recall, held.F1, held.Precision, held.Recall)
	for _, p := range rep.Worst(*worstN) {
		t.Logf("%.3f P=%.3f R=%.3f %s %s", p.Counts.F1(), p.Counts.Precision(), p.Counts.Recall(), p.ID[:12], p.URL)
	}
	if rep.Metrics.F1 < f1Floor {
		t.Errorf("F1 %.4f below floor %.3f", rep.Metrics.F1, f1Floor)
	}
	if tune.F1 < tuneF1Floor || held.F1 < heldF1Floor {
		t.Errorf("tuning F1 %.4f (floor %.3f), held-out F1 %.4f (floor %.3f)", tune.F1, tuneF1Floor, held.F1, heldF1Floor)
	}
}

func TestAllocationBudget(t *testing.T) {
	c, err := eval.LoadCorpus(benchmarkDir(t))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, id := range c.IDs {
		if _, err := Extract(c.URLs[id], bytes.NewReader(c.HTML[id]), "text/html; charset=utf-8", Options{}); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	runtime.ReadMemStats(&after)
	perPage := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(c.IDs))
	t.Logf("%.0f KiB allocated per page", perPage/1024)
	if perPage > allocBudget {
		t.Errorf("%.0f KiB allocated per page, budget %d KiB", perPage/1024, allocBudget>>10)
	}
}
