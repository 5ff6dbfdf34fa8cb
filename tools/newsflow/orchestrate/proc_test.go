package orchestrate

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakePipeline is a Pipeline whose services are the given shell scripts.
func fakePipeline(t *testing.T, dir string, scripts map[string]string) *Pipeline {
	t.Helper()
	bin, data := filepath.Join(dir, "bin"), filepath.Join(dir, "data")
	for _, d := range []string{bin, filepath.Join(data, "logs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &Pipeline{o: Options{BinDir: bin, DataDir: data}, procs: map[string][]*Proc{}}
}

// alive reports whether pid is a live process (a zombie is dead).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

const parentEnv = "NEWSFLOW_TEST_ORCHESTRATE_PARENT"

// TestServicesDieWithNewsflow: killing newsflow with SIGKILL takes its
// services with it (they would otherwise keep retrying the dead embedded
// NATS and hold the store's lock against the next run).
func TestServicesDieWithNewsflow(t *testing.T) {
	if dir := os.Getenv(parentEnv); dir != "" {
		// The parent: start a service, say its pid, wait to be killed.
		p := fakePipeline(t, dir, map[string]string{"sink": "exec sleep 300"})
		pr, err := p.Start("sink", nil)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("child %d\n", pr.Pid())
		time.Sleep(time.Minute)
		return
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc (Linux)")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServicesDieWithNewsflow$", "-test.v")
	cmd.Env = append(os.Environ(), parentEnv+"="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "child "); ok {
			child, _ = strconv.Atoi(n)
			break
		}
	}
	if child == 0 {
		_ = cmd.Process.Kill()
		t.Fatal("the parent did not start its service")
	}
	t.Cleanup(func() { _ = syscall.Kill(child, syscall.SIGKILL) })
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for alive(child) {
		if time.Now().After(deadline) {
			t.Fatalf("service pid %d still running 5s after newsflow was killed", child)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStartUpFailureShowsTheLog: a service that exits during start-up is
// reported with the last lines of its log, not only its exit status.
func TestStartUpFailureShowsTheLog(t *testing.T) {
	p := fakePipeline(t, t.TempDir(), map[string]string{"sink": `echo '{"msg":"Opening the store."}' >&2
echo 'sink: open jsonl data/jsonl: store: locked by another writer: data/jsonl/.lock' >&2
exit 1`})
	pr, err := p.Start("sink", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = WaitReady(context.Background(), pr, 10*time.Second)
	if err == nil {
		t.Fatal("WaitReady = nil for a service that exited")
	}
	for _, want := range []string{"sink exited during start-up", p.LogPath("sink"), "store: locked by another writer", "Opening the store."} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestSinkDBIsPassedOn: the run's database (from --db or NEWSFLOW_SINK_DB)
// reaches the sink instead of the run's own SQLite file, and the summary
// names it with the password hidden.
func TestSinkDBIsPassedOn(t *testing.T) {
	dir := t.TempDir()
	fake := fakePipeline(t, dir, map[string]string{"sink": `echo "db=$NEWSFLOW_SINK_DB" >&2; exit 1`,
		"fetcher": "exit 0", "cleaner": "exit 0", "tagger": "exit 0"})
	const spec = "postgres://news:s3cret@db.example:5432/newsflow"
	p, err := StartNATS(Options{BinDir: fake.o.BinDir, DataDir: fake.o.DataDir, DB: spec})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pr, err := p.Start("sink", nil)
	if err != nil {
		t.Fatal(err)
	}
	<-pr.Done()
	if tail := logTail(p.LogPath("sink"), 1); !strings.Contains(tail, "db="+spec) {
		t.Errorf("the sink was given %q, want %q", tail, spec)
	}
	if got := redactDSN(p.DB()); strings.Contains(got, "s3cret") || !strings.Contains(got, "db.example:5432/newsflow") {
		t.Errorf("summary database %q", got)
	}
}

// TestStreamLimitsMustFitTheDisk: a NEWSFLOW_STREAM_MAX_BYTES the free
// disk cannot hold is refused at start, saying what to set.
func TestStreamLimitsMustFitTheDisk(t *testing.T) {
	dir := t.TempDir()
	fake := fakePipeline(t, dir, map[string]string{"sink": "exit 0", "fetcher": "exit 0", "cleaner": "exit 0", "tagger": "exit 0"})
	o := Options{BinDir: fake.o.BinDir, DataDir: fake.o.DataDir, Env: []string{"NEWSFLOW_STREAM_MAX_BYTES=1000000GiB"}}
	p, err := StartNATS(o)
	if err == nil {
		p.Close()
		t.Fatal("started with streams larger than the disk")
	}
	for _, want := range []string{"NEWSFLOW_STREAM_MAX_BYTES", "free on", "set NEWSFLOW_STREAM_MAX_BYTES to at most"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// The default fits any disk with 4 GiB free; a small limit fits all.
	o.Env = []string{"NEWSFLOW_STREAM_MAX_BYTES=1MiB"}
	p, err = StartNATS(o)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// The server logs to data/logs/nats.log.
	if b, err := os.ReadFile(p.NATSLogPath()); err != nil || !strings.Contains(string(b), "JetStream") {
		t.Errorf("nats.log: %v %q", err, b)
	}
	// A JetStream disabled (as after a write error on a full disk) is
	// restarted once there is room, on the same store.
	p.Server.DisableJetStream()
	if restarted, err := p.checkJetStream(); !restarted || err != nil {
		t.Fatalf("checkJetStream = %v, %v; want a restart", restarted, err)
	}
	if !p.Server.JetStreamEnabled() {
		t.Error("JetStream still disabled after the restart")
	}
	// A stream's write error (the server logs it and refuses publishes to
	// that stream) gets the same restart; an old one, from before the
	// restart, does not count again.
	if restarted, err := p.checkJetStream(); restarted || err != nil {
		t.Fatalf("checkJetStream with nothing wrong = %v, %v", restarted, err)
	}
	logf, err := os.OpenFile(p.NATSLogPath(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = logf.WriteString("[1] [ERR] Filestore [NEWSFLOW_TAGGED] Critical write error: write x: no space left on device\n")
	_ = logf.Close()
	if restarted, err := p.checkJetStream(); !restarted || err != nil {
		t.Fatalf("checkJetStream after a write error = %v, %v; want a restart", restarted, err)
	}
	if restarted, err := p.checkJetStream(); restarted || err != nil {
		t.Fatalf("checkJetStream after the restart = %v, %v; want nothing to do", restarted, err)
	}
}

// TestNotReadySaysWhy: a replica that is not ready is reported with its
// failing checks (the sink holding its batch names the store and cause).
func TestNotReadySaysWhy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"ready":false,"checks":{"nats":"ok","store":"sink: last write failed; waiting for the store"}}`))
	}))
	defer srv.Close()
	pr := &Proc{Name: "sink", Addr: strings.TrimPrefix(srv.URL, "http://")}
	if got := NotReady(context.Background(), pr); got != "store: sink: last write failed; waiting for the store" {
		t.Errorf("NotReady = %q", got)
	}
}
