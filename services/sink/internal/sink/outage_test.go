package sink

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/natstest"
	"github.com/newsflow/newsflow/services/sink/internal/store"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// TestDatabaseOutageLosesNothing stops a real PostgreSQL under a running
// sink and starts it again: while it is down nothing is acked and /readyz
// is 503; once it is back /readyz is 200, the backlog drains, and every
// article is stored exactly once with exactly its claims.
//
// The server is a private one started from the machine's binaries, because
// the machine's own server is shared by tests running in parallel. The
// redelivery backoff and the ack wait are short so that the outage
// outlasts MaxAttempts deliveries and several ack waits, as an outage of
// minutes outlasts the defaults (1s,5s,30s,2m and 30s).
func TestDatabaseOutageLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: an outage test with a private PostgreSQL; make test runs it")
	}
	const (
		total     = 600                    // distinct articles
		replays   = 30                     // stored articles sent again during the outage
		revisions = 30                     // articles sent again with new content during the outage
		stopAt    = 150                    // rows stored when the database is stopped
		pace      = 3 * time.Millisecond   // between publishes: the sink is busy when the database stops
		hold      = 4 * time.Second        // outage kept after the last publish
		backoff0  = 250 * time.Millisecond // first redelivery delay
	)
	pg := startPostgres(t)
	ns := natstest.RunJetStream(t)
	opsAddr := freeAddr(t)
	cfg := outageConfig(t, ns.ClientURL(), pg.dsn()+"&pool_max_conns=4", opsAddr,
		"--batch", "25", "--batch-wait", "50ms", "--max-attempts", "5", "--backoff", "250ms,500ms,1s", "--ack-wait", "2s")
	sinkLog := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	runSink(t, cfg, sinkLog)
	waitFor(t, "the sink to be ready", 30*time.Second, func() (bool, string) { return readyz(opsAddr) })

	ctx := context.Background()
	conn := natstest.Connect(t, ns.ClientURL())
	db := pgConn(t, pg.dsn())

	arts := storetest.Articles(11, total)
	var later []schema.ArticleTaggedV1 // sent during the outage
	for i := range replays {
		later = append(later, arts[i])
	}
	want := make(map[string]schema.ArticleTaggedV1, total)
	for _, a := range arts {
		want[a.ID] = a
	}
	for i := replays; i < replays+revisions; i++ {
		r := storetest.Revise(arts[i], 11, i, 1)
		later = append(later, r)
		want[r.ID] = r
	}

	// Publish at a steady pace; stop the database once stopAt rows are in.
	pubErr := make(chan error, 1)
	var published atomic.Int64
	pubStart := time.Now()
	go func() {
		for _, a := range arts {
			if err := publishTagged(ctx, conn.JS, a, ""); err != nil {
				pubErr <- err
				return
			}
			published.Add(1)
			time.Sleep(pace)
		}
		pubErr <- nil
	}()
	waitFor(t, fmt.Sprintf("%d rows before the outage", stopAt), 30*time.Second, func() (bool, string) {
		n, err := countRows(db, "articles")
		return err == nil && n >= stopAt, fmt.Sprintf("%d rows, %v", n, err)
	})
	rowsAtStop, _ := countRows(db, "articles")
	pubAtStop := published.Load()
	// How fast this machine stored before the outage, to scale the drain's
	// deadline to the work rather than fix it.
	perRow := time.Since(pubStart) / time.Duration(max(rowsAtStop, 1))
	_ = db.Close(ctx)
	stopStart := time.Now()
	pg.stop()
	downAt := time.Now()
	t.Logf("database stopped in %s with %d of %d articles published and about %d stored",
		downAt.Sub(stopStart).Round(time.Millisecond), pubAtStop, total, rowsAtStop)
	if pubAtStop >= total {
		t.Errorf("the publisher had finished when the database stopped: the outage did not hit a run in progress")
	}

	notReady := waitFor(t, "/readyz to turn 503", 10*time.Second, func() (bool, string) {
		ok, body := readyz(opsAddr)
		return !ok, body
	})
	t.Logf("/readyz turned 503 %s after the database stopped", notReady.Round(time.Millisecond))
	if err := <-pubErr; err != nil {
		t.Fatal(err)
	}
	for _, a := range later {
		if err := publishTagged(ctx, conn.JS, a, "outage-"); err != nil {
			t.Fatal(err)
		}
	}
	sent := total + len(later)

	// Acks of batches committed before the stop were confirmed long ago;
	// from now on the stream must keep every message.
	tagged := streamOf(t, conn.JS, schema.StreamTagged)
	dlq := streamOf(t, conn.JS, schema.StreamDeadLetter)
	backlog := streamMsgs(t, tagged)
	retriesBefore := sinkRetries(t, opsAddr)
	if backlog < uint64(len(later)) || backlog > uint64(sent) {
		t.Fatalf("backlog at the start of the outage = %d, want between %d and %d", backlog, len(later), sent)
	}
	for end := time.Now().Add(hold); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		n, dead := streamMsgs(t, tagged), streamMsgs(t, dlq)
		if dead != 0 {
			t.Fatalf("the database is down and %d messages were dead-lettered (%s went from %d to %d): an outage longer than MaxAttempts deliveries takes them out of the pipeline",
				dead, schema.StreamTagged, backlog, n)
		}
		if n != backlog {
			t.Fatalf("the database is down, yet %s went from %d to %d messages: something was acked", schema.StreamTagged, backlog, n)
		}
		if ok, body := readyz(opsAddr); ok {
			t.Fatalf("/readyz is ready with the database down: %s", body)
		}
	}
	retries := sinkRetries(t, opsAddr) - retriesBefore
	ci, err := conn.JS.Consumer(ctx, schema.StreamTagged, schema.ConsumerSink)
	if err != nil {
		t.Fatal(err)
	}
	info, err := ci.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Backoff, not a hot loop: no message is retried more often than every
	// backoff0 (a hot loop would make thousands of attempts a second).
	if limit := float64(backlog) * (float64(hold/backoff0) + 1); retries > limit {
		t.Errorf("%.0f retries in %s for %d messages, more than %.0f: no backoff while the database is down", retries, hold, backlog, limit)
	}

	restartAt := time.Now()
	pg.start()
	upAt := time.Now()
	outage := upAt.Sub(downAt)
	ready := waitFor(t, "/readyz to turn 200 again", 30*time.Second, func() (bool, string) { return readyz(opsAddr) })
	// The drain waits while the backlog shrinks: it gives up when nothing
	// was stored for stall, or after a deadline scaled to the work (ten
	// times the backlog at the rate seen before the outage, a minute at
	// least), so a loaded machine is slow but not failed.
	const stall = 30 * time.Second
	limit := max(time.Minute, 10*time.Duration(backlog)*perRow)
	waitDrained(t, "the backlog to drain", stall, limit, func() uint64 { return streamMsgs(t, tagged) })
	drained := time.Since(upAt)
	t.Logf("database down for %s (held %s after the last publish; backlog %d messages, %d of them delivered and unacked, "+
		"%d redelivered, %.0f naked for retry); restarted in %s; then /readyz 200 after %s, backlog drained after %s (deadline %s)",
		outage.Round(time.Millisecond), hold, backlog, info.NumAckPending, info.NumRedelivered, retries, upAt.Sub(restartAt).Round(time.Millisecond),
		ready.Round(time.Millisecond), drained.Round(time.Millisecond), limit.Round(time.Millisecond))

	if n := streamMsgs(t, dlq); n != 0 {
		t.Errorf("%d messages dead-lettered, want none", n)
	}
	checkRows(t, pg.dsn(), want)
}

// checkRows counts the stored rows and compares every article's claims
// with what was sent.
func checkRows(t *testing.T, dsn string, want map[string]schema.ArticleTaggedV1) {
	t.Helper()
	ctx := context.Background()
	db := pgConn(t, dsn)
	var n, distinct int
	if err := db.QueryRow(ctx, `SELECT count(*), count(DISTINCT id) FROM articles`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != len(want) || distinct != len(want) {
		t.Errorf("articles: %d rows, %d distinct ids; want %d of each", n, distinct, len(want))
	}
	var wantClaims, wantQuantities, wantPlaces, wantTags int
	for _, a := range want {
		wantClaims += len(a.Claims)
		wantTags += len(a.Tags)
		for _, c := range a.Claims {
			wantQuantities += len(c.Quantities)
			wantPlaces += len(c.Places)
		}
	}
	for table, w := range map[string]int{"claims": wantClaims, "quantities": wantQuantities, "claim_places": wantPlaces, "tags": wantTags} {
		if got, err := countRows(db, table); err != nil || got != w {
			t.Errorf("%s: %d rows (%v), want %d", table, got, err, w)
		}
	}

	st, err := store.Open(ctx, dsn+"&search_indexer=off", zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	rows, err := st.Claims(ctx, store.ClaimFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]schema.Claim{}
	for _, r := range rows {
		got[r.ArticleID] = append(got[r.ArticleID], r.Claim)
	}
	seen := map[string]bool{}
	if err := st.Export(ctx, store.ExportFilter{}, func(a schema.ArticleTaggedV1) error {
		if seen[a.ID] {
			return fmt.Errorf("article %s exported twice", a.ID)
		}
		seen[a.ID] = true
		w, ok := want[a.ID]
		switch {
		case !ok:
			return fmt.Errorf("article %s was never sent", a.ID)
		case a.ContentHash != w.ContentHash:
			return fmt.Errorf("article %s: content hash %s, want %s (the latest version)", a.ID, a.ContentHash, w.ContentHash)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
	bad := 0
	for id, a := range want {
		if !seen[id] {
			t.Errorf("article %s is missing", id)
		}
		if g, w := jsonString(t, got[id]), jsonString(t, a.Claims); g != w {
			if bad++; bad <= 3 {
				t.Errorf("article %s claims:\n got %.300s\nwant %.300s", id, g, w)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d articles have claims other than those sent", bad, len(want))
	}
}

// outageConfig parses the sink's table for the test: no JSON lines, the
// given NATS server, database and ops address, then extra flags.
func outageConfig(t *testing.T, natsURL, dsn, opsAddr string, extra ...string) Config {
	t.Helper()
	var cfg Config
	args := []string{"--nats-url", natsURL, "--nats-connect-timeout", "5s", "--db", dsn, "--jsonl-dir", "",
		"--http-addr", opsAddr, "--shutdown-timeout", "10s"}
	noEnv := func(string) (string, bool) { return "", false }
	if _, err := Table(&cfg).Parse(append(args, extra...), noEnv, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// runSink runs the service until the test ends, then checks that it
// stopped cleanly.
func runSink(t *testing.T, cfg Config, log *zap.Logger) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sink.Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("sink.Run did not return 30s after its context ended")
		}
	})
}

// publishTagged publishes a with the tagger's Nats-Msg-Id, prefixed so
// that a deliberate resend is not de-duplicated by JetStream.
func publishTagged(ctx context.Context, js jetstream.JetStream, a schema.ArticleTaggedV1, prefix string) error {
	data, err := schema.Encode(a)
	if err != nil {
		return err
	}
	msg := &nats.Msg{Subject: schema.SubjectArticleTaggedV1, Data: data}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := js.PublishMsg(pctx, msg, jetstream.WithMsgID(prefix+schema.MsgID(schema.StageTagger, a.ID, a.ContentHash))); err != nil {
		return fmt.Errorf("publish %s: %w", a.ID, err)
	}
	return nil
}

func streamOf(t *testing.T, js jetstream.JetStream, name string) jetstream.Stream {
	t.Helper()
	s, err := js.Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func streamMsgs(t *testing.T, s jetstream.Stream) uint64 {
	t.Helper()
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// waitFor polls cond until it holds and returns how long that took.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	var last string
	for time.Since(start) < timeout {
		var ok bool
		if ok, last = cond(); ok {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("gave up after %s waiting for %s (last: %s)", timeout, what, last)
	return 0
}

// waitDrained polls left() until it is 0. It fails when left() has not
// fallen for stall, or when limit has passed, and returns how long it
// took.
func waitDrained(t *testing.T, what string, stall, limit time.Duration, left func() uint64) time.Duration {
	t.Helper()
	start := time.Now()
	low, lowAt := left(), start
	for low > 0 {
		now := time.Now()
		switch {
		case now.Sub(lowAt) > stall:
			t.Fatalf("waiting for %s: stuck at %d messages for %s", what, low, stall)
		case now.Sub(start) > limit:
			t.Fatalf("waiting for %s: %d messages left after %s, the deadline for this backlog", what, low, limit)
		}
		time.Sleep(20 * time.Millisecond)
		if n := left(); n < low {
			low, lowAt = n, time.Now()
		}
	}
	return time.Since(start)
}

// readyz reports whether /readyz answers 200, with its body.
func readyz(addr string) (bool, string) {
	code, body, err := httpGet(addr, "/readyz")
	if err != nil {
		return false, err.Error()
	}
	return code == http.StatusOK, strings.TrimSpace(body)
}

func httpGet(addr, path string) (int, string, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// sinkRetries reads how many messages the sink has naked for a retry.
func sinkRetries(t *testing.T, addr string) float64 {
	t.Helper()
	code, body, err := httpGet(addr, "/metrics")
	if err != nil || code != http.StatusOK {
		t.Fatalf("/metrics: %d %v", code, err)
	}
	var n float64
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "newsflow_messages_total{") && strings.Contains(line, `result="retry"`) && strings.Contains(line, `stage="sink"`) {
			v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			if err != nil {
				t.Fatalf("/metrics: %q: %v", line, err)
			}
			n += v
		}
	}
	return n
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func pgConn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func countRows(db *pgx.Conn, table string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var n int
	err := db.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n)
	return n, err
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// pgServer is a PostgreSQL server of the test's own, run from the
// machine's binaries in a temporary directory, that the test may stop and
// start on the same port and data directory.
type pgServer struct {
	t    *testing.T
	bin  string
	root string // owned by the server's user: data directory, socket, log
	port int
	cred *syscall.Credential // nil: run as ourselves

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

const installPostgres = "install the server with `apt-get install postgresql` (it provides /usr/lib/postgresql/<version>/bin/initdb and postgres, and the postgres user)"

// startPostgres initialises a cluster and starts it, or fails the test
// saying what to install.
func startPostgres(t *testing.T) *pgServer {
	t.Helper()
	s := &pgServer{t: t, bin: postgresBin(t)}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("outage test: running as root needs the postgres user to run the server (%v): %s", err, installPostgres)
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	// Not t.TempDir: its parents are private to root, and the server's
	// user must reach its own directory. The name stays short for the
	// socket path.
	root, err := os.MkdirTemp("", "nfpg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	if s.cred != nil {
		if err := os.Chown(root, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	s.root = root
	port, err := strconv.Atoi(strings.TrimPrefix(freeAddr(t), "127.0.0.1:"))
	if err != nil {
		t.Fatal(err)
	}
	s.port = port

	initdb := exec.Command(filepath.Join(s.bin, "initdb"), "-D", s.dataDir(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = root
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("outage test: initdb: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			if b, err := os.ReadFile(s.logPath()); err == nil {
				t.Logf("private PostgreSQL log (last 3000 bytes):\n%s", b[max(0, len(b)-3000):])
			}
		}
	})
	s.start()
	return s
}

// postgresBin returns the newest /usr/lib/postgresql/<version>/bin that
// has both initdb and postgres.
func postgresBin(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int { return int(version(b)*100 - version(a)*100) })
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d
		}
	}
	t.Fatalf("outage test: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: %s", installPostgres)
	return ""
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func (s *pgServer) dataDir() string { return filepath.Join(s.root, "data") }
func (s *pgServer) logPath() string { return filepath.Join(s.root, "postgres.log") }

func (s *pgServer) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// start runs postgres on the cluster and waits until it takes queries.
func (s *pgServer) start() {
	t := s.t
	t.Helper()
	logf, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = logf.Close() }() // the server keeps its own copy
	// fsync=off: the test stops the server cleanly, never the machine.
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", s.dataDir(), "-p", strconv.Itoa(s.port), "-k", s.root,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=30")
	cmd.Dir = s.root
	cmd.Stdout, cmd.Stderr = logf, logf
	// Pdeathsig: a test binary killed by -timeout takes its server along.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		t.Fatalf("outage test: start postgres: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-done:
			t.Fatalf("outage test: postgres exited at start (%v); see its log below", cmd.ProcessState)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, s.dsn())
		if err == nil {
			_ = c.Close(ctx)
			cancel()
			return
		}
		cancel()
		if time.Now().After(deadline) {
			t.Fatalf("outage test: postgres does not answer on port %d after 30s: %v", s.port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop shuts the server down fast (SIGINT: sessions are cut, a checkpoint
// is written) and waits for it to exit.
func (s *pgServer) stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		s.t.Errorf("outage test: postgres took more than 30s to stop; killed")
	}
}
