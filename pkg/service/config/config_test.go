package config_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/config"
)

func table() (*config.Set, *config.Common, *config.Worker) {
	var c config.Common
	var w config.Worker
	s := config.New("test")
	config.AddCommon(s, &c, "127.0.0.1:9000")
	config.AddWorker(s, &w, 4, 16, 100*time.Millisecond)
	return s, &c, &w
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestPrecedence(t *testing.T) {
	t.Parallel()
	s, c, w := table()
	env := map[string]string{"NEWSFLOW_NATS_URL": "nats://env:4222", "NEWSFLOW_CONCURRENCY": "9", "NEWSFLOW_BACKOFF": "1s, 2s"}
	rest, err := s.Parse([]string{"--nats-url", "nats://flag:4222", "extra"}, lookup(env), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.NATS.URL != "nats://flag:4222" {
		t.Errorf("flag must win over env: %q", c.NATS.URL)
	}
	if w.Concurrency != 9 || w.Batch != 16 {
		t.Errorf("env then default: concurrency %d batch %d", w.Concurrency, w.Batch)
	}
	if len(w.Backoff) != 2 || w.Backoff[1] != 2*time.Second {
		t.Errorf("backoff list: %v", w.Backoff)
	}
	if len(rest) != 1 || rest[0] != "extra" {
		t.Errorf("rest = %v", rest)
	}
	if c.HTTPAddr != "127.0.0.1:9000" || c.ShutdownTimeout != 30*time.Second {
		t.Errorf("defaults: %q %v", c.HTTPAddr, c.ShutdownTimeout)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"NEWSFLOW_CONCURRENCY":      "many",
		"NEWSFLOW_ACK_WAIT":         "soon",
		"NEWSFLOW_STREAM_MAX_BYTES": "lots",
		"NEWSFLOW_STREAM_MEMORY":    "perhaps",
	}
	for k, v := range tests {
		s, _, _ := table()
		_, err := s.Parse(nil, lookup(map[string]string{k: v}), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: err = %v, want one naming the variable", k, v, err)
		}
	}
}

func TestSecretsRedactedAndFromFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, c, _ := table()
	var out bytes.Buffer
	_, err := s.Parse([]string{"-config-dump"}, lookup(map[string]string{
		"NEWSFLOW_NATS_TOKEN_FILE": path,
		"NEWSFLOW_NATS_URL":        "nats://user:hunter2@host:4222",
	}), &out)
	if !errors.Is(err, config.ErrDumped) {
		t.Fatalf("err = %v, want ErrDumped", err)
	}
	s.Dump(&out)
	if c.NATS.Token != "s3cret" {
		t.Errorf("token from file = %q", c.NATS.Token)
	}
	dump := out.String()
	if strings.Contains(dump, "s3cret") || strings.Contains(dump, "hunter2") {
		t.Errorf("dump leaks a secret:\n%s", dump)
	}
	if !strings.Contains(dump, "NEWSFLOW_NATS_TOKEN=<redacted>") || !strings.Contains(dump, "nats://user:<redacted>@host:4222") {
		t.Errorf("dump does not show redactions:\n%s", dump)
	}
	for k, v := range s.Map() {
		if strings.Contains(v, "s3cret") || strings.Contains(v, "hunter2") {
			t.Errorf("Map()[%s] leaks a secret", k)
		}
	}
}

func TestBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
	}{{"10MiB", 10 << 20}, {"512KiB", 512 << 10}, {"1GB", 1e9}, {"2048", 2048}}
	for _, tc := range tests {
		got, err := config.ParseBytes(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	if _, err := config.ParseBytes("-1"); err == nil {
		t.Error("negative size accepted")
	}
}

// TestMarkdownSplitsCommonFromOwn checks that a service's table holds its
// own settings and the common ones whose default it chooses, and the common
// table the rest, with "per service" where the default is the service's.
func TestMarkdownSplitsCommonFromOwn(t *testing.T) {
	var c config.Common
	var w config.Worker
	var own string
	s := config.New("x")
	config.AddCommon(s, &c, "127.0.0.1:9999")
	config.AddWorker(s, &w, 3, 7, time.Second)
	s.String(&own, "own", "NEWSFLOW_X_OWN", "", "Own setting.")
	md := s.Markdown()
	for _, want := range []string{"`NEWSFLOW_X_OWN`", "`NEWSFLOW_HTTP_ADDR` | `--http-addr` | `127.0.0.1:9999`", "`NEWSFLOW_BATCH` | `--batch` | `7`"} {
		if !strings.Contains(md, want) {
			t.Errorf("service table lacks %s:\n%s", want, md)
		}
	}
	for _, not := range []string{"NEWSFLOW_NATS_URL", "NEWSFLOW_MAX_ATTEMPTS"} {
		if strings.Contains(md, not) {
			t.Errorf("service table holds the common %s:\n%s", not, md)
		}
	}
	common := config.CommonMarkdown()
	for _, want := range []string{"`NEWSFLOW_NATS_URL` | `--nats-url` | `nats://127.0.0.1:4222` | every service", "`NEWSFLOW_HTTP_ADDR` | `--http-addr` | per service | every service", "`NEWSFLOW_MAX_ATTEMPTS` | `--max-attempts` | `5` | cleaner, tagger, sink"} {
		if !strings.Contains(common, want) {
			t.Errorf("common table lacks %s:\n%s", want, common)
		}
	}
}
