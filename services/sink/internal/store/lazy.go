package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
)

// ErrNotOpen is returned by a store from OpenWhenUp until its database
// answered and was migrated; store.Outage counts it as one.
var ErrNotOpen = errors.New("store: database not open yet")

// OpenWhenUp is Open for a service: when the database is down at start (an
// error Outage names), it returns a store that opens and migrates it in the
// background as soon as it answers, instead of failing. Until then Ping
// and Upsert fail with ErrNotOpen (the sink holds its batches and reports
// not ready), so a database restart during a deploy does not crash-loop
// the sink. A bad spec or any other error fails at once, as with Open.
func OpenWhenUp(ctx context.Context, spec string, log *zap.Logger) (Store, error) {
	s, err := Open(ctx, spec, log)
	if err == nil || errors.Is(err, ErrBadSpec) || Outage(err) == "" {
		return s, err
	}
	log.Warn("Database unavailable at start; starting not ready, it is opened and migrated when it answers.",
		zap.String("store", redactSpec(spec)), zap.String("cause", Outage(err)), zap.Error(err))
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l := &lazy{spec: redactSpec(spec), cause: err, cancel: cancel, done: make(chan struct{})}
	go l.open(bg, spec, log)
	return l, nil
}

// lazy is a store whose database was down at start.
type lazy struct {
	spec   string
	cancel context.CancelFunc
	done   chan struct{} // closed when open gives up or succeeds

	mu    sync.Mutex
	s     Store // nil until open
	cause error // the last open error
}

// lazyRetry bounds the wait between attempts to open the database.
var lazyRetry = [2]time.Duration{500 * time.Millisecond, 15 * time.Second}

func (l *lazy) open(ctx context.Context, spec string, log *zap.Logger) {
	defer close(l.done)
	delay := lazyRetry[0]
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		s, err := Open(ctx, spec, log)
		if err == nil {
			l.mu.Lock()
			l.s, l.cause = s, nil
			l.mu.Unlock()
			log.Info("Database answered; opened and migrated.", zap.String("store", l.spec))
			return
		}
		l.mu.Lock()
		l.cause = err
		l.mu.Unlock()
		delay = min(delay*2, lazyRetry[1])
	}
}

// get returns the open store, or ErrNotOpen with the last cause.
func (l *lazy) get() (Store, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.s == nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrNotOpen, l.spec, l.cause)
	}
	return l.s, nil
}

func (l *lazy) Where() string {
	if s, err := l.get(); err == nil {
		return Where(s)
	}
	return l.spec
}

func (l *lazy) Upsert(ctx context.Context, batch []schema.ArticleTaggedV1) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.Upsert(ctx, batch)
}

func (l *lazy) Export(ctx context.Context, f ExportFilter, fn func(schema.ArticleTaggedV1) error) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.Export(ctx, f, fn)
}

func (l *lazy) Claims(ctx context.Context, f ClaimFilter) ([]ClaimRow, error) {
	s, err := l.get()
	if err != nil {
		return nil, err
	}
	return s.Claims(ctx, f)
}

func (l *lazy) Stats(ctx context.Context) (Stats, error) {
	s, err := l.get()
	if err != nil {
		return Stats{}, err
	}
	return s.Stats(ctx)
}

func (l *lazy) Ping(ctx context.Context) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.Ping(ctx)
}

func (l *lazy) Close() error {
	l.cancel()
	<-l.done
	if s, err := l.get(); err == nil {
		return s.Close()
	}
	return nil
}
