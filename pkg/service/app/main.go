package app

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Command runs a service's Main with the process's arguments and standard
// streams, its context cancelled by SIGINT or SIGTERM, and returns the exit
// code: 0, or 1 after printing the error. Each service's main is
// `os.Exit(app.Command("cleaner", cleaner.Main))`.
func Command(name string, main func(context.Context, Env) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := main(ctx, Env{Args: os.Args[1:], Lookup: os.LookupEnv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	return 0
}
