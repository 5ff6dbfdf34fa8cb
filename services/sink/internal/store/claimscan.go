package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// errStop ends an Export early once a page of claims is full.
var errStop = errors.New("store: stop")

// claimsByScan answers Claims from Export, for backends without claim
// indexes. It filters with the same rules as the SQL backends.
func claimsByScan(ctx context.Context, s Store, f ClaimFilter) ([]ClaimRow, error) {
	skip := max(f.Offset, 0)
	var out []ClaimRow
	err := s.Export(ctx, ExportFilter{Since: f.Since, RelevantOnly: f.RelevantOnly, Query: f.Query}, func(a schema.ArticleTaggedV1) error {
		if !LanguageMatches(a.Language, f.Language) {
			return nil
		}
		for i, c := range a.Claims {
			if !claimMatches(c, f.Topic, f.Speaker, f.Place, f.Unit) ||
				f.SpeakerKind != "" && c.SpeakerKind != f.SpeakerKind || f.SpeakerRole != "" && c.SpeakerRole != f.SpeakerRole {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			if f.Limit > 0 && len(out) == f.Limit {
				return errStop
			}
			out = append(out, claimRow(&a, i))
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return out, nil
}

func claimMatches(c schema.Claim, topic, speaker, place, unit string) bool {
	if topic != "" && c.Topic != topic {
		return false
	}
	if !HasPhrase(c.Speaker, speaker) {
		return false
	}
	if strings.TrimSpace(place) != "" && !slices.ContainsFunc(c.Places, func(p string) bool { return HasPhrase(p, place) }) {
		return false
	}
	if unit != "" && !slices.ContainsFunc(c.Quantities, func(q schema.Quantity) bool { return q.Unit == unit }) {
		return false
	}
	return true
}

// claimRow is claim i of a with its article, slices never nil so every
// backend encodes an empty list the same way.
func claimRow(a *schema.ArticleTaggedV1, i int) ClaimRow {
	c := a.Claims[i]
	c.Quantities = nonNil(c.Quantities)
	c.Places = nonNil(c.Places)
	r := ClaimRow{
		ArticleID: a.ID, ArticleURL: a.URL, Title: a.Title, Site: siteOf(a), FeedURL: a.Item.FeedURL,
		Relevant: a.Relevant, Index: i, Claim: c,
	}
	if p := publishedAt(a); p != nil {
		t := p.UTC().Truncate(time.Microsecond)
		r.PublishedAt = &t
	}
	if a.Stages.StoredAt != nil {
		r.StoredAt = a.Stages.StoredAt.UTC().Truncate(time.Microsecond)
	}
	return r
}
