package fetcher

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/fetcher/internal/recording"
	"github.com/newsflow/newsflow/services/fetcher/internal/warc"
)

const warcUsage = "fetcher: usage: fetcher warc ls FILE | fetcher warc build --out DIR [--pages N] [--testdata DIR]"

// warcMain runs `fetcher warc ls FILE` (a recording's records) and
// `fetcher warc build` (the benchmark recording: the extraction benchmark's
// pages under many feeds, as make run-cluster and make bench-pipeline
// replay it).
func warcMain(env app.Env) error {
	if len(env.Args) < 2 {
		return errors.New(warcUsage)
	}
	switch args := env.Args[2:]; env.Args[1] {
	case "ls":
		if len(args) != 1 {
			return errors.New("fetcher: usage: fetcher warc ls FILE")
		}
		return warc.List(args[0], env.Stdout)
	case "build":
		return warcBuild(args, env.Stdout, env.Stderr)
	}
	return errors.New(warcUsage)
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
		return errors.New("fetcher: usage: fetcher warc build --out DIR [--pages N] [--testdata DIR]")
	}
	if err := recording.BuildCorpus(*out, *src, *pages); err != nil {
		return fmt.Errorf("fetcher: warc build: %w", err)
	}
	_, err := fmt.Fprintf(stdout, "wrote %d pages to %s\n", *pages, *out)
	return err
}
