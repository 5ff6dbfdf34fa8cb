// Command fetcher polls RSS, Atom and JSON feeds, fetches the article pages
// and publishes them. It can record what it fetches as WARC and replay a
// recording through the same client code.
package main

import (
	"os"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/fetcher/internal/fetcher"
)

func main() {
	os.Exit(app.Command("fetcher", fetcher.Main))
}
