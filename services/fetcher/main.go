// Command fetcher polls RSS, Atom and JSON feeds, fetches the article pages
// and publishes them. It can record what it fetches as WARC and replay a
// recording through the same client code.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/fetcher/internal/fetcher"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := fetcher.Main(ctx, app.Env{Args: os.Args[1:], Lookup: os.LookupEnv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fetcher:", err)
		os.Exit(1)
	}
}
