package fetcher

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Poll results, the result label of newsflow_fetcher_feed_polls_total.
const (
	pollOK          = "ok"           // parsed a changed feed
	pollNotModified = "not_modified" // 304
	pollUnchanged   = "unchanged"    // 200 with the same bytes as last time
	pollError       = "error"
)

// Article results, the result label of newsflow_fetcher_articles_total.
const (
	articlePublished  = "published" // new or updated page, acknowledged by JetStream
	articleDuplicate  = "duplicate" // item seen before (GUID, URL or title): not fetched
	articleNoLink     = "no_link"   // item with no link and no URL-shaped GUID: nothing to fetch
	articleError      = "error"
	articleDeadLetter = "dead_letter"
)

type metrics struct {
	polls    *prometheus.CounterVec
	articles *prometheus.CounterVec
	updates  prometheus.Counter
	latency  *prometheus.HistogramVec
	feeds    prometheus.Gauge
	failing  *prometheus.GaugeVec
	lost     prometheus.Counter
}

// failingClasses are the values of the class label of the failing-feeds
// gauge; every one is set on each refresh so a recovered class drops to 0.
func failingClasses() []string {
	return []string{"temporary", "permanent", "rate_limited", "not_a_feed", "bot_challenge", "malformed_feed"}
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newsflow_fetcher_feed_polls_total",
			Help: "Feed polls by result (ok, not_modified, unchanged, error) and error class."}, []string{"result", "class"}),
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newsflow_fetcher_articles_total",
			Help: "Feed items by result: published (new or updated page), duplicate (seen before, not fetched), error, dead_letter."}, []string{"result"}),
		updates: prometheus.NewCounter(prometheus.CounterOpts{Name: "newsflow_fetcher_article_updates_total",
			Help: "Published articles that were updates of an item seen before with other content (also counted as published)."}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "newsflow_fetcher_request_seconds",
			Help: "HTTP request time by kind (feed, page).", Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}, []string{"kind"}),
		feeds: prometheus.NewGauge(prometheus.GaugeOpts{Name: "newsflow_fetcher_feeds",
			Help: "Enabled feeds in the feeds file."}),
		failing: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "newsflow_fetcher_feeds_failing",
			Help: "Enabled feeds whose last poll failed, by error class (shared state as this replica last read it; take max over replicas)."}, []string{"class"}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{Name: "newsflow_fetcher_leases_lost_total",
			Help: "Polls whose feed lease expired before the result was written (another replica took the feed)."}),
	}
	for _, c := range []prometheus.Collector{m.polls, m.articles, m.updates, m.latency, m.feeds, m.failing, m.lost} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("fetcher: metrics: %w", err)
		}
	}
	return m, nil
}
