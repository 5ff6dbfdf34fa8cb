package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
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
	// OnKeyByKey, if set, is told once why the store gave up reading many
	// keys in one request (an older server, no answer, no permission).
	OnKeyByKey func(error)
}

// Seen de-duplicates feed items before their pages are fetched: by GUID
// (scoped to the feed, since GUIDs such as "1" are not unique across
// feeds), then by canonical URL, then by normalised title within a window.
type Seen struct {
	js     jetstream.JetStream
	kv     jetstream.KeyValue
	o      SeenOptions
	keyTTL bool // the server supports per-key TTL (title keys expire on their own)
	// noMulti: the server answered a multi-key direct get as it answers
	// a request it does not know (nats-server before 2.11).
	noMulti atomic.Bool
	now     func() time.Time
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
	return &Seen{js: js, kv: kv, o: o, keyTTL: st.LimitMarkerTTL() > 0, now: time.Now}, nil
}

type seenKey struct{ by, key string }

// byGUIDURL marks the URL key of a URL-shaped GUID that is not the item's
// link: read by Check, never written by Mark.
const byGUIDURL = "guid-url"

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
		// A GUID that differs from the link is scoped to its feed like any
		// other: another feed's item that links to that address is a page
		// nobody fetched yet. The address's own URL key is only read
		// (byGUIDURL), and counts only if that page itself was fetched.
		gl := strings.ToLower(g)
		if strings.HasPrefix(gl, "http://") || strings.HasPrefix(gl, "https://") {
			if c, err := schema.CanonicalURL(g); err == nil {
				if k := "u." + hashKey(c); k != urlKey {
					ks = append(ks, seenKey{"guid", "g." + hashKey(it.FeedURL+"\x00"+c)}, seenKey{byGUIDURL, k})
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
	return s.check(ctx, it, s.keys(it), s.getOne)
}

// CheckAll is Check for many items, such as a feed's, with all their keys
// read in one request where the server can (nats-server 2.11 and later: a
// direct get of the last message of many subjects) and key by key where it
// cannot. A feed polled again is mostly items already seen: one request
// instead of one or two per item. errs[i] is item i's error.
func (s *Seen) CheckAll(ctx context.Context, items []SeenItem) (vs []Verdict, errs []error) {
	vs, errs = make([]Verdict, len(items)), make([]error, len(items))
	itemKeys := make([][]seenKey, len(items))
	var keys []string
	for i, it := range items {
		itemKeys[i] = s.keys(it)
		for _, k := range itemKeys[i] {
			keys = append(keys, k.key)
		}
	}
	vals, err := s.getMany(ctx, keys)
	get := func(_ context.Context, key string) ([]byte, bool, error) {
		v, ok := vals[key]
		return v, ok, nil
	}
	if errors.Is(err, errNoMultiGet) {
		get = s.getOne
	} else if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return vs, errs
	}
	for i, it := range items {
		vs[i], errs[i] = s.check(ctx, it, itemKeys[i], get)
	}
	return vs, errs
}

// getter reads one key of the bucket: its value, or found false.
type getter func(ctx context.Context, key string) (value []byte, found bool, err error)

func (s *Seen) getOne(ctx context.Context, key string) ([]byte, bool, error) {
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("state: seen get: %w", err)
	}
	return e.Value(), true, nil
}

func (s *Seen) check(ctx context.Context, it SeenItem, keys []seenKey, get getter) (Verdict, error) {
	now := s.now()
	for _, k := range keys {
		val, found, err := get(ctx, k.key)
		if err != nil {
			return Verdict{}, err
		}
		if !found {
			continue
		}
		var rec seenRecord
		if err := json.Unmarshal(val, &rec); err != nil {
			continue // unreadable entry: treat as absent, Mark rewrites it
		}
		if k.by == "title" {
			if now.Sub(rec.SeenAt) > s.o.TitleWindow {
				continue
			}
			return Verdict{Status: Duplicate, By: k.by, ArticleID: rec.ArticleID}, nil
		}
		by := k.by
		if by == byGUIDURL {
			// The page at the GUID's address was fetched (its link moved
			// since): the same item. A page fetched from another link under
			// that GUID is not this one.
			if c, err := schema.CanonicalURL(it.GUID); err != nil || rec.URL != c {
				continue
			}
			by = "guid"
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
		return Verdict{Status: status, By: by, ArticleID: rec.ArticleID}, nil
	}
	return Verdict{Status: New}, nil
}

// errNoMultiGet says the server cannot read many keys in one request.
var errNoMultiGet = errors.New("state: the server has no multi-key direct get")

// multiGetTimeout bounds a multi-key get, answered in milliseconds.
const multiGetTimeout = 5 * time.Second

// maxMultiGet is how many keys one request asks for; the server answers at
// most 1024 messages to one.
const maxMultiGet = 1000

// getMany reads keys with direct gets of the last message of many
// subjects, and returns the values of those found (deleted, purged and
// expired keys are not found).
func (s *Seen) getMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if len(keys) == 0 || s.noMulti.Load() {
		return nil, errNoMultiGet
	}
	// A server that does not answer in time (or a user not allowed to ask:
	// the request then goes nowhere) is not asked again; the keys are read
	// one by one instead.
	mctx, cancel := context.WithTimeout(ctx, multiGetTimeout)
	defer cancel()
	vals := make(map[string][]byte, len(keys))
	for len(keys) > 0 {
		n := min(len(keys), maxMultiGet)
		err := s.getBatch(mctx, keys[:n], vals)
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w: no answer in %s", errNoMultiGet, multiGetTimeout)
		}
		if err != nil {
			if errors.Is(err, errNoMultiGet) && !s.noMulti.Swap(true) && s.o.OnKeyByKey != nil {
				s.o.OnKeyByKey(err)
			}
			return nil, err
		}
		keys = keys[n:]
	}
	return vals, nil
}

func (s *Seen) getBatch(ctx context.Context, keys []string, vals map[string][]byte) error {
	prefix := s.subjectPrefix()
	subjects := make([]string, len(keys))
	for i, k := range keys {
		subjects[i] = prefix + k
	}
	req, err := json.Marshal(struct {
		MultiLast []string `json:"multi_last"`
	}{subjects})
	if err != nil {
		return fmt.Errorf("state: seen multi get: %w", err)
	}
	nc := s.js.Conn()
	inbox := nc.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return fmt.Errorf("state: seen multi get: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := nc.PublishRequest(apiPrefix(s.js)+"DIRECT.GET.KV_"+s.o.Bucket, inbox, req); err != nil {
		return fmt.Errorf("state: seen multi get: %w", err)
	}
	for {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			return fmt.Errorf("state: seen multi get: %w", err)
		}
		switch status, desc := m.Header.Get("Status"), m.Header.Get("Description"); {
		case status == "":
		case status == "204": // end of the batch
			return nil
		case status == "404" && desc == "No Results":
			return nil
		case status == "408", status == "503":
			// 408: a server before 2.11, which reads no multi_last;
			// 503: no responders, the bucket has no direct get.
			return errNoMultiGet
		default:
			return fmt.Errorf("state: seen multi get: %s %s", status, desc)
		}
		if m.Header.Get("KV-Operation") != "" || m.Header.Get(jetstream.MarkerReasonHeader) != "" {
			continue // deleted, purged or expired
		}
		vals[strings.TrimPrefix(m.Header.Get(jetstream.SubjectHeader), prefix)] = m.Data
	}
}

// apiPrefix is the JetStream API prefix js sends requests to, with its
// trailing dot.
func apiPrefix(js jetstream.JetStream) string {
	o := js.Options()
	switch {
	case o.Domain != "":
		return "$JS." + o.Domain + ".API."
	case o.APIPrefix != "":
		return strings.TrimSuffix(o.APIPrefix, ".") + "."
	}
	return "$JS.API."
}

// Mark records the item after its article was published (so a crash before
// publishing fetches it again: at least once, never zero). A Marker does
// the same for many items, in bursts.
func (s *Seen) Mark(ctx context.Context, it SeenItem, articleID string) error {
	return s.markAll(ctx, []pendingMark{{it: it, id: articleID}})[0]
}

// subjectPrefix is what the bucket's keys are prefixed with as subjects.
func (s *Seen) subjectPrefix() string { return "$KV." + s.o.Bucket + "." }

// record is the value Mark writes under each of the item's keys.
func (s *Seen) record(it SeenItem, articleID string) ([]byte, error) {
	rec := seenRecord{ArticleID: articleID, Hash: it.ContentHash, SeenAt: s.now()}
	if c, err := schema.CanonicalURL(it.URL); err == nil {
		rec.URL = c
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("state: seen encode: %w", err)
	}
	return b, nil
}

// markTitle writes a title key once per window: a later sighting must not
// extend the window of the first.
func (s *Seen) markTitle(ctx context.Context, key string, b []byte) error {
	var opts []jetstream.KVCreateOpt
	if s.keyTTL {
		opts = append(opts, jetstream.KeyTTL(s.o.TitleWindow))
	}
	_, err := s.kv.Create(ctx, key, b, opts...)
	if errors.Is(err, jetstream.ErrKeyExists) {
		if e, gerr := s.kv.Get(ctx, key); gerr == nil {
			var old seenRecord
			if json.Unmarshal(e.Value(), &old) == nil && s.now().Sub(old.SeenAt) > s.o.TitleWindow {
				// Stale (no per-key TTL on this server): start a new window.
				_, err = s.kv.Update(ctx, key, b, e.Revision())
			} else {
				err = nil
			}
		}
	}
	if err != nil && !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return fmt.Errorf("state: seen title: %w", err)
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
