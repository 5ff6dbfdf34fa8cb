package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"

	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/pkg/service/testkit/gold"
)

// buildServices builds the binaries, as `make build` does.
func buildServices(t *testing.T, root string) string {
	t.Helper()
	bin := t.TempDir()
	if err := orchestrate.Build(context.Background(), root, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

func exportAll(t *testing.T, bin, db string) map[string]schema.ArticleTaggedV1 {
	t.Helper()
	arts, err := orchestrate.Export(context.Background(), bin, db)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]schema.ArticleTaggedV1{}
	for _, a := range arts {
		if _, dup := got[a.ID]; dup {
			t.Fatalf("article %s exported twice", a.ID)
		}
		got[a.ID] = a
	}
	return got
}

// TestMakeRunEndToEnd replays the bundled recording through embedded NATS
// and the four services as processes, as `make run` does, and checks what
// the sink stored for the five seed articles; a second run must add no row.
func TestMakeRunEndToEnd(t *testing.T) {
	root := testkit.RepoRoot(t)
	bin := buildServices(t, root)
	data := t.TempDir()
	opts := orchestrate.Options{BinDir: bin, DataDir: data,
		Replay:      filepath.Join(root, "testdata", "recording"),
		ReplayFeeds: filepath.Join(root, "testdata", "recording", "feeds.yaml"),
		Timeout:     4 * time.Minute}
	ctx := context.Background()
	sum, err := orchestrate.Run(ctx, opts)
	if err != nil {
		t.Fatalf("run: %v\nsummary: %+v", err, sum)
	}
	if sum.Feeds == 0 || sum.Fetched < 30 || sum.Stored != sum.Fetched || sum.StoreArticles != sum.Fetched {
		t.Fatalf("summary %+v: want feeds polled, >= 30 fetched, every fetched article stored", sum)
	}
	if !strings.HasPrefix(sum.NATSURL, "nats://127.0.0.1:") || strings.HasSuffix(sum.NATSURL, ":4222") {
		t.Fatalf("NATS URL %s: want an embedded server on a free port, never 4222", sum.NATSURL)
	}
	stored := exportAll(t, bin, sum.DBPath)

	golds, err := gold.ReadSeeds(filepath.Join(root, "testdata", "seeds"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range golds {
		t.Run(g.File, func(t *testing.T) {
			u := g.URL
			id, _, err := schema.ArticleID(u)
			if err != nil {
				t.Fatalf("seed URL %q: %v", u, err)
			}
			a, ok := stored[id]
			if !ok {
				t.Fatalf("seed %s (%s) not stored", g.File, u)
			}
			if !a.Relevant {
				t.Errorf("relevant = false, want true")
			}
			for _, line := range g.Chrome {
				if strings.Contains(a.Text, strings.TrimSpace(line)) {
					t.Errorf("stored text holds chrome line %q", line)
				}
			}
			if len(a.Claims) == 0 {
				t.Fatalf("no claims")
			}
			var want []float64
			for _, c := range g.Claims {
				for _, q := range c.Quantities {
					if q.Value != nil {
						want = append(want, *q.Value)
					} else if q.Low != nil {
						want = append(want, *q.Low)
					}
				}
			}
			if len(want) == 0 {
				return
			}
			for _, c := range a.Claims {
				for _, q := range c.Quantities {
					for _, w := range want {
						if (q.Value != nil && *q.Value == w) || (q.Low != nil && *q.Low == w) {
							return
						}
					}
				}
			}
			t.Errorf("no stored quantity has a gold value %v; claims: %+v", want, a.Claims)
		})
	}

	checkLedger(t, bin, sum.DBPath)

	// A second run over the same data directory adds no duplicate.
	sum2, err := orchestrate.Run(ctx, opts)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if sum2.StoreArticles != sum.StoreArticles || sum2.StoreClaims != sum.StoreClaims {
		t.Fatalf("second run changed the store: %d articles / %d claims, then %d / %d",
			sum.StoreArticles, sum.StoreClaims, sum2.StoreArticles, sum2.StoreClaims)
	}
	if again := exportAll(t, bin, sum.DBPath); len(again) != len(stored) {
		t.Fatalf("second run: %d articles exported, want %d", len(again), len(stored))
	}

	// Replaying the same recording into a fresh store gives the same
	// results: same ids, texts, tags and claims.
	fresh := opts
	fresh.DataDir = t.TempDir()
	sum3, err := orchestrate.Run(ctx, fresh)
	if err != nil {
		t.Fatalf("fresh run: %v", err)
	}
	other := exportAll(t, bin, sum3.DBPath)
	if len(other) != len(stored) {
		t.Fatalf("fresh replay stored %d articles, first %d", len(other), len(stored))
	}
	for id, a := range stored {
		b, ok := other[id]
		if !ok {
			t.Fatalf("fresh replay lacks article %s", id)
		}
		if a.Text != b.Text || a.Title != b.Title || a.Relevant != b.Relevant {
			t.Errorf("article %s differs between replays (text, title or relevance)", id)
		}
		ta, _ := json.Marshal(a.Tags)
		tb, _ := json.Marshal(b.Tags)
		ca, _ := json.Marshal(a.Claims)
		cb, _ := json.Marshal(b.Claims)
		if !bytes.Equal(ta, tb) || !bytes.Equal(ca, cb) {
			t.Errorf("article %s: tags or claims differ between replays", id)
		}
	}
}

// checkLedger holds the claim desk to the bundled recording: the seed
// figures that the follow-up articles restate are grouped across outlets,
// and a different number is never folded into their group.
func checkLedger(t *testing.T, bin, db string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "sink"), "ledger", "--db", "sqlite:"+db, "--format", "json")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("sink ledger: %v: %s", err, errb.String())
	}
	type group struct {
		Unit    string   `json:"unit"`
		Value   *float64 `json:"value"`
		Low     *float64 `json:"low"`
		Outlets []string `json:"outlets"`
	}
	var groups []group
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var g group
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatalf("ledger line: %v", err)
		}
		groups = append(groups, g)
	}
	outlets := func(unit string, v float64) int {
		best := 0
		for _, g := range groups {
			if g.Unit == unit && ((g.Value != nil && *g.Value == v) || (g.Low != nil && *g.Low == v)) {
				best = max(best, len(g.Outlets))
			}
		}
		return best
	}
	for _, want := range []struct {
		unit    string
		value   float64
		outlets int
	}{
		{"percent", 95, 3}, {"people", 2_000_000, 2}, {"people", 8_000_000, 2}, {"people", 4_000_000, 2},
		{"strikes", 29, 2}, {"militants", 14_000, 2}, {"percent", 100, 2},
		{"percent", 98, 1}, // a distractor: a different number stays apart
	} {
		if got := outlets(want.unit, want.value); got != want.outlets {
			t.Errorf("ledger: %v %s carried by %d outlets, want %d", want.value, want.unit, got, want.outlets)
		}
	}
}
