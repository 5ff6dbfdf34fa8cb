package chaos_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/tools/newsflow/cli"
)

// fetchedMessage is what the fetcher would publish for page html at u.
func fetchedMessage(t *testing.T, u, html string) (bus.Output, schema.ArticleFetchedV1) {
	t.Helper()
	id, canonical, err := schema.ArticleID(u)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	m := schema.ArticleFetchedV1{SchemaVersion: schema.Version, ID: id, URL: u, CanonicalURL: canonical,
		ContentHash: schema.ContentHash([]byte(html)),
		Response:    schema.Response{Status: 200, ContentType: "text/html; charset=utf-8", FetchedAt: now, Size: len(html)},
		Item:        schema.FeedItem{FeedURL: "http://feeds.example/world.xml", Link: u, Title: "A story"},
		Stages:      schema.Stages{FetchedAt: now}}
	if err := m.SetHTML([]byte(html)); err != nil {
		t.Fatal(err)
	}
	data, err := schema.EncodeFetched(m)
	if err != nil {
		t.Fatal(err)
	}
	return bus.Output{Subject: schema.SubjectArticleFetchedV1, Data: data, MsgID: schema.MsgID(schema.StageFetcher, id, m.ContentHash)}, m
}

// TestPoisonDeadLettered feeds the running stages messages that can never
// succeed: undecodable bytes, an unknown schema version, a missing field,
// a corrupt compressed body, a page with no article and a page over the
// cleaner's size limit, at each hop. Each must land in the dead-letter
// stream on its first delivery (no retry can fix it) with the stage, the
// error and the original payload, while the good articles around them are
// stored. Then `newsflow dlq ls`, `show` and `redrive` are run: the
// too-large page, re-driven after the cleaner's limit is raised, is
// stored.
func TestPoisonDeadLettered(t *testing.T) {
	r := newRun(t, runOpts{articles: 20, feeds: 1})
	r.start("sink")
	r.start("tagger")
	cleaner := r.start("cleaner", "NEWSFLOW_CLEANER_MAX_PAGE_BYTES=32KiB")

	conn, err := bus.Connect(context.Background(), config.NATS{URL: r.p.NATSURL, ConnectTO: 5 * time.Second}, "chaos-poison", zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	pub := bus.NewPublisher(conn, zaptest.NewLogger(t), nil)
	publish := func(out bus.Output) {
		t.Helper()
		if _, err := pub.Publish(context.Background(), out); err != nil {
			t.Fatal(err)
		}
	}

	big := r.site.Page(1)
	big = strings.Replace(big, "</div>\n</article>", strings.Repeat("<p>"+strings.Repeat("More detail on the offensive. ", 40)+"</p>\n", 60)+"</div>\n</article>", 1)
	bigOut, bigMsg := fetchedMessage(t, "http://news.example/2024/01/02/world/long-read.html", big)
	empty, _ := fetchedMessage(t, "http://news.example/2024/01/02/world/empty.html", "<html><body><nav><a href='/'>Home</a></nav></body></html>")
	corrupt, corruptMsg := fetchedMessage(t, "http://news.example/2024/01/02/world/corrupt.html", r.site.Page(2))
	corruptMsg.Body = []byte("this is not s2")
	corrupt.Data, _ = schema.EncodeFetched(corruptMsg)
	corrupt.MsgID += "-corrupt"
	v2 := strings.Replace(string(mustEncode(t, corruptMsg)), `"schema_version":"`+schema.Version+`"`, `"schema_version":"2.0"`, 1)
	if !strings.Contains(v2, `"schema_version":"2.0"`) {
		t.Fatal("the version-2 message kept its version")
	}
	poison := []struct {
		name    string
		out     bus.Output
		stage   string
		errLike string
	}{
		{"undecodable fetched", bus.Output{Subject: schema.SubjectArticleFetchedV1, Data: []byte("\x00\x01 not json"), MsgID: "p1"}, "cleaner", "not JSON"},
		{"unknown version fetched", bus.Output{Subject: schema.SubjectArticleFetchedV1, Data: []byte(v2), MsgID: "p2"}, "cleaner", "schema_version"},
		{"corrupt body", corrupt, "cleaner", "s2"},
		{"no article in the page", empty, "cleaner", "no article content"},
		{"page over the cleaner's limit", bigOut, "cleaner", "too large"},
		{"undecodable cleaned", bus.Output{Subject: schema.SubjectArticleCleanedV1, Data: []byte(`{"schema_version":`), MsgID: "p6"}, "tagger", "not JSON"},
		{"unknown version tagged", bus.Output{Subject: schema.SubjectArticleTaggedV1, Data: []byte(`{"schema_version":"9.1","id":"x"}`), MsgID: "p7"}, "sink", "schema_version"},
		{"tagged without an id", bus.Output{Subject: schema.SubjectArticleTaggedV1, Data: []byte(`{"schema_version":"1.0","url":"http://news.example/a"}`), MsgID: "p8"}, "sink", "id"},
	}
	// Poison first, then the good articles behind it: the stages must
	// get past the poison.
	for _, p := range poison {
		publish(p.out)
	}
	for i := 0; i < r.site.Articles; i++ {
		out, _ := fetchedMessage(t, r.site.ArticleURL(i), r.site.Page(i))
		publish(out)
	}
	r.waitFor("every good article stored and the poison dead-lettered", time.Minute, func() bool {
		return r.through("sink") >= uint64(r.site.Articles) && r.deadLetters() == uint64(len(poison))
	})

	ctx := context.Background()
	dls, err := bus.ListDeadLetters(ctx, conn.JS, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	byPayload := map[string]bus.DeadLetter{}
	for _, d := range dls {
		byPayload[string(d.Data)] = d
	}
	for _, p := range poison {
		d, ok := byPayload[string(p.out.Data)]
		switch {
		case !ok:
			t.Errorf("%s: no dead letter carries its payload", p.name)
		case d.Stage != p.stage || d.Reason != "permanent" || d.Subject != p.out.Subject:
			t.Errorf("%s: dead letter %+v, want stage %s, reason permanent, subject %s", p.name, d, p.stage, p.out.Subject)
		case d.Deliveries != 1:
			t.Errorf("%s: dead-lettered after %d deliveries, want 1 (no retry can fix it)", p.name, d.Deliveries)
		case !strings.Contains(d.Error, p.errLike):
			t.Errorf("%s: error %q does not mention %q", p.name, d.Error, p.errLike)
		}
	}

	// The operator's view: newsflow dlq ls and show.
	var out, errb bytes.Buffer
	if err := cli.Main(ctx, []string{"dlq", "ls", "--nats-url", r.p.NATSURL}, &out, &errb); err != nil {
		t.Fatalf("dlq ls: %v: %s", err, errb.String())
	}
	if rows := strings.Count(strings.TrimSpace(out.String()), "\n"); rows != len(poison) {
		t.Errorf("dlq ls printed %d rows, want %d:\n%s", rows, len(poison), out.String())
	}
	bigDL := byPayload[string(bigOut.Data)]
	out.Reset()
	if err := cli.Main(ctx, []string{"dlq", "show", strconv.FormatUint(bigDL.Seq, 10), "--nats-url", r.p.NATSURL}, &out, &errb); err != nil {
		t.Fatalf("dlq show: %v: %s", err, errb.String())
	}
	var shown struct {
		Stage   string                  `json:"stage"`
		Error   string                  `json:"error"`
		Payload schema.ArticleFetchedV1 `json:"payload"`
	}
	if err := json.Unmarshal(out.Bytes(), &shown); err != nil {
		t.Fatalf("dlq show output: %v\n%s", err, out.String())
	}
	if shown.Stage != "cleaner" || shown.Payload.ID != bigMsg.ID || !strings.Contains(shown.Error, "too large") {
		t.Errorf("dlq show: stage %q, payload id %q, error %q", shown.Stage, shown.Payload.ID, shown.Error)
	}

	// The fix: the cleaner's limit is raised. Re-driven, the page goes
	// through.
	if err := r.p.Term(cleaner, shutdownTimeout); err != nil {
		t.Fatal(err)
	}
	r.start("cleaner")
	out.Reset()
	if err := cli.Main(ctx, []string{"dlq", "redrive", strconv.FormatUint(bigDL.Seq, 10), "--nats-url", r.p.NATSURL}, &out, &errb); err != nil {
		t.Fatalf("dlq redrive: %v: %s", err, errb.String())
	}
	r.waitFor("the re-driven page stored", time.Minute, func() bool { return r.through("sink") >= uint64(r.site.Articles)+1 })
	r.waitDrained(time.Minute)
	if n := r.deadLetters(); n != uint64(len(poison)-1) {
		t.Errorf("%d dead letters after the redrive, want %d", n, len(poison)-1)
	}
	r.stopAll()
	stored := map[string]bool{}
	for _, a := range exported(t, r.p.DBPath()) {
		stored[a.ID] = true
	}
	want, err := r.site.IDs()
	if err != nil {
		t.Fatal(err)
	}
	for id := range want {
		if !stored[id] {
			t.Errorf("good article %s not stored", id)
		}
	}
	if !stored[bigMsg.ID] {
		t.Error("the re-driven page is not stored")
	}
	if len(stored) != len(want)+1 {
		t.Errorf("%d articles stored, want %d", len(stored), len(want)+1)
	}
}

func mustEncode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := schema.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
