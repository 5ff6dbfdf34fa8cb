package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
)

// DefaultSeenBucket is the seen-item bucket's name until pkg/schema names it.
const DefaultSeenBucket = "newsflow_seen"

// Defaults for SeenOptions.
const (
	DefaultSeenTTL     = 30 * 24 * time.Hour
	DefaultTitleWindow = 48 * time.Hour
)

// SeenOptions configure the seen-item store.
type SeenOptions struct {
	Bucket string
	// TTL is how long a GUID or URL is remembered after it was last seen in
	// a feed; items still listed are refreshed, so it only needs to exceed
	// how long an item lingers after leaving every feed.
	TTL time.Duration
	// TitleWindow is how long a title catches the same story under another
	// URL (syndication, URL changes).
	TitleWindow time.Duration
	Replicas    int
	Storage     jetstream.StorageType
}

// Seen de-duplicates feed items before their pages are fetched: by GUID
// (scoped to the feed, since GUIDs such as "1" are not unique across
// feeds), then by canonical URL, then by normalised title within a window.
type Seen struct {
	kv     jetstream.KeyValue
	o      SeenOptions
	keyTTL bool // the server supports per-key TTL (title keys expire on their own)
	now    func() time.Time
}

// SeenItem is what Check and Mark need of a feed item.
type SeenItem struct {
	FeedURL string
	GUID    string
	URL     string
	Title   string
	// ContentHash tells an edited item from an unchanged one
	// (feed.Item.ContentHash).
	ContentHash string
}

// Status is the outcome of Check.
type Status int

const (
	// New: never seen; fetch and publish.
	New Status = iota
	// Unchanged: seen with the same content; skip.
	Unchanged
	// Changed: seen, but its content hash differs; fetch and publish as an
	// update.
	Changed
	// Duplicate: another URL with the same title was seen within the
	// window; skip.
	Duplicate
)

func (s Status) String() string {
	return [...]string{"new", "unchanged", "changed", "duplicate"}[s]
}

// Verdict is Check's answer; By names the key that matched ("guid", "url"
// or "title"), ArticleID the id stored by Mark.
type Verdict struct {
	Status    Status
	By        string
	ArticleID string
}

type seenRecord struct {
	ArticleID string    `json:"id,omitempty"`
	Hash      string    `json:"hash,omitempty"`
	URL       string    `json:"url,omitempty"`
	SeenAt    time.Time `json:"seen_at"`
}

// OpenSeen binds to the seen-item bucket, creating it if needed. It asks for
// per-key TTL (title keys) and falls back to the bucket TTL alone on servers
// without it; Check enforces the title window either way.
func OpenSeen(ctx context.Context, js jetstream.JetStream, o SeenOptions) (*Seen, error) {
	if o.Bucket == "" {
		o.Bucket = DefaultSeenBucket
	}
	if o.TTL <= 0 {
		o.TTL = DefaultSeenTTL
	}
	if o.TitleWindow <= 0 {
		o.TitleWindow = DefaultTitleWindow
	}
	cfg := jetstream.KeyValueConfig{
		Bucket:         o.Bucket,
		Description:    "newsflow fetcher: seen feed items",
		History:        1,
		TTL:            o.TTL,
		LimitMarkerTTL: time.Minute,
		Replicas:       o.Replicas,
		Storage:        o.Storage,
	}
	kv, err := openBucket(ctx, js, cfg)
	if err != nil && errors.Is(err, jetstream.ErrLimitMarkerTTLNotSupported) {
		cfg.LimitMarkerTTL = 0
		kv, err = openBucket(ctx, js, cfg)
	}
	if err != nil {
		return nil, err
	}
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("state: seen bucket status: %w", err)
	}
	return &Seen{kv: kv, o: o, keyTTL: st.LimitMarkerTTL() > 0, now: time.Now}, nil
}

type seenKey struct{ by, key string }

func (s *Seen) keys(it SeenItem) []seenKey {
	ks := make([]seenKey, 0, 3)
	urlKey := ""
	if c, err := schema.CanonicalURL(it.URL); err == nil {
		urlKey = "u." + hashKey(c)
	}
	if g := strings.TrimSpace(it.GUID); g != "" {
		// A GUID that is a web address (RSS's permalink default, JSON Feed
		// ids) names the page everywhere, not only in its feed: it is
		// looked up as a URL. When it is the item's own link, as it mostly
		// is, that is one KV read and write fewer per item; when the link
		// changes and the GUID does not, the item is still known.
		gl := strings.ToLower(g)
		if strings.HasPrefix(gl, "http://") || strings.HasPrefix(gl, "https://") {
			if c, err := schema.CanonicalURL(g); err == nil {
				if k := "u." + hashKey(c); k != urlKey {
					ks = append(ks, seenKey{"guid", k})
				}
			}
		} else {
			ks = append(ks, seenKey{"guid", "g." + hashKey(it.FeedURL+"\x00"+g)})
		}
	}
	if urlKey != "" {
		ks = append(ks, seenKey{"url", urlKey})
	}
	if t := normTitle(it.Title); t != "" {
		ks = append(ks, seenKey{"title", "t." + hashKey(t)})
	}
	return ks
}

// Check says whether the item is new, unchanged, changed or a duplicate.
// Known GUID and URL entries are refreshed when half their TTL has passed,
// so an item that stays in its feed is never forgotten and re-fetched.
func (s *Seen) Check(ctx context.Context, it SeenItem) (Verdict, error) {
	now := s.now()
	for _, k := range s.keys(it) {
		e, err := s.kv.Get(ctx, k.key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return Verdict{}, fmt.Errorf("state: seen get: %w", err)
		}
		var rec seenRecord
		if err := json.Unmarshal(e.Value(), &rec); err != nil {
			continue // unreadable entry: treat as absent, Mark rewrites it
		}
		if k.by == "title" {
			if now.Sub(rec.SeenAt) > s.o.TitleWindow {
				continue
			}
			return Verdict{Status: Duplicate, By: k.by, ArticleID: rec.ArticleID}, nil
		}
		if now.Sub(rec.SeenAt) > s.o.TTL/2 {
			rec.SeenAt = now
			if b, err := json.Marshal(rec); err == nil {
				if _, err := s.kv.Put(ctx, k.key, b); err != nil {
					return Verdict{}, fmt.Errorf("state: seen refresh: %w", err)
				}
			}
		}
		status := Unchanged
		if it.ContentHash != "" && rec.Hash != "" && it.ContentHash != rec.Hash {
			status = Changed
		}
		return Verdict{Status: status, By: k.by, ArticleID: rec.ArticleID}, nil
	}
	return Verdict{Status: New}, nil
}

// Mark records the item after its article was published (so a crash before
// publishing fetches it again: at least once, never zero).
func (s *Seen) Mark(ctx context.Context, it SeenItem, articleID string) error {
	rec := seenRecord{ArticleID: articleID, Hash: it.ContentHash, SeenAt: s.now()}
	if c, err := schema.CanonicalURL(it.URL); err == nil {
		rec.URL = c
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("state: seen encode: %w", err)
	}
	for _, k := range s.keys(it) {
		if k.by != "title" {
			if _, err := s.kv.Put(ctx, k.key, b); err != nil {
				return fmt.Errorf("state: seen put: %w", err)
			}
			continue
		}
		// Title keys are written once per window: a later sighting must not
		// extend the window of the first.
		var opts []jetstream.KVCreateOpt
		if s.keyTTL {
			opts = append(opts, jetstream.KeyTTL(s.o.TitleWindow))
		}
		_, err := s.kv.Create(ctx, k.key, b, opts...)
		if errors.Is(err, jetstream.ErrKeyExists) {
			if e, gerr := s.kv.Get(ctx, k.key); gerr == nil {
				var old seenRecord
				if json.Unmarshal(e.Value(), &old) == nil && s.now().Sub(old.SeenAt) > s.o.TitleWindow {
					// Stale (no per-key TTL on this server): start a new window.
					_, err = s.kv.Update(ctx, k.key, b, e.Revision())
				} else {
					err = nil
				}
			}
		}
		if err != nil && !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return fmt.Errorf("state: seen title: %w", err)
		}
	}
	return nil
}

// normTitle lower-cases a title and keeps only letters and digits, one space
// between words. Short titles ("Update", "Live blog") say too little to
// identify a story and give "": fewer than four words and fewer than 24
// letters (the second lets unspaced scripts such as Japanese through).
func normTitle(t string) string {
	words := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	n := strings.Join(words, " ")
	if len(words) < 4 && utf8.RuneCountInString(n) < 24 {
		return ""
	}
	return n
}

func hashKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
