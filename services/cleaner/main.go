// Command cleaner consumes fetched pages, strips site chrome and publishes
// the cleaned article. `cleaner clean < page.html` runs the extractor on one
// page without NATS.
package main

import (
	"os"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/cleaner/internal/cleaner"
)

func main() {
	os.Exit(app.Command("cleaner", cleaner.Main))
}
