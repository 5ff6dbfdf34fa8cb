package feedlist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchOptions configure a Watcher.
type WatchOptions struct {
	// Debounce groups the bursts of events an editor or a config-map swap
	// produces into one reload. Zero means 250ms.
	Debounce time.Duration
	// OnReload is called with the new list after every reload that changed
	// the file's content.
	OnReload func([]Feed)
	// OnError is called when a reload triggered by a file change fails; the
	// previous list stays in force.
	OnError func(error)
}

// Watcher holds the current feed list and reloads it when the file changes
// (Run) or when asked (Reload, wired to SIGHUP by the service). A reload that
// fails keeps the previous list.
type Watcher struct {
	path string
	o    WatchOptions
	cur  atomic.Pointer[[]Feed]

	mu   sync.Mutex // serialises reloads
	hash [sha256.Size]byte
}

// NewWatcher loads path once; an invalid file is an error here, since there
// is no previous list to keep.
func NewWatcher(path string, o WatchOptions) (*Watcher, error) {
	if o.Debounce <= 0 {
		o.Debounce = 250 * time.Millisecond
	}
	w := &Watcher{path: path, o: o}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("feedlist: %w", err)
	}
	feeds, err := parseByExt(path, b)
	if err != nil {
		return nil, err
	}
	w.hash = sha256.Sum256(b)
	w.cur.Store(&feeds)
	return w, nil
}

// Feeds returns the current list. Callers must not modify it.
func (w *Watcher) Feeds() []Feed { return *w.cur.Load() }

// Reload reads the file again. It returns the error of an invalid file and
// keeps the previous list; an unchanged file is a no-op.
func (w *Watcher) Reload() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	b, err := os.ReadFile(w.path)
	if err != nil {
		return fmt.Errorf("feedlist: reload: %w", err)
	}
	h := sha256.Sum256(b)
	if bytes.Equal(h[:], w.hash[:]) {
		return nil
	}
	feeds, err := parseByExt(w.path, b)
	if err != nil {
		return fmt.Errorf("feedlist: reload: %w", err)
	}
	w.hash = h
	w.cur.Store(&feeds)
	if w.o.OnReload != nil {
		w.o.OnReload(feeds)
	}
	return nil
}

// Run watches the file's directory until ctx is done. The directory, not the
// file, is watched: editors and Kubernetes config maps replace files by
// rename, which a watch on the old inode would miss.
func (w *Watcher) Run(ctx context.Context) error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("feedlist: watch: %w", err)
	}
	defer fw.Close()
	dir, base := filepath.Split(filepath.Clean(w.path))
	if dir == "" {
		dir = "."
	}
	if err := fw.Add(dir); err != nil {
		return fmt.Errorf("feedlist: watch %s: %w", dir, err)
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			name := filepath.Base(ev.Name)
			if name == base || name == "..data" {
				timer.Reset(w.o.Debounce)
			}
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			if w.o.OnError != nil {
				w.o.OnError(fmt.Errorf("feedlist: watch: %w", err))
			}
		case <-timer.C:
			if err := w.Reload(); err != nil && w.o.OnError != nil {
				w.o.OnError(err)
			}
		}
	}
}
