package sink

import (
	"time"

	"github.com/newsflow/newsflow/pkg/service/config"
)

// Config is the sink's configuration.
type Config struct {
	Common   config.Common
	Worker   config.Worker
	DB       string
	JSONLDir string
	FSync    string
}

// Table returns the sink's configuration table, bound to c.
func Table(c *Config) *config.Set {
	s := config.New("sink")
	config.AddCommon(s, &c.Common, "127.0.0.1:8084")
	config.AddWorker(s, &c.Worker, 1, 100, 100*time.Millisecond)
	s.String(&c.DB, "db", "NEWSFLOW_SINK_DB", "sqlite:./data/newsflow.db", "Database: sqlite:PATH (embedded) or postgres://user@host/db (production); empty for none. A password in the URL is redacted in logs.")
	s.String(&c.JSONLDir, "jsonl-dir", "NEWSFLOW_SINK_JSONL_DIR", "./data/jsonl", "Directory for JSON lines files (one per day); empty for none.")
	s.String(&c.FSync, "fsync", "NEWSFLOW_SINK_FSYNC", "batch", "JSON lines fsync policy: always, batch or never.")
	return s
}
