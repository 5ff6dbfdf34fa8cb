package state

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestMarker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	js := runJetStream(t)
	s, err := OpenSeen(ctx, js, SeenOptions{TTL: 24 * time.Hour, TitleWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	item := func(i int) SeenItem {
		return SeenItem{FeedURL: "https://a.example/rss", GUID: fmt.Sprint(i), URL: fmt.Sprintf("https://news.example.org/%d", i),
			Title: fmt.Sprintf("Story number %d of a long day in the city", i), ContentHash: "h"}
	}
	status := func(it SeenItem) Status {
		t.Helper()
		v, err := s.Check(ctx, it)
		if err != nil {
			t.Fatal(err)
		}
		return v.Status
	}

	t.Run("a lone mark is written after the wait", func(t *testing.T) {
		m := s.NewMarker(50*time.Millisecond, func(_ SeenItem, err error) { t.Errorf("mark failed: %v", err) })
		it := item(1)
		m.Add(it, "a-1")
		if st := status(it); st != New {
			t.Errorf("right after Add: %v, want new (the mark waits for company)", st)
		}
		deadline := time.Now().Add(5 * time.Second)
		for status(it) != Unchanged {
			if time.Now().After(deadline) {
				t.Fatal("the mark was not written within 5 s without a Flush")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})

	t.Run("bursts beyond the largest are all written", func(t *testing.T) {
		m := s.NewMarker(time.Hour, func(_ SeenItem, err error) { t.Errorf("mark failed: %v", err) })
		const n = 3*markBurst + 5
		for i := 100; i < 100+n; i++ {
			m.Add(item(i), fmt.Sprintf("a-%d", i))
		}
		if err := m.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for i := 100; i < 100+n; i++ {
			if st := status(item(i)); st != Unchanged {
				t.Fatalf("item %d: %v after Flush, want unchanged", i, st)
			}
			other := item(i)
			other.FeedURL, other.GUID, other.URL = "https://b.example/rss", "x", fmt.Sprintf("https://mirror.example.net/%d", i)
			if st := status(other); st != Duplicate {
				t.Fatalf("item %d's title under another URL: %v, want duplicate", i, st)
			}
		}
	})

	t.Run("the same title twice in one burst keeps the first", func(t *testing.T) {
		m := s.NewMarker(time.Hour, func(_ SeenItem, err error) { t.Errorf("mark failed: %v", err) })
		a, b := item(900), item(901)
		b.Title = a.Title
		m.Add(a, "first")
		m.Add(b, "second")
		if err := m.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		c := item(902)
		c.Title = a.Title
		if v, err := s.Check(ctx, c); err != nil || v.Status != Duplicate || v.ArticleID != "first" {
			t.Errorf("third copy: %+v, %v; want a duplicate of the first", v, err)
		}
	})

	t.Run("a mark that cannot be stored is reported", func(t *testing.T) {
		gone, err := OpenSeen(ctx, js, SeenOptions{Bucket: "seen_gone", TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := js.DeleteKeyValue(ctx, "seen_gone"); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var failed []string
		m := gone.NewMarker(time.Hour, func(it SeenItem, err error) {
			mu.Lock()
			failed = append(failed, it.GUID)
			mu.Unlock()
		})
		m.Add(item(1), "a-1")
		m.Add(item(2), "a-2")
		if err := m.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if len(failed) != 2 {
			t.Errorf("reported %v, want items 1 and 2", failed)
		}
	})
}

// TestMarkerConcurrentFlushes: polls add and flush at once, as the
// fetcher's feed workers do; each flush returns with its own marks stored.
func TestMarkerConcurrentFlushes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := OpenSeen(ctx, runJetStream(t), SeenOptions{TTL: time.Hour, TitleWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	m := s.NewMarker(5*time.Millisecond, func(_ SeenItem, err error) { t.Errorf("mark failed: %v", err) })
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := range 20 {
				it := SeenItem{FeedURL: fmt.Sprintf("https://%d.example/rss", w), GUID: fmt.Sprint(i),
					URL: fmt.Sprintf("https://news.example.org/%d/%d", w, i)}
				m.Add(it, "a")
				if i%4 == 3 {
					if err := m.Flush(ctx); err != nil {
						t.Error(err)
						return
					}
					if v, err := s.Check(ctx, it); err != nil || v.Status != Unchanged {
						t.Errorf("worker %d item %d after its flush: %v %v", w, i, v.Status, err)
					}
				}
			}
		})
	}
	wg.Wait()
}
