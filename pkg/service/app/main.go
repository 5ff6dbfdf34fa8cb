package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// DefaultGOGC is the garbage collector's target when GOGC is not set. A
// stage allocates a page's worth of short-lived garbage per message over a
// live heap of a few MiB, so Go's default of 100 collects every few
// messages; at 400 the pipeline spends about a fifth less CPU for some tens
// of MiB more per process (see README, pipeline benchmark). GOGC and
// GOMEMLIMIT in the environment still decide when set.
const DefaultGOGC = 400

// TuneGC sets the garbage collector's target to DefaultGOGC unless GOGC is
// set. Command calls it; other mains (the newsflow tool, whose embedded
// NATS server sees the same churn) call it first thing.
func TuneGC() {
	if p := gcPercent(os.LookupEnv); p > 0 {
		debug.SetGCPercent(p)
	}
}

// gcPercent is the GC target to set, or -1 to leave Go's own.
func gcPercent(lookup func(string) (string, bool)) int {
	if _, set := lookup("GOGC"); set {
		return -1
	}
	return DefaultGOGC
}

// Command runs a service's Main with the process's arguments and standard
// streams, its context cancelled by SIGINT or SIGTERM, and returns the exit
// code: 0, 2 for a wrong command line (ErrUsage), or 1 after printing
// the error. Each service's main is
// `os.Exit(app.Command("cleaner", cleaner.Main))`.
func Command(name string, main func(context.Context, Env) error) int {
	TuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := main(ctx, Env{Args: os.Args[1:], Lookup: os.LookupEnv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	if errors.Is(err, ErrUsage) {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 2
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, ErrorLine(name, err))
		return 1
	}
	return 0
}
