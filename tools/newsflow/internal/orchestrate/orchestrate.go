// Package orchestrate runs the whole pipeline on one machine: an embedded
// NATS server and the four services as separate processes. In replay mode
// it waits until the recording has gone through every stage, stops the
// services with SIGTERM and prints a summary; in live mode it runs until
// interrupted.
package orchestrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/newsflow/newsflow/pkg/service/embedded"
)

// Options configure a run.
type Options struct {
	BinDir  string // holds fetcher, cleaner, tagger, sink
	DataDir string // NATS store, SQLite, JSON lines, logs
	// Replay is a WARC file, directory or glob; the run ends when it is
	// drained. Feeds switches to live, continuous ingestion instead.
	Replay string
	Feeds  string
	// ReplayFeeds lists the feeds to poll in the recording.
	ReplayFeeds string
	// NATSURL uses an external server instead of the embedded one.
	NATSURL string
	Timeout time.Duration
	// Progress receives progress lines; Terminal redraws one line.
	Progress io.Writer
	Terminal bool
	// Env is added to every service's environment.
	Env []string
}

// Summary is what a run did.
type Summary struct {
	NATSURL       string
	Feeds         int
	FeedErrors    int
	Fetched       int
	FetchErrors   int
	Cleaned       int
	Tagged        int
	Stored        int
	DeadLetters   map[string]int
	StoreArticles int
	StoreRelevant int
	StoreClaims   int
	Elapsed       time.Duration
	DBPath        string
	JSONLDir      string
}

type proc struct {
	name   string
	cmd    *exec.Cmd
	addr   string
	done   chan struct{}
	err    error
	stdout bytes.Buffer // read only after done
}

// Run runs the pipeline.
func Run(ctx context.Context, o Options) (Summary, error) {
	start := time.Now()
	sum := Summary{DeadLetters: map[string]int{}}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if err := os.MkdirAll(filepath.Join(o.DataDir, "logs"), 0o755); err != nil {
		return sum, fmt.Errorf("orchestrate: data dir: %w", err)
	}
	for _, svc := range []string{"fetcher", "cleaner", "tagger", "sink"} {
		if _, err := os.Stat(filepath.Join(o.BinDir, svc)); err != nil {
			return sum, fmt.Errorf("orchestrate: %s binary: %w (run `make build` first)", svc, err)
		}
	}
	natsURL := o.NATSURL
	var ns *server.Server
	if natsURL == "" {
		port, err := freePort()
		if err != nil {
			return sum, err
		}
		ns, err = embedded.Start(embedded.Options{StoreDir: filepath.Join(o.DataDir, "nats"), Port: port, ServerName: "newsflow-embedded"})
		if err != nil {
			return sum, err
		}
		defer embedded.Stop(ns)
		natsURL = ns.ClientURL()
	}
	sum.NATSURL = natsURL
	sum.DBPath = filepath.Join(o.DataDir, "newsflow.db")
	sum.JSONLDir = filepath.Join(o.DataDir, "jsonl")
	progressf(o, "NATS: %s (store %s)\n", natsURL, filepath.Join(o.DataDir, "nats"))

	common := append([]string{
		"NEWSFLOW_NATS_URL=" + natsURL,
		"NEWSFLOW_LOG_FORMAT=json",
		"NEWSFLOW_SHUTDOWN_TIMEOUT=20s",
	}, o.Env...)
	procs := map[string]*proc{}
	var order []string
	startProc := func(name string, extraEnv []string, args ...string) error {
		port, err := freePort()
		if err != nil {
			return err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		logf, err := os.OpenFile(filepath.Join(o.DataDir, "logs", name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("orchestrate: log file: %w", err)
		}
		cmd := exec.Command(filepath.Join(o.BinDir, name), args...)
		cmd.Env = append(append(append(os.Environ(), common...), "NEWSFLOW_HTTP_ADDR="+addr), extraEnv...)
		p := &proc{name: name, cmd: cmd, addr: addr, done: make(chan struct{})}
		cmd.Stdout, cmd.Stderr = &p.stdout, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			_ = logf.Close()
			return fmt.Errorf("orchestrate: start %s: %w", name, err)
		}
		go func() { p.err = cmd.Wait(); _ = logf.Close(); close(p.done) }()
		procs[name] = p
		order = append(order, name)
		return nil
	}
	stopAll := func() error {
		var errs []error
		// Upstream first, so each stage drains what the one before it
		// published.
		for _, name := range []string{"fetcher", "cleaner", "tagger", "sink"} {
			p := procs[name]
			if p == nil {
				continue
			}
			select {
			case <-p.done:
				continue
			default:
			}
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
				if p.err != nil {
					errs = append(errs, fmt.Errorf("%s exited: %w (see %s)", name, p.err, logPath(o, name)))
				}
			case <-time.After(30 * time.Second):
				_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
				<-p.done
				errs = append(errs, fmt.Errorf("%s did not stop within 30s and was killed", name))
			}
		}
		return errors.Join(errs...)
	}

	sinkEnv := []string{"NEWSFLOW_SINK_DB=sqlite:" + sum.DBPath, "NEWSFLOW_SINK_JSONL_DIR=" + sum.JSONLDir}
	if err := startProc("sink", sinkEnv); err != nil {
		return sum, errors.Join(err, stopAll())
	}
	for _, name := range []string{"tagger", "cleaner"} {
		if err := startProc(name, nil); err != nil {
			return sum, errors.Join(err, stopAll())
		}
	}
	fetchArgs := []string{}
	if o.Feeds != "" {
		fetchArgs = append(fetchArgs, "--feeds", o.Feeds)
	} else {
		fetchArgs = append(fetchArgs, "--replay", o.Replay, "--once")
		if o.ReplayFeeds != "" {
			fetchArgs = append(fetchArgs, "--feeds", o.ReplayFeeds)
		}
	}
	for _, name := range []string{"sink", "tagger", "cleaner"} {
		if err := waitReady(ctx, procs[name], 60*time.Second); err != nil {
			return sum, errors.Join(err, stopAll())
		}
	}
	if err := startProc("fetcher", nil, fetchArgs...); err != nil {
		return sum, errors.Join(err, stopAll())
	}
	progressf(o, "Services: %s\n", servicesLine(procs, order))

	w := &watcher{o: o, procs: procs, natsURL: natsURL}
	runErr := w.wait(ctx, o.Feeds != "")
	w.sample(ctx, &sum) // last figures before the services stop
	if o.Terminal {
		progressf(o, "\n")
	}
	stopErr := stopAll()
	if err := countDeadLetters(ctx, natsURL, &sum); err != nil && runErr == nil {
		runErr = err
	}
	if err := storeStats(ctx, o, &sum); err != nil && runErr == nil {
		runErr = err
	}
	sum.Elapsed = time.Since(start)
	return sum, errors.Join(runErr, stopErr)
}

func logPath(o Options, name string) string { return filepath.Join(o.DataDir, "logs", name+".log") }

func servicesLine(procs map[string]*proc, order []string) string {
	s := ""
	for _, n := range order {
		if s != "" {
			s += ", "
		}
		s += n + " http://" + procs[n].addr + "/metrics"
	}
	return s
}

func progressf(o Options, format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format, args...)
	}
}

// freePort asks the kernel for a free loopback port, never 4222 (the
// machine's own NATS may be there).
func freePort() (int, error) {
	for i := 0; i < 10; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("orchestrate: free port: %w", err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		if port != 4222 {
			return port, nil
		}
	}
	return 0, errors.New("orchestrate: no free port")
}

func waitReady(ctx context.Context, p *proc, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-p.done:
			return fmt.Errorf("orchestrate: %s exited during start-up: %v", p.name, p.err)
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("orchestrate: %s not ready after %s", p.name, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
