// Package app is what a newsflow service does at start and at stop, written
// once: parse its config table, build its logger, connect to NATS, declare
// the streams, serve health and metrics, run the stage, and on SIGTERM stop
// in an order that loses nothing (stop pulling, finish in-flight work, wait
// for publish acks, drain the connection, stop the ops server).
package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/logx"
	"github.com/newsflow/newsflow/pkg/service/ops"
)

// Env is what a command reads from its surroundings; tests pass their own.
type Env struct {
	Args   []string
	Lookup func(string) (string, bool)
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// ParseConfig parses args with the table. It returns handled=true when the
// command should exit 0 right away (-h, -config-dump).
func ParseConfig(set *config.Set, env Env) (rest []string, handled bool, err error) {
	// The usage goes to stdout when asked for (-h), else with the error
	// to stderr.
	var usage bytes.Buffer
	rest, err = set.Parse(env.Args, env.Lookup, &usage)
	if errors.Is(err, config.ErrHelp) {
		_, _ = usage.WriteTo(env.Stdout)
		return nil, true, nil
	}
	_, _ = usage.WriteTo(env.Stderr)
	if errors.Is(err, config.ErrDumped) {
		set.Dump(env.Stdout)
		return nil, true, nil
	}
	return rest, false, err
}

// Logger builds the service logger from the common settings.
func Logger(service string, c config.Common) (*zap.Logger, error) {
	return logx.New(service, c.LogLevel, c.LogFormat)
}

// Base is a started service: its NATS connection, ops server and metrics.
type Base struct {
	Name      string
	Common    config.Common
	Conn      *bus.Conn
	Ops       *ops.Server
	Metrics   *bus.Metrics
	Publisher *bus.Publisher
	Log       *zap.Logger
}

// Start connects to NATS, declares the streams and prepares the ops server
// (bound, not yet serving, so its address is known).
func Start(ctx context.Context, name string, c config.Common, log *zap.Logger) (*Base, error) {
	srv := ops.New(c.HTTPAddr, log)
	if c.Pprof {
		srv.EnablePprof()
	}
	if err := srv.Listen(); err != nil {
		return nil, err
	}
	conn, err := bus.Connect(ctx, c.NATS, "newsflow-"+name, log)
	if err != nil {
		return nil, err
	}
	if err := bus.EnsureStreams(ctx, conn.JS, c.Streams); err != nil {
		_ = conn.Close()
		return nil, err
	}
	srv.AddCheck("nats", conn.Ready)
	m := bus.NewMetrics(srv.Registry)
	pub := bus.NewPublisher(conn, log, m)
	srv.AddCheck("publish", pub.Ready)
	return &Base{Name: name, Common: c, Conn: conn, Ops: srv, Metrics: m, Publisher: pub, Log: log}, nil
}

// Worker returns a worker for the stage that consumes the named consumer's
// hop.
func (b *Base) Worker(consumer string, w config.Worker) (*bus.Worker, error) {
	hop, err := bus.HopFor(consumer)
	if err != nil {
		return nil, err
	}
	return &bus.Worker{Stage: b.Name, Hop: hop, Config: w, ShutdownTimeout: b.Common.ShutdownTimeout,
		Conn: b.Conn, Publisher: b.Publisher, Metrics: b.Metrics, Log: b.Log}, nil
}

// Run serves the ops endpoints and runs main until ctx is done and main has
// returned, then drains the NATS connection and stops the ops server.
func (b *Base) Run(ctx context.Context, main func(ctx context.Context) error) error {
	opsCtx, stopOps := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	var opsErr error
	wg.Add(1)
	go func() { defer wg.Done(); opsErr = b.Ops.Run(opsCtx) }()

	mainErr := main(ctx)
	if mainErr != nil && !errors.Is(mainErr, context.Canceled) {
		b.Log.Error("Stage stopped with an error.", zap.Error(mainErr))
	}
	closeErr := b.Conn.Close()
	stopOps()
	wg.Wait()
	if mainErr != nil && !errors.Is(mainErr, context.Canceled) {
		return fmt.Errorf("%s: %w", b.Name, mainErr)
	}
	if closeErr != nil {
		return closeErr
	}
	if opsErr != nil {
		return opsErr
	}
	b.Log.Info("Stopped cleanly.")
	return nil
}

// Stages lists the stages, for tools that walk the pipeline.
func Stages() []string {
	return []string{schema.StageFetcher, schema.StageCleaner, schema.StageTagger, schema.StageSink}
}
