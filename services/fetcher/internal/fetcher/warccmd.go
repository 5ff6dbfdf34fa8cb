package fetcher

import (
	"flag"
	"fmt"
	"io"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/fetcher/internal/recording"
	"github.com/newsflow/newsflow/services/fetcher/internal/warc"
)

const warcUsage = "fetcher warc ls FILE | fetcher warc build --out DIR [--pages N] [--testdata DIR]"

// warcMain runs `fetcher warc ls FILE` (a recording's records) and
// `fetcher warc build` (the benchmark recording: the extraction benchmark's
// pages under many feeds, as make run-cluster and make bench-pipeline
// replay it).
func warcMain(env app.Env) error {
	if len(env.Args) < 2 {
		return fmt.Errorf("%w: %s", app.ErrUsage, warcUsage)
	}
	switch args := env.Args[2:]; env.Args[1] {
	case "help", "-h", "-help", "--help":
		_, err := fmt.Fprintf(env.Stdout, "Usage: %s\n\nls lists the records of a WARC recording; build writes the benchmark recording\n(the extraction benchmark's pages under many feeds).\n", warcUsage)
		return err
	case "ls":
		if len(args) != 1 {
			return fmt.Errorf("%w: fetcher warc ls FILE", app.ErrUsage)
		}
		return warc.List(args[0], env.Stdout)
	case "build":
		return warcBuild(args, env.Stdout, env.Stderr)
	}
	return fmt.Errorf("%w: %s", app.ErrUsage, warcUsage)
}

func warcBuild(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fetcher warc build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write "+recording.WARCFile+" and "+recording.FeedsFile+" to (required)")
	pages := fs.Int("pages", 1000, "article pages in the recording (the benchmark's 181 pages, then copies under distinct URLs)")
	src := fs.String("testdata", "testdata", "the repository's testdata folder, which holds corpus/article-extraction-benchmark")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("fetcher: warc build: %w", err)
	}
	if *out == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: fetcher warc build --out DIR [--pages N] [--testdata DIR]", app.ErrUsage)
	}
	if err := recording.BuildCorpus(*out, *src, *pages); err != nil {
		return fmt.Errorf("fetcher: warc build: %w", err)
	}
	_, err := fmt.Fprintf(stdout, "wrote %d pages to %s\n", *pages, *out)
	return err
}
