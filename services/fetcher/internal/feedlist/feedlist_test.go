package feedlist

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func boolp(b bool) *bool { return &b }

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []Feed
	}{
		{file: "feeds.yaml", want: []Feed{
			{URL: "https://news.example.org/rss.xml", Title: "Example News", Tags: []string{"world", "politics"}, MinInterval: 5 * time.Minute, MaxInterval: 2 * time.Hour},
			{URL: "https://blog.example.net/atom.xml", Enabled: boolp(false)},
			{URL: "https://json.example.com/feed.json", Title: "JSON feed", Enabled: boolp(true)},
		}},
		{file: "wrapped.yml", want: []Feed{{URL: "https://news.example.org/rss.xml", Tags: []string{"world"}}}},
		{file: "empty.yaml", want: []Feed{}},
		{file: "subscriptions.opml", want: []Feed{
			{URL: "https://news.example.org/rss.xml", Title: "Example News", Tags: []string{"World", "Tech"}},
			{URL: "https://zeitung.example.ch/feed", Title: "Café Zeitung", Tags: []string{"World", "Europe", "German", "Daily"}},
			{URL: "https://blog.example.net/atom.xml", Title: "Old blog\u00a0archive", Tags: []string{"Tech"}, Enabled: boolp(false)},
			{URL: "http://top.example.com/rss", Title: "Top level"},
		}},
		{file: "latin1.opml", want: []Feed{{URL: "https://actu.example.fr/rss", Title: "Actualités"}}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got, err := Load(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Load(%s)\n got  %+v\n want %+v", tc.file, got, tc.want)
			}
		})
	}
}

func TestIsEnabled(t *testing.T) {
	t.Parallel()
	if !(Feed{}).IsEnabled() || !(Feed{Enabled: boolp(true)}).IsEnabled() || (Feed{Enabled: boolp(false)}).IsEnabled() {
		t.Error("IsEnabled: nil and true mean enabled, false means disabled")
	}
}

func TestInvalidYAML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, wantMsg string
	}{
		{name: "unknown field", yaml: "- url: https://a.example/\n  max_intervall: 1h\n", wantMsg: "max_intervall"},
		{name: "no url", yaml: "- title: nothing\n", wantMsg: "no url"},
		{name: "bad scheme", yaml: "- url: ftp://a.example/feed\n", wantMsg: "scheme"},
		{name: "relative url", yaml: "- url: /feed.xml\n", wantMsg: "scheme"},
		{name: "duplicate", yaml: "- url: https://a.example/\n- url: https://a.example/\n", wantMsg: "same url as feed 1"},
		{name: "min above max", yaml: "- url: https://a.example/\n  min_interval: 2h\n  max_interval: 1h\n", wantMsg: "above max_interval"},
		{name: "negative", yaml: "- url: https://a.example/\n  min_interval: -5m\n", wantMsg: "negative"},
		{name: "bad duration", yaml: "- url: https://a.example/\n  min_interval: soon\n", wantMsg: "line 1"},
		{name: "not a list", yaml: "url: https://a.example/\n", wantMsg: "unknown top-level key"},
		{name: "scalar entry", yaml: "- https://a.example/\n", wantMsg: "not a mapping"},
		{name: "syntax", yaml: "- url: [unclosed\n", wantMsg: "yaml"},
	}
	for _, tc := range tests {
		_, err := ParseYAML(strings.NewReader(tc.yaml))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.wantMsg) {
			t.Errorf("%s: error = %v, want ErrInvalid mentioning %q", tc.name, err, tc.wantMsg)
		}
	}
}

func TestInvalidOPMLAndExtension(t *testing.T) {
	t.Parallel()
	if _, err := ParseOPML(strings.NewReader("<opml><body><outline xmlUrl=")); !errors.Is(err, ErrInvalid) {
		t.Errorf("truncated OPML: %v", err)
	}
	if _, err := ParseOPML(strings.NewReader(`<opml><body><outline text="x" xmlUrl="javascript:alert(1)"/></body></opml>`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("javascript: URL in OPML: %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "feeds.txt")
	if err := os.WriteFile(p, []byte("https://a.example/"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown extension: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// collector records watcher callbacks.
type collector struct {
	mu      sync.Mutex
	reloads [][]Feed
	errs    []error
	changed chan struct{}
}

func newCollector() *collector { return &collector{changed: make(chan struct{}, 16)} }

func (c *collector) onReload(f []Feed) {
	c.mu.Lock()
	c.reloads = append(c.reloads, f)
	c.mu.Unlock()
	c.changed <- struct{}{}
}

func (c *collector) onError(err error) {
	c.mu.Lock()
	c.errs = append(c.errs, err)
	c.mu.Unlock()
	c.changed <- struct{}{}
}

func (c *collector) wait(t *testing.T) {
	t.Helper()
	select {
	case <-c.changed:
	case <-time.After(5 * time.Second):
		t.Fatal("no watcher callback within 5s")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatcherReload(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "feeds.yaml")
	writeFile(t, path, "- url: https://a.example/feed\n")
	c := newCollector()
	w, err := NewWatcher(path, WatchOptions{OnReload: c.onReload, OnError: c.onError})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Feeds(); len(got) != 1 || got[0].URL != "https://a.example/feed" {
		t.Fatalf("initial feeds = %+v", got)
	}

	// Unchanged file: no callback.
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	// Valid change.
	writeFile(t, path, "- url: https://a.example/feed\n- url: https://b.example/feed\n")
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if len(w.Feeds()) != 2 {
		t.Errorf("after reload: %d feeds, want 2", len(w.Feeds()))
	}
	// Invalid change: error, previous list kept.
	writeFile(t, path, "- url: https://a.example/feed\n  bogus: 1\n")
	if err := w.Reload(); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid reload error = %v", err)
	}
	if len(w.Feeds()) != 2 {
		t.Errorf("after invalid reload: %d feeds, want the previous 2", len(w.Feeds()))
	}
	// Missing file: error, previous list kept.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file reload error = %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.reloads) != 1 || len(c.errs) != 0 {
		t.Errorf("callbacks: %d reloads, %d errors; want 1 and 0 (Reload returns its errors)", len(c.reloads), len(c.errs))
	}
}

func TestWatcherFollowsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "feeds.yaml")
	writeFile(t, path, "- url: https://a.example/feed\n")
	c := newCollector()
	w, err := NewWatcher(path, WatchOptions{Debounce: 20 * time.Millisecond, OnReload: c.onReload, OnError: c.onError})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	time.Sleep(50 * time.Millisecond) // let the watch start

	// In-place write.
	writeFile(t, path, "- url: https://a.example/feed\n- url: https://b.example/feed\n")
	c.wait(t)
	if n := len(w.Feeds()); n != 2 {
		t.Fatalf("after write: %d feeds", n)
	}
	// Invalid write: reported, previous list kept.
	writeFile(t, path, "not: [valid\n")
	c.wait(t)
	c.mu.Lock()
	nerr := len(c.errs)
	c.mu.Unlock()
	if nerr != 1 || len(w.Feeds()) != 2 {
		t.Fatalf("after invalid write: %d errors, %d feeds", nerr, len(w.Feeds()))
	}
	// Replace by rename, as editors do.
	tmp := filepath.Join(dir, ".feeds.yaml.tmp")
	writeFile(t, tmp, "- url: https://c.example/feed\n")
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
	if got := w.Feeds(); len(got) != 1 || got[0].URL != "https://c.example/feed" {
		t.Fatalf("after rename: %+v", got)
	}
}
