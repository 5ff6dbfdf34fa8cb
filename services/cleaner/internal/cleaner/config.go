package cleaner

import (
	"time"

	"github.com/newsflow/newsflow/pkg/service/config"
)

// Config is the cleaner's configuration.
type Config struct {
	Common   config.Common
	Worker   config.Worker
	MaxBytes int64
	Rules    string
}

// Table returns the cleaner's configuration table, bound to c.
func Table(c *Config) *config.Set {
	s := config.New("cleaner")
	config.AddCommon(s, &c.Common, "127.0.0.1:8082")
	config.AddWorker(s, &c.Worker, 4, 16, 50*time.Millisecond)
	s.Bytes(&c.MaxBytes, "max-page-bytes", "NEWSFLOW_CLEANER_MAX_PAGE_BYTES", 10<<20, "Largest page the cleaner parses; larger pages are dead-lettered.")
	s.String(&c.Rules, "rules", "NEWSFLOW_CLEANER_RULES", "", "Site rules file (per-domain keep/drop selectors), added to the built-in rules.")
	return s
}
