// Command tagger consumes cleaned articles, tags their topic (ISIS and the
// anti-ISIS coalition by default), extracts claims and publishes the tagged
// article. `tagger tag < article` runs it on one input without NATS.
package main

import (
	"os"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/tagger/internal/tagger"
)

func main() {
	os.Exit(app.Command("tagger", tagger.Main))
}
