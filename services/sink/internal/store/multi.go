package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// multi writes to several stores and reads from the first that can answer.
type multi struct{ stores []Store }

// Multi returns a store that writes every batch to each of stores, in
// order, and reads from the first store that supports the query. The first
// store that fails a batch ends the call with its error, naming the store:
// the stores after it do not run ahead of it, and the sink acks nothing
// until every store has the batch. Retrying is safe because every store is
// idempotent, so the ones that succeeded skip it. Articles without a stored
// time get one, the same for every store in this call (a store that only
// catches up on a retry records the retry's time).
func Multi(stores ...Store) Store {
	return &multi{stores: stores}
}

func (m *multi) Upsert(ctx context.Context, batch []schema.ArticleTaggedV1) error {
	batch = stampStored(batch, time.Now())
	for _, s := range m.stores {
		if err := s.Upsert(ctx, batch); err != nil {
			return fmt.Errorf("%s: %w", Where(s), err)
		}
	}
	return nil
}

func (m *multi) Export(ctx context.Context, f ExportFilter, fn func(schema.ArticleTaggedV1) error) error {
	for _, s := range m.stores {
		err := s.Export(ctx, f, fn)
		if !errors.Is(err, ErrUnsupported) {
			return err
		}
	}
	return fmt.Errorf("%w: export", ErrUnsupported)
}

func (m *multi) Claims(ctx context.Context, f ClaimFilter) ([]ClaimRow, error) {
	for _, s := range m.stores {
		rows, err := s.Claims(ctx, f)
		if !errors.Is(err, ErrUnsupported) {
			return rows, err
		}
	}
	return nil, fmt.Errorf("%w: claims", ErrUnsupported)
}

func (m *multi) Stats(ctx context.Context) (Stats, error) {
	if len(m.stores) == 0 {
		return Stats{}, nil
	}
	return m.stores[0].Stats(ctx)
}

// Ping fails if any store fails: a batch cannot be acked unless all of
// them can take it.
func (m *multi) Ping(ctx context.Context) error {
	var errs []error
	for _, s := range m.stores {
		if err := s.Ping(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *multi) Close() error {
	var errs []error
	for _, s := range m.stores {
		if err := s.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *multi) Where() string {
	names := make([]string, len(m.stores))
	for i, s := range m.stores {
		names[i] = Where(s)
	}
	return strings.Join(names, " + ")
}
