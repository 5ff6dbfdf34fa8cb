package store

import (
	"context"
	"errors"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/ledger"
)

// The desk of several stores keeps the ledger of every store that has
// one, and reads from the first.

func (m *multi) SyncLedger(ctx context.Context, ids []string) (int, error) {
	return m.eachDesk(func(d Desk) (int, error) { return d.SyncLedger(ctx, ids) })
}

func (m *multi) CatchUpLedger(ctx context.Context) (int, error) {
	return m.eachDesk(func(d Desk) (int, error) { return d.CatchUpLedger(ctx) })
}

// eachDesk calls fn on every store's desk and reports the first count.
func (m *multi) eachDesk(fn func(Desk) (int, error)) (int, error) {
	var errs []error
	first := -1
	for _, s := range m.stores {
		n, err := fn(DeskOf(s))
		if err != nil {
			errs = append(errs, err)
		}
		if first < 0 {
			first = n
		}
	}
	return max(first, 0), errors.Join(errs...)
}

func (m *multi) reader() Desk {
	if len(m.stores) == 0 {
		return scanDesk{m}
	}
	return DeskOf(m.stores[0])
}

func (m *multi) LedgerGroups(ctx context.Context, f LedgerFilter) ([]ledger.Group, error) {
	return m.reader().LedgerGroups(ctx, f)
}

func (m *multi) LedgerSeries(ctx context.Context, f LedgerFilter) ([]ledger.Series, error) {
	return m.reader().LedgerSeries(ctx, f)
}

func (m *multi) Articles(ctx context.Context, f ArticleFilter) ([]schema.ArticleTaggedV1, error) {
	return m.reader().Articles(ctx, f)
}

func (m *multi) Facets(ctx context.Context) (Facets, error) { return m.reader().Facets(ctx) }
