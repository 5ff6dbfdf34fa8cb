// Command sink consumes tagged articles and stores them, idempotently, in
// SQLite or PostgreSQL and JSON lines (`sink run`, or no command). `sink
// serve` runs the claim desk as a process of its own; `sink claims`,
// `ledger`, `export` and `stats` read the store (`sink --help`).
package main

import (
	"os"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/sink/internal/sink"
)

func main() {
	os.Exit(app.Command("sink", sink.Main))
}
