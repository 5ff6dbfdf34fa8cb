// Command newsflow runs the whole pipeline on one machine (`newsflow run`,
// what `make run` calls), an embedded NATS server on its own
// (`newsflow nats`), and dead-letter tools (`newsflow dlq`).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/tools/newsflow/cli"
)

func main() {
	app.TuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "newsflow:", err)
		// A wrong command line exits 2, as the services' binaries do.
		if errors.Is(err, app.ErrUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
