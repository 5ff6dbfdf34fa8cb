package bus_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/embedded"
	"github.com/newsflow/newsflow/pkg/service/natstest"
)

// TestPublishInFlightIsRetriedAtReconnect: a publish whose request went
// out on a connection that is then lost gets no reply; it is retried on
// the new connection as soon as that is up, not after its attempt timeout.
func TestPublishInFlightIsRetriedAtReconnect(t *testing.T) {
	store := t.TempDir()
	s, err := embedded.Start(embedded.Options{StoreDir: store, Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	port := s.Addr().(*net.TCPAddr).Port
	defer func() { embedded.Stop(s) }()
	conn := natstest.Connect(t, s.ClientURL())
	const subject = "newsflow.test.stall"
	// A silent subscriber takes the first request and never answers, as a
	// server that dies after reading a publish does.
	silent, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{}, 1)
	if _, err := silent.Subscribe(subject, func(*nats.Msg) { got <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	_ = silent.Flush()

	pub := bus.NewPublisher(conn, zaptest.NewLogger(t), nil)
	pub.AttemptTimeout = 30 * time.Second
	done := make(chan time.Duration, 1)
	errc := make(chan error, 1)
	go func() {
		_, err := pub.Publish(context.Background(), bus.Output{Subject: subject, Data: []byte("x"), MsgID: "stall-1"})
		errc <- err
	}()
	<-got
	// Now a stream takes the subject, and the connection is lost: the
	// server restarts on its port and store.
	silent.Close()
	js, err := jetstream.New(conn.NC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: "STALL", Subjects: []string{subject}}); err != nil {
		t.Fatal(err)
	}
	embedded.Stop(s)
	restarted := time.Now()
	if s, err = embedded.Start(embedded.Options{StoreDir: store, Port: port}); err != nil {
		t.Fatal(err)
	}
	go func() { err := <-errc; done <- time.Since(restarted); errc <- err }()
	select {
	case d := <-done:
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		t.Logf("publish went through %s after the server came back (attempt timeout 30s)", d.Round(10*time.Millisecond))
		if d > 10*time.Second {
			t.Errorf("stalled %s after the reconnect", d)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("publish still stalled 20s after the server came back (attempt timeout 30s)")
	}
}
