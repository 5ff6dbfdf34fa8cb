// Command sink consumes tagged articles and stores them, idempotently, in
// SQLite or PostgreSQL and JSON lines. `sink export` and `sink claims` read
// the store.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/sink/internal/sink"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := sink.Main(ctx, app.Env{Args: os.Args[1:], Lookup: os.LookupEnv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sink:", err)
		os.Exit(1)
	}
}
