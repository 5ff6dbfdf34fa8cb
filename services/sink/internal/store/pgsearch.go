package store

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// The search indexer fills articles.search, which writers leave NULL:
// to_tsvector costs more than the rest of a write, so search lags writes by
// a moment instead of slowing them. Replicas share the work through SKIP
// LOCKED, and a changed article is NULLed by its upsert and indexed again.

const (
	// searchBatch is how many articles one indexing transaction takes.
	searchBatch = 100
	// searchIdle is how long the indexer sleeps with nothing to do before
	// looking for rows other replicas wrote.
	searchIdle = 5 * time.Second
	// searchIndexerParam turns the indexer off in the DSN
	// (search_indexer=off), e.g. for a short-lived CLI.
	searchIndexerParam = "search_indexer"
)

// A document holding a \u0000 escape cannot be cast to jsonb; such an
// article is searchable by title only rather than blocking the indexer.
const indexSearch = `
UPDATE articles a SET search = to_tsvector(newsflow_ts_config(a.language), a.title || ' ' ||
	CASE WHEN strpos(a.doc, '\u0000') > 0 THEN '' ELSE coalesce(a.doc::jsonb ->> 'text', '') END)
WHERE a.id IN (SELECT id FROM articles WHERE search IS NULL LIMIT $1 FOR UPDATE SKIP LOCKED)`

// indexSearch indexes up to limit articles and returns how many it did.
func (s *pgStore) indexSearch(ctx context.Context, limit int) (int64, error) {
	tag, err := s.pool.Exec(ctx, indexSearch, limit)
	if err != nil {
		return 0, fmt.Errorf("store: postgres: search index: %w", err)
	}
	return tag.RowsAffected(), nil
}

// runIndexer indexes until ctx ends, woken by writes or every searchIdle.
func (s *pgStore) runIndexer(ctx context.Context) {
	failing := false
	for {
		n, err := s.indexSearch(ctx, searchBatch)
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil:
			// Once per outage: the sink's own retries report the database.
			if !failing {
				s.log.Warn("Search indexing paused.", zap.Error(err))
				failing = true
			}
		case failing:
			s.log.Info("Search indexing resumed.")
			failing = false
		}
		if err == nil && n == searchBatch {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.indexWake:
		case <-time.After(searchIdle):
		}
	}
}

// wakeIndexer tells the indexer there are new rows, without waiting.
func (s *pgStore) wakeIndexer() {
	select {
	case s.indexWake <- struct{}{}:
	default:
	}
}
