package orchestrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/embedded"
)

// Services in flow order.
var Services = []string{"fetcher", "cleaner", "tagger", "sink"}

// Proc is one running service process.
type Proc struct {
	Name   string
	Index  int
	Addr   string // ops address: /healthz, /readyz, /metrics
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
	stdout bytes.Buffer // read only after Done
	args   []string
	env    []string
	log    string // the log file its stderr goes to
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is the exit error, once Done.
func (p *Proc) Err() error { return p.err }

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Pipeline is NATS (embedded, a local cluster, or external) plus service
// processes, which can be started, killed, restarted and scaled while the
// pipeline runs.
type Pipeline struct {
	o       Options
	NATSURL string
	Server  *server.Server    // embedded single server, or nil
	Cluster *embedded.Cluster // local cluster, or nil
	common  []string
	// natsLogFrom is where the embedded server's log stood when it
	// (re)started (see storeWriteFailed).
	natsLogFrom int64

	mu    sync.Mutex
	procs map[string][]*Proc
}

// StartNATS starts the pipeline's NATS (or adopts o.NATSURL) without any
// service.
func StartNATS(o Options) (*Pipeline, error) {
	if err := os.MkdirAll(filepath.Join(o.DataDir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("orchestrate: data dir: %w", err)
	}
	for _, svc := range Services {
		if _, err := os.Stat(filepath.Join(o.BinDir, svc)); err != nil {
			return nil, fmt.Errorf("orchestrate: %s binary: %w (run `make build` first)", svc, err)
		}
	}
	p := &Pipeline{o: o, procs: map[string][]*Proc{}, NATSURL: o.NATSURL}
	switch {
	case p.NATSURL != "":
	case o.ClusterNodes > 1:
		c, err := embedded.StartCluster(filepath.Join(o.DataDir, "nats-cluster"), o.ClusterNodes)
		if err != nil {
			return nil, err
		}
		p.Cluster, p.NATSURL = c, c.URLs()
	default:
		if err := checkStreamRoom(p.natsStoreDir(), o.Env); err != nil {
			return nil, err
		}
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		p.markNATSLog()
		s, err := embedded.Start(p.embeddedOptions(port))
		if err != nil {
			return nil, err
		}
		p.Server, p.NATSURL = s, s.ClientURL()
	}
	p.common = append([]string{
		"NEWSFLOW_NATS_URL=" + p.NATSURL,
		"NEWSFLOW_LOG_FORMAT=json",
		"NEWSFLOW_SHUTDOWN_TIMEOUT=20s",
		"NEWSFLOW_SINK_DB=" + p.DB(),
		"NEWSFLOW_SINK_JSONL_DIR=" + p.JSONLDir(),
	}, o.Env...)
	if o.ClusterNodes > 1 {
		p.common = append(p.common, "NEWSFLOW_STREAM_REPLICAS="+strconv.Itoa(min(o.ClusterNodes, 3)))
	}
	return p, nil
}

// embeddedOptions are the embedded server's: its store and its own log in
// data/logs/nats.log (where a JetStream write error shows).
func (p *Pipeline) embeddedOptions(port int) embedded.Options {
	return embedded.Options{StoreDir: p.natsStoreDir(), Port: port, ServerName: "newsflow-embedded", LogFile: p.NATSLogPath()}
}

// DB is the sink's database spec: Options.DB, or the SQLite file DBPath.
func (p *Pipeline) DB() string {
	if p.o.DB != "" {
		return p.o.DB
	}
	return "sqlite:" + p.DBPath()
}

// redactDSN hides a password in a database spec for the summary.
func redactDSN(spec string) string {
	if u, err := url.Parse(spec); err == nil && u.User != nil {
		return u.Redacted()
	}
	return spec
}

// DBPath is the SQLite file the sink writes by default.
func (p *Pipeline) DBPath() string { return filepath.Join(p.o.DataDir, "newsflow.db") }

// JSONLDir is where the sink writes JSON lines.
func (p *Pipeline) JSONLDir() string { return filepath.Join(p.o.DataDir, "jsonl") }

// ShareCores returns env with GOMAXPROCS set for a process that shares the
// machine with the rest of the pipeline: the cores divided among the four
// services, at least one, unless env sets GOMAXPROCS already. Each Go
// runtime otherwise sizes itself to every core and, woken for each message,
// spins looking for work the other processes are doing: on two cores the
// pipeline spent a quarter more CPU per article at 250 articles/s, and its
// p99 went from 0.4 s to 1.4 s (README, pipeline benchmark). A pod with a
// CPU limit gets the same from the Go runtime, which reads the limit.
func ShareCores(env []string) []string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "GOMAXPROCS=") {
			return env
		}
	}
	return append(env, "GOMAXPROCS="+strconv.Itoa(CoreShare()))
}

// CoreShare is one process's share of the machine's cores when the four
// services run on it side by side: at least one.
func CoreShare() int { return max(1, runtime.NumCPU()/len(Services)) }

// LogPath is a service's log file.
func (p *Pipeline) LogPath(name string) string {
	return filepath.Join(p.o.DataDir, "logs", name+".log")
}

// Start starts one more replica of a service and returns it.
func (p *Pipeline) Start(name string, extraEnv []string, args ...string) (*Proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	idx := len(p.procs[name])
	p.mu.Unlock()
	pr := &Proc{Name: name, Index: idx, Addr: "127.0.0.1:" + strconv.Itoa(port), args: args,
		env: append(append([]string{}, p.common...), extraEnv...)}
	if err := p.spawn(pr); err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.procs[name] = append(p.procs[name], pr)
	p.mu.Unlock()
	return pr, nil
}

func (p *Pipeline) spawn(pr *Proc) error {
	logf, err := os.OpenFile(p.LogPath(pr.Name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("orchestrate: log file: %w", err)
	}
	cmd := exec.Command(filepath.Join(p.o.BinDir, pr.Name), pr.args...)
	cmd.Env = append(append(ShareCores(os.Environ()), pr.env...), "NEWSFLOW_HTTP_ADDR="+pr.Addr)
	pr.stdout.Reset()
	cmd.Stdout, cmd.Stderr = &pr.stdout, logf
	cmd.SysProcAttr = childAttr()
	pr.log = p.LogPath(pr.Name)
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("orchestrate: start %s: %w", pr.Name, err)
	}
	pr.cmd, pr.done, pr.err = cmd, make(chan struct{}), nil
	done := pr.done
	go func() { pr.err = cmd.Wait(); _ = logf.Close(); close(done) }()
	return nil
}

// Procs returns the replicas of a service (exited ones included).
func (p *Pipeline) Procs(name string) []*Proc {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*Proc(nil), p.procs[name]...)
}

// Kill sends SIGKILL to a replica and waits for it to die.
func (p *Pipeline) Kill(pr *Proc) {
	_ = syscall.Kill(-pr.cmd.Process.Pid, syscall.SIGKILL)
	<-pr.done
}

// Term sends SIGTERM and waits up to timeout; then SIGKILL.
func (p *Pipeline) Term(pr *Proc, timeout time.Duration) error {
	if pr.Exited() {
		return nil
	}
	_ = pr.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-pr.done:
		if pr.err != nil {
			return fmt.Errorf("%s[%d] exited: %w (see %s)", pr.Name, pr.Index, pr.err, p.LogPath(pr.Name))
		}
		return nil
	case <-time.After(timeout):
		p.Kill(pr)
		return fmt.Errorf("%s[%d] did not stop within %s and was killed", pr.Name, pr.Index, timeout)
	}
}

// Restart starts an exited replica again with the same arguments.
func (p *Pipeline) Restart(pr *Proc) error {
	if !pr.Exited() {
		return fmt.Errorf("orchestrate: %s[%d] is still running", pr.Name, pr.Index)
	}
	return p.spawn(pr)
}

// Scale runs n replicas of a consuming service: it starts or stops
// (SIGTERM, draining) replicas.
func (p *Pipeline) Scale(ctx context.Context, name string, n int) error {
	var live []*Proc
	for _, pr := range p.Procs(name) {
		if !pr.Exited() {
			live = append(live, pr)
		}
	}
	for len(live) < n {
		pr, err := p.Start(name, nil)
		if err != nil {
			return err
		}
		if err := WaitReady(ctx, pr, time.Minute); err != nil {
			return err
		}
		live = append(live, pr)
	}
	for len(live) > n {
		last := live[len(live)-1]
		if err := p.Term(last, 30*time.Second); err != nil {
			return err
		}
		live = live[:len(live)-1]
	}
	return nil
}

// StopAll stops every service, upstream first, so each stage drains what
// the one before it published, then NATS.
func (p *Pipeline) StopAll() error {
	var errs []error
	for _, name := range Services {
		for _, pr := range p.Procs(name) {
			if err := p.Term(pr, 30*time.Second); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Close stops embedded NATS.
func (p *Pipeline) Close() {
	if p.Server != nil {
		embedded.Stop(p.Server)
	}
	if p.Cluster != nil {
		p.Cluster.Shutdown()
	}
}

// JetStream connects to the pipeline's NATS; the caller closes nc.
func (p *Pipeline) JetStream() (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(p.NATSURL, nats.Name("newsflow-run"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, nil, fmt.Errorf("orchestrate: connect %s: %w", p.NATSURL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("orchestrate: jetstream: %w", err)
	}
	return nc, js, nil
}

// Backlog counts messages still in the hop streams. They are work queues,
// so a message leaves only once its stage acked (or dead-lettered) it.
func Backlog(ctx context.Context, js jetstream.JetStream) (map[string]uint64, uint64, error) {
	out := map[string]uint64{}
	var n uint64
	for _, h := range schema.Hops() {
		if h.Consumer == "" {
			continue
		}
		s, err := js.Stream(ctx, h.Stream)
		if err != nil {
			return nil, 0, fmt.Errorf("orchestrate: stream %s: %w", h.Stream, err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("orchestrate: stream %s: %w", h.Stream, err)
		}
		out[h.Consumer] = info.State.Msgs
		n += info.State.Msgs
	}
	return out, n, nil
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

// logTail returns the last n lines of a log file, indented, for an error
// that would otherwise only name the exit status.
func logTail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "  (" + err.Error() + ")"
	}
	defer f.Close()
	const window = 16 << 10
	var buf []byte
	if st, err := f.Stat(); err == nil && st.Size() > window {
		if _, err := f.Seek(st.Size()-window, io.SeekStart); err != nil {
			return "  (" + err.Error() + ")"
		}
	}
	buf, err = io.ReadAll(f)
	if err != nil {
		return "  (" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(buf), "\n"), "\n")
	lines = lines[max(0, len(lines)-n):]
	if len(lines) == 1 && lines[0] == "" {
		return "  (empty)"
	}
	return "  " + strings.Join(lines, "\n  ")
}

// WaitReady polls a replica's /readyz.
func WaitReady(ctx context.Context, p *Proc, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-p.done:
			return fmt.Errorf("orchestrate: %s exited during start-up: %v; the last lines of %s:\n%s", p.Name, p.err, p.log, logTail(p.log, 10))
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.Addr+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			why := NotReady(ctx, p)
			if why == "" {
				why = "no answer on " + p.Addr
			}
			return fmt.Errorf("orchestrate: %s not ready after %s: %s (see %s)", p.Name, timeout, why, p.log)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
