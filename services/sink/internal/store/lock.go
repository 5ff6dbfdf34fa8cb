package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// fileLock is an flock(2) lock on a file of its own. It never locks a
// database file itself: closing any descriptor of a file drops the POSIX
// locks SQLite holds on it. The holder writes its pid into the file, so a
// refusal names the live holder and a lock taken over from a process that
// died holding it (the kernel drops the flock) can be told apart from a
// clean hand-over.
type fileLock struct {
	f *os.File
	// stale is the pid of a previous holder that died without unlocking, or 0.
	stale int
}

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
		holder := readPid(f)
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if holder != 0 {
				return nil, fmt.Errorf("%w: %s (held by pid %d, which is running)", ErrLocked, path, holder)
			}
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	l := &fileLock{f: f}
	if prev := readPid(f); prev != 0 && prev != os.Getpid() {
		l.stale = prev
	}
	// Best effort: the pid is for messages, the flock is the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return l, nil
}

// readPid reads the pid a holder wrote into the lock file, or 0.
func readPid(f *os.File) int {
	b := make([]byte, 32)
	n, err := f.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// unlock releases the lock; closing the descriptor is what releases it.
// The pid is cleared first, so the next holder sees a clean hand-over.
func (l *fileLock) unlock() error {
	_ = l.f.Truncate(0)
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("store: unlock: %w", err)
	}
	return nil
}
