package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
	"go.uber.org/zap"
)

// BenchmarkUpsert stores new tagged articles (3-8 claims of 1-3 quantities,
// about 3 KB of text each) in batches of 1, 100 and 1000 and reports
// articles/s. Every article is new, so each is a full write. PostgreSQL's
// search indexer is off here: it runs behind the writes and has its own
// benchmark, BenchmarkSearchIndex.
//
// articles/cpu-s divides by the CPU time this process and its PostgreSQL
// backends used (Linux /proc): on a machine shared with other work it
// estimates what an idle machine does, as a batch is written sequentially.
//
//	go test -run '^$' -bench . ./services/sink/internal/store/
func BenchmarkUpsert(b *testing.B) {
	templates := storetest.Articles(42, 1000)
	backends := []struct {
		name string
		spec func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return "sqlite:" + filepath.Join(b.TempDir(), "bench.db") }},
		{"postgres", func(b *testing.B) string { return benchDSN(b) }},
	}
	for _, be := range backends {
		for _, size := range []int{1, 100, 1000} {
			b.Run(fmt.Sprintf("%s/batch=%d", be.name, size), func(b *testing.B) {
				spec := be.spec(b)
				s, err := Open(context.Background(), spec, zap.NewNop())
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = s.Close() })
				batch := make([]schema.ArticleTaggedV1, size)
				next := 0
				cpu := startCPU(b, spec)
				b.ReportAllocs()
				for b.Loop() {
					for i := range batch {
						a := templates[next%len(templates)]
						// A fresh id per article: the benchmark measures writes, not skips.
						a.ID = fmt.Sprintf("%032x", next)
						batch[i] = a
						next++
					}
					if err := s.Upsert(context.Background(), batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "articles/s")
				if used := cpu.used(b); used > 0 {
					b.ReportMetric(float64(next)/used.Seconds(), "articles/cpu-s")
				}
			})
		}
	}
}

// benchDSN is a fresh schema, the indexer off, and an application name
// that finds the store's backends in pg_stat_activity.
func benchDSN(b *testing.B) string {
	dsn := storetest.PostgresSchema(b)
	dsn, err := storetest.WithParam(dsn, searchIndexerParam, "off")
	if err == nil {
		dsn, err = storetest.WithParam(dsn, "application_name", fmt.Sprintf("newsflow_bench_%d", os.Getpid()))
	}
	if err != nil {
		b.Fatal(err)
	}
	return dsn
}

// cpuMeter sums CPU time of this process and, for PostgreSQL, of the
// server backends serving it.
type cpuMeter struct {
	dsn     string
	self    time.Duration
	backend map[int]time.Duration
}

func startCPU(b *testing.B, spec string) *cpuMeter {
	m := &cpuMeter{self: selfCPU()}
	if strings.HasPrefix(spec, "postgres") {
		m.dsn = spec
		m.backend = backendsCPU(b, spec)
	}
	return m
}

// used is the CPU time since start; 0 when it cannot be read.
func (m *cpuMeter) used(b *testing.B) time.Duration {
	d := selfCPU() - m.self
	if m.dsn != "" {
		end := backendsCPU(b, m.dsn)
		if end == nil {
			return 0
		}
		for pid, t := range end {
			d += t - m.backend[pid]
		}
	}
	return d
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendsCPU reads user+system time of the backends with the DSN's
// application name from /proc (clock ticks of 10 ms); nil if it cannot.
func backendsCPU(b *testing.B, dsn string) map[int]time.Duration {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		b.Fatal(err)
	}
	delete(cfg.RuntimeParams, searchIndexerParam)
	app := cfg.RuntimeParams["application_name"]
	cfg.RuntimeParams["application_name"] = app + "_meter"
	c, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = c.Close(context.Background()) }()
	rows, err := c.Query(context.Background(), "SELECT pid FROM pg_stat_activity WHERE application_name = $1", app)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil
		}
		// Fields after the command's closing parenthesis; utime and stime
		// are the 14th and 15th fields of the line.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		ut, err1 := strconv.ParseInt(f[11], 10, 64)
		st, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			return nil
		}
		out[int(pid)] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	return out
}

// BenchmarkSearchIndex measures PostgreSQL's background search indexing,
// in articles/s: how fast search catches up with the writes.
func BenchmarkSearchIndex(b *testing.B) {
	s, err := Open(context.Background(), benchDSN(b), zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	pg := s.(*pgStore)
	templates := storetest.Articles(42, 1000)
	next := 0
	indexed := int64(0)
	for b.Loop() {
		b.StopTimer()
		batch := make([]schema.ArticleTaggedV1, searchBatch)
		for i := range batch {
			a := templates[next%len(templates)]
			a.ID = fmt.Sprintf("%032x", next)
			batch[i] = a
			next++
		}
		if err := s.Upsert(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := pg.indexSearch(context.Background(), searchBatch)
		if err != nil {
			b.Fatal(err)
		}
		indexed += n
	}
	b.ReportMetric(float64(indexed)/b.Elapsed().Seconds(), "articles/s")
}
