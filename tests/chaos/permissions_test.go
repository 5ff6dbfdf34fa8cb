package chaos_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tools/newsflow/cli"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// permissionsServer starts a server configured with
// deploy/nats/permissions.conf and returns its address; the password of
// user u is "pw-" + u.
func permissionsServer(t *testing.T) string {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join(testkit.RepoRoot(t), "deploy", "nats", "permissions.conf"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "permissions.conf"), conf, 0o600); err != nil {
		t.Fatal(err)
	}
	port := testkit.FreePort(t)
	main := fmt.Sprintf("listen: 127.0.0.1:%d\njetstream { store_dir: %q }\ninclude \"permissions.conf\"\n", port, filepath.Join(dir, "js"))
	if err := os.WriteFile(filepath.Join(dir, "nats.conf"), []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"FETCHER", "CLEANER", "TAGGER", "SINK", "OPS"} {
		t.Setenv("NEWSFLOW_NATS_PASSWORD_"+u, "pw-"+strings.ToLower(u))
	}
	opts, err := server.ProcessConfigFile(filepath.Join(dir, "nats.conf"))
	if err != nil {
		t.Fatalf("deploy/nats/permissions.conf: %v", err)
	}
	opts.NoSigs, opts.NoLog = true, true
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return "127.0.0.1:" + strconv.Itoa(port)
}

// as connects as user u.
func as(t *testing.T, addr, u string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect("nats://"+addr, nats.UserInfo(u, "pw-"+u), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}))
	if err != nil {
		t.Fatalf("connect as %s: %v", u, err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// TestLeastPrivilege runs the pipeline against a server configured with
// deploy/nats/permissions.conf, each service as its own user: the articles
// flow and no service hits a permission violation. Then each user tries
// what it must not do (publish another stage's output, take another
// stage's messages, delete or purge streams, read other subjects) and is
// refused.
func TestLeastPrivilege(t *testing.T) {
	addr := permissionsServer(t)
	r := newRun(t, runOpts{articles: 100, feeds: 2, natsURL: "nats://ops:pw-ops@" + addr})
	for _, svc := range []string{"sink", "tagger", "cleaner", "fetcher"} {
		r.start(svc, "NEWSFLOW_NATS_URL=nats://"+addr, "NEWSFLOW_NATS_USER="+svc, "NEWSFLOW_NATS_PASSWORD=pw-"+svc)
	}
	r.waitDrained(2 * time.Minute)
	r.stopAll()
	r.checkExactlyOnce()
	for _, svc := range orchestrate.Services {
		b, err := os.ReadFile(r.p.LogPath(svc))
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(bytes.ToLower(b), []byte("permissions violation")); i >= 0 {
			line := b[bytes.LastIndexByte(b[:i], '\n')+1:]
			if j := bytes.IndexByte(line, '\n'); j >= 0 {
				line = line[:j]
			}
			t.Errorf("%s hit a permission violation: %s", svc, line)
		}
	}

	// The operator's tool works as ops.
	var out, errb bytes.Buffer
	if err := cli.Main(context.Background(), []string{"dlq", "ls", "--nats-url", "nats://ops:pw-ops@" + addr}, &out, &errb); err != nil {
		t.Errorf("dlq ls as ops: %v: %s", err, errb.String())
	}

	ctx := context.Background()
	_, cleaner := as(t, addr, "cleaner")
	_, sink := as(t, addr, "sink")
	_, fetcher := as(t, addr, "fetcher")
	tnc, _ := as(t, addr, "tagger")
	_, ops := as(t, addr, "ops")
	dlq, err := sink.Stream(ctx, schema.StreamDeadLetter)
	if err != nil {
		t.Fatalf("sink reads the dead-letter stream's info: %v", err)
	}
	tagged := r.streamInfo(schema.StreamTagged).State.LastSeq
	// A refused request gets no answer: each waits a second at most, all
	// at once.
	attempts := map[string]func(ctx context.Context) error{
		"cleaner publishes a tagged article": func(ctx context.Context) error {
			_, err := cleaner.Publish(ctx, schema.SubjectArticleTaggedV1, []byte(`{"schema_version":"1.0"}`))
			return err
		},
		"sink publishes a fetched page": func(ctx context.Context) error {
			_, err := sink.Publish(ctx, schema.SubjectArticleFetchedV1, []byte(`{"schema_version":"1.0"}`))
			return err
		},
		"fetcher writes another stage's dead letter": func(ctx context.Context) error {
			_, err := fetcher.Publish(ctx, schema.DeadLetterSubject("sink"), []byte("x"))
			return err
		},
		"cleaner binds the sink's consumer": func(ctx context.Context) error {
			_, err := cleaner.Consumer(ctx, schema.StreamTagged, schema.ConsumerSink)
			return err
		},
		"sink creates a consumer on the dead letters": func(ctx context.Context) error {
			_, err := sink.CreateOrUpdateConsumer(ctx, schema.StreamDeadLetter, jetstream.ConsumerConfig{Durable: "snoop"})
			return err
		},
		"cleaner deletes the fetched stream":    func(ctx context.Context) error { return cleaner.DeleteStream(ctx, schema.StreamFetched) },
		"sink purges the dead letters":          func(ctx context.Context) error { return dlq.Purge(ctx) },
		"fetcher deletes its seen-items bucket": func(ctx context.Context) error { return fetcher.DeleteKeyValue(ctx, schema.BucketSeenItems) },
		"ops deletes a stream":                  func(ctx context.Context) error { return ops.DeleteStream(ctx, schema.StreamTagged) },
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for what, try := range attempts {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			// Refused means unanswered: the server drops the request and
			// reports the violation to the connection.
			err := try(ctx)
			if !errors.Is(err, context.DeadlineExceeded) {
				mu.Lock()
				t.Errorf("%s: err = %v, want it refused (no answer)", what, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if now := r.streamInfo(schema.StreamTagged).State.LastSeq; now != tagged {
		t.Errorf("a refused publish reached the tagged stream (%d then %d)", tagged, now)
	}
	// A plain subscription to the data subjects: the server answers with
	// a permission error.
	perm := make(chan error, 1)
	tnc.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		select {
		case perm <- err:
		default:
		}
	})
	if _, err := tnc.SubscribeSync("newsflow.v1.>"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-perm:
		if !errors.Is(err, nats.ErrPermissionViolation) && !strings.Contains(strings.ToLower(err.Error()), "permissions violation") {
			t.Errorf("tagger snooping on newsflow.v1.>: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Error("tagger subscribed to newsflow.v1.> without a permission error")
	}
	for _, s := range schema.Hops() {
		if _, err := ops.Stream(ctx, s.Stream); err != nil {
			t.Errorf("stream %s gone after the refused attempts: %v", s.Stream, err)
		}
	}
}
