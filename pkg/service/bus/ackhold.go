package bus

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// ackHolder sends a stage's acks in stream order and keeps the most
// recently finished message unacked for a moment: a finished message is
// acked once every message taken before it in the stream is finished too
// and a later one has finished, or when it has waited the hold out.
//
// Why hold the last one: a JetStream work-queue stream whose last message
// is acked is empty, and the file store then deletes its message block
// file and creates a new one (nats-server 2.15, filestore
// removeMsgBlock). A stage that keeps up empties its input after nearly
// every message, so at a steady rate each message cost the server a file
// create and delete on top of its write and tombstone: a sixth of the
// server's CPU in the pipeline benchmark at 250 articles/s.
//
// Why in order: messages handled concurrently finish out of order, and
// the file store compacts (rewrites) a block from which more than half
// was removed out of order, again and again as its messages go: 5 % of
// the server's CPU when a backlog spans blocks. Acked in order, a block is
// emptied from its start and dropped whole.
//
// A lost held ack means one redelivery, which the next stream
// de-duplicates by Nats-Msg-Id and the sink upserts. No ack waits more
// than the hold for the messages before it, so a slow message delays the
// others' acks by the hold at most, far below AckWait.
type ackHolder struct {
	after time.Duration // 0: ack at once, in any order
	ack   func(*Message)
	now   func() time.Time

	mu       sync.Mutex
	sendMu   sync.Mutex    // taken before mu is let go: acks are sent in the order they were released
	working  []uint64      // stream sequences taken and not finished, ascending
	finished []finishedMsg // finished and not acked, ascending by sequence
	timer    *time.Timer
	fires    time.Time // when timer fires; zero when it is not set
}

type finishedMsg struct {
	m  *Message
	at time.Time
}

func newAckHolder(after time.Duration, ack func(*Message)) *ackHolder {
	return &ackHolder{after: after, ack: ack, now: time.Now}
}

// take notes that the message at stream sequence seq is being worked on:
// messages after it wait for it before they are acked.
func (h *ackHolder) take(seq uint64) {
	if h.after <= 0 {
		return
	}
	h.mu.Lock()
	i, _ := slices.BinarySearch(h.working, seq)
	h.working = slices.Insert(h.working, i, seq)
	h.mu.Unlock()
}

// forget stops waiting for a taken message that will not be acked (it was
// nacked or terminated).
func (h *ackHolder) forget(seq uint64) {
	if h.after <= 0 {
		return
	}
	h.mu.Lock()
	h.unwork(seq)
	h.release(false)
}

// done acks m, or queues it to be acked in order.
func (h *ackHolder) done(m *Message) {
	if h.after <= 0 {
		h.ack(m)
		return
	}
	h.mu.Lock()
	h.unwork(m.StreamSeq)
	i, _ := slices.BinarySearchFunc(h.finished, m.StreamSeq, func(f finishedMsg, seq uint64) int {
		return cmp.Compare(f.m.StreamSeq, seq)
	})
	h.finished = slices.Insert(h.finished, i, finishedMsg{m: m, at: h.now()})
	h.release(false)
}

// flush acks every finished message, in order.
func (h *ackHolder) flush() {
	h.mu.Lock()
	h.release(true)
}

// release acks what is ready (everything with all) and unlocks mu. The
// acks are sent outside mu, but in the order they were released: two
// releases racing must not swap them.
func (h *ackHolder) release(all bool) {
	ready := h.ready(all)
	h.sendMu.Lock()
	h.mu.Unlock()
	defer h.sendMu.Unlock()
	for _, m := range ready {
		h.ack(m)
	}
}

// ready takes the messages to ack now off the queue (all with all) and
// sets the timer for the rest. Lock held.
func (h *ackHolder) ready(all bool) []*Message {
	lowest := ^uint64(0) // the first message still worked on
	if len(h.working) > 0 {
		lowest = h.working[0]
	}
	now := h.now()
	var out []*Message
	keep := h.finished[:0]
	for i, f := range h.finished {
		inOrder := f.m.StreamSeq < lowest && i < len(h.finished)-1 // the last is held
		if all || inOrder || now.Sub(f.at) >= h.after {
			out = append(out, f.m)
			continue
		}
		keep = append(keep, f)
	}
	clear(h.finished[len(keep):])
	h.finished = keep
	h.arm(now)
	return out
}

// arm sets the timer for when the oldest queued message has waited the
// hold out. Lock held.
func (h *ackHolder) arm(now time.Time) {
	if len(h.finished) == 0 {
		return
	}
	oldest := h.finished[0].at
	for _, f := range h.finished[1:] {
		if f.at.Before(oldest) {
			oldest = f.at
		}
	}
	at := oldest.Add(h.after)
	if !h.fires.IsZero() && !h.fires.After(at) {
		return // fires in time already
	}
	h.fires = at
	if h.timer == nil {
		h.timer = time.AfterFunc(at.Sub(now), h.expire)
	} else {
		h.timer.Reset(at.Sub(now))
	}
}

// expire acks what waited the hold out.
func (h *ackHolder) expire() {
	h.mu.Lock()
	h.fires = time.Time{}
	h.release(false)
}

func (h *ackHolder) unwork(seq uint64) {
	if i, ok := slices.BinarySearch(h.working, seq); ok {
		h.working = slices.Delete(h.working, i, i+1)
	}
}
