package bus_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/natstest"
)

func testStreams() config.Streams {
	return config.Streams{Replicas: 1, MaxBytes: 64 << 20, MaxMsgs: 100000, MaxAge: time.Hour,
		DuplicateWindow: time.Minute, DLQMaxAge: time.Hour}
}

func testWorker(concurrency, batch int) config.Worker {
	return config.Worker{Concurrency: concurrency, Batch: batch, BatchWait: 100 * time.Millisecond, MaxAttempts: 3,
		Backoff: []time.Duration{10 * time.Millisecond}, AckWait: 2 * time.Second, MaxAckPending: 100}
}

// env is a pipeline hop under test: messages published to the fetched
// subject are processed by a cleaner-stage worker.
type env struct {
	t    *testing.T
	conn *bus.Conn
	pub  *bus.Publisher
}

func newEnv(t *testing.T, url string) *env {
	t.Helper()
	conn := natstest.Connect(t, url)
	ctx := context.Background()
	// A real server keeps streams between runs: start clean.
	for _, h := range schema.Hops() {
		_ = conn.JS.DeleteStream(ctx, h.Stream)
	}
	if err := bus.EnsureStreams(ctx, conn.JS, testStreams()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, h := range schema.Hops() {
			_ = conn.JS.DeleteStream(context.Background(), h.Stream)
		}
	})
	return &env{t: t, conn: conn, pub: bus.NewPublisher(conn, zaptest.NewLogger(t), nil)}
}

func (e *env) publish(n int, prefix string) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		_, err := e.pub.Publish(context.Background(), bus.Output{Subject: schema.SubjectArticleFetchedV1,
			Data: []byte(fmt.Sprintf("%s-%d", prefix, i)), MsgID: fmt.Sprintf("%s-%d", prefix, i)})
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

// run starts a worker and returns a stop function that cancels it and
// waits for Run to return.
func (e *env) run(w *bus.Worker) (stop func() error) {
	w.Conn, w.Publisher, w.Log = e.conn, e.pub, zaptest.NewLogger(e.t)
	w.Metrics = bus.NewMetrics(prometheus.NewRegistry())
	w.Stage, w.Hop = schema.StageCleaner, schema.Hops()[0]
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	return func() error { cancel(); return <-errc }
}

// watchAcks records the stream sequences of the acks sent for messages of
// a stream, as the server receives them (acks are plain publishes).
func (e *env) watchAcks(stream string) (acked func() []uint64) {
	e.t.Helper()
	var mu sync.Mutex
	var seqs []uint64
	sub, err := e.conn.NC.Subscribe("$JS.ACK."+stream+".>", func(m *nats.Msg) {
		if string(m.Data) != "+ACK" {
			return
		}
		// $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>
		tok := strings.Split(m.Subject, ".")
		if len(tok) < 9 {
			e.t.Errorf("ack subject %q", m.Subject)
			return
		}
		seq, err := strconv.ParseUint(tok[5], 10, 64)
		if err != nil {
			e.t.Errorf("ack subject %q: %v", m.Subject, err)
		}
		mu.Lock()
		seqs = append(seqs, seq)
		mu.Unlock()
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = sub.Unsubscribe() })
	return func() []uint64 {
		_ = e.conn.NC.Flush()
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seqs)
	}
}

func (e *env) streamInfo(name string) *jetstream.StreamInfo {
	e.t.Helper()
	s, err := e.conn.JS.Stream(context.Background(), name)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return info
}

func (e *env) streamMsgs(name string) uint64 {
	e.t.Helper()
	return e.streamInfo(name).State.Msgs
}

func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// contract runs the messaging contract against a server URL.
func contract(t *testing.T, url string) {
	t.Run("process publish ack", func(t *testing.T) {
		e := newEnv(t, url)
		e.publish(50, "a")
		stop := e.run(&bus.Worker{Config: testWorker(4, 10), Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
			return []bus.Output{{Subject: schema.SubjectArticleCleanedV1, Data: m.Data, MsgID: "c-" + string(m.Data)}}, nil
		}})
		e.waitFor("all cleaned", func() bool { return e.streamMsgs(schema.StreamCleaned) == 50 })
		e.waitFor("input drained", func() bool { return e.streamMsgs(schema.StreamFetched) == 0 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a held ack keeps the stream from emptying", func(t *testing.T) {
		e := newEnv(t, url)
		cfg := testWorker(1, 10)
		cfg.AckWait, cfg.AckHold = 10*time.Minute, time.Minute // the hold never runs out here
		stop := e.run(&bus.Worker{Config: cfg, Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
			return []bus.Output{{Subject: schema.SubjectArticleCleanedV1, Data: m.Data, MsgID: "c-" + string(m.Data)}}, nil
		}})
		e.publish(1, "h1")
		e.waitFor("first cleaned", func() bool { return e.streamMsgs(schema.StreamCleaned) == 1 })
		time.Sleep(300 * time.Millisecond) // an ack sent at once would be in by now
		if n := e.streamMsgs(schema.StreamFetched); n != 1 {
			t.Fatalf("fetched stream holds %d after the first message, want 1 (its ack held)", n)
		}
		e.publish(1, "h2")
		e.waitFor("second cleaned", func() bool { return e.streamMsgs(schema.StreamCleaned) == 2 })
		e.waitFor("the first acked, the second held", func() bool { return e.streamMsgs(schema.StreamFetched) == 1 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		e.waitFor("the held ack sent on shutdown", func() bool { return e.streamMsgs(schema.StreamFetched) == 0 })
	})
	t.Run("a held ack is sent when the hold runs out", func(t *testing.T) {
		e := newEnv(t, url)
		cfg := testWorker(2, 10)
		cfg.AckHold = 100 * time.Millisecond
		e.publish(3, "t")
		stop := e.run(&bus.Worker{Config: cfg, Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
			return []bus.Output{{Subject: schema.SubjectArticleCleanedV1, Data: m.Data, MsgID: "c-" + string(m.Data)}}, nil
		}})
		defer func() { _ = stop() }()
		e.waitFor("all cleaned", func() bool { return e.streamMsgs(schema.StreamCleaned) == 3 })
		e.waitFor("all acked while the worker runs", func() bool { return e.streamMsgs(schema.StreamFetched) == 0 })
	})
	t.Run("acks go out in stream order", func(t *testing.T) {
		e := newEnv(t, url)
		acked := e.watchAcks(schema.StreamFetched)
		const n = 60
		e.publish(n, "o")
		cfg := testWorker(4, 16)
		cfg.AckWait, cfg.AckHold = time.Minute, 5*time.Second // the hold never runs out here
		stop := e.run(&bus.Worker{Config: cfg, Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
			// Handled four at a time, they finish out of order.
			time.Sleep(time.Duration(m.StreamSeq*7%5) * 4 * time.Millisecond)
			return nil, nil
		}})
		e.waitFor("all but the held one acked", func() bool { return len(acked()) >= n-1 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		e.waitFor("the held ack sent on shutdown", func() bool { return len(acked()) == n })
		if seqs := acked(); !slices.IsSorted(seqs) {
			t.Errorf("acks out of stream order: %v", seqs)
		}
	})
	t.Run("a slow message holds the others' acks back by the hold at most", func(t *testing.T) {
		e := newEnv(t, url)
		acked := e.watchAcks(schema.StreamFetched)
		e.publish(8, "s")
		cfg := testWorker(4, 8)
		cfg.AckHold = 150 * time.Millisecond
		release := make(chan struct{})
		stop := e.run(&bus.Worker{Config: cfg, Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
			if m.StreamSeq == 1 {
				<-release
			}
			return nil, nil
		}})
		// The first stays in work; the seven after it are acked anyway.
		e.waitFor("the seven after the slow one acked", func() bool { return len(acked()) == 7 })
		if slices.Contains(acked(), 1) {
			t.Fatal("the slow message was acked before it finished")
		}
		close(release)
		e.waitFor("the slow one acked once done", func() bool { return len(acked()) == 8 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
	for _, batch := range []bool{false, true} {
		t.Run(fmt.Sprintf("a consumer lost by the server is re-created (batch %v)", batch), func(t *testing.T) {
			e := newEnv(t, url)
			cfg := testWorker(2, 10)
			cfg.ConsumerMemory = true
			w := &bus.Worker{Config: cfg}
			out := func(m *bus.Message) bus.Output {
				return bus.Output{Subject: schema.SubjectArticleCleanedV1, Data: m.Data, MsgID: "c-" + string(m.Data)}
			}
			if batch {
				w.ProcessBatch = func(ctx context.Context, ms []*bus.Message) []error {
					errs := make([]error, len(ms))
					for i, m := range ms {
						_, errs[i] = e.pub.Publish(ctx, out(m))
					}
					return errs
				}
			} else {
				w.Process = func(_ context.Context, m *bus.Message) ([]bus.Output, error) { return []bus.Output{out(m)}, nil }
			}
			stop := e.run(w)
			defer func() { _ = stop() }()
			e.publish(3, "before")
			e.waitFor("first messages cleaned", func() bool { return e.streamMsgs(schema.StreamCleaned) == 3 })
			// What a restart of every NATS server does to a consumer kept in memory.
			if err := e.conn.JS.DeleteConsumer(context.Background(), schema.StreamFetched, schema.ConsumerCleaner); err != nil {
				t.Fatal(err)
			}
			e.publish(3, "after")
			e.waitFor("messages published after the loss cleaned", func() bool { return e.streamMsgs(schema.StreamCleaned) == 6 })
			e.waitFor("input drained", func() bool { return e.streamMsgs(schema.StreamFetched) == 0 })
		})
	}
	t.Run("transient errors retry then succeed", func(t *testing.T) {
		e := newEnv(t, url)
		e.publish(5, "r")
		var calls sync.Map
		stop := e.run(&bus.Worker{Config: testWorker(2, 5), Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
			n, _ := calls.LoadOrStore(string(m.Data), new(atomic.Int32))
			if n.(*atomic.Int32).Add(1) < 2 {
				return nil, errors.New("flaky")
			}
			return []bus.Output{{Subject: schema.SubjectArticleCleanedV1, Data: m.Data, MsgID: "c-" + string(m.Data)}}, nil
		}})
		e.waitFor("all cleaned after a retry", func() bool { return e.streamMsgs(schema.StreamCleaned) == 5 })
		if got := e.streamMsgs(schema.StreamDeadLetter); got != 0 {
			t.Fatalf("dead letters = %d, want 0", got)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("poison is dead-lettered and the rest goes on", func(t *testing.T) {
		e := newEnv(t, url)
		e.publish(10, "p")
		stop := e.run(&bus.Worker{Config: testWorker(2, 5), Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
			switch string(m.Data) {
			case "p-3":
				return nil, bus.Permanent(errors.New("undecodable"))
			case "p-5":
				panic("boom")
			case "p-7":
				return nil, errors.New("always failing")
			}
			return []bus.Output{{Subject: schema.SubjectArticleCleanedV1, Data: m.Data, MsgID: "c-" + string(m.Data)}}, nil
		}})
		e.waitFor("7 cleaned and 3 dead letters", func() bool {
			return e.streamMsgs(schema.StreamCleaned) == 7 && e.streamMsgs(schema.StreamDeadLetter) == 3
		})
		// On a work-queue stream a terminated message must be gone, not
		// stuck at its delivery limit.
		e.waitFor("input drained", func() bool { return e.streamMsgs(schema.StreamFetched) == 0 })
		dls, err := bus.ListDeadLetters(context.Background(), e.conn.JS, schema.StageCleaner, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bus.DeadLetter{}
		for _, d := range dls {
			got[string(d.Data)] = d
		}
		for payload, reason := range map[string]string{"p-3": "permanent", "p-5": "permanent", "p-7": "max_attempts"} {
			d, ok := got[payload]
			if !ok {
				t.Fatalf("no dead letter for %s: %+v", payload, dls)
			}
			if d.Reason != reason || d.Stage != schema.StageCleaner || d.Subject != schema.SubjectArticleFetchedV1 || d.Error == "" {
				t.Errorf("dead letter %s = %+v, want reason %s with stage, subject and error", payload, d, reason)
			}
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		// Re-drive the permanent one after a "fix": it flows again.
		stop = e.run(&bus.Worker{Config: testWorker(1, 5), Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
			return []bus.Output{{Subject: schema.SubjectArticleCleanedV1, Data: m.Data, MsgID: "c-" + string(m.Data)}}, nil
		}})
		if err := bus.Redrive(context.Background(), e.conn, e.pub, got["p-3"].Seq); err != nil {
			t.Fatal(err)
		}
		e.waitFor("re-driven message cleaned", func() bool { return e.streamMsgs(schema.StreamCleaned) == 8 })
		if n := e.streamMsgs(schema.StreamDeadLetter); n != 2 {
			t.Fatalf("dead letters after redrive = %d, want 2", n)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("batch with a panicking message isolates it", func(t *testing.T) {
		e := newEnv(t, url)
		e.publish(20, "b")
		var stored sync.Map
		stop := e.run(&bus.Worker{Config: testWorker(1, 20), ProcessBatch: func(_ context.Context, ms []*bus.Message) []error {
			for _, m := range ms {
				if string(m.Data) == "b-13" {
					panic("poison in batch")
				}
			}
			for _, m := range ms {
				stored.Store(string(m.Data), true)
			}
			return make([]error, len(ms))
		}})
		e.waitFor("19 stored, 1 dead letter", func() bool {
			n := 0
			stored.Range(func(_, _ any) bool { n++; return true })
			return n == 19 && e.streamMsgs(schema.StreamDeadLetter) == 1
		})
		e.waitFor("input drained", func() bool { return e.streamMsgs(schema.StreamFetched) == 0 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("batches take the backlog and wait at most BatchWait to fill", func(t *testing.T) {
		e := newEnv(t, url)
		e.publish(30, "w")
		cfg := testWorker(1, 100)
		cfg.BatchWait = 300 * time.Millisecond
		sizes := make(chan int, 100)
		release := make(chan struct{})
		var first sync.Once
		stop := e.run(&bus.Worker{Config: cfg, ProcessBatch: func(_ context.Context, ms []*bus.Message) []error {
			sizes <- len(ms)
			first.Do(func() { <-release })
			return make([]error, len(ms))
		}})
		next := func(what string) int {
			t.Helper()
			select {
			case n := <-sizes:
				return n
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: no batch within 5 s (batch wait is %s)", what, cfg.BatchWait)
				return 0
			}
		}
		// The 30 waiting before the worker started come as one batch.
		if n := next("backlog"); n != 30 {
			t.Errorf("first batch holds %d, want the 30 waiting", n)
		}
		// While that batch is held, a backlog builds up: the next batch
		// takes all of it.
		e.publish(40, "x")
		close(release)
		if n := next("backlog built while busy"); n != 40 {
			t.Errorf("batch after a busy spell holds %d, want the 40 waiting", n)
		}
		// One message alone waits BatchWait for company, no longer.
		start := time.Now()
		e.publish(1, "y")
		if n := next("single message"); n != 1 {
			t.Errorf("lone message came in a batch of %d", n)
		}
		if d := time.Since(start); d > cfg.BatchWait+2*time.Second {
			t.Errorf("lone message took %s with a batch wait of %s", d, cfg.BatchWait)
		}
		e.waitFor("input drained", func() bool { return e.streamMsgs(schema.StreamFetched) == 0 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("slow work is kept alive past AckWait", func(t *testing.T) {
		e := newEnv(t, url)
		e.publish(1, "k")
		cfg := testWorker(1, 1)
		cfg.AckWait = 2 * time.Second
		var calls, maxDeliveries atomic.Int64
		stop := e.run(&bus.Worker{Config: cfg, Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
			calls.Add(1)
			maxDeliveries.Store(max(maxDeliveries.Load(), int64(m.Deliveries)))
			time.Sleep(5 * time.Second) // two and a half AckWaits
			return []bus.Output{{Subject: schema.SubjectArticleCleanedV1, Data: m.Data, MsgID: "c-" + string(m.Data)}}, nil
		}})
		e.waitFor("cleaned", func() bool { return e.streamMsgs(schema.StreamCleaned) == 1 })
		e.waitFor("input drained", func() bool { return e.streamMsgs(schema.StreamFetched) == 0 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 1 || maxDeliveries.Load() != 1 {
			t.Errorf("processed %d times, deliveries up to %d: the in-progress acks did not hold the message", calls.Load(), maxDeliveries.Load())
		}
	})
	t.Run("shutdown finishes in-flight work", func(t *testing.T) {
		e := newEnv(t, url)
		e.publish(6, "s")
		started := make(chan struct{}, 6)
		stop := e.run(&bus.Worker{Config: testWorker(3, 6), ShutdownTimeout: 10 * time.Second,
			Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) {
				started <- struct{}{}
				time.Sleep(300 * time.Millisecond)
				return []bus.Output{{Subject: schema.SubjectArticleCleanedV1, Data: m.Data, MsgID: "c-" + string(m.Data)}}, nil
			}})
		<-started
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		// Whatever was taken was finished and acked; the rest is still
		// queued. Nothing is lost either way.
		if c, f := e.streamMsgs(schema.StreamCleaned), e.streamMsgs(schema.StreamFetched); c+f != 6 || c == 0 {
			t.Fatalf("after shutdown cleaned=%d queued=%d, want a sum of 6 with some cleaned", c, f)
		}
	})
	t.Run("shutdown under load leaves nothing unacked", func(t *testing.T) {
		// A stop that lands while a pull is under way must take what that
		// pull brings: abandoned, those messages wait out AckWait.
		e := newEnv(t, url)
		ctx, cancel := context.WithCancel(context.Background())
		var feeding sync.WaitGroup
		feeding.Add(1)
		go func() {
			defer feeding.Done()
			for i := 0; ctx.Err() == nil; i++ {
				_, _ = e.pub.Publish(ctx, bus.Output{Subject: schema.SubjectArticleFetchedV1,
					Data: []byte(fmt.Sprintf("l-%d", i)), MsgID: fmt.Sprintf("l-%d", i)})
			}
		}()
		defer func() { cancel(); feeding.Wait() }()
		// AckWait well above the wait below: an abandoned message stays
		// pending that long, while acks that a loaded server counts late
		// are still given three seconds.
		cfg := testWorker(4, 32)
		cfg.AckWait = 6 * time.Second
		// A first worker creates the consumer, so that every round stops
		// a worker that found it, however early the stop comes.
		stop0 := e.run(&bus.Worker{Config: cfg, ShutdownTimeout: 10 * time.Second,
			Process: func(_ context.Context, m *bus.Message) ([]bus.Output, error) { return nil, nil }})
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if _, err := e.conn.JS.Consumer(context.Background(), schema.StreamFetched, schema.ConsumerCleaner); err == nil {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("the worker created no consumer: %v", err)
			}
		}
		if err := stop0(); err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 40; round++ {
			for _, batch := range []bool{false, true} {
				w := &bus.Worker{Config: cfg, ShutdownTimeout: 10 * time.Second}
				if batch {
					w.ProcessBatch = func(_ context.Context, ms []*bus.Message) []error { return make([]error, len(ms)) }
				} else {
					w.Process = func(_ context.Context, m *bus.Message) ([]bus.Output, error) { return nil, nil }
				}
				stop := e.run(w)
				time.Sleep(time.Duration(5+round%10*5) * time.Millisecond)
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				c, err := e.conn.JS.Consumer(context.Background(), schema.StreamFetched, schema.ConsumerCleaner)
				if err != nil {
					t.Fatal(err)
				}
				// The server takes acks in on its own queue: a moment may
				// pass before the last ones count. An abandoned message
				// stays pending for AckWait (6 s), twice this wait.
				pending, deadline := 0, time.Now().Add(3*time.Second)
				for {
					info, err := c.Info(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					if pending = info.NumAckPending; pending == 0 || time.Now().After(deadline) {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				if pending != 0 {
					t.Fatalf("round %d (batch %v): %d messages left unacked after the worker stopped", round, batch, pending)
				}
			}
		}
	})
	t.Run("streams already as wanted are not updated", func(t *testing.T) {
		e := newEnv(t, url) // ensured the streams once
		ctx := context.Background()
		var mu sync.Mutex
		var asked []string
		sub, err := e.conn.NC.Subscribe("$JS.API.STREAM.*.>", func(m *nats.Msg) {
			if tok := strings.Split(m.Subject, "."); tok[3] == "UPDATE" || tok[3] == "CREATE" {
				mu.Lock()
				asked = append(asked, tok[3]+" "+tok[4])
				mu.Unlock()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = sub.Unsubscribe() }()
		requests := func() []string {
			t.Helper()
			if err := e.conn.NC.Flush(); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			out := asked
			asked = nil
			return out
		}
		c := testStreams()
		if err := bus.EnsureStreams(ctx, e.conn.JS, c); err != nil {
			t.Fatal(err)
		}
		if got := requests(); len(got) != 0 {
			t.Errorf("streams as wanted, yet ensuring them sent %v", got)
		}
		// A changed limit updates the hop streams, and only those.
		c.MaxMsgs = 5000
		if err := bus.EnsureStreams(ctx, e.conn.JS, c); err != nil {
			t.Fatal(err)
		}
		if got := requests(); len(got) != len(schema.Hops())-1 {
			t.Errorf("after MaxMsgs changed: %v, want an update of each hop stream", got)
		}
		if n := e.streamInfo(schema.StreamFetched).Config.MaxMsgs; n != 5000 {
			t.Errorf("MaxMsgs %d after the update, want 5000", n)
		}
		// A stream deleted is created again.
		if err := e.conn.JS.DeleteStream(ctx, schema.StreamTagged); err != nil {
			t.Fatal(err)
		}
		if err := bus.EnsureStreams(ctx, e.conn.JS, c); err != nil {
			t.Fatal(err)
		}
		if got := requests(); len(got) == 0 {
			t.Error("a deleted stream was not created again")
		}
		e.streamInfo(schema.StreamTagged)
	})
	t.Run("duplicate msg id is stored once", func(t *testing.T) {
		e := newEnv(t, url)
		e.publish(3, "d")
		e.publish(3, "d")
		if n := e.streamMsgs(schema.StreamFetched); n != 3 {
			t.Fatalf("stream holds %d, want 3", n)
		}
	})
	t.Run("too large is refused", func(t *testing.T) {
		e := newEnv(t, url)
		big := make([]byte, e.conn.NC.MaxPayload()+1)
		_, err := e.pub.Publish(context.Background(), bus.Output{Subject: schema.SubjectArticleFetchedV1, Data: big})
		if !errors.Is(err, bus.ErrTooLarge) || !bus.IsPermanent(err) {
			t.Fatalf("err = %v, want a permanent ErrTooLarge", err)
		}
	})
}

func TestContractEmbedded(t *testing.T) {
	s := natstest.RunJetStream(t)
	contract(t, s.ClientURL())
}

// TestContractRealServer runs the same contract against the machine's NATS
// (Debian's 2.9): a compatibility check with an older server.
func TestContractRealServer(t *testing.T) {
	contract(t, natstest.RealURL(t))
}

func TestStreamConfig(t *testing.T) {
	c := testStreams()
	for _, h := range schema.Hops() {
		sc := bus.StreamConfig(h, c)
		if h.Stream == schema.StreamDeadLetter {
			if sc.Retention != jetstream.LimitsPolicy {
				t.Errorf("%s: retention %v, want limits", h.Stream, sc.Retention)
			}
			continue
		}
		if sc.Retention != jetstream.WorkQueuePolicy || sc.Discard != jetstream.DiscardNew || sc.MaxBytes != c.MaxBytes {
			t.Errorf("%s: %+v, want work queue, discard new, max bytes", h.Stream, sc)
		}
	}
}

// TestEnsureConsumerKeepsStorage: the server cannot change a consumer's
// storage, so one created before the setting changed keeps its own.
func TestEnsureConsumerKeepsStorage(t *testing.T) {
	s := natstest.RunJetStream(t)
	e := newEnv(t, s.ClientURL())
	ctx := context.Background()
	h := schema.Hops()[0]
	cfg := testWorker(1, 1)
	if _, err := bus.EnsureConsumer(ctx, e.conn.JS, h, cfg); err != nil {
		t.Fatal(err)
	}
	cfg.ConsumerMemory, cfg.AckWait = true, 3*time.Second
	// A new consumer on a single-replica stream keeps its state in memory.
	other := schema.Hops()[1]
	if c, err := bus.EnsureConsumer(ctx, e.conn.JS, other, cfg); err != nil {
		t.Fatal(err)
	} else if info, err := c.Info(ctx); err != nil || !info.Config.MemoryStorage {
		t.Fatalf("new consumer: %v, memory storage %v; want memory", err, info != nil && info.Config.MemoryStorage)
	}
	cons, err := bus.EnsureConsumer(ctx, e.conn.JS, h, cfg)
	if err != nil {
		t.Fatalf("a consumer on file storage, asked for memory: %v", err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.MemoryStorage || info.Config.AckWait != 3*time.Second {
		t.Fatalf("config %+v: want file storage kept and the rest updated", info.Config)
	}
}
