package warc

import (
	"errors"
	"net/http"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestReplayWithoutRobotsTxt: a recording without robots.txt (one made by
// another tool) answers it as absent, with one log line for the run,
// instead of failing every page of the host; other misses still fail.
func TestReplayWithoutRobotsTxt(t *testing.T) {
	srv := testServer(t)
	src := recordSet(t, srv.URL, RecorderOptions{}, "/ok?q=a")
	core, logs := observer.New(zap.InfoLevel)
	rp, err := OpenReplay(src, ReplayOptions{Log: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	c := &http.Client{Transport: rp}
	for range 3 {
		resp, err := c.Get(srv.URL + "/robots.txt")
		if err != nil {
			t.Fatalf("robots.txt: %v", err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("robots.txt: status %d, want 404 (absent)", resp.StatusCode)
		}
	}
	if n := logs.FilterMessageSnippet("no robots.txt").Len(); n != 1 {
		t.Errorf("%d log lines about the missing robots.txt, want 1", n)
	}
	if _, err := c.Get(srv.URL + "/elsewhere"); !errors.Is(err, ErrNotInRecording) {
		t.Errorf("another miss: %v, want ErrNotInRecording", err)
	}
}
