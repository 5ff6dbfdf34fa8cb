// Package bus is the JetStream plumbing every newsflow service shares, so
// that none of them writes it again:
//
//   - connect.go: Connect, with credentials, token, NKEY and TLS, retrying
//     the first connection and reconnecting forever after.
//   - streams.go: EnsureStreams declares the hop streams and the dead-letter
//     stream from pkg/schema; EnsureConsumer the durable pull consumer of a
//     stage.
//   - publish.go: Publisher publishes with Nats-Msg-Id and retries through
//     leader elections and full streams until its context ends.
//   - worker.go: Worker runs consume → process → publish → ack, with bounded
//     redelivery, in-progress acks, panic recovery and dead-lettering, and
//     drains on shutdown.
//   - deadletter.go: dead letters: write, list, show, re-drive.
//   - errors.go: Permanent marks errors that no retry can fix.
//   - metrics.go: the Prometheus metrics of the loop.
//
// Delivery: a worker acks its input only after every output publish was
// acknowledged by JetStream, so each stage is at-least-once; outputs carry a
// Nats-Msg-Id and the sink upserts by article id, so the effect is
// exactly-once.
package bus
