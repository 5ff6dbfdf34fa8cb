// Command tagger consumes cleaned articles, tags their topic (ISIS and the
// anti-ISIS coalition by default), extracts claims and publishes the tagged
// article. `tagger tag < article` runs it on one input without NATS.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/tagger/internal/tagger"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := tagger.Main(ctx, app.Env{Args: os.Args[1:], Lookup: os.LookupEnv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tagger:", err)
		os.Exit(1)
	}
}
