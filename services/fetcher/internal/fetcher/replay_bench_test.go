package fetcher

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/service/natstest"
	"github.com/newsflow/newsflow/services/fetcher/internal/recording"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// BenchmarkReplayPublish replays a recording of 1,000 real article pages
// (the benchmark corpus spread over many feeds) through the fetcher, which
// publishes every page to an embedded NATS server: the replay path alone,
// without the later stages. It prints records/s and MB/s of the (gzipped)
// recording read.
func BenchmarkReplayPublish(b *testing.B) {
	dir := b.TempDir()
	if err := recording.BuildCorpus(dir, testkit.Testdata(), 1000); err != nil {
		b.Fatal(err)
	}
	var records, pageBytes float64
	var elapsed time.Duration
	for b.Loop() {
		s := natstest.RunJetStream(b)
		var cfg Config
		args := []string{"--once", "--replay", dir, "--feeds", filepath.Join(dir, recording.FeedsFile), "--http-addr", "127.0.0.1:0",
			"--nats-url", s.ClientURL(), "--stream-max-bytes", "4GiB", "--log-level", "error"}
		if _, err := Table(&cfg).Parse(args, noEnv, &bytes.Buffer{}); err != nil {
			b.Fatal(err)
		}
		var out bytes.Buffer
		start := time.Now()
		if err := Run(context.Background(), cfg, zap.NewNop(), &out); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		var t Totals
		if err := json.Unmarshal(out.Bytes(), &t); err != nil {
			b.Fatal(err)
		}
		if t.Published < 1000 {
			b.Fatalf("published %d, want 1000", t.Published)
		}
		// Feeds, robots.txt and pages are all records served by the replay.
		records += float64(t.FeedPolls + t.Published + t.ArticleErrors)
		pageBytes += float64(dirPageBytes(b, dir))
	}
	b.ReportMetric(records/elapsed.Seconds(), "records/s")
	b.ReportMetric(pageBytes/1e6/elapsed.Seconds(), "warc-MB/s")
}

// dirPageBytes is the size of the recording on disk, compressed: a floor
// for the bytes the replay moved.
func dirPageBytes(b *testing.B, dir string) int64 {
	b.Helper()
	var n int64
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			n += info.Size()
		}
	}
	return n
}
