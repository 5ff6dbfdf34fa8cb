package bus

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/service/config"
)

// Conn is a NATS connection with its JetStream context.
type Conn struct {
	NC *nats.Conn
	JS jetstream.JetStream

	mu sync.Mutex
	// reconnect is closed at the next reconnect (then replaced), so that a
	// publish whose request went out on the lost connection is retried on
	// the new one at once instead of waiting out its attempt timeout.
	reconnect chan struct{}
}

// reconnected returns a channel closed at the next reconnect (nil, which
// never fires, for a Conn not made by Connect).
func (c *Conn) reconnected() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reconnect
}

func (c *Conn) signalReconnect() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reconnect != nil {
		close(c.reconnect)
	}
	c.reconnect = make(chan struct{})
}

// Connect dials NATS as name. It keeps trying the first connection for
// cfg.ConnectTO (the server may start after us) and reconnects forever.
func Connect(ctx context.Context, cfg config.NATS, name string, log *zap.Logger) (*Conn, error) {
	c := &Conn{reconnect: make(chan struct{})}
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("NATS disconnected.", zap.Error(err))
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("NATS reconnected.", zap.String("url", nc.ConnectedUrlRedacted()))
			c.signalReconnect()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subj := ""
			if sub != nil {
				subj = sub.Subject
			}
			log.Warn("NATS async error.", zap.String("subject", subj), zap.Error(err))
		}),
	}
	if cfg.Creds != "" {
		opts = append(opts, nats.UserCredentials(cfg.Creds))
	}
	if cfg.NKeySeed != "" {
		opt, err := nats.NkeyOptionFromSeed(cfg.NKeySeed)
		if err != nil {
			return nil, fmt.Errorf("bus: nkey seed %s: %w", cfg.NKeySeed, err)
		}
		opts = append(opts, opt)
	}
	if cfg.Token != "" {
		opts = append(opts, nats.Token(cfg.Token))
	}
	if cfg.User != "" {
		opts = append(opts, nats.UserInfo(cfg.User, cfg.Password))
	}
	if cfg.TLSCA != "" {
		opts = append(opts, nats.RootCAs(cfg.TLSCA))
	}
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		opts = append(opts, nats.ClientCert(cfg.TLSCert, cfg.TLSKey))
	}
	deadline := time.Now().Add(cfg.ConnectTO)
	for attempt := 1; ; attempt++ {
		nc, err := nats.Connect(cfg.URL, opts...)
		if err == nil {
			js, err := jetstream.New(nc)
			if err != nil {
				nc.Close()
				return nil, fmt.Errorf("bus: jetstream: %w", err)
			}
			log.Info("Connected to NATS.", zap.String("url", nc.ConnectedUrlRedacted()), zap.String("server_version", nc.ConnectedServerVersion()))
			c.NC, c.JS = nc, js
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("bus: connect %s (after %d attempts): %w", config.RedactURL(cfg.URL), attempt, err)
		}
		log.Info("NATS not reachable yet, retrying.", zap.String("url", config.RedactURL(cfg.URL)), zap.Error(err))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("bus: connect: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Ready is a readiness check: the connection is up.
func (c *Conn) Ready(context.Context) error {
	if !c.NC.IsConnected() {
		return fmt.Errorf("bus: not connected (%s)", c.NC.Status())
	}
	return nil
}

// Close drains the connection: pending publishes and subscriptions finish.
func (c *Conn) Close() error {
	if c == nil || c.NC == nil || c.NC.IsClosed() {
		return nil
	}
	if err := c.NC.Drain(); err != nil {
		c.NC.Close()
		return fmt.Errorf("bus: drain: %w", err)
	}
	// Drain is asynchronous; wait for it so the process does not exit early.
	for i := 0; i < 100 && !c.NC.IsClosed(); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}
