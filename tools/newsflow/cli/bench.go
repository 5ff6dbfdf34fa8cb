package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/newsflow/newsflow/tools/newsflow/internal/bench"
)

// benchCommand is `newsflow bench-pipeline`: the pipeline benchmark over a
// recording that `fetcher warc build` wrote (make bench-pipeline).
func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("newsflow bench-pipeline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o bench.PipelineOptions
	fs.StringVar(&o.Bin, "bin", "bin", "directory holding the service binaries and newsflow (make build)")
	fs.StringVar(&o.Corpus, "corpus", "", "recording to replay: a directory with bundle.warc.gz and feeds.yaml (fetcher warc build; required)")
	fs.StringVar(&o.Testdata, "testdata", "testdata", "the repository's testdata folder, for the benchmark pages")
	paces := fs.String("paces", "max,250,50", "replay paces, comma-separated: max, or pages per second")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.Corpus == "" || fs.NArg() > 0 {
		return fmt.Errorf("bench-pipeline: usage: newsflow bench-pipeline --corpus DIR [--bin DIR] [--paces max,250,50]")
	}
	o.Paces = strings.Split(*paces, ",")
	return bench.Pipeline(ctx, o, stdout)
}
