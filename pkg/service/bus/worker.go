package bus

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/logx"
)

// Message is one delivery handed to a processor.
type Message struct {
	Subject    string
	Data       []byte
	Header     nats.Header
	StreamSeq  uint64
	Deliveries uint64
	raw        jetstream.Msg
}

// Processor handles one message and returns what to publish before the
// input is acked. No outputs and a nil error means the message was
// filtered. Return an error marked Permanent for input that can never
// succeed; any other error is retried with backoff.
type Processor func(ctx context.Context, m *Message) ([]Output, error)

// BatchProcessor handles a batch and returns one error per message, in
// order (nil: done, ack it).
type BatchProcessor func(ctx context.Context, ms []*Message) []error

// Worker consumes a hop with the stage's durable consumer. Set exactly one
// of Process and ProcessBatch.
type Worker struct {
	Stage           string
	Hop             schema.Hop
	Config          config.Worker
	ShutdownTimeout time.Duration
	Conn            *Conn
	Publisher       *Publisher
	Metrics         *Metrics
	Log             *zap.Logger
	Process         Processor
	ProcessBatch    BatchProcessor

	acks *ackHolder
}

// Run pulls and handles messages until ctx is done, then stops pulling,
// lets in-flight messages finish (up to ShutdownTimeout) and returns. A
// message is acked only after its outputs were stored by JetStream; one
// that fails MaxAttempts times, or fails permanently, is dead-lettered with
// the stage, the error and its payload. Nothing is lost on shutdown: work
// cut off by the timeout is redelivered after AckWait.
func (w *Worker) Run(ctx context.Context) error {
	if (w.Process == nil) == (w.ProcessBatch == nil) {
		return errors.New("bus: worker needs exactly one of Process and ProcessBatch")
	}
	cons, err := EnsureConsumer(ctx, w.Conn.JS, w.Hop, w.Config)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: nothing taken, nothing to drain
		}
		return err
	}
	// Processing outlives ctx: a SIGTERM must not abort half-done work.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	concurrency := max(w.Config.Concurrency, 1)
	batchSize := max(w.Config.Batch, 1)
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	w.Log.Info("Worker started.", zap.String(logx.KeyStage, w.Stage), zap.String("stream", w.Hop.Stream),
		zap.String("consumer", w.Hop.Consumer), zap.Int("concurrency", concurrency), zap.Int("batch", batchSize))

	w.acks = newAckHolder(ackHold(w.Config), w.sendAck)
	defer w.acks.flush() // after the drain below: every finished message acked

	// A batch stage gathers what trickles in before it handles the batch
	// (the sink: fewer transactions); a per-message stage hands the first
	// message on at once and lets the next ones gather meanwhile.
	fill := time.Duration(0)
	if w.ProcessBatch != nil {
		fill = w.Config.BatchWait
	}
	// From the stop on, the handlers get nine tenths of the shutdown
	// timeout to finish what was pulled; then their context is cancelled
	// and the rest is theirs to give up, so a stop ends within the timeout
	// even while every handler is stuck publishing to an unreachable server.
	timeout := w.ShutdownTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	var drainBy chan struct{}
	drained := func() <-chan struct{} {
		if drainBy == nil {
			drainBy = make(chan struct{})
			time.AfterFunc(timeout*9/10, func() { close(drainBy) })
		}
		return drainBy
	}
	errDelay := 100 * time.Millisecond
pulling:
	for ctx.Err() == nil {
		msgs, err := pullWaiting(ctx, cons, batchSize, fill)
		switch {
		case errors.Is(err, errIdle):
			cons = w.idleCheck(ctx, cons)
			continue
		case err != nil:
			w.Log.Warn("Pull failed, retrying.", zap.String("consumer", w.Hop.Consumer), zap.Error(err))
			sleepCtx(ctx, errDelay)
			errDelay = min(errDelay*2, 5*time.Second)
			cons = w.reensure(ctx, cons, err)
			continue
		}
		errDelay = 100 * time.Millisecond
		if w.ProcessBatch != nil {
			if len(msgs) > 0 {
				w.handleBatch(workCtx, msgs)
			}
			continue
		}
		for i, raw := range msgs {
			// After a stop, a free slot is waited for only until the drain
			// deadline: every handler may be stuck publishing to an
			// unreachable server. What was pulled and not started is given
			// back unacked and redelivered.
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				select {
				case sem <- struct{}{}:
				case <-drained():
					w.giveBack(msgs[i:])
					continue pulling
				}
			}
			m := w.wrap(raw)
			w.acks.take(m.StreamSeq) // in pull order: acks go out in stream order
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				w.handleOne(workCtx, m)
			}()
		}
		if len(msgs) > 0 && len(msgs) < batchSize {
			sleepCtx(ctx, w.Config.BatchWait)
		}
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		w.Log.Info("Worker drained.", zap.String(logx.KeyStage, w.Stage))
		return nil
	case <-drained():
		cancelWork()
		select {
		case <-done:
		case <-time.After(timeout / 10):
		}
		return fmt.Errorf("bus: %s: shutdown timeout %s: in-flight messages will be redelivered", w.Stage, timeout)
	}
}

// giveBack naks messages pulled but not started at a stop, so they are
// redelivered at once; if the server is unreachable the nak is lost and
// they come back after AckWait.
func (w *Worker) giveBack(msgs []jetstream.Msg) {
	for _, m := range msgs {
		_ = m.Nak()
	}
}

// reensure re-creates the consumer after a pull failed because it is gone:
// a consumer whose state is kept in memory does not survive a restart of
// every NATS server (the work-queue stream keeps its messages, and the new
// consumer delivers them).
func (w *Worker) reensure(ctx context.Context, cons jetstream.Consumer, err error) jetstream.Consumer {
	if ctx.Err() != nil || !(errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrConsumerDeleted) ||
		errors.Is(err, nats.ErrNoResponders)) {
		return cons
	}
	c, eerr := EnsureConsumer(ctx, w.Conn.JS, w.Hop, w.Config)
	if eerr != nil {
		w.Log.Warn("Consumer gone and not re-created yet.", zap.String("consumer", w.Hop.Consumer), zap.Error(eerr))
		return cons
	}
	w.Log.Info("Consumer re-created.", zap.String("consumer", w.Hop.Consumer), zap.NamedError("after", err))
	return c
}

// errIdle: a pull waited idlePull and nothing came.
var errIdle = errors.New("bus: no message within the idle pull")

// idleCheck makes sure, after an idle pull, that the consumer still exists:
// a server that lost it (a consumer kept in memory, every server
// restarted) does not always say so to a pull (nats-server 2.9 lets it
// time out). One consumer-info request a second while idle.
func (w *Worker) idleCheck(ctx context.Context, cons jetstream.Consumer) jetstream.Consumer {
	if _, err := cons.Info(ctx); err != nil {
		return w.reensure(ctx, cons, err)
	}
	return cons
}

// idlePull is how long a pull waits when nothing is there; it bounds
// nothing but the rate of pull requests from an idle stage.
const idlePull = time.Second

// pullWaiting returns the next batch: what waits for the consumer, up to n,
// and when that is less than n, what else gathered during fill. Only when
// nothing waits does it block, for the first message. So a backlog is taken
// in full batches at once, and a message arriving alone waits at most fill
// for company (the sink trades that much latency for fewer transactions).
// Gathering and then pulling, rather than leaving a pull open for fill,
// matters when messages trickle in: an open pull is answered one message
// at a time, each waking the server and the stage; at 250 articles/s the
// gathering cut the pipeline's CPU per article by 10-16 % and the NATS
// server's by a quarter.
//
// A shutdown ends the fill at once, and a pull under way at most at its
// expiry (idlePull for the blocking one): what it brings is returned, to be
// handled like the rest, never abandoned to wait out AckWait.
func pullWaiting(ctx context.Context, cons jetstream.Consumer, n int, fill time.Duration) ([]jetstream.Msg, error) {
	collect := func(b jetstream.MessageBatch, msgs []jetstream.Msg) ([]jetstream.Msg, error) {
		k := len(msgs)
	loop:
		for {
			select {
			case m, ok := <-b.Messages():
				if !ok {
					break loop
				}
				msgs = append(msgs, m)
			case <-ctx.Done():
				// Take what the pull under way brings (it ends within
				// its expiry): an abandoned message waits out AckWait.
				for m := range b.Messages() {
					msgs = append(msgs, m)
				}
				break loop
			}
		}
		if err := b.Error(); err != nil && len(msgs) == k && !errors.Is(err, nats.ErrTimeout) &&
			!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoMessages) {
			return msgs, err
		}
		return msgs, nil
	}
	b, err := cons.FetchNoWait(n)
	if err != nil {
		return nil, err
	}
	msgs, err := collect(b, nil)
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		// A pull cannot be taken back once a message arrives, so the
		// blocking one asks for a single message.
		if b, err = cons.Fetch(1, jetstream.FetchMaxWait(idlePull)); err != nil {
			return nil, err
		}
		if msgs, err = collect(b, nil); err != nil {
			return msgs, err
		}
		if len(msgs) == 0 && ctx.Err() == nil {
			return nil, errIdle
		}
	}
	if len(msgs) < n && fill > 0 && ctx.Err() == nil {
		// Let the rest gather, then take it in one go: a pull left waiting
		// would be answered one message at a time, as each arrives.
		if sleepCtx(ctx, fill); ctx.Err() != nil {
			return msgs, nil
		}
		if b, err = cons.FetchNoWait(n - len(msgs)); err != nil {
			return msgs, nil // the batch in hand goes on; the next pull reports
		}
		return collect(b, msgs)
	}
	return msgs, nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (w *Worker) wrap(m jetstream.Msg) *Message {
	msg := &Message{Subject: m.Subject(), Data: m.Data(), Header: m.Headers(), raw: m}
	if meta, err := m.Metadata(); err == nil {
		msg.StreamSeq = meta.Sequence.Stream
		msg.Deliveries = meta.NumDelivered
	}
	return msg
}

func (w *Worker) msgLog(m *Message) *zap.Logger {
	return w.Log.With(zap.String(logx.KeySubject, m.Subject), zap.Uint64(logx.KeyStreamSeq, m.StreamSeq),
		zap.Uint64("deliveries", m.Deliveries))
}

// keepAlive sends in-progress acks while work goes on, so slow work is not
// redelivered to another replica.
func (w *Worker) keepAlive(msgs ...jetstream.Msg) (stop func()) {
	every := w.Config.AckWait / 3
	if every <= 0 {
		every = 10 * time.Second
	}
	// A timer rather than a goroutine with a ticker: most messages are
	// done long before the first tick, and a timer costs nothing until it
	// fires. An in-progress ack racing the final ack is ignored by the
	// server.
	var mu sync.Mutex
	stopped := false
	var t *time.Timer
	mu.Lock()
	defer mu.Unlock()
	t = time.AfterFunc(every, func() {
		for _, m := range msgs {
			_ = m.InProgress()
		}
		mu.Lock()
		if !stopped {
			t.Reset(every)
		}
		mu.Unlock()
	})
	return func() {
		mu.Lock()
		stopped = true
		mu.Unlock()
		t.Stop()
	}
}

func (w *Worker) process(ctx context.Context, m *Message) (outs []Output, err error) {
	defer func() {
		if r := recover(); r != nil {
			w.msgLog(m).Error("Processor panicked.", zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
			err = Permanent(fmt.Errorf("bus: %s: panic: %v", w.Stage, r))
		}
	}()
	return w.Process(ctx, m)
}

func (w *Worker) processBatch(ctx context.Context, ms []*Message) (errs []error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			w.Log.Error("Batch processor panicked.", zap.String(logx.KeyStage, w.Stage), zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
			errs, panicked = nil, true
		}
	}()
	errs = w.ProcessBatch(ctx, ms)
	if len(errs) != len(ms) {
		return nil, true
	}
	return errs, false
}

func (w *Worker) handleOne(ctx context.Context, m *Message) {
	raw := m.raw
	if w.Metrics != nil {
		w.Metrics.inFlight.WithLabelValues(w.Stage).Inc()
		defer w.Metrics.inFlight.WithLabelValues(w.Stage).Dec()
	}
	if w.overLimit(ctx, m) {
		return
	}
	start := time.Now()
	stop := w.keepAlive(raw)
	outs, err := w.process(ctx, m)
	if err == nil {
		for _, out := range outs {
			if _, err = w.Publisher.Publish(ctx, out); err != nil {
				break
			}
		}
	}
	stop()
	if w.Metrics != nil {
		w.Metrics.duration.WithLabelValues(w.Stage).Observe(time.Since(start).Seconds())
	}
	if err == nil {
		result := "ok"
		if len(outs) == 0 {
			result = "filtered"
		}
		w.ack(ctx, m, result)
		return
	}
	w.fail(ctx, m, err)
}

func (w *Worker) handleBatch(ctx context.Context, raws []jetstream.Msg) {
	var ms []*Message
	var live []jetstream.Msg
	for _, raw := range raws {
		m := w.wrap(raw)
		w.acks.take(m.StreamSeq)
		if w.overLimit(ctx, m) {
			continue
		}
		ms = append(ms, m)
		live = append(live, raw)
	}
	if len(ms) == 0 {
		return
	}
	start := time.Now()
	stop := w.keepAlive(live...)
	errs, panicked := w.processBatch(ctx, ms)
	if panicked {
		// Find the poison: one message at a time, so the rest of the
		// batch is not dead-lettered with it.
		errs = make([]error, len(ms))
		for i, m := range ms {
			one, p := w.processBatch(ctx, []*Message{m})
			if p {
				errs[i] = Permanent(fmt.Errorf("bus: %s: panic while processing", w.Stage))
			} else {
				errs[i] = one[0]
			}
		}
	}
	stop()
	if w.Metrics != nil {
		w.Metrics.duration.WithLabelValues(w.Stage).Observe(time.Since(start).Seconds())
	}
	for i, m := range ms {
		if errs[i] == nil {
			w.ack(ctx, m, "ok")
		} else {
			w.fail(ctx, m, errs[i])
		}
	}
}

// overLimit dead-letters a message delivered more often than MaxAttempts
// (a process that crashed on it each time never got to fail it).
func (w *Worker) overLimit(ctx context.Context, m *Message) bool {
	limit := uint64(max(w.Config.MaxAttempts, 1))
	if m.Deliveries <= limit {
		return false
	}
	w.acks.forget(m.StreamSeq)
	w.deadLetter(ctx, m, "max_attempts", fmt.Errorf("bus: %s: delivered %d times, limit %d (the stage may have crashed on it)", w.Stage, m.Deliveries, limit))
	return true
}

// ack acknowledges a message whose outputs JetStream has stored. The ack is
// not confirmed (no double ack): a lost one only means a redelivery after
// AckWait, whose outputs the next stream de-duplicates by Nats-Msg-Id and
// the sink upserts, while waiting for a confirmation of every ack costs the
// server a reply and the stage a round trip per message (and stalled it for
// the request timeout per message after a server crash).
//
// The ack may be held back a moment (see ackHolder).
func (w *Worker) ack(_ context.Context, m *Message, result string) {
	w.acks.done(m)
	if w.Metrics != nil {
		w.Metrics.processed.WithLabelValues(w.Stage, result).Inc()
	}
}

func (w *Worker) sendAck(m *Message) {
	if err := m.raw.Ack(); err != nil {
		w.msgLog(m).Warn("Ack not sent; the message will be redelivered.", zap.Error(err))
	}
}

// ackHold is how long a finished message's ack may wait for the next
// message: Config.AckHold, and never more than a tenth of AckWait.
func ackHold(c config.Worker) time.Duration {
	d := c.AckHold
	if c.AckWait > 0 {
		d = min(d, c.AckWait/10)
	}
	return max(d, 0)
}

func (w *Worker) fail(ctx context.Context, m *Message, err error) {
	w.acks.forget(m.StreamSeq) // not acked: the messages after it need not wait
	limit := uint64(max(w.Config.MaxAttempts, 1))
	switch {
	case IsPermanent(err):
		w.deadLetter(ctx, m, "permanent", err)
	case m.Deliveries >= limit:
		w.deadLetter(ctx, m, "max_attempts", err)
	default:
		delay := time.Second
		if n := len(w.Config.Backoff); n > 0 {
			delay = w.Config.Backoff[min(int(m.Deliveries)-1, n-1)]
		}
		w.msgLog(m).Warn("Processing failed, will retry.", zap.Duration("delay", delay), zap.Error(err))
		if nerr := m.raw.NakWithDelay(delay); nerr != nil {
			w.msgLog(m).Warn("Nak failed; redelivery after AckWait.", zap.Error(nerr))
		}
		if w.Metrics != nil {
			w.Metrics.processed.WithLabelValues(w.Stage, "retry").Inc()
		}
	}
}

func (w *Worker) deadLetter(ctx context.Context, m *Message, reason string, cause error) {
	log := w.msgLog(m)
	dl := DeadLetter{Stage: w.Stage, Reason: reason, Error: cause.Error(), Subject: m.Subject,
		Stream: w.Hop.Stream, StreamSeq: m.StreamSeq, Deliveries: m.Deliveries, Data: m.Data}
	if _, err := w.Publisher.Publish(ctx, dl.Output()); err != nil {
		// Never drop: leave the message to be redelivered.
		log.Error("Dead-lettering failed; the message stays in its stream.", zap.Error(err))
		_ = m.raw.NakWithDelay(5 * time.Second)
		return
	}
	log.Warn("Message dead-lettered.", zap.String("reason", reason), zap.Error(cause))
	if err := m.raw.Term(); err != nil {
		log.Warn("Term failed; the dead letter may be written twice.", zap.Error(err))
	}
	if w.Metrics != nil {
		w.Metrics.deadLetters.WithLabelValues(w.Stage, reason).Inc()
		w.Metrics.processed.WithLabelValues(w.Stage, "dead_letter").Inc()
	}
}

// seqString formats a stream sequence for headers.
func seqString(n uint64) string { return strconv.FormatUint(n, 10) }
