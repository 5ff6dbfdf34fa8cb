package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/newsflow/newsflow/tools/newsflow/cluster"
)

// clusterCommand is `newsflow cluster`: a local three-node JetStream
// cluster, replicas of every service, a replay, and one stage scaled up
// and down while it runs (make run-cluster).
func clusterCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("newsflow cluster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o cluster.Options
	data := fs.String("data", "data", "parent directory; the run uses (and first empties) DIR/cluster")
	fs.StringVar(&o.BinDir, "bin", "bin", "directory holding the service binaries")
	fs.StringVar(&o.Replay, "replay", "testdata/recording", "recording to replay (WARC file, directory or glob)")
	fs.StringVar(&o.ReplayFeeds, "replay-feeds", "testdata/recording/feeds.yaml", "feeds to poll in the recording")
	fs.IntVar(&o.Nodes, "nodes", 3, "nodes of the local NATS cluster")
	fs.StringVar(&o.Stage, "stage", "cleaner", "stage to scale: cleaner, tagger or sink")
	fs.IntVar(&o.Low, "low", 1, "replicas of the stage before and after the burst")
	fs.IntVar(&o.High, "high", 3, "replicas of the stage in the middle phase")
	fs.IntVar(&o.Concurrency, "concurrency", 1, "messages each replica of the stage handles at once (1: a replica is about one CPU)")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "give up when the replay is not drained by then")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	o.DataDir = filepath.Join(*data, "cluster")
	// A replay into an old store is de-duplicated by JetStream: start clean.
	if err := os.RemoveAll(o.DataDir); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	o.Out = stdout
	_, err := cluster.Run(ctx, o)
	return err
}
