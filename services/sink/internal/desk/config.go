package desk

import (
	"time"

	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/services/sink/internal/desk/deskdb"
)

// Config is the desk's configuration: `sink serve` reads it.
type Config struct {
	// DB is the store to read, as the sink's NEWSFLOW_SINK_DB (or
	// jsonl:DIR for JSON lines).
	DB string
	// JSONLDir reads JSON lines files instead (as --db jsonl:DIR).
	JSONLDir string
	// Addr serves the page, the API, /healthz, /readyz and /metrics.
	Addr string
	// CatchUp brings the ledger up to date before serving.
	CatchUp bool
	Follow  deskdb.FollowOptions
	// LogLevel and LogFormat are the common NEWSFLOW_LOG_* settings.
	LogLevel, LogFormat string
	ShutdownTimeout     time.Duration
}

// Table returns the desk's configuration table, bound to c.
func Table(c *Config) *config.Set {
	s := config.New("desk")
	s.String(&c.DB, "db", "NEWSFLOW_DESK_DB", "sqlite:./data/newsflow.db", "Store to read: the sink's database (sqlite:PATH or postgres://...), or jsonl:DIR. A password in the URL is redacted in logs.")
	s.String(&c.JSONLDir, "jsonl-dir", "NEWSFLOW_DESK_JSONL_DIR", "", "Read JSON lines files from this directory instead of a database (the same as --db jsonl:DIR).")
	s.String(&c.Addr, "addr", "NEWSFLOW_DESK_ADDR", "127.0.0.1:8090", "Address of the desk page, the JSON API under /api/, /healthz, /readyz and /metrics.")
	s.Bool(&c.CatchUp, "catch-up", "NEWSFLOW_DESK_CATCH_UP", true, "Bring the ledger up to date with the stored articles before serving (databases only).")
	s.Duration(&c.Follow.Interval, "follow-interval", "NEWSFLOW_DESK_FOLLOW_INTERVAL", 2*time.Second, "Time between two looks for newly stored articles; 0 follows nothing.")
	s.Duration(&c.Follow.Lag, "follow-lag", "NEWSFLOW_DESK_FOLLOW_LAG", 2*time.Minute, "How far back each look reaches before the newest stored time it last saw (covers slow commits).")
	s.Duration(&c.Follow.Rescan, "rescan", "NEWSFLOW_DESK_RESCAN", 10*time.Minute, "Time between two full catch-ups, which find what the looks missed; 0 for none.")
	s.String(&c.LogLevel, "log-level", "NEWSFLOW_LOG_LEVEL", "info", "debug, info, warn or error.")
	s.String(&c.LogFormat, "log-format", "NEWSFLOW_LOG_FORMAT", "auto", "json, console, or auto (console on a terminal, else JSON).")
	s.Duration(&c.ShutdownTimeout, "shutdown-timeout", "NEWSFLOW_SHUTDOWN_TIMEOUT", 30*time.Second, "How long SIGTERM may take.")
	return s
}
