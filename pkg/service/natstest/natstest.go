// Package natstest gives tests a NATS server: an embedded one (always
// available, never port 4222) or the machine's real one, named by
// NEWSFLOW_TEST_NATS_URL, which fails the test with instructions when it is
// missing instead of skipping it.
package natstest

import (
	"context"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/embedded"
)

// RunJetStream starts an embedded server with JetStream for the test.
func RunJetStream(t testing.TB) *server.Server {
	t.Helper()
	s, err := embedded.Start(embedded.Options{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatalf("natstest: %v", err)
	}
	t.Cleanup(func() { embedded.Stop(s) })
	return s
}

// Connect connects a bus.Conn to url for the test.
func Connect(t testing.TB, url string) *bus.Conn {
	t.Helper()
	c, err := bus.Connect(context.Background(), config.NATS{URL: url, ConnectTO: 5 * time.Second}, t.Name(), zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("natstest: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// EnvRealNATS names the machine's real NATS server for compatibility tests.
const EnvRealNATS = "NEWSFLOW_TEST_NATS_URL"

var (
	realOnce sync.Once
	realErr  string
)

// RealURL returns the URL of the machine's real NATS server, or fails the
// test saying what is missing and how to start it.
func RealURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvRealNATS)
	realOnce.Do(func() {
		if u == "" {
			realErr = EnvRealNATS + " is not set. `make test` sets it to nats://127.0.0.1:4222; run the tests through make, or export it."
			return
		}
		pu, err := url.Parse(u)
		if err != nil {
			realErr = EnvRealNATS + "=" + u + " is not a URL: " + err.Error()
			return
		}
		conn, err := net.DialTimeout("tcp", pu.Host, 2*time.Second)
		if err != nil {
			realErr = "no NATS server at " + u + " (" + err.Error() + "). Start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server"
			return
		}
		_ = conn.Close()
	})
	if realErr != "" {
		t.Fatal("natstest: " + realErr)
	}
	return u
}
