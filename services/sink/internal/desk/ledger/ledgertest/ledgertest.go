// Package ledgertest loads the claim desk's test inputs: the bundled
// recording as the real pipeline tagged it, hand-written articles that
// repeat seed figures, and the seed articles' gold claims. The files live
// in ../testdata; regen.sh there rebuilds them from the binaries.
package ledgertest

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/pkg/service/testkit/gold"
)

// dir is the ledger's testdata directory, found from this file so that
// tests in any package can read it.
func dir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("ledgertest: cannot locate testdata")
	}
	return filepath.Join(filepath.Dir(file), "..", "testdata")
}

// Recording is the bundled recording (testdata/recording at the
// repository root) after `make run`: 50 tagged articles as the sink
// exported them.
func Recording(t testing.TB) []schema.ArticleTaggedV1 {
	t.Helper()
	return readJSONL(t, filepath.Join(dir(t), "recording.jsonl.gz"))
}

// Repeats are six hand-written articles from other (fictional) outlets
// that repeat seed figures in other words, on nearby dates, with two
// distractors (98 percent; 95 percent again three months later), tagged
// by the real tagger.
func Repeats(t testing.TB) []schema.ArticleTaggedV1 {
	t.Helper()
	return readJSONL(t, filepath.Join(dir(t), "repeats.jsonl"))
}

// Gold reads the seed articles' labels (testdata/seeds/gold.json at the
// repository root), each with the URL it was recorded under.
func Gold(t testing.TB) []gold.Article {
	t.Helper()
	arts, err := gold.ReadSeeds(testkit.Testdata("seeds"))
	if err != nil {
		t.Fatalf("ledgertest: %v", err)
	}
	return arts
}

func readJSONL(t testing.TB, path string) []schema.ArticleTaggedV1 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("ledgertest: %v (rebuild with %s)", err, filepath.Join(dir(t), "regen.sh"))
	}
	defer func() { _ = f.Close() }()
	var r io.Reader = f
	if filepath.Ext(path) == ".gz" {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("ledgertest: %s: %v", path, err)
		}
		r = zr
	}
	var out []schema.ArticleTaggedV1
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		a, err := schema.DecodeTagged(sc.Bytes())
		if err != nil {
			t.Fatalf("ledgertest: %s line %d: %v", path, len(out)+1, err)
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("ledgertest: %s: %v", path, err)
	}
	if len(out) == 0 {
		t.Fatalf("ledgertest: %s is empty", path)
	}
	return out
}
