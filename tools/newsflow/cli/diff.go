package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tools/newsflow/internal/diff"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

// serviceBinaries are what a build directory must hold.
var serviceBinaries = []string{"fetcher", "cleaner", "tagger", "sink"}

// diffReport is `newsflow diff --format json`.
type diffReport struct {
	Recording string      `json:"recording"`
	Base      string      `json:"base"`
	Head      string      `json:"head"`
	Report    diff.Report `json:"report"`
}

// diffCommand runs `newsflow diff`: one recording replayed through two
// builds, their stores compared.
func diffCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("newsflow diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	replay := fs.String("replay", "testdata/recording", "recording to replay (WARC file, directory or glob)")
	feeds := fs.String("replay-feeds", "", "feeds to poll in the recording (default: feeds.yaml beside or in the recording)")
	base := fs.String("base", "", "the build to compare against: a git ref (built in a temporary worktree) or a directory of built binaries")
	head := fs.String("head", "", "the build to compare: a directory of built binaries (default: the current tree, built)")
	format := fs.String("format", "text", "text (one screen) or json (every change)")
	limit := fs.Int("limit", 8, "text: examples shown per kind of change")
	minChars := fs.Int("min-text-chars", diff.DefaultOptions.MinTextChars, "report a text length change of at least this many characters")
	minRatio := fs.Float64("min-text-ratio", diff.DefaultOptions.MinTextRatio, "... and at least this share of the base length")
	keep := fs.String("keep", "", "keep the builds and both replays' data (stores, logs) in this directory")
	exitCode := fs.Bool("exit-code", false, "exit 1 when the builds differ (for CI)")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up when a replay is not drained by then")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("diff: unexpected argument %q", fs.Arg(0))
	}
	if *base == "" {
		fs.Usage()
		return errors.New("diff: --base REF|BIN_DIR is required")
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("diff: --format %q: want text or json", *format)
	}
	if *feeds == "" {
		*feeds = recordingFeeds(*replay)
	}
	work := *keep
	if work == "" {
		dir, err := os.MkdirTemp("", "newsflow-diff-")
		if err != nil {
			return fmt.Errorf("diff: %w", err)
		}
		defer func() { _ = os.RemoveAll(dir) }()
		work = dir
	}
	work, err := filepath.Abs(work)
	if err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	baseBin, baseLabel, err := resolveBuild(ctx, ".", *base, filepath.Join(work, "base-bin"), stderr)
	if err != nil {
		return fmt.Errorf("diff: base: %w", err)
	}
	var headBin, headLabel string
	if *head == "" {
		root, err := repoRoot(ctx, ".")
		if err != nil {
			return fmt.Errorf("diff: head: %w (give --head BIN_DIR outside a checkout)", err)
		}
		headBin, headLabel = filepath.Join(work, "head-bin"), "the current tree ("+root+")"
		fmt.Fprintf(stderr, "head: building %s …\n", root)
		if err := buildServices(ctx, root, headBin); err != nil {
			return fmt.Errorf("diff: head: %w", err)
		}
	} else if headBin, headLabel, err = resolveBuild(ctx, ".", *head, filepath.Join(work, "head-bin"), stderr); err != nil {
		return fmt.Errorf("diff: head: %w", err)
	}

	baseArts, err := replaySide(ctx, "base", baseBin, filepath.Join(work, "base-data"), *replay, *feeds, *timeout, nil, stderr)
	if err != nil {
		return fmt.Errorf("diff: base: %w", err)
	}
	headArts, err := replaySide(ctx, "head", headBin, filepath.Join(work, "head-data"), *replay, *feeds, *timeout, baseArts.cleaned, stderr)
	if err != nil {
		return fmt.Errorf("diff: head: %w", err)
	}
	rep := diff.Compare(baseArts.articles, headArts.articles, diff.Options{MinTextChars: *minChars, MinTextRatio: *minRatio})
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(diffReport{Recording: *replay, Base: baseLabel, Head: headLabel, Report: rep}); err != nil {
			return err
		}
	} else if err := diff.WriteText(stdout, rep, diff.Labels{Base: baseLabel, Head: headLabel, Recording: *replay}, *limit); err != nil {
		return err
	}
	if *keep != "" {
		fmt.Fprintf(stderr, "kept in %s: base-data/newsflow.db, head-data/newsflow.db, */logs\n", work)
	}
	if *exitCode && !rep.Empty() {
		return errDiffers
	}
	return nil
}

// errDiffers is --exit-code's answer when the builds differ.
var errDiffers = errors.New("diff: the builds differ")

// recordingFeeds is the feeds file of a recording: feeds.yaml in its
// directory (or beside the file).
func recordingFeeds(replay string) string {
	dir := replay
	if st, err := os.Stat(replay); err != nil || !st.IsDir() {
		dir = filepath.Dir(replay)
	}
	return filepath.Join(dir, "feeds.yaml")
}

// resolveBuild returns the binaries of a build: spec itself when it is a
// directory holding the four services, else spec as a git ref of the
// checkout at dir, built from a temporary worktree into out.
func resolveBuild(ctx context.Context, dir, spec, out string, stderr io.Writer) (bin, label string, err error) {
	if st, err := os.Stat(spec); err == nil && st.IsDir() {
		for _, b := range serviceBinaries {
			if _, err := os.Stat(filepath.Join(spec, b)); err != nil {
				return "", "", fmt.Errorf("%s is a directory without the %s binary (want a directory of built binaries, or a git ref)", spec, b)
			}
		}
		abs, err := filepath.Abs(spec)
		if err != nil {
			return "", "", err
		}
		return abs, "binaries in " + spec, nil
	}
	root, err := repoRoot(ctx, dir)
	if err != nil {
		return "", "", fmt.Errorf("%q is neither a directory nor, outside a git checkout, a ref: %w", spec, err)
	}
	commit, err := git(ctx, root, "rev-parse", "--verify", "--quiet", spec+"^{commit}")
	if err != nil {
		return "", "", fmt.Errorf("%q is neither a directory of binaries nor a git ref", spec)
	}
	short := commit
	if len(short) > 12 {
		short = short[:12]
	}
	tree, err := os.MkdirTemp("", "newsflow-diff-tree-")
	if err != nil {
		return "", "", err
	}
	defer func() { _ = os.RemoveAll(tree) }()
	wt := filepath.Join(tree, "src")
	fmt.Fprintf(stderr, "building %s (%s) in a temporary worktree …\n", spec, short)
	if _, err := git(ctx, root, "worktree", "add", "--detach", "--quiet", wt, commit); err != nil {
		return "", "", err
	}
	defer func() {
		// The worktree is registered in the repository: remove it there,
		// even when the build failed or ctx ended.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_, _ = git(rctx, root, "worktree", "remove", "--force", wt)
	}()
	if err := buildServices(ctx, wt, out); err != nil {
		return "", "", err
	}
	return out, spec + " (" + short + ")", nil
}

// buildServices builds the four services of the workspace at root into dir.
func buildServices(ctx context.Context, root, dir string) error {
	// -trimpath and -buildvcs=false make the binaries depend on the
	// sources only, not on where they were checked out or the checkout's
	// state, so unchanged services of two builds are byte-identical and
	// their replay is shared (see replaySide).
	args := []string{"build", "-trimpath", "-buildvcs=false", "-o", dir + string(os.PathSeparator)}
	for _, b := range serviceBinaries {
		args = append(args, "./services/"+b)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build in %s: %w\n%s", root, err, out)
	}
	return nil
}

func repoRoot(ctx context.Context, dir string) (string, error) {
	return git(ctx, dir, "rev-parse", "--show-toplevel")
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// side is what one build stored from the replay, and its cleaned articles
// for the other side to reuse.
type side struct {
	articles []schema.ArticleTaggedV1
	cleaned  *cleanedSide
}

type cleanedSide struct {
	key string // binaryKey of the build that cleaned
	run cleanedRun
}

// replaySide replays the recording through one build and returns what its
// sink stored: fetched and cleaned by its services (or, when its fetcher
// and cleaner are the other side's, the other side's cleaned articles),
// tagged and stored by its stages' batch commands. A replay is
// deterministic, so what differs between two builds is what they do
// differently.
func replaySide(ctx context.Context, name, bin, data, replay, feeds string, timeout time.Duration, other *cleanedSide, stderr io.Writer) (side, error) {
	key, err := binaryKey(bin)
	if err != nil {
		return side{}, err
	}
	var cl cleanedSide
	if other != nil && other.key == key {
		fmt.Fprintf(stderr, "%s: same fetcher and cleaner as base: tagging and storing its %d cleaned articles\n", name, other.run.articles)
		cl = *other
	} else {
		fmt.Fprintf(stderr, "%s: replaying %s through its fetcher and cleaner …\n", name, replay)
		run, err := replayCleaned(ctx, bin, data, replay, feeds, timeout)
		if err != nil {
			return side{}, fmt.Errorf("replay: %w (logs in %s)", err, filepath.Join(data, "logs"))
		}
		fmt.Fprintf(stderr, "%s: %d articles cleaned, %d dead letters in %s\n", name, run.articles, run.deadLetters, run.elapsed.Round(100*time.Millisecond))
		cl = cleanedSide{key: key, run: run}
	}
	start := time.Now()
	db := filepath.Join(data, "newsflow.db")
	if err := tagAndStore(ctx, bin, cl.run.lines, db); err != nil {
		return side{}, err
	}
	arts, err := orchestrate.Export(ctx, bin, db)
	if err != nil {
		return side{}, err
	}
	fmt.Fprintf(stderr, "%s: %d articles tagged and stored in %s\n", name, len(arts), time.Since(start).Round(100*time.Millisecond))
	return side{articles: arts, cleaned: &cl}, nil
}
