package bus

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/config"
)

// StreamConfig returns the configuration of one hop's stream.
//
// Hop streams are work queues: a message leaves the stream when its stage
// acks (or terms) it, so the stream's size is the backlog and MaxBytes /
// MaxMsgs bound it. DiscardNew makes a full stream refuse publishes instead
// of dropping old messages, so a slow stage pushes back on the one before it
// and nothing is lost. The dead-letter stream keeps its messages for
// DLQMaxAge (limits retention) so they can be listed and re-driven.
func StreamConfig(h schema.Hop, c config.Streams) jetstream.StreamConfig {
	storage := jetstream.FileStorage
	if c.MemoryStorage {
		storage = jetstream.MemoryStorage
	}
	sc := jetstream.StreamConfig{
		Name:       h.Stream,
		Subjects:   []string{h.Subject},
		Storage:    storage,
		Replicas:   max(c.Replicas, 1),
		Duplicates: c.DuplicateWindow,
	}
	if h.Stream == schema.StreamDeadLetter {
		sc.Description = "newsflow dead letters: the stage, the error and the original payload"
		sc.Retention = jetstream.LimitsPolicy
		sc.Discard = jetstream.DiscardOld
		sc.MaxAge = c.DLQMaxAge
		return sc
	}
	sc.Description = "newsflow hop " + h.Subject + " consumed by " + h.Consumer
	sc.Retention = jetstream.WorkQueuePolicy
	sc.Discard = jetstream.DiscardNew
	sc.MaxAge = c.MaxAge
	sc.MaxBytes = c.MaxBytes
	sc.MaxMsgs = c.MaxMsgs
	return sc
}

// EnsureStreams creates or updates every stream of the pipeline. It is
// idempotent, so every service calls it at start.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, c config.Streams) error {
	for _, h := range schema.Hops() {
		want := StreamConfig(h, c)
		// A stream already as wanted is left alone: an update rewrites
		// the stream's metadata files even when nothing changed, and
		// every replica of every service ensures every stream at start.
		if s, err := js.Stream(ctx, h.Stream); err == nil && sameStream(s.CachedInfo().Config, want) {
			continue
		}
		if _, err := js.CreateOrUpdateStream(ctx, want); err != nil {
			return fmt.Errorf("bus: stream %s: %w", h.Stream, err)
		}
	}
	return nil
}

// sameStream reports whether have already has what StreamConfig sets in
// want (the server fills in the rest, and writes -1 for "no limit").
func sameStream(have, want jetstream.StreamConfig) bool {
	limit := func(n int64) int64 { return max(n, 0) }
	return have.Description == want.Description && slices.Equal(have.Subjects, want.Subjects) &&
		have.Storage == want.Storage && have.Replicas == want.Replicas && have.Duplicates == want.Duplicates &&
		have.Retention == want.Retention && have.Discard == want.Discard && have.MaxAge == want.MaxAge &&
		limit(have.MaxBytes) == limit(want.MaxBytes) && limit(have.MaxMsgs) == limit(want.MaxMsgs)
}

// ConsumerConfig returns the durable pull consumer of a hop. MaxDeliver is
// unlimited on the server because the worker counts deliveries itself and
// dead-letters at MaxAttempts: on a work-queue stream a message that hits the
// server's MaxDeliver would stay in the stream forever. No BackOff is set on
// the consumer (its first value would replace AckWait); the worker naks with
// its own delay instead.
func ConsumerConfig(h schema.Hop, w config.Worker) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       h.Consumer,
		Description:   "newsflow stage " + h.Consumer,
		FilterSubject: h.Subject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       w.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: w.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		MaxWaiting:    512,
		MemoryStorage: w.ConsumerMemory,
	}
}

// EnsureConsumer creates or updates the stage's durable consumer. The
// server cannot change an existing consumer's storage: one created with
// the other setting keeps it (delete the consumer to switch; a work queue
// keeps its messages meanwhile).
//
// State in memory is for single-replica streams only: on a replicated
// stream the consumer is replicated too, and a node restarted without its
// state left the consumer without a leader for long enough to fail the
// cluster chaos test; there the state stays on file.
func EnsureConsumer(ctx context.Context, js jetstream.JetStream, h schema.Hop, w config.Worker) (jetstream.Consumer, error) {
	cfg := ConsumerConfig(h, w)
	if cfg.MemoryStorage {
		st, err := js.Stream(ctx, h.Stream)
		if err != nil {
			return nil, fmt.Errorf("bus: consumer %s on %s: %w", h.Consumer, h.Stream, err)
		}
		if st.CachedInfo().Config.Replicas > 1 {
			cfg.MemoryStorage = false
		}
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, h.Stream, cfg)
	if err != nil && strings.Contains(err.Error(), "storage type can not be updated") {
		cfg.MemoryStorage = !cfg.MemoryStorage
		cons, err = js.CreateOrUpdateConsumer(ctx, h.Stream, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("bus: consumer %s on %s: %w", h.Consumer, h.Stream, err)
	}
	return cons, nil
}

// HopFor returns the hop a stage consumes.
func HopFor(consumer string) (schema.Hop, error) {
	for _, h := range schema.Hops() {
		if h.Consumer == consumer && consumer != "" {
			return h, nil
		}
	}
	return schema.Hop{}, fmt.Errorf("bus: no hop is consumed by %q", consumer)
}
