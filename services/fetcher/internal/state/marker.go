package state

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// markBurst is the most marks a Marker gathers before it writes them
// without waiting for more.
const markBurst = 128

// markAckTimeout bounds the wait for the server to confirm a burst.
const markAckTimeout = 10 * time.Second

// Marker records items as Mark does, gathering them for up to a moment and
// writing each gathered burst at once: every key of every item published
// without waiting, then the server's acks awaited together.
//
// Why: the fetcher marks every article it publishes, under two keys (its
// URL and its title). Written one by one and each confirmed before the
// next, as articles trickle in at a steady rate, each key cost the NATS
// server a wake-up of its own: a quarter of the server's CPU in the
// pipeline benchmark at 250 articles/s. A mark that waits a moment changes
// nothing: it is read at the next poll, and a mark lost in a crash means
// the page is fetched again and de-duplicated downstream (at least once).
type Marker struct {
	s      *Seen
	wait   time.Duration
	onFail func(SeenItem, error)

	mu    sync.Mutex
	queue []pendingMark
	// writing holds a channel per burst under way, closed when its acks
	// are in. (Not a WaitGroup: polls flush concurrently, and a WaitGroup
	// must not gain a burst while another flush waits on it.)
	writing map[chan struct{}]struct{}
}

type pendingMark struct {
	it SeenItem
	id string
}

// NewMarker returns a Marker that writes what it gathered at the latest
// wait after the first mark of a burst (0: each mark at once). onFail, if
// set, is told of each item whose mark was not stored.
func (s *Seen) NewMarker(wait time.Duration, onFail func(SeenItem, error)) *Marker {
	return &Marker{s: s, wait: wait, onFail: onFail, writing: map[chan struct{}]struct{}{}}
}

// Add queues the item's mark; it is written within the Marker's wait.
func (m *Marker) Add(it SeenItem, articleID string) {
	m.mu.Lock()
	m.queue = append(m.queue, pendingMark{it: it, id: articleID})
	var burst []pendingMark
	switch {
	case len(m.queue) >= markBurst || m.wait <= 0:
		burst, m.queue = m.queue, nil
	case len(m.queue) == 1:
		time.AfterFunc(m.wait, m.writeQueued)
	}
	m.mu.Unlock()
	if burst != nil {
		m.start(burst)
	}
}

// Flush writes what is queued and waits until every burst under way was
// confirmed, or ctx is done.
func (m *Marker) Flush(ctx context.Context) error {
	m.writeQueued()
	m.mu.Lock()
	var bursts []chan struct{}
	for done := range m.writing {
		bursts = append(bursts, done)
	}
	m.mu.Unlock()
	for _, done := range bursts {
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("state: seen marks not all confirmed: %w", ctx.Err())
		}
	}
	return nil
}

func (m *Marker) writeQueued() {
	m.mu.Lock()
	burst := m.queue
	m.queue = nil
	m.mu.Unlock()
	if len(burst) > 0 {
		m.start(burst)
	}
}

func (m *Marker) start(burst []pendingMark) {
	done := make(chan struct{})
	m.mu.Lock()
	m.writing[done] = struct{}{}
	m.mu.Unlock()
	go func() {
		defer func() {
			m.mu.Lock()
			delete(m.writing, done)
			m.mu.Unlock()
			close(done)
		}()
		m.write(burst)
	}()
}

// write stores a burst and reports the marks that were not stored.
func (m *Marker) write(burst []pendingMark) {
	ctx, cancel := context.WithTimeout(context.Background(), markAckTimeout)
	defer cancel()
	errs := m.s.markAll(ctx, burst)
	if m.onFail != nil {
		for i, err := range errs {
			if err != nil {
				m.onFail(burst[i].it, err)
			}
		}
	}
}

// markAll publishes every key of every mark without waiting, then waits
// for the acks; errs[i] is mark i's first error. A title key already
// present (the stream refuses it: wrong last sequence) takes markTitle's
// way, which renews a stale one.
func (s *Seen) markAll(ctx context.Context, marks []pendingMark) (errs []error) {
	type sent struct {
		mark  int
		key   string
		value []byte
		title bool
		ack   jetstream.PubAckFuture
	}
	var all []sent
	errs = make([]error, len(marks))
	for i, pm := range marks {
		b, err := s.record(pm.it, pm.id)
		if err != nil {
			errs[i] = err
			continue
		}
		for _, k := range s.keys(pm.it) {
			if k.by == byGUIDURL {
				continue
			}
			title := k.by == "title"
			var opts []jetstream.PublishOpt
			if title {
				opts = append(opts, jetstream.WithExpectLastSequencePerSubject(0))
				if s.keyTTL {
					opts = append(opts, jetstream.WithMsgTTL(s.o.TitleWindow))
				}
			}
			ack, err := s.js.PublishMsgAsync(&nats.Msg{Subject: s.subjectPrefix() + k.key, Data: b}, opts...)
			if err != nil {
				errs[i] = fmt.Errorf("state: seen put: %w", err)
				continue
			}
			all = append(all, sent{mark: i, key: k.key, value: b, title: title, ack: ack})
		}
	}
	for _, sn := range all {
		var err error
		select {
		case <-sn.ack.Ok():
		case err = <-sn.ack.Err():
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err == nil {
			continue
		}
		var apiErr *jetstream.APIError
		if sn.title && errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
			err = s.markTitle(ctx, sn.key, sn.value)
		} else {
			err = fmt.Errorf("state: seen put: %w", err)
		}
		if err != nil && errs[sn.mark] == nil {
			errs[sn.mark] = err
		}
	}
	return errs
}
