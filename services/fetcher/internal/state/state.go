package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Errors.
var (
	ErrNotFound = errors.New("state: not found")
	// ErrConflict means another writer (another replica) changed the entry
	// since it was read; re-read and decide again.
	ErrConflict = errors.New("state: revision conflict")
)

// FeedState is what the fetcher knows of one feed, shared by all replicas.
type FeedState struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// BodyHash catches servers that send new validators for the same bytes.
	BodyHash    string    `json:"body_hash,omitempty"`
	LastPoll    time.Time `json:"last_poll,omitzero"`
	LastStatus  int       `json:"last_status,omitempty"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	// LastError and LastErrorClass (httpx.Class.String(), or a feed error
	// class) describe the latest failure; they stay set after a success so
	// `fetcher feeds` can show what went wrong last.
	LastError           string    `json:"last_error,omitempty"`
	LastErrorClass      string    `json:"last_error_class,omitempty"`
	LastErrorAt         time.Time `json:"last_error_at,omitzero"`
	ConsecutiveFailures int       `json:"consecutive_failures,omitempty"`
	NextPoll            time.Time `json:"next_poll,omitzero"`
	ItemsSeen           int64     `json:"items_seen,omitempty"`
	// TTL is the feed's own refresh hint (RSS <ttl>), kept so that a 304 or
	// an unchanged body, which carry no feed to read it from, still honour it.
	TTL time.Duration `json:"ttl,omitempty"`
	// ItemInterval and LastItemAt carry the schedule's learned rhythm
	// (schedule.State).
	ItemInterval time.Duration `json:"item_interval,omitempty"`
	LastItemAt   time.Time     `json:"last_item_at,omitzero"`
	// Owner and LeaseUntil record which replica is polling the feed now.
	Owner      string    `json:"owner,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// Config fingerprints the feed's entry and the fetcher's network
	// settings of the last poll. A failing feed whose fingerprint differs
	// from the current one is due at once: the fix (allow-loopback, a new
	// URL setting, a longer timeout) is tried without waiting out the
	// backoff the old settings earned.
	Config string `json:"config,omitempty"`
}

// Due reports whether the feed may be polled at now by a fetcher whose
// fingerprint for it is config: its next poll time has come, or it is
// failing and its configuration changed since it last failed.
func (st FeedState) Due(now time.Time, config string) bool {
	if !st.NextPoll.After(now) {
		return true
	}
	return st.ConsecutiveFailures > 0 && config != "" && st.Config != config
}

// Options configure the feed-state bucket.
type Options struct {
	// Bucket defaults to schema.BucketFeedState.
	Bucket   string
	Replicas int
	Storage  jetstream.StorageType
}

// Store keeps FeedState in a JetStream key-value bucket.
type Store struct {
	kv jetstream.KeyValue
}

// Open binds to the bucket, creating it if it does not exist. An existing
// bucket is used as configured (by deploy/ or an operator), not altered.
func Open(ctx context.Context, js jetstream.JetStream, o Options) (*Store, error) {
	if o.Bucket == "" {
		o.Bucket = schema.BucketFeedState
	}
	kv, err := openBucket(ctx, js, jetstream.KeyValueConfig{
		Bucket:      o.Bucket,
		Description: "newsflow fetcher: per-feed state",
		History:     1,
		Replicas:    o.Replicas,
		Storage:     o.Storage,
	})
	if err != nil {
		return nil, err
	}
	return &Store{kv: kv}, nil
}

func openBucket(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	if err == nil {
		return kv, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("state: bucket %s: %w", cfg.Bucket, err)
	}
	kv, err = js.CreateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrBucketExists) {
		kv, err = js.KeyValue(ctx, cfg.Bucket) // another replica won the race
	}
	if err != nil {
		return nil, fmt.Errorf("state: create bucket %s: %w", cfg.Bucket, err)
	}
	return kv, nil
}

// Key is the bucket key of a feed: a hash, since URLs hold characters KV
// keys may not.
func Key(feedURL string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(feedURL)))
	return "feed." + hex.EncodeToString(sum[:16])
}

// Get returns the state of feedURL and its revision, or ErrNotFound.
func (s *Store) Get(ctx context.Context, feedURL string) (FeedState, uint64, error) {
	e, err := s.kv.Get(ctx, Key(feedURL))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return FeedState{URL: feedURL}, 0, fmt.Errorf("%w: %s", ErrNotFound, feedURL)
	}
	if err != nil {
		return FeedState{}, 0, fmt.Errorf("state: get %s: %w", feedURL, err)
	}
	var st FeedState
	if err := json.Unmarshal(e.Value(), &st); err != nil {
		return FeedState{}, 0, fmt.Errorf("state: decode %s: %w", feedURL, err)
	}
	return st, e.Revision(), nil
}

// Put writes st if the stored revision is still rev (0: only if absent) and
// returns the new revision, or ErrConflict.
func (s *Store) Put(ctx context.Context, st FeedState, rev uint64) (uint64, error) {
	if st.URL == "" {
		return 0, errors.New("state: put: feed state without url")
	}
	b, err := json.Marshal(st)
	if err != nil {
		return 0, fmt.Errorf("state: encode %s: %w", st.URL, err)
	}
	var newRev uint64
	if rev == 0 {
		newRev, err = s.kv.Create(ctx, Key(st.URL), b)
	} else {
		newRev, err = s.kv.Update(ctx, Key(st.URL), b, rev)
	}
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return 0, fmt.Errorf("%w: %s", ErrConflict, st.URL)
	}
	if err != nil {
		return 0, fmt.Errorf("state: put %s: %w", st.URL, err)
	}
	return newRev, nil
}

// Update applies fn to the current state of feedURL (a zero state with the
// URL when absent) and writes it with compare-and-set, retrying on conflict
// a few times. fn may be called more than once.
func (s *Store) Update(ctx context.Context, feedURL string, fn func(*FeedState) error) (FeedState, error) {
	const attempts = 5
	for i := 0; i < attempts; i++ {
		st, rev, err := s.Get(ctx, feedURL)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return FeedState{}, err
		}
		if err := fn(&st); err != nil {
			return FeedState{}, err
		}
		st.URL = feedURL
		if _, err := s.Put(ctx, st, rev); err == nil {
			return st, nil
		} else if !errors.Is(err, ErrConflict) {
			return FeedState{}, err
		}
	}
	return FeedState{}, fmt.Errorf("%w: %s: %d attempts", ErrConflict, feedURL, attempts)
}

// Claim takes the feed for owner until now+lease if it is due (see Due; config
// is the caller's fingerprint of the feed) and not leased to another replica. Exactly one of several
// replicas claiming at once gets ok; the others see ok false and no error.
// The returned revision is what the owner passes to Put after polling.
func (s *Store) Claim(ctx context.Context, feedURL, owner, config string, now time.Time, lease time.Duration) (FeedState, uint64, bool, error) {
	st, rev, err := s.Get(ctx, feedURL)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return FeedState{}, 0, false, err
	}
	if !st.Due(now, config) {
		return st, rev, false, nil
	}
	if st.Owner != "" && st.Owner != owner && st.LeaseUntil.After(now) {
		return st, rev, false, nil
	}
	st.URL = feedURL
	st.Owner = owner
	st.LeaseUntil = now.Add(lease)
	newRev, err := s.Put(ctx, st, rev)
	if errors.Is(err, ErrConflict) {
		return st, rev, false, nil
	}
	if err != nil {
		return FeedState{}, 0, false, err
	}
	return st, newRev, true, nil
}

// Reset makes a stored feed due now, keeping the rest of its state (its
// failures, last error and validators), for `fetcher feeds reset`. It
// reports whether the feed was known; an unknown feed is due anyway.
func (s *Store) Reset(ctx context.Context, feedURL string) (bool, error) {
	if _, _, err := s.Get(ctx, feedURL); err != nil {
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	_, err := s.Update(ctx, feedURL, func(st *FeedState) error {
		st.NextPoll = time.Time{}
		return nil
	})
	return err == nil, err
}

// Watch calls fn with every feed state written from now on (by any
// replica, or by `fetcher feeds reset`) until ctx is done, so a running
// fetcher sees a reset without waiting for the old next poll time.
func (s *Store) Watch(ctx context.Context, fn func(FeedState)) error {
	w, err := s.kv.WatchAll(ctx, jetstream.IgnoreDeletes(), jetstream.UpdatesOnly())
	if err != nil {
		return fmt.Errorf("state: watch: %w", err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				// The watcher closes its updates when ctx ends, and that
				// can win the race with ctx.Done above: a stop, not a fault.
				if ctx.Err() != nil {
					return nil
				}
				return errors.New("state: watch: watcher closed")
			}
			if e == nil {
				continue
			}
			var st FeedState
			if err := json.Unmarshal(e.Value(), &st); err != nil {
				continue // not a feed state someone wrote by hand: skip it
			}
			fn(st)
		}
	}
}

// Delete forgets a feed.
func (s *Store) Delete(ctx context.Context, feedURL string) error {
	if err := s.kv.Delete(ctx, Key(feedURL)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("state: delete %s: %w", feedURL, err)
	}
	return nil
}

// List returns every stored feed state, for `fetcher feeds`.
func (s *Store) List(ctx context.Context) ([]FeedState, error) {
	w, err := s.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("state: list: %w", err)
	}
	defer func() { _ = w.Stop() }()
	var out []FeedState
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("state: list: %w", ctx.Err())
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("state: list: watcher closed")
			}
			if e == nil { // all current values delivered
				return out, nil
			}
			var st FeedState
			if err := json.Unmarshal(e.Value(), &st); err != nil {
				return nil, fmt.Errorf("state: decode %s: %w", e.Key(), err)
			}
			out = append(out, st)
		}
	}
}
