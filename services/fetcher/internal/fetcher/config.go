package fetcher

import (
	"time"

	"github.com/newsflow/newsflow/pkg/service/config"
)

// Config is the fetcher's configuration.
type Config struct {
	Common config.Common

	Feeds       string
	Once        bool
	Replay      string
	ReplaySpeed string
	Record      string
	RecordMax   int64

	UserAgent          string
	ConnectTimeout     time.Duration
	HeaderTimeout      time.Duration
	Timeout            time.Duration
	MaxBodyBytes       int64
	MaxRedirects       int
	MaxItems           int
	AllowLoopback      bool
	AllowPrivate       bool
	PerHostConcurrency int
	PerHostInterval    time.Duration
	RespectRobots      bool
	PageWorkers        int
	FeedWorkers        int
	DefaultInterval    time.Duration
	MinInterval        time.Duration
	MaxInterval        time.Duration
	MaxBackoff         time.Duration
	MaxRetryAfter      time.Duration
	Jitter             float64
	ReplicaID          string
	Lease              time.Duration
	SeenTTL            time.Duration
	TitleWindow        time.Duration
	BodyEncoding       string
	StripScripts       bool
}

// Table returns the fetcher's configuration table, bound to c.
func Table(c *Config) *config.Set {
	s := config.New("fetcher")
	config.AddCommon(s, &c.Common, "127.0.0.1:8081")
	s.String(&c.Feeds, "feeds", "NEWSFLOW_FETCHER_FEEDS", "", "Feeds file (YAML, or OPML exported from a reader). Reloaded on change and on SIGHUP.")
	s.Bool(&c.Once, "once", "NEWSFLOW_FETCHER_ONCE", false, "Poll every feed once, fetch its new articles, print totals as JSON and exit.")
	s.String(&c.Replay, "replay", "NEWSFLOW_FETCHER_REPLAY", "", "Serve all HTTP from a WARC recording (file, directory or glob) instead of the network.")
	s.String(&c.ReplaySpeed, "replay-speed", "NEWSFLOW_FETCHER_REPLAY_SPEED", "max", "Replay pace: max, real, or Nx (N times faster than recorded).")
	s.String(&c.Record, "record", "NEWSFLOW_FETCHER_RECORD", "", "Record every HTTP exchange as WARC 1.1 files in this directory.")
	s.Bytes(&c.RecordMax, "record-max-bytes", "NEWSFLOW_FETCHER_RECORD_MAX_BYTES", 1<<30, "Rotate recording files at this size.")
	s.String(&c.UserAgent, "user-agent", "NEWSFLOW_FETCHER_USER_AGENT", "newsflow-fetcher/1.0 (+https://github.com/newsflow/newsflow)", "User-Agent sent with every request; say who you are.")
	s.Duration(&c.ConnectTimeout, "connect-timeout", "NEWSFLOW_FETCHER_CONNECT_TIMEOUT", 10*time.Second, "TCP connect and TLS handshake timeout.")
	s.Duration(&c.HeaderTimeout, "header-timeout", "NEWSFLOW_FETCHER_HEADER_TIMEOUT", 20*time.Second, "Time from request to response headers.")
	s.Duration(&c.Timeout, "timeout", "NEWSFLOW_FETCHER_TIMEOUT", 60*time.Second, "Whole request, body included.")
	s.Bytes(&c.MaxBodyBytes, "max-body-bytes", "NEWSFLOW_FETCHER_MAX_BODY_BYTES", 10<<20, "Largest body accepted, after decompression.")
	s.Int(&c.MaxRedirects, "max-redirects", "NEWSFLOW_FETCHER_MAX_REDIRECTS", 5, "Redirects followed per request.")
	s.Int(&c.MaxItems, "max-items", "NEWSFLOW_FETCHER_MAX_ITEMS", 500, "Items read per feed; the rest are ignored (and counted).")
	s.Bool(&c.AllowLoopback, "allow-loopback", "NEWSFLOW_FETCHER_ALLOW_LOOPBACK", false, "Allow loopback addresses (tests and local servers only).")
	s.Bool(&c.AllowPrivate, "allow-private", "NEWSFLOW_FETCHER_ALLOW_PRIVATE", false, "Allow private (RFC 1918, ULA, CGNAT) addresses.")
	s.Int(&c.PerHostConcurrency, "per-host-concurrency", "NEWSFLOW_FETCHER_PER_HOST_CONCURRENCY", 2, "Requests in flight per host.")
	s.Duration(&c.PerHostInterval, "per-host-interval", "NEWSFLOW_FETCHER_PER_HOST_INTERVAL", 500*time.Millisecond, "Minimum time between two requests to one host.")
	s.Bool(&c.RespectRobots, "respect-robots", "NEWSFLOW_FETCHER_RESPECT_ROBOTS", true, "Honour robots.txt for article pages.")
	s.Int(&c.PageWorkers, "page-workers", "NEWSFLOW_FETCHER_PAGE_WORKERS", 16, "Article pages fetched at once.")
	s.Int(&c.FeedWorkers, "feed-workers", "NEWSFLOW_FETCHER_FEED_WORKERS", 8, "Feeds polled at once.")
	s.Duration(&c.DefaultInterval, "interval", "NEWSFLOW_FETCHER_INTERVAL", 15*time.Minute, "Poll interval before a feed's own rhythm is known.")
	s.Duration(&c.MinInterval, "min-interval", "NEWSFLOW_FETCHER_MIN_INTERVAL", 2*time.Minute, "Shortest poll interval (a feed's own setting may narrow the bounds).")
	s.Duration(&c.MaxInterval, "max-interval", "NEWSFLOW_FETCHER_MAX_INTERVAL", 6*time.Hour, "Longest poll interval.")
	s.Duration(&c.MaxBackoff, "max-backoff", "NEWSFLOW_FETCHER_MAX_BACKOFF", 24*time.Hour, "Longest wait between polls of a failing feed; it keeps being retried at this pace, never dropped.")
	s.Duration(&c.MaxRetryAfter, "max-retry-after", "NEWSFLOW_FETCHER_MAX_RETRY_AFTER", 6*time.Hour, "Cap on a server's Retry-After (429, 503).")
	s.Float(&c.Jitter, "jitter", "NEWSFLOW_FETCHER_JITTER", 0.1, "Random spread of poll times, 0.1 meaning ±10%; 0 disables.")
	s.String(&c.ReplicaID, "replica-id", "NEWSFLOW_FETCHER_REPLICA_ID", "", "Name of this replica in the shared feed state (default: host name, process id and a random suffix).")
	s.Duration(&c.Lease, "lease", "NEWSFLOW_FETCHER_LEASE", 2*time.Minute, "How long a replica holds a feed it polls (renewed while it works); a replica that dies mid-poll releases its feed after this.")
	s.Duration(&c.SeenTTL, "seen-ttl", "NEWSFLOW_FETCHER_SEEN_TTL", 30*24*time.Hour, "How long a feed item's GUID and URL are remembered after it leaves every feed.")
	s.Duration(&c.TitleWindow, "title-window", "NEWSFLOW_FETCHER_TITLE_WINDOW", 48*time.Hour, "Window in which an item with a known title under another URL is taken for the same story.")
	s.Bool(&c.StripScripts, "strip-scripts", "NEWSFLOW_FETCHER_STRIP_SCRIPTS", true, "Drop the contents of script (other than JSON-LD) and style elements from pages before publishing them: half a news page's bytes, read by no stage. Recordings keep the page as fetched.")
	s.String(&c.BodyEncoding, "body-encoding", "NEWSFLOW_FETCHER_BODY_ENCODING", "s2", "Compression of pages in NEWSFLOW_FETCHED: s2 (fast), zstd (a fifth smaller, several times the CPU) or identity.")
	return s
}
