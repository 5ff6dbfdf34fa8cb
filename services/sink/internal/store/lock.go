package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// fileLock is an flock(2) lock on a file of its own. It never locks a
// database file itself: closing any descriptor of a file drops the POSIX
// locks SQLite holds on it.
type fileLock struct{ f *os.File }

// lockFile takes an exclusive lock on path, creating it. With wait false it
// returns ErrLocked at once if another process holds it.
func lockFile(path string, wait bool) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	return &fileLock{f: f}, nil
}

// unlock releases the lock; closing the descriptor is what releases it.
func (l *fileLock) unlock() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("store: unlock: %w", err)
	}
	return nil
}
