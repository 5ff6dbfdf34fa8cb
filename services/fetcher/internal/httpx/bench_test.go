package httpx_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/internal/feed"
	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpx"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
)

// benchServerEnv makes the test binary act as the feed server of
// BenchmarkPoll, in its own process, so the benchmark's CPU and memory
// figures are the client's alone.
const benchServerEnv = "NEWSFLOW_HTTPX_BENCH_SERVER"

const (
	benchFeeds     = 10000
	benchChangeMod = 20 // every 20th feed always answers 200 (5%)
	benchWorkers   = 128
)

func TestMain(m *testing.M) {
	if n := os.Getenv(benchServerEnv); n != "" {
		hosts, err := strconv.Atoi(n)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := runBenchServer(hosts); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// benchHostIP spreads hosts over 127.1.0.0/16.
func benchHostIP(i int) string { return fmt.Sprintf("127.1.%d.%d", i/250, i%250+1) }

// bigFeed is an RSS document of about 50 KB.
func bigFeed() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title><link>https://bench.example/</link>`)
	for i := 0; b.Len() < 50<<10; i++ {
		fmt.Fprintf(&b, `<item><title>Story number %d about the news of the day</title><link>https://bench.example/story/%d</link><guid>https://bench.example/story/%d</guid><pubDate>Tue, 03 Mar 2026 10:%02d:00 GMT</pubDate><description>%s</description></item>`,
			i, i, i, i%60, strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 14))
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// runBenchServer listens on one address per host, prints them, then serves
// until stdin closes (the benchmark ended or died).
func runBenchServer(hosts int) error {
	raw := bigFeed()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(raw); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	body := gz.Bytes()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
		etag := `"v1-` + strconv.Itoa(i) + `"`
		if i%benchChangeMod != 0 && r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(body)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; i < hosts; i++ {
		ln, err := net.Listen("tcp", benchHostIP(i)+":0")
		if err != nil {
			return err
		}
		go func() { _ = srv.Serve(ln) }()
		fmt.Fprintln(out, ln.Addr().String())
	}
	fmt.Fprintln(out, "ready")
	if err := out.Flush(); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

func startBenchServer(b *testing.B, hosts int) (addrs []string, cpu func() time.Duration) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchServerEnv+"="+strconv.Itoa(hosts))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if sc.Text() == "ready" {
			break
		}
		addrs = append(addrs, sc.Text())
	}
	if len(addrs) != hosts {
		b.Fatalf("bench server started %d of %d hosts: %v", len(addrs), hosts, sc.Err())
	}
	pid := cmd.Process.Pid
	return addrs, func() time.Duration { return procCPU(pid) }
}

// procCPU reads a process's user+system time from /proc (Linux).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func liveBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc + ms.StackInuse
}

// benchFeed is what the fetcher keeps per feed between polls.
type benchFeed struct {
	sub feedlist.Feed
	st  state.FeedState
}

// BenchmarkPoll polls 10,000 feeds on 10,000 loopback hosts (one feed per
// host, so the per-host interval never binds) with the default politeness
// settings. After a first round that learns the ETags, each timed round is
// 95% conditional polls answered 304 and 5% 200s with a gzipped 50 KB feed
// that is decoded, hashed and parsed. The server runs in a child process.
// Run: go test ./services/fetcher/internal/httpx -run '^$' -bench Poll -benchtime 3x
func BenchmarkPoll(b *testing.B) {
	addrs, serverCPU := startBenchServer(b, benchFeeds)

	before := liveBytes()
	client, err := httpx.New(httpx.Options{AllowLoopback: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(client.CloseIdleConnections)
	feeds := make([]benchFeed, benchFeeds)
	for i := range feeds {
		u := "http://" + addrs[i] + "/feed/" + strconv.Itoa(i)
		feeds[i] = benchFeed{sub: feedlist.Feed{URL: u, Title: "Feed " + strconv.Itoa(i), Tags: []string{"bench"}}, st: state.FeedState{URL: u}}
	}

	var notModified, changed, failed atomic.Int64
	round := func(parse bool) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < benchWorkers; w++ {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(feeds) {
						return
					}
					f := &feeds[i]
					resp, err := client.Get(context.Background(), f.sub.URL, httpx.Conditional{ETag: f.st.ETag, LastModified: f.st.LastModified}, httpx.KindFeed)
					if err != nil {
						failed.Add(1)
						continue
					}
					if resp.NotModified {
						notModified.Add(1)
						continue
					}
					sum := sha256.Sum256(resp.Body)
					hash := hex.EncodeToString(sum[:12])
					if parse && hash != f.st.BodyHash {
						if _, err := feed.Parse(f.sub.URL, resp.Body, resp.Header.Get("Content-Type"), feed.Options{}); err != nil {
							failed.Add(1)
							continue
						}
						changed.Add(1)
					}
					v := resp.Validators()
					f.st.ETag, f.st.LastModified, f.st.BodyHash = v.ETag, v.LastModified, hash
				}
			})
		}
		wg.Wait()
	}

	round(false) // learn validators; not timed
	notModified.Store(0)
	changed.Store(0)
	failed.Store(0)

	cpu0, srv0, rounds := selfCPU(), serverCPU(), 0
	start := time.Now()
	for b.Loop() {
		round(true)
		rounds++
	}
	elapsed := time.Since(start)
	cpu, srvCPU := selfCPU()-cpu0, serverCPU()-srv0
	polls := float64(rounds * benchFeeds)
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d polls failed", n)
	}

	idle := liveBytes()
	b.ReportMetric(polls/elapsed.Seconds(), "polls/s")
	b.ReportMetric(float64(cpu.Microseconds())/polls, "client-cpu-µs/poll")
	b.ReportMetric(float64(srvCPU.Microseconds())/polls, "server-cpu-µs/poll")
	b.ReportMetric(float64(int64(idle)-int64(before))/benchFeeds, "B/idle-feed")
	b.ReportMetric(float64(notModified.Load())/polls*100, "%304")
	runtime.KeepAlive(feeds)
	runtime.KeepAlive(client)
}
