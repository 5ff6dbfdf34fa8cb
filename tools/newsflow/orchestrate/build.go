package orchestrate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Build builds the four services and the newsflow tool from the workspace
// at root into dir, as `make build` does (one go build, so links run in
// parallel). Tests that run the real binaries use it.
func Build(ctx context.Context, root, dir string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+string(os.PathSeparator),
		"./services/fetcher", "./services/cleaner", "./services/tagger", "./services/sink", "./tools/newsflow")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("orchestrate: go build: %w\n%s", err, out)
	}
	return nil
}

// Export reads every stored article back with `sink export`.
func Export(ctx context.Context, binDir, db string) ([]schema.ArticleTaggedV1, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "sink"), "export", "--db", "sqlite:"+db)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("orchestrate: sink export: %w: %s", err, strings.TrimSpace(errb.String()))
	}
	var arts []schema.ArticleTaggedV1
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var a schema.ArticleTaggedV1
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return nil, fmt.Errorf("orchestrate: export line: %w", err)
		}
		arts = append(arts, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("orchestrate: export: %w", err)
	}
	return arts, nil
}
