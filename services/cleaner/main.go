// Command cleaner consumes fetched pages, strips site chrome and publishes
// the cleaned article. `cleaner clean < page.html` runs the extractor on one
// page without NATS.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/cleaner/internal/cleaner"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cleaner.Main(ctx, app.Env{Args: os.Args[1:], Lookup: os.LookupEnv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cleaner:", err)
		os.Exit(1)
	}
}
