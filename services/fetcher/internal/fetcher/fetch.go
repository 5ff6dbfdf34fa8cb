package fetcher

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/logx"
	"github.com/newsflow/newsflow/services/fetcher/internal/feed"
	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpx"
)

// Totals is what a run of the fetcher did; `--once` prints it.
type Totals struct {
	FeedPolls     int `json:"feed_polls"`
	FeedErrors    int `json:"feed_errors"`
	Items         int `json:"items"`
	Published     int `json:"articles_published"`
	Duplicates    int `json:"articles_duplicate"`
	ArticleErrors int `json:"article_errors"`
	DeadLetters   int `json:"dead_letters"`
}

type metrics struct {
	polls    *prometheus.CounterVec
	articles *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newsflow_fetcher_feed_polls_total",
			Help: "Feed polls by result: ok, not_modified, unchanged, error."}, []string{"result", "class"}),
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newsflow_fetcher_articles_total",
			Help: "Article pages by result: published, duplicate (seen before), error, dead_letter."}, []string{"result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "newsflow_fetcher_request_seconds",
			Help: "HTTP request time by kind (feed, page).", Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}, []string{"kind"}),
	}
	reg.MustRegister(m.polls, m.articles, m.latency)
	return m
}

// Fetcher polls feeds and publishes their articles.
type Fetcher struct {
	cfg     Config
	client  *httpx.Client
	pub     *bus.Publisher
	log     *zap.Logger
	metrics *metrics
	now     func() time.Time

	mu     sync.Mutex
	totals Totals
	// seen maps an article id to the content hash last published for it,
	// so unchanged articles are not fetched again and changed ones are
	// published as updates.
	seen map[string]string
}

func newFetcher(cfg Config, client *httpx.Client, pub *bus.Publisher, log *zap.Logger, reg prometheus.Registerer) *Fetcher {
	return &Fetcher{cfg: cfg, client: client, pub: pub, log: log, metrics: newMetrics(reg), now: time.Now,
		seen: map[string]string{}}
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

// pollResult is one feed's new items.
type pollResult struct {
	feed  feedlist.Feed
	title string
	items []feed.Item
}

// poll fetches and parses one feed.
func (f *Fetcher) poll(ctx context.Context, fd feedlist.Feed, cond httpx.Conditional) (*feed.Feed, *httpx.Response, error) {
	start := time.Now()
	resp, err := f.client.Get(ctx, fd.URL, cond, httpx.KindFeed)
	f.metrics.latency.WithLabelValues("feed").Observe(time.Since(start).Seconds())
	if err != nil {
		return nil, nil, err
	}
	if resp.NotModified {
		return nil, resp, nil
	}
	parsed, err := feed.Parse(fd.URL, resp.Body, resp.Header.Get("Content-Type"), feed.Options{MaxItems: f.cfg.MaxItems})
	if err != nil {
		return nil, resp, err
	}
	return parsed, resp, nil
}

// RunOnce polls every enabled feed once and publishes all their articles.
func (f *Fetcher) RunOnce(ctx context.Context) (Totals, error) {
	list, err := loadFeeds(f.cfg.Feeds)
	if err != nil {
		return f.Totals(), err
	}
	results := make([]pollResult, 0, len(list))
	var rmu sync.Mutex
	runLimited(ctx, max(f.cfg.FeedWorkers, 1), len(list), func(i int) {
		fd := list[i]
		parsed, _, err := f.poll(ctx, fd, httpx.Conditional{})
		if err != nil {
			f.feedError(fd, err)
			return
		}
		f.metrics.polls.WithLabelValues("ok", "").Inc()
		f.add(func(t *Totals) { t.FeedPolls++; t.Items += len(parsed.Items) })
		f.log.Info("Feed polled.", zap.String(logx.KeyFeedURL, fd.URL), zap.Int("items", len(parsed.Items)))
		rmu.Lock()
		results = append(results, pollResult{feed: fd, title: parsed.Title, items: parsed.Items})
		rmu.Unlock()
	})
	// Polls finish in any order; sort so a replay publishes in the same
	// order every time.
	sort.Slice(results, func(i, j int) bool { return results[i].feed.URL < results[j].feed.URL })
	jobs := f.newArticles(results)
	runLimited(ctx, max(f.cfg.PageWorkers, 1), len(jobs), func(i int) { f.fetchArticle(ctx, jobs[i]) })
	if err := ctx.Err(); err != nil {
		return f.Totals(), fmt.Errorf("fetcher: interrupted: %w", err)
	}
	return f.Totals(), nil
}

func (f *Fetcher) feedError(fd feedlist.Feed, err error) {
	class := httpx.Classify(err).String()
	f.metrics.polls.WithLabelValues("error", class).Inc()
	f.add(func(t *Totals) { t.FeedPolls++; t.FeedErrors++ })
	f.log.Warn("Feed poll failed.", zap.String(logx.KeyFeedURL, fd.URL), zap.String("class", class), zap.Error(err))
}

// articleJob is an item to fetch.
type articleJob struct {
	feed      feedlist.Feed
	feedTitle string
	item      feed.Item
	id        string
	canonical string
}

// newArticles turns polled items into fetch jobs, de-duplicated by
// canonical URL across feeds (the same story in two feeds is fetched once).
func (f *Fetcher) newArticles(results []pollResult) []articleJob {
	var jobs []articleJob
	seen := map[string]bool{}
	for _, r := range results {
		for _, it := range r.items {
			link := it.Link
			if link == "" && strings.HasPrefix(it.GUID, "http") {
				link = it.GUID
			}
			id, canonical, err := schema.ArticleID(link)
			if err != nil {
				f.metrics.articles.WithLabelValues("error").Inc()
				f.add(func(t *Totals) { t.ArticleErrors++ })
				f.log.Warn("Item has no usable link.", zap.String(logx.KeyFeedURL, r.feed.URL), zap.String("guid", it.GUID), zap.Error(err))
				continue
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			jobs = append(jobs, articleJob{feed: r.feed, feedTitle: r.title, item: it, id: id, canonical: canonical})
		}
	}
	return jobs
}

// fetchArticle fetches one page and publishes it. Failures are counted and
// logged; a page too large for NATS is dead-lettered, never dropped.
func (f *Fetcher) fetchArticle(ctx context.Context, j articleJob) {
	log := f.log.With(zap.String(logx.KeyArticleURL, j.item.Link), zap.String(logx.KeyArticleID, j.id))
	start := time.Now()
	resp, err := f.client.Get(ctx, j.item.Link, httpx.Conditional{}, httpx.KindPage)
	f.metrics.latency.WithLabelValues("page").Observe(time.Since(start).Seconds())
	if err != nil {
		f.metrics.articles.WithLabelValues("error").Inc()
		f.add(func(t *Totals) { t.ArticleErrors++ })
		log.Warn("Article fetch failed.", zap.String("class", httpx.Classify(err).String()), zap.Error(err))
		return
	}
	hash := schema.ContentHash(resp.Body)
	f.mu.Lock()
	prev, known := f.seen[j.id]
	f.mu.Unlock()
	if known && prev == hash {
		f.metrics.articles.WithLabelValues("duplicate").Inc()
		f.add(func(t *Totals) { t.Duplicates++ })
		return
	}
	msg := f.message(j, resp, hash, known)
	if err := msg.SetHTML(resp.Body); err != nil {
		f.metrics.articles.WithLabelValues("error").Inc()
		f.add(func(t *Totals) { t.ArticleErrors++ })
		log.Error("Compressing the page.", zap.Error(err))
		return
	}
	data, err := schema.Encode(msg)
	if err != nil {
		log.Error("Encoding the article.", zap.Error(err))
		return
	}
	_, err = f.pub.Publish(ctx, bus.Output{Subject: schema.SubjectArticleFetchedV1, Data: data,
		MsgID: schema.MsgID(schema.StageFetcher, j.id, hash)})
	switch {
	case err == nil:
	case errors.Is(err, bus.ErrTooLarge):
		f.deadLetter(ctx, log, msg, err)
		return
	default:
		f.metrics.articles.WithLabelValues("error").Inc()
		f.add(func(t *Totals) { t.ArticleErrors++ })
		log.Error("Publishing the article.", zap.Error(err))
		return
	}
	f.mu.Lock()
	f.seen[j.id] = hash
	f.mu.Unlock()
	f.metrics.articles.WithLabelValues("published").Inc()
	f.add(func(t *Totals) { t.Published++ })
	log.Debug("Article published.", zap.Int("bytes", len(resp.Body)), zap.Bool("update", known))
}

func (f *Fetcher) message(j articleJob, resp *httpx.Response, hash string, update bool) schema.ArticleFetchedV1 {
	now := f.now().UTC()
	it := j.item
	return schema.ArticleFetchedV1{
		SchemaVersion: schema.Version,
		ID:            j.id,
		URL:           it.Link,
		FinalURL:      resp.FinalURL,
		CanonicalURL:  j.canonical,
		ContentHash:   hash,
		Update:        update,
		Response: schema.Response{Status: resp.Status, ContentType: resp.Header.Get("Content-Type"), Charset: resp.Charset,
			ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), FetchedAt: now, Size: len(resp.Body)},
		Item: schema.FeedItem{FeedURL: j.feed.URL, FeedTitle: firstNonEmpty(j.feed.Title, j.feedTitle), Title: it.Title,
			Link: it.Link, GUID: it.GUID, PublishedAt: it.Published, UpdatedAt: it.Updated, Authors: it.Authors,
			Categories: it.Categories, Description: it.Description, FeedTags: j.feed.Tags},
		Stages: schema.Stages{FetchedAt: now},
	}
}

// deadLetter records a page that cannot be published: its metadata (the
// body stripped so the letter fits) and the reason.
func (f *Fetcher) deadLetter(ctx context.Context, log *zap.Logger, msg schema.ArticleFetchedV1, cause error) {
	size := msg.Response.Size
	msg.Body, msg.BodyEncoding = nil, schema.EncodingIdentity
	data, _ := schema.Encode(msg)
	dl := bus.DeadLetter{Stage: schema.StageFetcher, Reason: "too_large",
		Error:   fmt.Sprintf("page of %d bytes does not fit a NATS message even compressed: %v", size, cause),
		Subject: schema.SubjectArticleFetchedV1, Data: data}
	out := dl.Output()
	out.MsgID = "dlq:fetcher:" + msg.ID + ":" + msg.ContentHash
	if _, err := f.pub.Publish(ctx, out); err != nil {
		f.metrics.articles.WithLabelValues("error").Inc()
		f.add(func(t *Totals) { t.ArticleErrors++ })
		log.Error("Dead-lettering a too-large page.", zap.Error(err))
		return
	}
	f.metrics.articles.WithLabelValues("dead_letter").Inc()
	f.add(func(t *Totals) { t.DeadLetters++ })
	log.Warn("Page too large for NATS; dead-lettered.", zap.Int("bytes", size))
}

// runLimited runs fn(0..n-1) with at most limit at once, stopping early
// when ctx ends.
func runLimited(ctx context.Context, limit, n int, fn func(i int)) {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case sem <- struct{}{}:
		}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}(i)
	}
	wg.Wait()
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
