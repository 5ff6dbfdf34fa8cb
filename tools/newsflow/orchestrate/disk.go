package orchestrate

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/config"
)

// natsStoreDir is the embedded server's JetStream store.
func (p *Pipeline) natsStoreDir() string { return filepath.Join(p.o.DataDir, "nats") }

// NATSLogPath is the embedded server's own log.
func (p *Pipeline) NATSLogPath() string { return p.LogPath("nats") }

// freeBytes is the space left to unprivileged writers on dir's file system.
func freeBytes(dir string) (int64, error) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return 0, fmt.Errorf("orchestrate: free space of %s: %w", dir, err)
	}
	return int64(fs.Bavail) * int64(fs.Bsize), nil
}

// streamMaxBytes is NEWSFLOW_STREAM_MAX_BYTES as the services will read it:
// the run's own settings first, then the environment, then the default.
func streamMaxBytes(env []string) (int64, string, error) {
	v, ok := "", false
	for _, kv := range env {
		if s, found := strings.CutPrefix(kv, "NEWSFLOW_STREAM_MAX_BYTES="); found {
			v, ok = s, true
		}
	}
	if !ok {
		v, ok = os.LookupEnv("NEWSFLOW_STREAM_MAX_BYTES")
	}
	if !ok {
		return 1 << 30, "the default", nil
	}
	n, err := config.ParseBytes(v)
	if err != nil {
		return 0, "", fmt.Errorf("orchestrate: NEWSFLOW_STREAM_MAX_BYTES=%q: %w", v, err)
	}
	return n, "NEWSFLOW_STREAM_MAX_BYTES=" + v, nil
}

// checkStreamRoom refuses to start when the hop streams' byte limits do not
// fit the disk of the NATS store: JetStream reserves every stream's
// MaxBytes out of three quarters of the free space, and a stream that does
// not fit is refused, so the first service only exits during start-up.
func checkStreamRoom(storeDir string, env []string) error {
	per, from, err := streamMaxBytes(env)
	if err != nil || per <= 0 {
		return err
	}
	if err := os.MkdirAll(storeDir, 0o755); err != nil {
		return fmt.Errorf("orchestrate: NATS store: %w", err)
	}
	free, err := freeBytes(storeDir)
	if err != nil {
		return err
	}
	hops := 0
	for _, h := range schema.Hops() {
		if h.Stream != schema.StreamDeadLetter {
			hops++
		}
	}
	if need, room := int64(hops)*per, free/4*3; need > room {
		return fmt.Errorf("orchestrate: the %d hop streams may hold %s each (%s), %s in all, but NATS may use only %s of the %s free on %s: "+
			"set NEWSFLOW_STREAM_MAX_BYTES to at most %s, or free space there",
			hops, approxBytes(per), from, approxBytes(need), approxBytes(room), approxBytes(free), storeDir,
			config.FormatBytes(room/int64(hops)>>20<<20))
	}
	return nil
}

// minFreeToRestart is the free space at which a JetStream disabled by a
// full disk is started again.
const minFreeToRestart = 64 << 20

// jetStreamGrace is how long a run waits for space to come back after the
// embedded server disabled JetStream, before it gives up.
const jetStreamGrace = 2 * time.Minute

// checkJetStream looks after the embedded server's JetStream. After a
// write error on its store (a full disk) a stream refuses every publish,
// or the server disables JetStream, even once space is back. With room again, it
// restarts the server on the same port and store, which keeps everything
// acked, and the services reconnect; without, it returns an error saying
// what to do.
func (p *Pipeline) checkJetStream() (restarted bool, err error) {
	if p.Server == nil || p.Server.JetStreamEnabled() && !p.storeWriteFailed() {
		return false, nil
	}
	dir := p.natsStoreDir()
	free, ferr := freeBytes(dir)
	if ferr == nil && free >= minFreeToRestart {
		if err := p.RestartNATS(0); err != nil {
			return false, err
		}
		return true, nil
	}
	return false, fmt.Errorf("orchestrate: the embedded NATS server took a write error on its store %s (%s free; see %s): "+
		"free space there and the run carries on; nothing acked is lost", dir, approxBytes(free), p.NATSLogPath())
}

// storeWriteFailed reports whether the embedded server logged a write
// error on its store since it started: a stream that took one refuses
// every publish until the server restarts, even once space is back.
func (p *Pipeline) storeWriteFailed() bool {
	f, err := os.Open(p.NATSLogPath())
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() <= p.natsLogFrom {
		return false
	}
	if _, err := f.Seek(p.natsLogFrom, io.SeekStart); err != nil {
		return false
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Critical write error") || strings.Contains(sc.Text(), "critical write error") {
			return true
		}
	}
	return false
}

// markNATSLog notes where the embedded server's log ends, so that only
// what the (re)started server writes counts.
func (p *Pipeline) markNATSLog() {
	p.natsLogFrom = 0
	if st, err := os.Stat(p.NATSLogPath()); err == nil {
		p.natsLogFrom = st.Size()
	}
}

// approxBytes prints n for people: "1.5 GiB", "300 MiB".
func approxBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
