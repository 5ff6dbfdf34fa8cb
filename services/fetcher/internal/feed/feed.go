package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	gojson "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"
)

// DefaultMaxItems is the item cap when Options.MaxItems is zero.
const DefaultMaxItems = 500

// Options tune Parse.
type Options struct {
	// MaxItems caps the items kept, in document order (feeds list newest
	// first). Zero means DefaultMaxItems, negative means no cap.
	MaxItems int
}

// Feed is a parsed feed, normalised across RSS, Atom and JSON Feed.
type Feed struct {
	Type    string        `json:"type"` // rss, atom or json
	Title   string        `json:"title,omitempty"`
	Link    string        `json:"link,omitempty"` // the site, absolute
	TTL     time.Duration `json:"ttl,omitempty"`  // RSS <ttl> or sy:updatePeriod; 0 if none
	Charset string        `json:"charset"`        // what the body was decoded from
	Items   []Item        `json:"items"`
	// Truncated is set when the feed had more than MaxItems items;
	// TotalItems is the count before the cap (estimated from the start tags
	// past the cap for a feed over 256 KiB, which is not parsed past it).
	Truncated  bool `json:"truncated,omitempty"`
	TotalItems int  `json:"total_items"`
}

// Item is one feed entry.
type Item struct {
	GUID        string     `json:"guid,omitempty"`
	Link        string     `json:"link,omitempty"` // absolute, resolved against the feed URL
	Title       string     `json:"title,omitempty"`
	Published   *time.Time `json:"published,omitempty"` // UTC
	Updated     *time.Time `json:"updated,omitempty"`   // UTC
	Authors     []string   `json:"authors,omitempty"`
	Categories  []string   `json:"categories,omitempty"`
	Description string     `json:"description,omitempty"`
}

// ContentHash summarises what a reader sees of the item. When it changes for
// a known item, the item was edited and is worth publishing as an update.
func (it Item) ContentHash() string {
	h := sha256.New()
	for _, s := range []string{it.Link, it.Title, it.Description} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if it.Updated != nil {
		h.Write([]byte(it.Updated.UTC().Format(time.RFC3339)))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Parse reads an RSS, Atom or JSON feed fetched from feedURL. contentType is
// the response's Content-Type header (its charset parameter is used when the
// body is not valid UTF-8). Errors match ErrNotAFeed or ErrMalformedFeed.
func Parse(feedURL string, body []byte, contentType string, o Options) (f *Feed, err error) {
	// gofeed is robust, but a hostile body must never take the fetcher down.
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, &parseError{kind: ErrMalformedFeed, detail: fmt.Sprintf("parser panic: %v", r)}
		}
	}()

	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &parseError{kind: ErrNotAFeed, detail: "empty body"}
	}
	utf8Body, cs, err := toUTF8(body, contentType)
	if err != nil {
		return nil, err
	}
	utf8Body = fixCharRefs(utf8Body)

	var gf *gofeed.Feed
	var ttl time.Duration
	typ := gofeed.DetectFeedType(bytes.NewReader(head(utf8Body, 64<<10)))
	if typ == gofeed.FeedTypeUnknown {
		// Scripts that print a warning before the feed are common; the
		// feed after the noise is still the feed.
		if i := feedStart(utf8Body); i > 0 {
			utf8Body = utf8Body[i:]
			typ = gofeed.DetectFeedType(bytes.NewReader(head(utf8Body, 64<<10)))
		}
	}
	limit := o.MaxItems
	if limit == 0 {
		limit = DefaultMaxItems
	}
	total := -1
	if cut, n, ok := cutAfterItems(utf8Body, typ, limit); ok {
		utf8Body, total = cut, n
	}
	switch typ {
	case gofeed.FeedTypeRSS:
		rf, perr := (&rss.Parser{}).Parse(bytes.NewReader(utf8Body))
		if perr != nil {
			return nil, &parseError{kind: ErrMalformedFeed, detail: "rss", cause: perr}
		}
		ttl = rssTTL(rf)
		gf, err = (&gofeed.DefaultRSSTranslator{}).Translate(rf)
	case gofeed.FeedTypeAtom:
		af, perr := (&atom.Parser{}).Parse(bytes.NewReader(utf8Body))
		if perr != nil {
			return nil, &parseError{kind: ErrMalformedFeed, detail: "atom", cause: perr}
		}
		gf, err = (&gofeed.DefaultAtomTranslator{}).Translate(af)
	case gofeed.FeedTypeJSON:
		if !looksLikeJSONFeed(utf8Body, contentType) {
			return nil, notAFeed(utf8Body, contentType)
		}
		jf, perr := (&gojson.Parser{}).Parse(bytes.NewReader(utf8Body))
		if perr != nil {
			return nil, &parseError{kind: ErrMalformedFeed, detail: "json feed", cause: perr}
		}
		gf, err = (&gofeed.DefaultJSONTranslator{}).Translate(jf)
	default:
		if looksLikeBrokenFeed(utf8Body) {
			return nil, &parseError{kind: ErrMalformedFeed, detail: "feed root not readable"}
		}
		return nil, notAFeed(utf8Body, contentType)
	}
	if err != nil {
		return nil, &parseError{kind: ErrMalformedFeed, detail: "translate", cause: err}
	}
	f = normalise(feedURL, gf, typ, ttl, cs, o)
	if total >= 0 {
		f.TotalItems, f.Truncated = max(total, len(f.Items)), total > len(f.Items)
	}
	return f, nil
}

func normalise(feedURL string, gf *gofeed.Feed, typ gofeed.FeedType, ttl time.Duration, cs string, o Options) *Feed {
	base, _ := url.Parse(feedURL)
	f := &Feed{
		Title:      cleanText(gf.Title),
		Link:       resolve(base, gf.Link),
		TTL:        ttl,
		Charset:    cs,
		TotalItems: len(gf.Items),
	}
	switch typ {
	case gofeed.FeedTypeRSS:
		f.Type = "rss"
	case gofeed.FeedTypeAtom:
		f.Type = "atom"
	case gofeed.FeedTypeJSON:
		f.Type = "json"
	}
	limit := o.MaxItems
	if limit == 0 {
		limit = DefaultMaxItems
	}
	items := gf.Items
	if limit > 0 && len(items) > limit {
		items = items[:limit]
		f.Truncated = true
	}
	f.Items = make([]Item, 0, len(items))
	for _, gi := range items {
		if gi == nil {
			continue
		}
		it := Item{
			GUID:        strings.TrimSpace(gi.GUID),
			Link:        resolve(base, strings.TrimSpace(gi.Link)),
			Title:       cleanText(gi.Title),
			Published:   utc(gi.PublishedParsed),
			Updated:     utc(gi.UpdatedParsed),
			Description: strings.TrimSpace(gi.Description),
		}
		if it.Link == "" && len(gi.Links) > 0 {
			it.Link = resolve(base, strings.TrimSpace(gi.Links[0]))
		}
		if it.Link == "" && isHTTPURL(it.GUID) {
			// RSS permalink GUIDs are the article URL.
			it.Link = it.GUID
		}
		if it.Description == "" {
			it.Description = strings.TrimSpace(gi.Content)
		}
		for _, p := range gi.Authors {
			if p == nil {
				continue
			}
			name := cleanText(p.Name)
			if name == "" {
				name = strings.TrimSpace(p.Email)
			}
			it.Authors = appendUnique(it.Authors, name)
		}
		for _, c := range gi.Categories {
			it.Categories = appendUnique(it.Categories, cleanText(c))
		}
		f.Items = append(f.Items, it)
	}
	return f
}

// rssTTL reads <ttl> (minutes) or, failing that, the syndication module's
// updatePeriod and updateFrequency.
func rssTTL(rf *rss.Feed) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && n > 0 && n < 60*24*365 {
		return time.Duration(n) * time.Minute
	}
	sy := rf.Extensions["sy"]
	if sy == nil {
		return 0
	}
	first := func(name string) string {
		if v := sy[name]; len(v) > 0 {
			return strings.TrimSpace(v[0].Value)
		}
		return ""
	}
	var period time.Duration
	switch strings.ToLower(first("updatePeriod")) {
	case "hourly":
		period = time.Hour
	case "daily":
		period = 24 * time.Hour
	case "weekly":
		period = 7 * 24 * time.Hour
	case "monthly":
		period = 30 * 24 * time.Hour
	case "yearly":
		period = 365 * 24 * time.Hour
	default:
		return 0
	}
	freq, err := strconv.Atoi(first("updateFrequency"))
	if err != nil || freq < 1 {
		freq = 1
	}
	return period / time.Duration(freq)
}

func looksLikeJSONFeed(b []byte, contentType string) bool {
	var probe struct {
		Version     string          `json:"version"`
		Items       json.RawMessage `json:"items"`
		HomePageURL string          `json:"home_page_url"`
		FeedURL     string          `json:"feed_url"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		// Invalid JSON is a broken feed only if it says it is a feed.
		mt, _, _ := mime.ParseMediaType(contentType)
		return mt == "application/feed+json" || bytes.Contains(head(b, 4096), []byte("jsonfeed.org"))
	}
	return strings.Contains(probe.Version, "jsonfeed.org") || probe.Items != nil || probe.HomePageURL != "" || probe.FeedURL != ""
}

// feedStart returns the offset of the earliest XML declaration or feed root
// after the start of b, or -1. It is only used once detection has failed, so
// a body that starts cleanly is never cut.
func feedStart(b []byte) int {
	h := head(b, 4096)
	best := -1
	for _, marker := range []string{"<?xml", "<rss", "<feed", "<rdf:RDF"} {
		if i := bytes.Index(h, []byte(marker)); i > 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// looksLikeBrokenFeed spots a feed whose root element the detector could not
// reach (a broken prolog, for instance): it is malformed, not something else.
func looksLikeBrokenFeed(b []byte) bool {
	h := bytes.ToLower(head(b, 4096))
	if bytes.Contains(h, []byte("<html")) {
		return false
	}
	for _, root := range []string{"<rss", "<rdf:rdf", "<feed"} {
		if bytes.Contains(h, []byte(root)) {
			return true
		}
	}
	return false
}

func resolve(base *url.URL, ref string) string {
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	if base == nil || u.IsAbs() {
		return u.String()
	}
	return base.ResolveReference(u).String()
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func utc(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// cleanText trims and collapses runs of whitespace (titles often carry the
// feed generator's line breaks).
func cleanText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func appendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
