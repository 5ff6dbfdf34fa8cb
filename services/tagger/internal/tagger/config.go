package tagger

import (
	"time"

	"github.com/newsflow/newsflow/pkg/service/config"
)

// Config is the tagger's configuration.
type Config struct {
	Common config.Common
	Worker config.Worker
	Topics []string
}

// Table returns the tagger's configuration table, bound to c.
func Table(c *Config) *config.Set {
	s := config.New("tagger")
	config.AddCommon(s, &c.Common, "127.0.0.1:8083")
	config.AddWorker(s, &c.Worker, 4, 32, 50*time.Millisecond)
	s.Strings(&c.Topics, "topics", "NEWSFLOW_TAGGER_TOPICS", nil, "Topic files (aliases, partners, gazetteer, negative patterns) used instead of the built-in ISIS/coalition topic; comma-separated.")
	return s
}
