package httpx

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

func TestRobots(t *testing.T) {
	t.Parallel()
	const robots = "User-agent: *\nDisallow: /private\n\nUser-agent: newsflow-fetcher\nDisallow: /nonews\nAllow: /nonews/ok\n"
	tests := []struct {
		name    string
		status  int // of /robots.txt
		body    string
		respect bool
		kind    Kind
		path    string
		wantErr error
	}{
		{name: "allowed page", status: 200, body: robots, respect: true, kind: KindPage, path: "/news/1"},
		{name: "disallowed for our agent", status: 200, body: robots, respect: true, kind: KindPage, path: "/nonews/1", wantErr: ErrRobotsDisallowed},
		{name: "longest rule wins", status: 200, body: robots, respect: true, kind: KindPage, path: "/nonews/ok/2"},
		// Our group replaces the * group, so /private is allowed for us.
		{name: "star group not merged", status: 200, body: robots, respect: true, kind: KindPage, path: "/private/x"},
		{name: "feeds skip robots", status: 200, body: robots, respect: true, kind: KindFeed, path: "/nonews/feed.xml"},
		{name: "robots off", status: 200, body: robots, respect: false, kind: KindPage, path: "/nonews/1"},
		{name: "missing robots allows all", status: 404, respect: true, kind: KindPage, path: "/nonews/1"},
		{name: "server error disallows", status: 503, respect: true, kind: KindPage, path: "/news/1", wantErr: ErrRobotsUnavailable},
		{name: "garbage robots allows", status: 200, body: "\x00\x01 not robots {{{", respect: true, kind: KindPage, path: "/news/1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var robotsHits, pageHits atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					robotsHits.Add(1)
					w.WriteHeader(tc.status)
					_, _ = w.Write([]byte(tc.body))
					return
				}
				pageHits.Add(1)
				_, _ = w.Write([]byte("page"))
			})
			c := testClient(t, Options{RespectRobots: tc.respect})
			for i := 0; i < 3; i++ {
				_, err := c.Get(context.Background(), srv.URL+tc.path, Conditional{}, tc.kind)
				if tc.wantErr == nil && err != nil {
					t.Fatalf("Get: %v", err)
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("Get: error = %v, want %v", err, tc.wantErr)
				}
			}
			wantRobots := int32(0)
			if tc.respect && tc.kind == KindPage {
				wantRobots = 1 // cached across the three requests
			}
			if got := robotsHits.Load(); got != wantRobots {
				t.Errorf("robots.txt fetched %d times, want %d", got, wantRobots)
			}
			if tc.wantErr != nil && pageHits.Load() != 0 {
				t.Errorf("page fetched %d times despite %v", pageHits.Load(), tc.wantErr)
			}
		})
	}
}

func TestRobotsClassification(t *testing.T) {
	t.Parallel()
	if got := Classify(ErrRobotsDisallowed); got != Permanent {
		t.Errorf("disallowed: %v", got)
	}
	if got := Classify(ErrRobotsUnavailable); got != Temporary {
		t.Errorf("unavailable: %v", got)
	}
}

func TestRobotsSingleFetchUnderConcurrency(t *testing.T) {
	t.Parallel()
	var robotsHits atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			_, _ = w.Write([]byte("User-agent: *\nAllow: /\n"))
		}
	})
	c := testClient(t, Options{RespectRobots: true, PerHostConcurrency: -1})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), srv.URL+"/a", Conditional{}, KindPage); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := robotsHits.Load(); got != 1 {
		t.Errorf("robots.txt fetched %d times by 20 concurrent page fetches", got)
	}
}
