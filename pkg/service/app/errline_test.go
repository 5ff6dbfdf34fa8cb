package app

import (
	"errors"
	"testing"
)

func TestErrorLine(t *testing.T) {
	for _, c := range []struct{ name, err, want string }{
		{"sink", "sink: no store configured: set NEWSFLOW_SINK_DB or NEWSFLOW_SINK_JSONL_DIR",
			"sink: no store configured: set NEWSFLOW_SINK_DB or NEWSFLOW_SINK_JSONL_DIR"},
		{"sink", "config: --db: bad value", "sink: config: --db: bad value"},
		{"sink", "sinker: other", "sink: sinker: other"},
		{"fetcher", "fetcher: unknown command \"x\"", "fetcher: unknown command \"x\""},
	} {
		if got := ErrorLine(c.name, errors.New(c.err)); got != c.want {
			t.Errorf("ErrorLine(%q, %q) = %q, want %q", c.name, c.err, got, c.want)
		}
	}
}
