package bus

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Publisher publishes to JetStream and waits for the stream's ack. It
// retries every failure but a too-large payload until its context ends: a
// leader election stalls publishing for seconds (the client's own retry
// gives up after about half a second) and a full stream refuses publishes
// until the next stage catches up.
type Publisher struct {
	conn    *Conn
	log     *zap.Logger
	metrics *Metrics
	// AttemptTimeout bounds one publish attempt.
	AttemptTimeout time.Duration
	// MaxBackoff caps the wait between attempts.
	MaxBackoff time.Duration

	// failing is the last failed attempt's error while publishes fail,
	// nil once one goes through (see Ready).
	failing atomic.Pointer[publishFailure]
}

type publishFailure struct {
	since time.Time
	err   error
}

// Ready fails while publishes fail (a full or read-only NATS store, a
// stream without a leader): the readiness check, so that /readyz does not
// answer ready while nothing gets out.
func (p *Publisher) Ready(context.Context) error {
	if f := p.failing.Load(); f != nil {
		return fmt.Errorf("bus: publishes failing since %s: %w", f.since.UTC().Format(time.RFC3339), f.err)
	}
	return nil
}

func (p *Publisher) failed(err error) {
	since := time.Now()
	if f := p.failing.Load(); f != nil {
		since = f.since
	}
	p.failing.Store(&publishFailure{since: since, err: err})
}

// NewPublisher returns a publisher over conn; metrics may be nil.
func NewPublisher(conn *Conn, log *zap.Logger, m *Metrics) *Publisher {
	return &Publisher{conn: conn, log: log, metrics: m, AttemptTimeout: 5 * time.Second, MaxBackoff: 2 * time.Second}
}

// Output is one message a stage publishes.
type Output struct {
	Subject string
	Data    []byte
	MsgID   string
	Header  nats.Header
}

// Publish sends out and returns once JetStream stored it (or found it a
// duplicate of a message within the de-duplication window).
func (p *Publisher) Publish(ctx context.Context, out Output) (*jetstream.PubAck, error) {
	if max := p.conn.NC.MaxPayload(); max > 0 && int64(len(out.Data))+headerSize(out.Header)+int64(len(out.MsgID))+64 > max {
		return nil, fmt.Errorf("%w: %d bytes to %s (limit %d)", ErrTooLarge, len(out.Data), out.Subject, max)
	}
	msg := &nats.Msg{Subject: out.Subject, Data: out.Data, Header: nats.Header{}}
	for k, v := range out.Header {
		msg.Header[k] = v
	}
	var opts []jetstream.PublishOpt
	if out.MsgID != "" {
		opts = append(opts, jetstream.WithMsgID(out.MsgID))
	}
	backoff := 50 * time.Millisecond
	start := time.Now()
	for attempt := 1; ; attempt++ {
		// An attempt ends at its timeout, or at a reconnect: a request
		// sent on the lost connection gets no reply, and the new one can
		// take the retry now (the message id makes it safe).
		reconnect := p.conn.reconnected()
		actx, cancel := context.WithTimeout(ctx, p.AttemptTimeout)
		if reconnect != nil {
			go func() {
				select {
				case <-reconnect:
					cancel()
				case <-actx.Done():
				}
			}()
		}
		ack, err := p.conn.JS.PublishMsg(actx, msg, opts...)
		cancel()
		retryNow := false
		if reconnect != nil {
			select {
			case <-reconnect:
				retryNow = true
			default:
			}
		}
		if err == nil {
			p.failing.Store(nil)
			if attempt > 1 {
				p.log.Info("Publish went through after retries.", zap.String("subject", out.Subject),
					zap.Int("attempts", attempt), zap.Duration("stalled", time.Since(start)))
			}
			if p.metrics != nil {
				p.metrics.published.WithLabelValues(out.Subject, dupLabel(ack.Duplicate)).Inc()
			}
			return ack, nil
		}
		if errors.Is(err, nats.ErrMaxPayload) {
			return nil, fmt.Errorf("%w: %v", ErrTooLarge, err)
		}
		p.failed(err)
		if p.metrics != nil {
			p.metrics.publishRetries.WithLabelValues(out.Subject).Inc()
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("bus: publish %s: gave up after %d attempts: %w", out.Subject, attempt, err)
		}
		if attempt == 1 || attempt%20 == 0 {
			p.log.Warn("Publish failed, retrying.", zap.String("subject", out.Subject), zap.Int("attempt", attempt), zap.Error(err))
		}
		if retryNow {
			continue
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("bus: publish %s: gave up after %d attempts: %w", out.Subject, attempt, err)
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, p.MaxBackoff)
	}
}

func headerSize(h nats.Header) int64 {
	var n int64
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

func dupLabel(dup bool) string {
	if dup {
		return "duplicate"
	}
	return "stored"
}
