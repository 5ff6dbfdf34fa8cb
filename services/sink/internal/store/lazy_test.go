package store

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// TestOpenWhenUpWaitsForTheDatabase: with PostgreSQL down at start the
// store opens anyway, not ready, and opens and migrates the database once
// it answers (here: once a proxy to it starts listening on the DSN's port).
func TestOpenWhenUpWaitsForTheDatabase(t *testing.T) {
	dsn := storetest.PostgresSchema(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	// A port nobody listens on yet.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	u.Host = addr
	q := u.Query()
	q.Set("search_indexer", "off")
	u.RawQuery = q.Encode()

	old := lazyRetry
	lazyRetry = [2]time.Duration{20 * time.Millisecond, 100 * time.Millisecond}
	t.Cleanup(func() { lazyRetry = old })
	ctx := context.Background()
	s, err := OpenWhenUp(ctx, u.String(), zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("OpenWhenUp with the database down: %v", err)
	}
	defer s.Close()
	if err := s.Ping(ctx); !errors.Is(err, ErrNotOpen) {
		t.Fatalf("Ping before the database answers = %v, want ErrNotOpen", err)
	}
	if err := s.Upsert(ctx, storetest.Articles(7, 1)); Outage(err) == "" {
		t.Fatalf("Upsert before the database answers = %v, want an outage", err)
	}

	proxy(t, addr, target)
	deadline := time.Now().Add(20 * time.Second)
	for s.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not open 20s after the database answered: %v", s.Ping(ctx))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.Upsert(ctx, storetest.Articles(7, 2)); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Stats(ctx); err != nil || st.Articles != 2 {
		t.Fatalf("Stats = %+v, %v; want the 2 articles in the migrated database", st, err)
	}
}

// proxy forwards connections on addr to target until the test ends.
func proxy(t *testing.T, addr, target string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				d, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer d.Close()
				go func() { _, _ = io.Copy(d, c) }()
				_, _ = io.Copy(c, d)
			}()
		}
	}()
}
