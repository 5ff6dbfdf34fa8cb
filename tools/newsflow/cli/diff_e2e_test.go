package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/tools/newsflow/cli"
	"github.com/newsflow/newsflow/tools/newsflow/internal/diff"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

// goBuild runs go build in the workspace root with extra arguments.
func goBuild(t *testing.T, root string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"build"}, args...)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", args, err, out)
	}
}

type diffOut struct {
	Base, Head string
	Report     diff.Report
}

func runDiff(t *testing.T, args ...string) (diffOut, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := cli.Main(context.Background(), append([]string{"diff", "--format", "json"}, args...), &out, &errOut); err != nil {
		t.Fatalf("newsflow diff %v: %v\n%s", args, err, errOut.String())
	}
	var d diffOut
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	return d, errOut.String()
}

// The bundled recording replayed through one build twice differs in
// nothing; through a build whose tagger has one more claim topic (its
// topic file replaced at build time with go build -overlay, the tree left
// as it is), the claims that topic takes appear in the diff, and nothing
// else does. The services are built once; the second build relinks only
// the tagger.
func TestDiffReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and replays through real binaries: make test runs it, make test-short does not")
	}
	root := testkit.RepoRoot(t)
	rec := filepath.Join(root, "testdata", "recording")
	base := t.TempDir()
	goBuild(t, root, "-o", base+"/", "./services/fetcher", "./services/cleaner", "./services/tagger", "./services/sink")

	same, _ := runDiff(t, "--replay", rec, "--base", base, "--head", base)
	if !same.Report.Empty() || same.Report.Base != same.Report.Head || same.Report.Base.Claims == 0 {
		t.Fatalf("the same build twice: %+v", same.Report)
	}

	// The change: a claim topic listed first (so it wins ties) whose one
	// cue is "said".
	topics := filepath.Join(root, "services", "tagger", "internal", "tag", "topics", "isis.yaml")
	src, err := os.ReadFile(topics)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(src), "claim_topics:\n", "claim_topics:\n  - {name: diff-test, cues: [said]}\n", 1)
	if changed == string(src) {
		t.Fatal("no claim_topics in the topic file")
	}
	dir := t.TempDir()
	modified, overlay := filepath.Join(dir, "isis.yaml"), filepath.Join(dir, "overlay.json")
	ov, _ := json.Marshal(map[string]map[string]string{"Replace": {topics: modified}})
	if err := os.WriteFile(modified, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(overlay, ov, 0o644); err != nil {
		t.Fatal(err)
	}
	head := t.TempDir()
	for _, b := range []string{"fetcher", "cleaner", "sink"} {
		if err := os.Symlink(filepath.Join(base, b), filepath.Join(head, b)); err != nil {
			t.Fatal(err)
		}
	}
	goBuild(t, root, "-overlay", overlay, "-o", filepath.Join(head, "tagger"), "./services/tagger")

	keep := t.TempDir()
	d, progress := runDiff(t, "--replay", rec, "--base", base, "--head", head, "--keep", keep)
	if !strings.Contains(progress, "head: same fetcher and cleaner as base") {
		t.Errorf("the head did not reuse the base's cleaned articles:\n%s", progress)
	}
	r := d.Report
	if len(r.Added)+len(r.Removed)+len(r.BecameRelevant)+len(r.BecameIrrelevant)+len(r.Text)+len(r.Dates) != 0 || r.Base != r.Head {
		t.Errorf("a claim topic changed more than claim topics: %+v", r)
	}
	said := regexp.MustCompile(`(?i)\bsaid\b`)
	changedTexts := map[string]bool{}
	for _, c := range r.Claims {
		if c.Kind != "changed" || strings.Join(c.Fields, ",") != "topic" || c.Head.Topic != "diff-test" || !said.MatchString(c.Head.Text) {
			t.Errorf("unexpected claim change %+v", c)
			continue
		}
		changedTexts[c.Article.ID+"\x00"+c.Head.Text] = true
	}
	// Expected: every claim that said "said" and had no topic now has the
	// new one (it has a cue, the others none).
	arts, err := orchestrate.Export(context.Background(), base, filepath.Join(keep, "base-data", "newsflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	expected := 0
	for _, a := range arts {
		for _, c := range a.Claims {
			if c.Topic == "" && said.MatchString(c.Text) {
				expected++
				if !changedTexts[a.ID+"\x00"+c.Text] {
					t.Errorf("claim %q (%s) lacks from the diff", c.Text, a.URL)
				}
			}
		}
	}
	if expected == 0 || len(r.Claims) < expected {
		t.Errorf("%d claims changed, %d expected at least (claims with \"said\" and no topic)", len(r.Claims), expected)
	}
	t.Logf("%d claims changed topic; %d of them had none", len(r.Claims), expected)

	// The diff tags and stores with the stages' batch commands: what it
	// stores is what the whole pipeline of the same build stores.
	sum, err := orchestrate.Run(context.Background(), orchestrate.Options{BinDir: base, DataDir: t.TempDir(),
		Replay: rec, ReplayFeeds: filepath.Join(rec, "feeds.yaml"), Timeout: 4 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	full, err := orchestrate.Export(context.Background(), base, sum.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	if fr := diff.Compare(full, arts, diff.Options{MinTextChars: 1}); !fr.Empty() || fr.Base != fr.Head {
		t.Errorf("the pipeline and the diff's batch stages store different results: %+v", fr)
	}
}
