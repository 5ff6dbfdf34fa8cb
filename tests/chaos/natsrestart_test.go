package chaos_test

import (
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// natsDown is how long NATS stays away: long enough for every service to
// see publishes, pulls and acks fail.
const natsDown = 2 * time.Second

// TestNATSRestart takes NATS away in the middle of a run, its JetStream
// store on disk, and brings it back on the same port: the services
// reconnect, publishers retry, unacked work is redelivered, and the sink
// ends with every article exactly once.
//
//   - shutdown: the embedded server is shut down and started again
//     (Pipeline.RestartNATS);
//   - sigkill: NATS runs as its own process (`newsflow nats`) and is
//     killed with SIGKILL, then started again on the same store.
func TestNATSRestart(t *testing.T) {
	t.Run("shutdown", func(t *testing.T) {
		r := newRun(t, runOpts{articles: articles, feeds: 10})
		r.startAll()
		r.waitFor("fetcher progress", 2*time.Minute, func() bool { return r.through("fetcher") >= 300 })
		fetched, stored := r.through("fetcher"), r.through("sink")
		if err := r.p.RestartNATS(natsDown); err != nil {
			t.Fatal(err)
		}
		r.logRecovery("shutdown", fetched, stored)
		r.waitDrained(3 * time.Minute)
		r.stopAll()
		r.checkExactlyOnce()
	})
	t.Run("sigkill", func(t *testing.T) {
		port := testkit.FreePort(t)
		dir := t.TempDir()
		nats := startNATSProcess(t, dir, port)
		r := newRun(t, runOpts{articles: articles, feeds: 10, natsURL: "nats://127.0.0.1:" + strconv.Itoa(port)})
		r.startAll()
		r.waitFor("fetcher progress", 2*time.Minute, func() bool { return r.through("fetcher") >= 300 })
		fetched, stored := r.through("fetcher"), r.through("sink")
		_ = syscall.Kill(nats.Process.Pid, syscall.SIGKILL)
		_ = nats.Wait()
		time.Sleep(natsDown)
		startNATSProcess(t, dir, port)
		r.logRecovery("SIGKILL", fetched, stored)
		r.waitDrained(3 * time.Minute)
		r.stopAll()
		r.checkExactlyOnce()
	})
}

// logRecovery waits for the sink to store again after NATS came back and
// logs how long that took.
func (r *run) logRecovery(how string, fetched, stored uint64) {
	r.t.Helper()
	back := time.Now()
	// The first figure after the restart: what the sink had acked when
	// NATS went away, as the store kept it.
	acked := r.through("sink")
	r.waitFor("the sink to store again", 30*time.Second, func() bool { return r.through("sink") > acked })
	resumed := time.Since(back)
	r.waitDrained(3 * time.Minute)
	stalls, longest := r.stallStats()
	r.t.Logf("NATS %s after %d fetched, %d stored, down %s: the sink stored again %s after NATS was back; "+
		"drained %s after the start; %d publishes stalled (longest %s); %d acks not sent (redelivered, de-duplicated)",
		how, fetched, stored, natsDown, resumed.Round(10*time.Millisecond), time.Since(r.began).Round(100*time.Millisecond),
		stalls, longest.Round(10*time.Millisecond), r.countLogs("Ack not sent; the message will be redelivered."))
}

// startNATSProcess runs `newsflow nats` with its store under dir and waits
// until it accepts connections; the test's cleanup kills it.
func startNATSProcess(t *testing.T, dir string, port int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "newsflow"), "nats", "--data", dir, "--port", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			_ = c.Close()
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("newsflow nats not listening on %d: %v", port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
