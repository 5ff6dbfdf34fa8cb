package bus

import (
	"sync"
	"time"
)

// ackHolder keeps a stage's most recently finished message unacked for a
// moment, acking it when the next one finishes or when the moment is over.
//
// Why: a JetStream work-queue stream whose last message is acked is empty,
// and the file store then deletes its message block file and creates a new
// one (nats-server 2.15, filestore removeMsgBlock). A stage that keeps up
// empties its input after nearly every message, so at a steady rate each
// message cost the server a file create and delete on top of its write and
// tombstone: a sixth of the server's CPU in the pipeline benchmark at 250
// articles/s. Holding one ack while messages keep coming keeps the stream
// from emptying; a lost held ack means one redelivery, which the next
// stream de-duplicates by Nats-Msg-Id and the sink upserts.
type ackHolder struct {
	after time.Duration // 0: ack at once
	ack   func(*Message)

	mu    sync.Mutex
	held  *Message
	timer *time.Timer
}

// done acks m now or holds it, acking the message held before.
func (h *ackHolder) done(m *Message) {
	if h.after <= 0 {
		h.ack(m)
		return
	}
	h.mu.Lock()
	prev := h.held
	h.held = m
	if h.timer == nil {
		h.timer = time.AfterFunc(h.after, h.flush)
	} else {
		h.timer.Reset(h.after)
	}
	h.mu.Unlock()
	if prev != nil {
		h.ack(prev)
	}
}

// flush acks the held message, if any.
func (h *ackHolder) flush() {
	h.mu.Lock()
	m := h.held
	h.held = nil
	h.mu.Unlock()
	if m != nil {
		h.ack(m)
	}
}
