package state

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/natstest"
)

// runJetStream starts an embedded JetStream server for one test.
func runJetStream(t *testing.T) jetstream.JetStream {
	t.Helper()
	return natstest.Connect(t, natstest.RunJetStream(t).ClientURL()).JS
}

func TestKey(t *testing.T) {
	t.Parallel()
	a, b := Key("https://a.example/feed?x=1&y=ü"), Key("https://a.example/feed?x=1&y=ü ")
	if a != b {
		t.Errorf("surrounding space changes the key")
	}
	if a == Key("https://a.example/feed?x=2") {
		t.Errorf("different URLs share a key")
	}
	for _, r := range a {
		if !(r >= 'a' && r <= 'f' || r >= '0' && r <= '9' || r == '.' || r >= 'a' && r <= 'z') {
			t.Fatalf("key %q has %q", a, r)
		}
	}
}

func TestStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	js := runJetStream(t)
	s, err := Open(ctx, js, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.KeyValue(ctx, schema.BucketFeedState); err != nil {
		t.Fatalf("bucket %s not created: %v", schema.BucketFeedState, err)
	}
	const u = "https://news.example.org/rss.xml"
	if _, _, err := s.Get(ctx, u); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on empty bucket: %v", err)
	}
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	st := FeedState{URL: u, ETag: `"abc"`, LastSuccess: now, NextPoll: now.Add(time.Hour), ItemsSeen: 3, ItemInterval: 40 * time.Minute}
	rev, err := s.Put(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, st, 0); !errors.Is(err, ErrConflict) {
		t.Errorf("second create: %v, want ErrConflict", err)
	}
	got, gotRev, err := s.Get(ctx, u)
	if err != nil || gotRev != rev || got != st {
		t.Fatalf("Get = %+v rev %d err %v; want %+v rev %d", got, gotRev, err, st, rev)
	}
	st.ConsecutiveFailures = 1
	rev2, err := s.Put(ctx, st, rev)
	if err != nil {
		t.Fatal(err)
	}
	// A replica still holding the old revision must not clobber.
	if _, err := s.Put(ctx, FeedState{URL: u}, rev); !errors.Is(err, ErrConflict) {
		t.Errorf("stale put: %v, want ErrConflict", err)
	}
	if _, err := s.Put(ctx, FeedState{}, rev2); err == nil {
		t.Error("put without URL accepted")
	}

	// Reopening uses the existing bucket.
	s2, err := Open(ctx, js, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := s2.Get(ctx, u); err != nil || got.ConsecutiveFailures != 1 {
		t.Errorf("reopened store: %+v, %v", got, err)
	}

	for i := 0; i < 3; i++ {
		if _, err := s.Put(ctx, FeedState{URL: fmt.Sprintf("https://other.example/%d", i)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, "https://other.example/1"); err != nil {
		t.Fatal(err)
	}
	all, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("List: %d states, want 3: %+v", len(all), all)
	}
}

func TestListEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, runJetStream(t), Options{Bucket: "empty_feeds"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.List(ctx)
	if err != nil || len(all) != 0 {
		t.Errorf("List on empty bucket = %v, %v", all, err)
	}
}

func TestUpdateUnderContention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, runJetStream(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const u = "https://news.example.org/rss.xml"
	const writers, each = 4, 5
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Go(func() {
			for i := 0; i < each; i++ {
				// Retries are bounded: on a conflict storm Update can give up
				// with ErrConflict, so retry that here as a caller would.
				for {
					_, err := s.Update(ctx, u, func(st *FeedState) error { st.ItemsSeen++; return nil })
					if err == nil {
						break
					}
					if !errors.Is(err, ErrConflict) {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	st, _, err := s.Get(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if st.ItemsSeen != writers*each {
		t.Errorf("ItemsSeen = %d after %d increments: an update was lost", st.ItemsSeen, writers*each)
	}
}

func TestClaim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, runJetStream(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const u = "https://news.example.org/rss.xml"
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)

	// Three replicas race for a due feed: exactly one wins.
	var mu sync.Mutex
	var winners []string
	var wg sync.WaitGroup
	for _, owner := range []string{"r1", "r2", "r3"} {
		wg.Go(func() {
			_, _, ok, err := s.Claim(ctx, u, owner, "", now, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				winners = append(winners, owner)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("winners = %v, want exactly one", winners)
	}
	winner := winners[0]
	loser := map[string]string{"r1": "r2", "r2": "r3", "r3": "r1"}[winner]

	// While the lease holds, others cannot take it.
	if _, _, ok, _ := s.Claim(ctx, u, loser, "", now.Add(30*time.Second), time.Minute); ok {
		t.Error("claimed a feed leased to another replica")
	}
	// The owner finishes: writes the next poll time and releases.
	st, rev, err := s.Get(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	st.Owner, st.LeaseUntil, st.NextPoll = "", time.Time{}, now.Add(10*time.Minute)
	if _, err := s.Put(ctx, st, rev); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := s.Claim(ctx, u, loser, "", now.Add(5*time.Minute), time.Minute); ok {
		t.Error("claimed a feed before its next poll")
	}
	loserState, loserRev, ok, err := s.Claim(ctx, u, loser, "", now.Add(10*time.Minute), time.Minute)
	if err != nil || !ok {
		t.Fatalf("could not claim a due feed: %v", err)
	}
	// The new owner dies: after its lease, another replica takes over.
	if _, _, ok, _ := s.Claim(ctx, u, winner, "", now.Add(10*time.Minute+30*time.Second), time.Minute); ok {
		t.Error("took over before the lease expired")
	}
	if _, _, ok, _ := s.Claim(ctx, u, winner, "", now.Add(11*time.Minute+time.Second), time.Minute); !ok {
		t.Error("no takeover after the lease expired")
	}
	// The slow former owner comes back: its write must not clobber.
	loserState.NextPoll = now.Add(time.Hour)
	if _, err := s.Put(ctx, loserState, loserRev); !errors.Is(err, ErrConflict) {
		t.Errorf("write after losing the lease: %v, want ErrConflict", err)
	}
}

func TestDue(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	later := now.Add(3 * time.Minute)
	for _, c := range []struct {
		name   string
		st     FeedState
		config string
		want   bool
	}{
		{"never polled", FeedState{}, "c1", true},
		{"next poll passed", FeedState{NextPoll: now.Add(-time.Second), Config: "c1"}, "c1", true},
		{"next poll now", FeedState{NextPoll: now, Config: "c1"}, "c1", true},
		{"ok, not yet due", FeedState{NextPoll: later, Config: "c1"}, "c1", false},
		{"ok, config changed: waits", FeedState{NextPoll: later, Config: "c1"}, "c2", false},
		{"failing, same config: backs off", FeedState{NextPoll: later, ConsecutiveFailures: 3, Config: "c1"}, "c1", false},
		{"failing, config changed: at once", FeedState{NextPoll: later, ConsecutiveFailures: 3, Config: "c1"}, "c2", true},
		{"failing, state from before fingerprints", FeedState{NextPoll: later, ConsecutiveFailures: 1}, "c2", true},
		{"failing, caller without fingerprint", FeedState{NextPoll: later, ConsecutiveFailures: 1, Config: "c1"}, "", false},
	} {
		if got := c.st.Due(now, c.config); got != c.want {
			t.Errorf("%s: Due = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestResetAndWatch(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := Open(ctx, runJetStream(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const u = "https://news.example.org/rss.xml"
	now := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	st := FeedState{URL: u, ETag: `"v1"`, LastError: "httpx: blocked address: 127.0.0.1 is loopback", LastErrorClass: "permanent",
		ConsecutiveFailures: 4, NextPoll: now.Add(3 * time.Hour), Config: "c1"}
	if _, err := s.Put(ctx, st, 0); err != nil {
		t.Fatal(err)
	}
	seen := make(chan FeedState, 4)
	watching := make(chan error, 1)
	go func() { watching <- s.Watch(ctx, func(st FeedState) { seen <- st }) }()
	time.Sleep(100 * time.Millisecond) // let the watcher start: it reports updates only

	if known, err := s.Reset(ctx, "https://unknown.example/rss"); err != nil || known {
		t.Errorf("reset of an unknown feed: known %v, err %v", known, err)
	}
	if _, _, err := s.Get(ctx, "https://unknown.example/rss"); !errors.Is(err, ErrNotFound) {
		t.Errorf("reset stored an unknown feed: %v", err)
	}
	if known, err := s.Reset(ctx, u); err != nil || !known {
		t.Fatalf("reset: known %v, err %v", known, err)
	}
	got, _, err := s.Get(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Due(now, "c1") || got.ConsecutiveFailures != 4 || got.ETag != `"v1"` || got.LastError == "" {
		t.Errorf("after reset: %+v, want due now with failures, error and validators kept", got)
	}
	select {
	case w := <-seen:
		if w.URL != u || !w.NextPoll.IsZero() {
			t.Errorf("watch saw %+v", w)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher did not see the reset")
	}
	cancel()
	if err := <-watching; err != nil {
		t.Errorf("watch: %v", err)
	}
}
