package fetcher

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/natstest"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
)

// slowBackoff makes a failing feed wait an hour, so a poll seen within the
// test is one a reset or a configuration change brought forward.
var slowBackoff = []string{"--interval", "1h", "--min-interval", "1h", "--max-interval", "2h", "--jitter", "0"}

func feedState(t *testing.T, r *replica, u string) state.FeedState {
	t.Helper()
	st, _, err := r.store.Get(context.Background(), u)
	if err != nil && !errors.Is(err, state.ErrNotFound) {
		t.Fatal(err)
	}
	return st
}

// A feed that failed waits out its backoff, until `fetcher feeds reset`
// makes it due: the running replica polls it at its next tick.
func TestFeedsResetPollsAtOnce(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	srv := newPollLog(t)
	srv.mu.Lock()
	srv.fail["/feed/a"] = true
	srv.mu.Unlock()
	u := srv.URL + "/feed/a"
	cfg := testConfig(t, ns.ClientURL(), writeFeedsFile(t, t.TempDir(), u), slowBackoff...)
	r := newReplicaWith(t, cfg, "r1", isolated(t, cfg))
	r.runForever(t, nil)
	eventually(t, 5*time.Second, "the first poll failed", func() bool { return feedState(t, r, u).ConsecutiveFailures == 1 })
	if next := time.Until(feedState(t, r, u).NextPoll); next < 30*time.Minute {
		t.Fatalf("next poll in %v: want the hour's backoff", next)
	}
	srv.mu.Lock()
	srv.fail["/feed/a"] = false // the server is fixed
	srv.mu.Unlock()
	time.Sleep(1500 * time.Millisecond)
	if n := srv.count("/feed/a"); n != 1 {
		t.Fatalf("polled %d times before the reset, want 1", n)
	}

	var out bytes.Buffer
	err := resetFeeds(context.Background(), r.store, []string{"https://typo.example/rss"}, true, &out, time.Now())
	if err == nil || !strings.Contains(err.Error(), "typo.example") {
		t.Errorf("reset of an unknown feed: %v, want an error naming it", err)
	}
	if !strings.Contains(out.String(), "reset "+u+" (was due in ") || !strings.Contains(out.String(), "failing 1×") {
		t.Errorf("reset output %q", out.String())
	}
	eventually(t, 5*time.Second, "the reset feed polled", func() bool { return srv.count("/feed/a") == 2 })
	eventually(t, 5*time.Second, "the feed ok again", func() bool {
		st := feedState(t, r, u)
		return st.ConsecutiveFailures == 0 && !st.LastSuccess.IsZero()
	})
}

// A feed that failed under one configuration is retried at once when the
// fetcher's network settings change (here --allow-loopback, the issue's
// case), and not when they stay the same.
func TestConfigChangeRetriesFailingFeed(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	srv := newPollLog(t)
	u := srv.URL + "/feed/a"
	file := writeFeedsFile(t, t.TempDir(), u)
	blocked := testConfig(t, ns.ClientURL(), file, append([]string{"--allow-loopback=false"}, slowBackoff...)...)
	b := isolated(t, blocked)
	r1 := newReplicaWith(t, blocked, "r1", b)
	stop := r1.runForever(t, nil)
	eventually(t, 5*time.Second, "the blocked poll recorded", func() bool { return feedState(t, r1, u).ConsecutiveFailures == 1 })
	stop()
	if st := feedState(t, r1, u); !strings.Contains(st.LastError, "loopback") {
		t.Fatalf("last error %q, want the loopback block", st.LastError)
	}

	// The same settings again: the feed keeps its backoff.
	r2 := newReplicaWith(t, blocked, "r2", b)
	stop = r2.runForever(t, nil)
	time.Sleep(1500 * time.Millisecond)
	stop()
	if st := feedState(t, r2, u); st.ConsecutiveFailures != 1 {
		t.Fatalf("unchanged settings: failures %d, want 1 (no retry before the backoff)", st.ConsecutiveFailures)
	}

	allowed := testConfig(t, ns.ClientURL(), file, slowBackoff...)
	r3 := newReplicaWith(t, allowed, "r3", b)
	r3.runForever(t, nil)
	eventually(t, 5*time.Second, "the feed retried with loopback allowed", func() bool { return srv.count("/feed/a") == 1 })
	eventually(t, 5*time.Second, "the feed ok", func() bool { return feedState(t, r3, u).ConsecutiveFailures == 0 })
}

// The command line: URLs and flags in any order after `feeds reset`, and
// nothing named is a usage error.
func TestFeedsResetCommandLine(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	conn := natstest.Connect(t, ns.ClientURL())
	ctx := context.Background()
	store, err := state.Open(ctx, conn.JS, state.Options{Bucket: schema.BucketFeedState})
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	for _, st := range []state.FeedState{
		{URL: "https://a.example/rss", ConsecutiveFailures: 2, LastErrorClass: "permanent", NextPoll: later},
		{URL: "https://b.example/rss", NextPoll: later},
		{URL: "https://c.example/rss", NextPoll: later},
	} {
		if _, err := store.Put(ctx, st, 0); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := Main(ctx, app.Env{Args: args, Lookup: noEnv, Stdout: &out, Stderr: &errOut})
		return out.String(), err
	}
	if _, err := run("feeds", "reset", "--nats-url", ns.ClientURL()); err == nil || !strings.Contains(err.Error(), "--failing") {
		t.Errorf("reset without feeds: %v", err)
	}
	out, err := run("--log-level", "error", "feeds", "reset", "https://b.example/rss", "--nats-url", ns.ClientURL(), "--failing")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "reset https://a.example/rss") || !strings.Contains(out, "reset https://b.example/rss") || strings.Contains(out, "c.example") {
		t.Errorf("output %q: want a (failing) and b (named) reset, not c", out)
	}
	now := time.Now()
	for u, due := range map[string]bool{"https://a.example/rss": true, "https://b.example/rss": true, "https://c.example/rss": false} {
		st, _, err := store.Get(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if st.Due(now, "") != due {
			t.Errorf("%s due %v after reset, want %v", u, !due, due)
		}
	}
}

// A failing feed whose entry in the feeds file changes is retried as soon
// as the running fetcher reloads the file.
func TestChangedFeedEntryRetriesAtOnce(t *testing.T) {
	t.Parallel()
	ns := natstest.RunJetStream(t)
	srv := newPollLog(t)
	srv.mu.Lock()
	srv.fail["/feed/a"] = true
	srv.mu.Unlock()
	u := srv.URL + "/feed/a"
	dir := t.TempDir()
	file := writeFeedsFile(t, dir, u)
	cfg := testConfig(t, ns.ClientURL(), file, slowBackoff...)
	r := newReplicaWith(t, cfg, "r1", isolated(t, cfg))
	reload := make(chan os.Signal, 1)
	r.runForever(t, reload)
	eventually(t, 5*time.Second, "the first poll failed", func() bool { return feedState(t, r, u).ConsecutiveFailures == 1 })
	time.Sleep(1500 * time.Millisecond)
	if n := srv.count("/feed/a"); n != 1 {
		t.Fatalf("polled %d times within its backoff, want 1", n)
	}
	// The operator gives the feed bounds of its own.
	entry := "feeds:\n  - url: " + u + "\n    min_interval: 2h\n    max_interval: 3h\n"
	if err := os.WriteFile(file, []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	reload <- syscall.SIGHUP
	eventually(t, 5*time.Second, "the changed feed retried", func() bool { return srv.count("/feed/a") == 2 })
}
