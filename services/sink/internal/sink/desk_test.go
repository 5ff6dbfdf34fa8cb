package sink

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/natstest"
	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/services/sink/internal/desk"
	"github.com/newsflow/newsflow/services/sink/internal/desk/deskdb"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger/ledgertest"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// TestIngestDoesNotWaitForTheDesk runs the ingest service with no desk:
// every article is stored and the ledger is not touched. Then the desk
// starts on the same database without a catch-up of its own, and its
// follower brings the ledger up to what a rebuild gives; an update stored
// while it runs is followed too.
func TestIngestDoesNotWaitForTheDesk(t *testing.T) {
	ns := natstest.RunJetStream(t)
	spec := "sqlite:" + filepath.Join(t.TempDir(), "newsflow.db")
	var cfg Config
	noEnv := func(string) (string, bool) { return "", false }
	opsAddr := fmt.Sprintf("127.0.0.1:%d", testkit.FreePort(t))
	args := []string{"--nats-url", ns.ClientURL(), "--nats-connect-timeout", "5s", "--db", spec, "--jsonl-dir", "",
		"--http-addr", opsAddr, "--shutdown-timeout", "10s"}
	if _, err := Table(&cfg).Parse(args, noEnv, io.Discard); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sinkDone := make(chan error, 1)
	go func() { sinkDone <- Run(ctx, cfg, zaptest.NewLogger(t)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-sinkDone; err != nil {
			t.Errorf("sink.Run: %v", err)
		}
	})
	conn := natstest.Connect(t, ns.ClientURL())
	waitUntil(t, 30*time.Second, "the sink declared its streams", func() bool {
		_, err := conn.JS.Stream(context.Background(), schema.StreamTagged)
		return err == nil
	})
	arts := append(ledgertest.Recording(t), ledgertest.Repeats(t)...)
	for _, a := range arts {
		publishOne(t, conn.JS, a)
	}

	st, err := store.Open(context.Background(), spec, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	waitUntil(t, 60*time.Second, "every article stored with no desk running", func() bool {
		s, err := st.Stats(context.Background())
		return err == nil && s.Articles == int64(len(arts))
	})
	// The ingest sink serves health and metrics, not the desk.
	for path, want := range map[string]int{"/healthz": http.StatusOK, "/": http.StatusNotFound, "/api/stats": http.StatusNotFound} {
		resp, err := http.Get("http://" + opsAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("the sink's GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	db, _ := store.DBOf(st)
	rows, err := db.Query(context.Background(), "SELECT count(*) FROM sqlite_master WHERE name LIKE 'ledger%'")
	if err != nil {
		t.Fatal(err)
	}
	var tables int
	for rows.Next() {
		if err := rows.Scan(&tables); err != nil {
			t.Fatal(err)
		}
	}
	rows.Close()
	if tables != 0 {
		t.Errorf("ingest made %d ledger tables: storing should not touch the desk's", tables)
	}

	// The desk starts late, with no catch-up at start: following alone
	// brings it up to date.
	pr, pw := io.Pipe()
	deskDone := make(chan error, 1)
	go func() {
		deskDone <- desk.Run(ctx, desk.Config{DB: spec, Addr: "127.0.0.1:0",
			Follow: deskdb.FollowOptions{Interval: 20 * time.Millisecond, Lag: time.Minute}}, zaptest.NewLogger(t), pw)
		_ = pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-deskDone; err != nil {
			t.Errorf("desk.Run: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("the desk printed no address: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	_, rest, _ := strings.Cut(line, "http://")
	base, _, _ := strings.Cut(rest, " ")
	base = "http://" + strings.TrimSuffix(base, "/")

	d, err := deskdb.Open(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	sameAsRebuild := func(as []schema.ArticleTaggedV1) func() bool {
		want := rebuilt(as)
		return func() bool {
			got, err := d.LedgerGroups(context.Background(), deskdb.LedgerFilter{WithMembers: true})
			return err == nil && jsonOf(got) == want
		}
	}
	waitUntil(t, 60*time.Second, "the desk caught up with what was stored", sameAsRebuild(arts))
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(page), "95 percent") {
		t.Errorf("the desk's page lacks the recurring 95 percent claim")
	}

	// An update stored while the desk runs: the Gulf Wire repeat now says
	// 96 percent.
	i := slices.IndexFunc(arts, func(a schema.ArticleTaggedV1) bool {
		return a.URL == "https://www.gulfwire.example/world/nato-coalition-meeting-territory-liberated"
	})
	if i < 0 {
		t.Fatal("repeat 01 missing from the fixture")
	}
	up := arts[i]
	up.ContentHash += "-v2"
	up.Stages.FetchedAt = up.Stages.FetchedAt.Add(time.Hour)
	up.Claims = slices.Clone(up.Claims)
	up.Claims[0].Quantities = slices.Clone(up.Claims[0].Quantities)
	v := 96.0
	up.Claims[0].Quantities[0].Value = &v
	publishOne(t, conn.JS, up)
	now := slices.Clone(arts)
	now[i] = up
	waitUntil(t, 60*time.Second, "the desk followed an update stored while it ran", sameAsRebuild(now))
}

// rebuilt is the ledger of as grouped from scratch, as JSON, in the
// desk's order.
func rebuilt(as []schema.ArticleTaggedV1) string {
	var es []ledger.Entry
	for i := range as {
		es = append(es, ledger.EntriesOf(&as[i])...)
	}
	gs := ledger.Regroup(es, ledger.DefaultOptions())
	slices.SortStableFunc(gs, func(a, b ledger.Group) int {
		if c := len(b.Outlets) - len(a.Outlets); c != 0 {
			return c
		}
		if c := b.Members - a.Members; c != 0 {
			return c
		}
		if c := b.First.Compare(a.First); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return jsonOf(gs)
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(err)
	}
	return string(b)
}

func publishOne(t *testing.T, js jetstream.JetStream, a schema.ArticleTaggedV1) {
	t.Helper()
	data, err := schema.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg := &nats.Msg{Subject: schema.SubjectArticleTaggedV1, Data: data}
	if _, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(schema.MsgID(schema.StageTagger, a.ID, a.ContentHash))); err != nil {
		t.Fatalf("publish %s: %v", a.ID, err)
	}
}

// waitUntil polls cond until it holds, failing the test after limit.
func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
