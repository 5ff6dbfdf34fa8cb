package store

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"go.uber.org/zap"
)

// Store keeps tagged articles. Every backend gives the same guarantees, so
// the sink can ack a message as soon as Upsert returns nil.
type Store interface {
	// Upsert stores a batch in one transaction, keyed by article id. Idempotent: the same
	// article again changes nothing; same id with a new content_hash replaces its tags,
	// claims and quantities in the same transaction. Safe with several sink replicas.
	// A version fetched before the stored one is ignored, so a replay never
	// rolls an article back. An invalid article fails the whole batch with an
	// error wrapping schema.ErrInvalid, before anything is written.
	Upsert(ctx context.Context, batch []schema.ArticleTaggedV1) error
	// Export calls fn for each stored article (its latest version), ordered
	// by published time (stored time when unknown), then id.
	Export(ctx context.Context, f ExportFilter, fn func(schema.ArticleTaggedV1) error) error
	// Claims lists claims in the order of their articles, then their
	// position in the article.
	Claims(ctx context.Context, f ClaimFilter) ([]ClaimRow, error)
	// Stats counts what is stored.
	Stats(ctx context.Context) (Stats, error)
	// Ping reports whether the backend can take writes now (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// ExportFilter selects articles. Zero values select everything.
type ExportFilter struct {
	// Since keeps articles published (or, without a date, stored) at or after it.
	Since        time.Time
	RelevantOnly bool
	// Site keeps articles whose canonical URL host is Site ("www.bbc.co.uk").
	Site string
	// Language keeps articles in that language ("fr" takes "fr-CA" too).
	Language string
	// Query is a full-text search over title and text (see ParseSearch):
	// the articles come best match first. SQLite and PostgreSQL; JSON lines
	// returns ErrUnsupported, and a query of only exclusions ErrBadSearch.
	Query string
	// Limit 0 means no limit.
	Limit, Offset int
}

// ClaimFilter selects claims. Zero values select everything. Topic and Unit
// match exactly (they are normalised upstream); Speaker and Place match by
// words, ignoring case ("mattis" finds "James Mattis", see HasPhrase);
// Language is the article's ("fr" takes "fr-CA" too).
type ClaimFilter struct {
	Topic, Speaker, Place, Unit string
	// SpeakerKind and SpeakerRole match the claim's exactly.
	SpeakerKind, SpeakerRole string
	Language                 string
	// Query keeps the claims of articles that match a full-text search,
	// as ExportFilter's (the order stays the claims').
	Query string
	// Since applies to the claim's article, as in ExportFilter.
	Since        time.Time
	RelevantOnly bool
	// Limit 0 means no limit.
	Limit, Offset int
}

// ClaimRow is one claim with the article it comes from. The claim's own
// fields (text, speaker, quantities, places ...) are inlined in JSON.
type ClaimRow struct {
	ArticleID   string     `json:"article_id"`
	ArticleURL  string     `json:"article_url"`
	Title       string     `json:"title"`
	Site        string     `json:"site"`
	FeedURL     string     `json:"feed_url"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	StoredAt    time.Time  `json:"stored_at"`
	Relevant    bool       `json:"relevant"`
	// Index is the claim's position in the article's claims.
	Index int `json:"index"`
	schema.Claim
}

// Stats counts stored rows; an updated article counts once.
type Stats struct {
	Articles   int64 `json:"articles"`
	Relevant   int64 `json:"relevant"`
	Claims     int64 `json:"claims"`
	Quantities int64 `json:"quantities"`
}

// Open opens the backend named by spec and applies pending migrations:
//
//	sqlite:./data/newsflow.db[?synchronous=full|normal&busy_timeout=10s]
//	postgres://user@host:5432/db?sslmode=disable (any pgx DSN; postgresql:// too)
//	jsonl:./data/out[?fsync=always|batch|never]
func Open(ctx context.Context, spec string, log *zap.Logger) (Store, error) {
	kind, rest, _ := strings.Cut(spec, ":")
	switch kind {
	case "sqlite":
		return openSQLite(ctx, rest, log)
	case "postgres", "postgresql":
		return openPostgres(ctx, spec, log)
	case "jsonl":
		return openJSONL(rest, false, log)
	default:
		return nil, fmt.Errorf("%w: %q (want sqlite:, postgres:// or jsonl:)", ErrBadSpec, redactSpec(spec))
	}
}

// OpenReadOnly opens spec for the CLI's readers. A JSONL directory is read
// without its writer lock and without repairing anything, so it works while
// a sink is appending (a line being written is not seen); its Upsert
// returns ErrReadOnly. Databases open as with Open, as their readers never
// block the writer.
func OpenReadOnly(ctx context.Context, spec string, log *zap.Logger) (Store, error) {
	if rest, ok := strings.CutPrefix(spec, "jsonl:"); ok {
		return openJSONL(rest, true, log)
	}
	return Open(ctx, spec, log)
}

// OpenAll opens every spec and returns them as one store (see Multi). The
// first spec is the one read from. On error the stores already opened are
// closed.
func OpenAll(ctx context.Context, specs []string, log *zap.Logger) (Store, error) {
	if len(specs) == 0 {
		return nil, fmt.Errorf("%w: no store configured", ErrBadSpec)
	}
	stores := make([]Store, 0, len(specs))
	for _, spec := range specs {
		s, err := Open(ctx, spec, log)
		if err != nil {
			for _, o := range stores {
				_ = o.Close()
			}
			return nil, err
		}
		stores = append(stores, s)
	}
	if len(stores) == 1 {
		return stores[0], nil
	}
	return Multi(stores...), nil
}

// redactSpec hides a password in a DSN so it can appear in errors and logs.
func redactSpec(spec string) string {
	u, err := url.Parse(spec)
	if err != nil || u.User == nil {
		return spec
	}
	return u.Redacted()
}

// prepared is a batch ready to write: validated, one version per id, sorted
// by id so concurrent writers take row locks in the same order, with the
// stored time stamped.
type prepared struct {
	articles []schema.ArticleTaggedV1
}

// prepare validates batch and keeps, for each id, the version a sequential
// application would leave (see newer). It never modifies the caller's slice.
func prepare(batch []schema.ArticleTaggedV1, now time.Time) (prepared, error) {
	byID := make(map[string]int, len(batch))
	out := make([]schema.ArticleTaggedV1, 0, len(batch))
	stamp := now.UTC().Truncate(time.Microsecond)
	for i := range batch {
		a := batch[i]
		if err := a.Validate(); err != nil {
			return prepared{}, fmt.Errorf("store: article %q: %w", a.ID, err)
		}
		if a.Stages.StoredAt == nil {
			a.Stages.StoredAt = &stamp
		}
		if j, ok := byID[a.ID]; ok {
			if newer(out[j].ContentHash, micros(out[j].Stages.FetchedAt), a) {
				out[j] = a
			}
			continue
		}
		byID[a.ID] = len(out)
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y schema.ArticleTaggedV1) int { return strings.Compare(x.ID, y.ID) })
	return prepared{articles: out}, nil
}

// stampStored sets StoredAt where it is missing, on a copy of batch: Multi
// calls it once so every backend stores the same time.
func stampStored(batch []schema.ArticleTaggedV1, now time.Time) []schema.ArticleTaggedV1 {
	stamp := now.UTC().Truncate(time.Microsecond)
	out := slices.Clone(batch)
	for i := range out {
		if out[i].Stages.StoredAt == nil {
			out[i].Stages.StoredAt = &stamp
		}
	}
	return out
}

// newer reports whether a replaces a stored version with the given content
// hash and fetch time: only new content, fetched no earlier, does.
func newer(storedHash string, storedFetchedUs int64, a schema.ArticleTaggedV1) bool {
	return a.ContentHash != storedHash && micros(a.Stages.FetchedAt) >= storedFetchedUs
}

// micros is the unit every backend stores times in: UTC unix microseconds,
// which sort the same in SQLite, PostgreSQL and Go.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// publishedAt is the article's own date, falling back to the feed's.
func publishedAt(a *schema.ArticleTaggedV1) *time.Time {
	if a.PublishedAt != nil && !a.PublishedAt.IsZero() {
		return a.PublishedAt
	}
	if a.Item.PublishedAt != nil && !a.Item.PublishedAt.IsZero() {
		return a.Item.PublishedAt
	}
	return nil
}

// sortMicros is the export and claims order key: published, else stored.
func sortMicros(a *schema.ArticleTaggedV1) int64 {
	if p := publishedAt(a); p != nil {
		return micros(*p)
	}
	if a.Stages.StoredAt != nil {
		return micros(*a.Stages.StoredAt)
	}
	return micros(a.Stages.FetchedAt)
}

// siteOf is the host of the article's canonical URL, the "source" the
// newsroom filters on.
func siteOf(a *schema.ArticleTaggedV1) string {
	for _, raw := range []string{a.CanonicalURL, a.URL} {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			return strings.ToLower(u.Hostname())
		}
	}
	return ""
}

// nameKey is how speakers, places and entity names are matched.
func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
