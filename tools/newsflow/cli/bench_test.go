package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/tools/newsflow/cli"
)

func TestBenchPipelineNeedsCorpus(t *testing.T) {
	var out, errb bytes.Buffer
	err := cli.Main(context.Background(), []string{"bench-pipeline", "--bin", t.TempDir()}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "--corpus DIR") {
		t.Fatalf("err %v, want the usage naming --corpus", err)
	}
}
