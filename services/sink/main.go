// Command sink consumes tagged articles and stores them, idempotently, in
// SQLite or PostgreSQL and JSON lines. `sink export` and `sink claims` read
// the store.
package main

import (
	"os"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/sink/internal/sink"
)

func main() {
	os.Exit(app.Command("sink", sink.Main))
}
