package fetcher

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/markup"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/logx"
	"github.com/newsflow/newsflow/services/fetcher/internal/feed"
	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpx"
	"github.com/newsflow/newsflow/services/fetcher/internal/schedule"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
)

// Totals is what a run of the fetcher did; `--once` prints it.
type Totals struct {
	FeedPolls   int `json:"feed_polls"`
	FeedErrors  int `json:"feed_errors"`
	NotModified int `json:"feeds_not_modified"`
	Unchanged   int `json:"feeds_unchanged"`
	Items       int `json:"items"`
	Published   int `json:"articles_published"`
	Updates     int `json:"articles_updated"`
	Duplicates  int `json:"articles_duplicate"`
	// NoLink counts items skipped for having neither a link nor a
	// URL-shaped GUID: there is no page to fetch.
	NoLink        int `json:"items_without_link"`
	ArticleErrors int `json:"article_errors"`
	DeadLetters   int `json:"dead_letters"`
}

// deps are what a Fetcher works with.
type deps struct {
	client *httpx.Client
	pub    *bus.Publisher
	store  *state.Store
	seen   *state.Seen
	reg    prometheus.Registerer
}

// Fetcher polls feeds and publishes their articles.
type Fetcher struct {
	cfg     Config
	client  *httpx.Client
	pub     *bus.Publisher
	store   *state.Store
	seen    *state.Seen
	marks   *state.Marker
	owner   string // this replica's name in the shared feed state
	log     *zap.Logger
	metrics *metrics
	now     func() time.Time
	// pages bounds the article pages fetched at once, across all feeds.
	pages chan struct{}
	// reloadDebounce replaces the feeds-file watcher's debounce when set.
	reloadDebounce time.Duration
	// netPrint is networkFingerprint(cfg), computed once.
	netPrint string

	mu     sync.Mutex
	totals Totals
	rnd    *rand.Rand

	// view is the feed state as this replica last read or wrote it; the
	// KV bucket is the truth, the view only saves asking it about feeds
	// that are not due.
	viewMu   sync.Mutex
	view     map[string]viewEntry
	inflight map[string]bool
}

type viewEntry struct {
	st state.FeedState
	// notBefore holds a feed back locally after the state store failed,
	// so a NATS outage does not turn into a busy loop.
	notBefore time.Time
}

func newFetcher(cfg Config, d deps, owner string, log *zap.Logger) (*Fetcher, error) {
	m, err := newMetrics(d.reg)
	if err != nil {
		return nil, err
	}
	f := &Fetcher{cfg: cfg, client: d.client, pub: d.pub, store: d.store, seen: d.seen, owner: owner,
		log: log, metrics: m, now: time.Now, pages: make(chan struct{}, max(cfg.PageWorkers, 1)),
		rnd:  rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		view: map[string]viewEntry{}, inflight: map[string]bool{}, netPrint: networkFingerprint(cfg)}
	f.marks = d.seen.NewMarker(markWait, func(it state.SeenItem, err error) {
		// Published but not marked: the page is fetched again later and
		// JetStream or the sink drops the copy. At least once, never zero.
		log.Warn("Marking the item seen.", zap.String(logx.KeyArticleURL, it.URL), zap.Error(err))
	})
	return f, nil
}

// markWait is how long marks gather before they are written together (see
// state.Marker); a poll writes its last ones when its pages are done.
const markWait = 50 * time.Millisecond

// flushMarks writes the marks gathered so far and waits for them, so that
// a poll ends, and its lease is released, with its items marked.
func (f *Fetcher) flushMarks(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := f.marks.Flush(ctx); err != nil {
		f.log.Warn("Waiting for seen marks.", zap.Error(err))
	}
}

func (f *Fetcher) add(fn func(t *Totals)) {
	f.mu.Lock()
	fn(&f.totals)
	f.mu.Unlock()
}

// Totals returns what the fetcher did so far.
func (f *Fetcher) Totals() Totals {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.totals
}

// outcome is what became of one article job.
type outcome int

const (
	pending outcome = iota
	// done: published (or dead-lettered) and acknowledged.
	done
	// skipped: the same article came through another feed in this run.
	skipped
	// failedTemporary: may work next time; the feed's validators are not
	// advanced so the item is seen again.
	failedTemporary
	// failedPermanent: retried only when the feed changes.
	failedPermanent
)

// articleJob is a feed item whose page is to be fetched.
type articleJob struct {
	feed      feedlist.Feed
	feedTitle string
	item      feed.Item
	seenItem  state.SeenItem
	id        string
	canonical string
	update    bool // seen before with other content
	outcome   outcome
}

// polled is one poll of a feed and what came of it.
type polled struct {
	feed     feedlist.Feed
	at       time.Time // when the response was in
	result   string    // pollOK, pollNotModified, pollUnchanged, pollError
	resp     *httpx.Response
	err      error
	class    string      // error class label, "" on success
	hclass   httpx.Class // how to back off
	bodyHash string
	ttl      time.Duration
	jobs     []*articleJob
	// checkFailed: the seen store could not be read for an item.
	checkFailed bool
}

// errorClass names a poll failure for state, logs and metrics, and says how
// to back off. A feed that parses as something else is permanent for those
// bytes; it is still polled, at its backoff.
func errorClass(err error) (string, httpx.Class) {
	switch {
	case errors.Is(err, feed.ErrBotChallenge):
		return "bot_challenge", httpx.Permanent
	case errors.Is(err, feed.ErrNotAFeed):
		return "not_a_feed", httpx.Permanent
	case errors.Is(err, feed.ErrMalformedFeed):
		return "malformed_feed", httpx.Permanent
	}
	c := httpx.Classify(err)
	return c.String(), c
}

// pollFeed fetches one feed with the validators of st, skips bytes it has
// seen, parses the rest and turns items not seen before into jobs.
func (f *Fetcher) pollFeed(ctx context.Context, fd feedlist.Feed, st state.FeedState) *polled {
	p := &polled{feed: fd, ttl: st.TTL}
	start := time.Now()
	resp, err := f.client.Get(ctx, fd.URL, httpx.Conditional{ETag: st.ETag, LastModified: st.LastModified}, httpx.KindFeed)
	f.metrics.latency.WithLabelValues("feed").Observe(time.Since(start).Seconds())
	p.at = f.now()
	if err != nil {
		f.pollFailed(p, err)
		return p
	}
	p.resp = resp
	if resp.NotModified {
		f.pollSucceeded(p, pollNotModified, 0)
		return p
	}
	p.bodyHash = schema.ContentHash(resp.Body)
	if p.bodyHash == st.BodyHash {
		// New validators, same bytes (or a server without validators):
		// nothing to parse.
		f.pollSucceeded(p, pollUnchanged, 0)
		return p
	}
	parsed, err := feed.Parse(fd.URL, resp.Body, resp.Header.Get("Content-Type"), feed.Options{MaxItems: f.cfg.MaxItems})
	if err != nil {
		f.pollFailed(p, err)
		return p
	}
	p.ttl = parsed.TTL
	f.pollSucceeded(p, pollOK, len(parsed.Items))
	if parsed.Truncated {
		f.log.Info("Feed has more items than --max-items; the rest are ignored.", zap.String(logx.KeyFeedURL, fd.URL),
			zap.Int("items", parsed.TotalItems), zap.Int("kept", len(parsed.Items)))
	}
	// The items' seen-state is read for the whole feed at once: a feed
	// polled again is mostly items already seen.
	var cands []itemCandidate
	for _, it := range parsed.Items {
		if c, ok := f.itemCandidate(p, it); ok {
			cands = append(cands, c)
		}
	}
	sis := make([]state.SeenItem, len(cands))
	for i, c := range cands {
		sis[i] = c.si
	}
	verdicts, errs := f.seen.CheckAll(ctx, sis)
	ids := map[string]bool{}
	for i, c := range cands {
		if ctx.Err() != nil {
			p.checkFailed = true
			break
		}
		j := f.itemJob(ctx, p, parsed.Title, c, verdicts[i], errs[i])
		if j == nil {
			continue
		}
		if ids[j.id] { // two items of one feed linking to one article
			f.metrics.articles.WithLabelValues(articleDuplicate).Inc()
			f.add(func(t *Totals) { t.Duplicates++ })
			continue
		}
		ids[j.id] = true
		p.jobs = append(p.jobs, j)
	}
	return p
}

func (f *Fetcher) pollSucceeded(p *polled, result string, items int) {
	p.result = result
	f.metrics.polls.WithLabelValues(result, "").Inc()
	f.add(func(t *Totals) {
		t.FeedPolls++
		t.Items += items
		switch result {
		case pollNotModified:
			t.NotModified++
		case pollUnchanged:
			t.Unchanged++
		}
	})
	if result == pollOK {
		f.log.Info("Feed polled.", zap.String(logx.KeyFeedURL, p.feed.URL), zap.Int("items", items))
	} else {
		f.log.Debug("Feed unchanged.", zap.String(logx.KeyFeedURL, p.feed.URL), zap.String("result", result))
	}
}

func (f *Fetcher) pollFailed(p *polled, err error) {
	p.result, p.err = pollError, err
	p.class, p.hclass = errorClass(err)
	f.metrics.polls.WithLabelValues(pollError, p.class).Inc()
	f.add(func(t *Totals) { t.FeedPolls++; t.FeedErrors++ })
	f.log.Warn("Feed poll failed.", zap.String(logx.KeyFeedURL, p.feed.URL), zap.String("class", p.class), zap.Error(err))
}

// itemCandidate is a feed item with a usable link, keyed for the seen store.
type itemCandidate struct {
	item          feed.Item
	si            state.SeenItem
	id, canonical string
}

func (f *Fetcher) itemCandidate(p *polled, it feed.Item) (itemCandidate, bool) {
	if strings.TrimSpace(it.Link) == "" {
		f.metrics.articles.WithLabelValues(articleNoLink).Inc()
		f.add(func(t *Totals) { t.NoLink++ })
		f.log.Info("Item has no link and no URL-shaped GUID; skipped.", zap.String(logx.KeyFeedURL, p.feed.URL),
			zap.String("guid", it.GUID), zap.String("title", it.Title))
		return itemCandidate{}, false
	}
	id, canonical, err := schema.ArticleID(it.Link)
	if err != nil {
		f.articleFailed()
		f.log.Warn("Item has no usable link.", zap.String(logx.KeyFeedURL, p.feed.URL), zap.String("guid", it.GUID), zap.Error(err))
		return itemCandidate{}, false
	}
	// Items without a GUID are keyed by their URL within the feed, so every
	// item has a feed-scoped key and edits are told from other feeds' copies.
	si := state.SeenItem{FeedURL: p.feed.URL, GUID: firstNonEmpty(it.GUID, canonical), URL: it.Link, Title: it.Title,
		ContentHash: it.ContentHash()}
	return itemCandidate{item: it, si: si, id: id, canonical: canonical}, true
}

// itemJob returns the job to fetch an item's page given the seen store's
// verdict on it, or nil when it was seen before.
func (f *Fetcher) itemJob(ctx context.Context, p *polled, feedTitle string, c itemCandidate, v state.Verdict, err error) *articleJob {
	it, si, id, canonical := c.item, c.si, c.id, c.canonical
	if err != nil {
		p.checkFailed = true
		f.articleFailed()
		f.log.Warn("Seen-item check failed; the item is tried again next poll.", zap.String(logx.KeyFeedURL, p.feed.URL),
			zap.String(logx.KeyArticleURL, it.Link), zap.Error(err))
		return nil
	}
	j := &articleJob{feed: p.feed, feedTitle: feedTitle, item: it, seenItem: si, id: id, canonical: canonical}
	switch {
	case v.Status == state.New:
		return j
	case v.Status == state.Changed && v.By == "guid":
		j.update = true
		return j
	case v.By != "guid":
		// Known through another feed (same URL or, within the window, same
		// title): remember it under this feed's GUID too, so later polls
		// compare this feed's own copy.
		f.marks.Add(si, firstNonEmpty(v.ArticleID, id))
	}
	f.metrics.articles.WithLabelValues(articleDuplicate).Inc()
	f.add(func(t *Totals) { t.Duplicates++ })
	return nil
}

func (f *Fetcher) articleFailed() {
	f.metrics.articles.WithLabelValues(articleError).Inc()
	f.add(func(t *Totals) { t.ArticleErrors++ })
}

// fetchArticle fetches one page, publishes it and, once JetStream has
// acknowledged it, marks the item seen. A page too large for NATS is
// dead-lettered, never dropped.
func (f *Fetcher) fetchArticle(ctx context.Context, j *articleJob) {
	log := f.log.With(zap.String(logx.KeyArticleURL, j.item.Link), zap.String(logx.KeyArticleID, j.id))
	start := time.Now()
	resp, err := f.client.Get(ctx, j.item.Link, httpx.Conditional{}, httpx.KindPage)
	f.metrics.latency.WithLabelValues("page").Observe(time.Since(start).Seconds())
	if err != nil {
		j.outcome = failedTemporary
		if httpx.Classify(err) == httpx.Permanent {
			j.outcome = failedPermanent
		}
		f.articleFailed()
		log.Warn("Article fetch failed.", zap.String("class", httpx.Classify(err).String()), zap.Error(err))
		return
	}
	hash := schema.ContentHash(resp.Body)
	msg := f.message(j, resp, hash)
	// The page's way out (stripped, compressed, encoded) goes through
	// reused buffers, given back after the publish below: the message
	// aliases them.
	stripped, compressed, wire := markup.GetPageBuffer(), markup.GetPageBuffer(), markup.GetPageBuffer()
	defer func() {
		markup.PutPageBuffer(stripped)
		markup.PutPageBuffer(compressed)
		markup.PutPageBuffer(wire)
	}()
	body := resp.Body
	if f.cfg.StripScripts {
		// Half the bytes of a news page are scripts and styles, which no
		// stage reads: fewer to compress, store in the stream and send.
		if s, ok := markup.StripPage((*stripped)[:0], body, msg.Response.ContentType); ok {
			body, msg.BodyFilter, *stripped = s, schema.FilterStripped, s
		}
	}
	if err := msg.SetHTMLBuffer(*compressed, body, f.cfg.BodyEncoding); err != nil {
		j.outcome = failedPermanent
		f.articleFailed()
		log.Error("Compressing the page.", zap.Error(err))
		return
	}
	if f.cfg.BodyEncoding != schema.EncodingIdentity {
		*compressed = msg.Body
	}
	data, err := schema.AppendFetched((*wire)[:0], msg)
	*wire = data
	if err != nil {
		j.outcome = failedPermanent
		f.articleFailed()
		log.Error("Encoding the article.", zap.Error(err))
		return
	}
	_, err = f.pub.Publish(ctx, bus.Output{Subject: schema.SubjectArticleFetchedV1, Data: data,
		MsgID: schema.MsgID(schema.StageFetcher, j.id, hash)})
	switch {
	case err == nil:
		f.metrics.articles.WithLabelValues(articlePublished).Inc()
		if j.update {
			f.metrics.updates.Inc()
		}
		f.add(func(t *Totals) {
			t.Published++
			if j.update {
				t.Updates++
			}
		})
		log.Debug("Article published.", zap.Int("bytes", len(resp.Body)), zap.Bool("update", j.update))
	case errors.Is(err, bus.ErrTooLarge):
		if !f.deadLetter(ctx, log, msg, err) {
			j.outcome = failedTemporary
			return
		}
	default:
		j.outcome = failedTemporary
		f.articleFailed()
		log.Error("Publishing the article.", zap.Error(err))
		return
	}
	j.outcome = done
	f.marks.Add(j.seenItem, j.id)
}

func (f *Fetcher) message(j *articleJob, resp *httpx.Response, hash string) schema.ArticleFetchedV1 {
	now := f.now().UTC()
	it := j.item
	return schema.ArticleFetchedV1{
		SchemaVersion: schema.Version,
		ID:            j.id,
		URL:           it.Link,
		FinalURL:      resp.FinalURL,
		CanonicalURL:  j.canonical,
		ContentHash:   hash,
		Update:        j.update,
		Response: schema.Response{Status: resp.Status, ContentType: resp.Header.Get("Content-Type"), Charset: resp.Charset,
			ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), FetchedAt: now, Size: len(resp.Body)},
		Item: schema.FeedItem{FeedURL: j.feed.URL, FeedTitle: firstNonEmpty(j.feed.Title, j.feedTitle), Title: it.Title,
			Link: it.Link, GUID: it.GUID, PublishedAt: it.Published, UpdatedAt: it.Updated, Authors: it.Authors,
			Categories: it.Categories, Description: it.Description, FeedTags: j.feed.Tags},
		Stages: schema.Stages{FetchedAt: now},
	}
}

// deadLetter records a page that cannot be published: its metadata (the
// body stripped so the letter fits) and the reason. It reports whether the
// letter was stored.
func (f *Fetcher) deadLetter(ctx context.Context, log *zap.Logger, msg schema.ArticleFetchedV1, cause error) bool {
	size := msg.Response.Size
	msg.Body, msg.BodyEncoding, msg.BodyFilter = nil, schema.EncodingIdentity, ""
	data, _ := schema.Encode(msg)
	dl := bus.DeadLetter{Stage: schema.StageFetcher, Reason: "too_large",
		Error:   fmt.Sprintf("page of %d bytes does not fit a NATS message even compressed: %v", size, cause),
		Subject: schema.SubjectArticleFetchedV1, Data: data}
	out := dl.Output()
	out.MsgID = "dlq:fetcher:" + msg.ID + ":" + msg.ContentHash
	if _, err := f.pub.Publish(ctx, out); err != nil {
		f.articleFailed()
		log.Error("Dead-lettering a too-large page.", zap.Error(err))
		return false
	}
	f.metrics.articles.WithLabelValues(articleDeadLetter).Inc()
	f.add(func(t *Totals) { t.DeadLetters++ })
	log.Warn("Page too large for NATS; dead-lettered.", zap.Int("bytes", size))
	return true
}

// fetchPages runs the jobs under the shared page limit and returns when all
// are done (or ctx ended).
func (f *Fetcher) fetchPages(ctx context.Context, jobs []*articleJob) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.outcome != pending {
			continue
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case f.pages <- struct{}{}:
		}
		wg.Go(func() {
			defer func() { <-f.pages }()
			f.fetchArticle(ctx, j)
		})
	}
	wg.Wait()
}

// advance reports whether the poll's validators and body hash may be
// stored. Not when an item's page failed for a reason that may pass, or an
// item could not be checked: the next poll must read the feed again to
// retry those items.
func (p *polled) advance() bool {
	if p.checkFailed {
		return false
	}
	for _, j := range p.jobs {
		if j.outcome == failedTemporary || j.outcome == pending {
			return false
		}
	}
	return true
}

// maxErrorText bounds the error kept in the feed state.
const maxErrorText = 400

// apply folds the poll into the feed's state: validators, body hash,
// success or failure with its class, items seen, the learned rhythm and the
// next poll time.
func (f *Fetcher) apply(st *state.FeedState, p *polled) {
	st.LastPoll = p.at
	st.Config = f.fingerprint(p.feed)
	r := schedule.Result{At: p.at, TTL: p.ttl}
	if p.err != nil {
		var se *httpx.StatusError
		if errors.As(p.err, &se) {
			st.LastStatus = se.Code
		} else {
			st.LastStatus = 0
		}
		msg := p.err.Error()
		if len(msg) > maxErrorText {
			msg = msg[:maxErrorText] + "…"
		}
		st.LastError, st.LastErrorClass, st.LastErrorAt = msg, p.class, p.at
		r.Failed = true
		r.RateLimited = p.hclass == httpx.RateLimited
		r.RetryAfter, _ = httpx.RetryAfter(p.err)
	} else {
		st.LastStatus = p.resp.Status
		st.LastSuccess = p.at
		r.Header = p.resp.Header
		r.NotModified = p.result != pollOK
		if p.result != pollNotModified && p.advance() {
			v := p.resp.Validators()
			st.ETag, st.LastModified, st.BodyHash = v.ETag, v.LastModified, p.bodyHash
			st.TTL = p.ttl
		}
		for _, j := range p.jobs {
			if j.outcome == done && !j.update {
				r.NewItems++
				if j.item.Published != nil {
					r.ItemTimes = append(r.ItemTimes, *j.item.Published)
				}
			}
		}
		st.ItemsSeen += int64(r.NewItems)
	}
	before := schedule.State{ItemInterval: st.ItemInterval, LastItemAt: st.LastItemAt, ConsecutiveFailures: st.ConsecutiveFailures}
	after := schedule.Observe(before, r)
	b := f.bounds(p.feed, after.ItemInterval > 0 || r.Failed)
	f.mu.Lock()
	st.NextPoll = schedule.Next(before, r, b, f.rnd)
	f.mu.Unlock()
	st.ItemInterval, st.LastItemAt, st.ConsecutiveFailures = after.ItemInterval, after.LastItemAt, after.ConsecutiveFailures
}

// bounds are the schedule limits of a feed: its own interval bounds or the
// service's, and until the feed's rhythm is learned, the default interval
// as the floor.
func (f *Fetcher) bounds(fd feedlist.Feed, learned bool) schedule.Bounds {
	lo, hi := f.cfg.MinInterval, f.cfg.MaxInterval
	if fd.MinInterval > 0 {
		lo = fd.MinInterval
	}
	if fd.MaxInterval > 0 {
		hi = fd.MaxInterval
	}
	hi = max(hi, lo)
	b := schedule.Bounds{Min: lo, Max: hi, MaxBackoff: f.cfg.MaxBackoff, MaxRetryAfter: f.cfg.MaxRetryAfter, Jitter: f.cfg.Jitter}
	if b.Jitter <= 0 {
		b.Jitter = -1 // schedule reads 0 as its default
	}
	if !learned && f.cfg.DefaultInterval > 0 {
		b.Min = min(max(f.cfg.DefaultInterval, lo), hi)
	}
	return b
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
