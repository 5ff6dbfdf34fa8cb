package bus_test

import (
	"context"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/natstest"
)

// TestPublisherNotReadyWhilePublishesFail: readiness follows publishing,
// so /readyz stops answering ready while nothing gets out (a full or
// read-only NATS store) and is ready again once a publish goes through.
func TestPublisherNotReadyWhilePublishesFail(t *testing.T) {
	s := natstest.RunJetStream(t)
	e := newEnv(t, s.ClientURL())
	ctx := context.Background()
	if err := e.pub.Ready(ctx); err != nil {
		t.Fatalf("ready before any publish: %v", err)
	}
	// No stream takes this subject: every attempt fails, as on a full disk.
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := e.pub.Publish(short, bus.Output{Subject: "newsflow.test.nowhere", Data: []byte("x")}); err == nil {
		t.Fatal("publish to no stream succeeded")
	}
	if err := e.pub.Ready(ctx); err == nil {
		t.Error("ready while publishes fail")
	}
	if _, err := e.pub.Publish(ctx, bus.Output{Subject: schema.SubjectArticleFetchedV1, Data: []byte("x"), MsgID: "ready-1"}); err != nil {
		t.Fatal(err)
	}
	if err := e.pub.Ready(ctx); err != nil {
		t.Errorf("not ready after a publish went through: %v", err)
	}
}
