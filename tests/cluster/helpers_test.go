package cluster_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

var binFlag = flag.String("bin", "", "use the service binaries in this directory instead of building them")

// binaries returns a directory holding the four services and the newsflow
// tool: -bin, or a fresh build (one go build, so links run in parallel).
func binaries(t testing.TB) string {
	t.Helper()
	if *binFlag != "" {
		dir, err := filepath.Abs(*binFlag)
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir := t.TempDir()
	if err := orchestrate.Build(context.Background(), testkit.RepoRoot(t), dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// natsProc is a nats-server in a process of its own (`newsflow nats`), so
// that its CPU is measured apart from the test's, and a race-instrumented
// test binary does not slow the server down.
type natsProc struct {
	URL string
	cmd *exec.Cmd
}

func startNATS(t testing.TB, bin, dir string) *natsProc {
	t.Helper()
	port := testkit.FreePort(t)
	cmd := exec.Command(filepath.Join(bin, "newsflow"), "nats", "--data", dir, "--port", strconv.Itoa(port))
	cmd.Env = orchestrate.ShareCores(os.Environ()) // like the services beside it
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &natsProc{URL: "nats://127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
	t.Cleanup(func() { _ = n.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		nc, err := nats.Connect(n.URL)
		if err == nil {
			nc.Close()
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("nats-server at %s not up: %v", n.URL, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server with SIGTERM and returns what it used, from the
// kernel's accounting of the reaped process.
func (n *natsProc) stop() error {
	if n.cmd.ProcessState != nil {
		return nil
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	return n.cmd.Wait()
}

// defaultStreams is the stream configuration the services declare when
// nothing is set, so that declaring the streams first changes nothing.
func defaultStreams(t testing.TB) config.Streams {
	t.Helper()
	var c config.Common
	s := config.New("test")
	config.AddCommon(s, &c, "127.0.0.1:0")
	if _, err := s.Parse(nil, func(string) (string, bool) { return "", false }, io.Discard); err != nil {
		t.Fatal(err)
	}
	return c.Streams
}

// benchPage is an article page of the extraction benchmark.
type benchPage struct {
	URL  string
	HTML []byte
}

// loadBenchmark reads the benchmark pages in file-name order, one per URL,
// as the corpus builder does; at most limit of them when limit > 0.
func loadBenchmark(t testing.TB, limit int) []benchPage {
	t.Helper()
	dir := filepath.Join(testkit.RepoRoot(t), "testdata", "corpus", "article-extraction-benchmark")
	b, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth map[string]struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no benchmark pages in %s: %v", dir, err)
	}
	sort.Strings(files)
	seen := map[string]bool{}
	var out []benchPage
	for _, f := range files {
		if limit > 0 && len(out) == limit {
			break
		}
		u := truth[strings.TrimSuffix(filepath.Base(f), ".html.gz")].URL
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		out = append(out, benchPage{URL: u, HTML: testkit.Gunzip(t, f)})
	}
	return out
}

// publishFetched publishes fetched articles from to to-1, as the fetcher
// would: the benchmark pages in turn, copy k of a page at URL?copy=k. It
// adds their ids to ids.
func publishFetched(t testing.TB, js jetstream.JetStream, pages []benchPage, from, to int, ids map[string]bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Compress once per distinct page: under the race detector, encoding
	// the body of every copy again would take most of the test.
	bodies := map[int][]byte{}
	hashes := map[int]string{}
	now := time.Now().UTC()
	var acks []jetstream.PubAckFuture
	for i := from; i < to; i++ {
		pg := pages[i%len(pages)]
		u := copyURL(t, pg.URL, i/len(pages))
		id, canonical, err := schema.ArticleID(u)
		if err != nil {
			t.Fatal(err)
		}
		if ids[id] {
			t.Fatalf("two articles with id %s", id)
		}
		ids[id] = true
		hash, ok := hashes[i%len(pages)]
		if !ok {
			hash = schema.ContentHash(pg.HTML)
			hashes[i%len(pages)] = hash
		}
		m := schema.ArticleFetchedV1{SchemaVersion: schema.Version, ID: id, URL: u, CanonicalURL: canonical,
			ContentHash: hash,
			Response:    schema.Response{Status: 200, ContentType: "text/html; charset=utf-8", FetchedAt: now, Size: len(pg.HTML)},
			Item:        schema.FeedItem{FeedURL: "https://bench.example.org/feed/", Link: u, Title: fmt.Sprintf("page %d", i)},
			Stages:      schema.Stages{FetchedAt: now}}
		body, ok := bodies[i%len(pages)]
		if !ok {
			if err := m.SetHTML(pg.HTML); err != nil {
				t.Fatal(err)
			}
			body = m.Body
			bodies[i%len(pages)] = body
		}
		m.Body, m.BodyEncoding = body, schema.EncodingS2
		data, err := schema.EncodeFetched(m)
		if err != nil {
			t.Fatal(err)
		}
		msg := &nats.Msg{Subject: schema.SubjectArticleFetchedV1, Data: data, Header: nats.Header{}}
		msg.Header.Set(nats.MsgIdHdr, schema.MsgID(schema.StageFetcher, id, m.ContentHash))
		f, err := js.PublishMsgAsync(msg)
		if err != nil {
			t.Fatal(err)
		}
		acks = append(acks, f)
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		t.Fatal("publish acks did not arrive")
	}
	for _, f := range acks {
		select {
		case err := <-f.Err():
			t.Fatalf("publish: %v", err)
		default:
		}
	}
}

// copyURL is the URL of copy k of a page, as the corpus builder makes it:
// the page's own URL for k = 0, else with copy=k in the query.
func copyURL(t testing.TB, u string, k int) string {
	t.Helper()
	if k == 0 {
		return u
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	q.Set("copy", strconv.Itoa(k))
	pu.RawQuery, pu.Fragment, pu.RawFragment = q.Encode(), "", ""
	return pu.String()
}

// exported runs `sink export` and returns every stored article.
func exported(t testing.TB, bin, db string) []schema.ArticleTaggedV1 {
	t.Helper()
	arts, err := orchestrate.Export(context.Background(), bin, db)
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

// logsOnFailure prints the end of every service log under dir/logs when
// the test fails: the processes' own account of what went wrong.
func logsOnFailure(t testing.TB, dir string) {
	t.Helper()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		files, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			t.Logf("%s (last lines):\n%s", filepath.Base(f), strings.Join(lines[max(len(lines)-8, 0):], "\n"))
		}
	})
}

// ensureStreams declares the pipeline's streams as the services would.
func ensureStreams(t testing.TB, js jetstream.JetStream) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bus.EnsureStreams(ctx, js, defaultStreams(t)); err != nil {
		t.Fatal(err)
	}
}
