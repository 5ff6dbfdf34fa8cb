package bus_test

import (
	"context"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/natstest"
)

// TestStopEndsWithinTimeoutWhileHandlersAreStuck: with every handler
// stuck (as when each is publishing to an unreachable server) and more
// messages pulled, a stop still returns within the shutdown timeout, and
// nothing unfinished is acked.
func TestStopEndsWithinTimeoutWhileHandlersAreStuck(t *testing.T) {
	s := natstest.RunJetStream(t)
	e := newEnv(t, s.ClientURL())
	e.publish(8, "stuck")
	started := make(chan struct{}, 8)
	w := &bus.Worker{Config: testWorker(1, 4), ShutdownTimeout: time.Second,
		Process: func(ctx context.Context, m *bus.Message) ([]bus.Output, error) {
			started <- struct{}{}
			<-ctx.Done() // stuck until the worker gives up on it
			return nil, ctx.Err()
		}}
	w.Config.AckWait = 30 * time.Second
	stop := e.run(w)
	<-started
	time.Sleep(200 * time.Millisecond) // the loop now waits for a free slot
	stopAt := time.Now()
	errc := make(chan error, 1)
	go func() { errc <- stop() }()
	select {
	case <-errc:
	case <-time.After(5 * time.Second):
		t.Fatal("Run still running 5s after a stop with a 1s shutdown timeout")
	}
	if d := time.Since(stopAt); d > 1500*time.Millisecond {
		t.Errorf("stop took %s, shutdown timeout 1s", d)
	}
	if n := e.streamMsgs(schema.Hops()[0].Stream); n != 8 {
		t.Errorf("%d messages left in the stream, want all 8 (none finished, none acked)", n)
	}
}
