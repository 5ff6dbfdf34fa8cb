package cli_test

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
	"github.com/newsflow/newsflow/pkg/service/natstest"
	"github.com/newsflow/newsflow/tools/newsflow/cli"
)

// dlqEnv is an embedded server with the pipeline's streams and three dead
// letters: two from the cleaner, one from the sink.
type dlqEnv struct {
	url  string
	conn *bus.Conn
	seqs map[string]uint64 // by payload
}

func newDLQEnv(t *testing.T) *dlqEnv {
	t.Helper()
	s := natstest.RunJetStream(t)
	conn := natstest.Connect(t, s.ClientURL())
	ctx := context.Background()
	if err := bus.EnsureStreams(ctx, conn.JS, config.Streams{Replicas: 1, MaxBytes: 1 << 20, MaxMsgs: 1000,
		MaxAge: time.Hour, DuplicateWindow: time.Minute, DLQMaxAge: time.Hour}); err != nil {
		t.Fatal(err)
	}
	pub := bus.NewPublisher(conn, zaptest.NewLogger(t), nil)
	e := &dlqEnv{url: s.ClientURL(), conn: conn, seqs: map[string]uint64{}}
	for i, d := range []bus.DeadLetter{
		{Stage: schema.StageCleaner, Reason: "permanent", Error: "schema: ArticleFetchedV1: not JSON", Subject: schema.SubjectArticleFetchedV1,
			Stream: schema.StreamFetched, StreamSeq: 11, Deliveries: 1, Data: []byte("not json\x00")},
		{Stage: schema.StageCleaner, Reason: "max_attempts", Error: "clean: timeout\nsecond line", Subject: schema.SubjectArticleFetchedV1,
			Stream: schema.StreamFetched, StreamSeq: 12, Deliveries: 5, Data: []byte(`{"schema_version":"1.0","id":"abc"}`)},
		{Stage: schema.StageCleaner, Reason: "permanent", Error: "schema: body: is not valid s2", Subject: schema.SubjectArticleFetchedV1,
			Stream: schema.StreamFetched, StreamSeq: 13, Deliveries: 1, Data: []byte("{\"schema_version\":\"1.1\",\"id\":\"framed\"}\n\x00\x01\xff")},
		{Stage: schema.StageSink, Reason: "permanent", Error: "schema: unknown version", Subject: schema.SubjectArticleTaggedV1,
			Stream: schema.StreamTagged, StreamSeq: 3, Deliveries: 1, Data: []byte(`{"schema_version":"9.0"}`)},
	} {
		ack, err := pub.Publish(ctx, d.Output())
		if err != nil {
			t.Fatalf("dead letter %d: %v", i, err)
		}
		e.seqs[string(d.Data)] = ack.Sequence
	}
	return e
}

func (e *dlqEnv) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Main(context.Background(), append([]string{"dlq"}, append(args, "--nats-url", e.url)...), &out, &errb)
	return out.String(), err
}

func (e *dlqEnv) streamMsgs(t *testing.T, name string) uint64 {
	t.Helper()
	s, err := e.conn.JS.Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func TestDLQList(t *testing.T) {
	e := newDLQEnv(t)
	tests := []struct {
		name string
		args []string
		rows int
		want []string
	}{
		{name: "all", args: []string{"ls"}, rows: 4, want: []string{"cleaner", "sink", "permanent", "max_attempts", "clean: timeout second line"}},
		{name: "one stage", args: []string{"ls", "--stage", "sink"}, rows: 1, want: []string{"schema: unknown version"}},
		{name: "limit", args: []string{"ls", "--limit", "2"}, rows: 2, want: []string{"not JSON"}},
		{name: "a stage without dead letters", args: []string{"ls", "--stage", "tagger"}, rows: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.run(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if !strings.HasPrefix(lines[0], "SEQ") {
				t.Fatalf("no header:\n%s", out)
			}
			if got := len(lines) - 1; got != tc.rows {
				t.Errorf("%d rows, want %d:\n%s", got, tc.rows, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestDLQShow(t *testing.T) {
	e := newDLQEnv(t)
	t.Run("JSON payload", func(t *testing.T) {
		seq := e.seqs[`{"schema_version":"1.0","id":"abc"}`]
		out, err := e.run(t, "show", strconv.FormatUint(seq, 10))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Seq        uint64          `json:"seq"`
			Stage      string          `json:"stage"`
			Reason     string          `json:"reason"`
			Error      string          `json:"error"`
			Subject    string          `json:"subject"`
			StreamSeq  uint64          `json:"stream_seq"`
			Deliveries uint64          `json:"deliveries"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		if got.Seq != seq || got.Stage != "cleaner" || got.Reason != "max_attempts" || got.Deliveries != 5 ||
			got.StreamSeq != 12 || got.Subject != schema.SubjectArticleFetchedV1 || !strings.Contains(got.Error, "second line") {
			t.Errorf("show = %+v", got)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, got.Payload); err != nil || compact.String() != `{"schema_version":"1.0","id":"abc"}` {
			t.Errorf("payload = %s (%v)", got.Payload, err)
		}
	})
	t.Run("payload that is not JSON", func(t *testing.T) {
		out, err := e.run(t, "show", strconv.FormatUint(e.seqs["not json\x00"], 10))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Text string `json:"payload_text"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil || got.Text != "not json\x00" {
			t.Errorf("payload_text = %q, %v:\n%s", got.Text, err, out)
		}
	})
	t.Run("fetched article: JSON, then its page", func(t *testing.T) {
		out, err := e.run(t, "show", strconv.FormatUint(e.seqs["{\"schema_version\":\"1.1\",\"id\":\"framed\"}\n\x00\x01\xff"], 10))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Payload   json.RawMessage `json:"payload"`
			BodyBytes int             `json:"payload_body_bytes"`
			Text      string          `json:"payload_text"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, got.Payload); err != nil || compact.String() != `{"schema_version":"1.1","id":"framed"}` || got.BodyBytes != 3 || got.Text != "" {
			t.Errorf("show = %s", out)
		}
	})
	for _, tc := range []struct {
		name    string
		args    []string
		errLike string
	}{
		{"no sequence", []string{"show"}, "want one sequence number"},
		{"two sequences", []string{"show", "1", "2"}, "want one sequence number"},
		{"not a number", []string{"show", "abc"}, "not a sequence number"},
		{"no such dead letter", []string{"show", "999"}, "999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.run(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.errLike) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.errLike)
			}
		})
	}
}

func TestDLQRedrive(t *testing.T) {
	e := newDLQEnv(t)
	a, b := e.seqs["not json\x00"], e.seqs[`{"schema_version":"9.0"}`]
	out, err := e.run(t, "redrive", strconv.FormatUint(a, 10), strconv.FormatUint(b, 10))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "re-driven "+strconv.FormatUint(a, 10)) || !strings.Contains(out, "re-driven "+strconv.FormatUint(b, 10)) {
		t.Errorf("output:\n%s", out)
	}
	// Each payload is back on the subject it came from, and out of the
	// dead-letter stream.
	if n := e.streamMsgs(t, schema.StreamFetched); n != 1 {
		t.Errorf("fetched stream holds %d, want the re-driven message", n)
	}
	if n := e.streamMsgs(t, schema.StreamTagged); n != 1 {
		t.Errorf("tagged stream holds %d, want the re-driven message", n)
	}
	if n := e.streamMsgs(t, schema.StreamDeadLetter); n != 2 {
		t.Errorf("dead-letter stream holds %d, want 2 left", n)
	}
	s, err := e.conn.JS.Stream(context.Background(), schema.StreamFetched)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := s.GetMsg(context.Background(), info.State.LastSeq)
	if err != nil {
		t.Fatal(err)
	}
	if string(msg.Data) != "not json\x00" {
		t.Errorf("re-driven payload = %q", msg.Data)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		errLike string
	}{
		{"again", []string{"redrive", strconv.FormatUint(a, 10)}, strconv.FormatUint(a, 10)},
		{"nothing", []string{"redrive"}, "want sequence numbers"},
		{"not a number", []string{"redrive", "x"}, "not a sequence number"},
		{"unknown command", []string{"purge"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.run(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.errLike) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.errLike)
			}
		})
	}
}
