package config

import "time"

// NATS is how a service reaches NATS.
type NATS struct {
	URL       string
	Creds     string // credentials file (JWT + NKEY seed)
	NKeySeed  string // NKEY seed file
	Token     string // secret
	User      string
	Password  string // secret
	TLSCA     string
	TLSCert   string
	TLSKey    string
	ConnectTO time.Duration
}

// Streams are the JetStream stream settings every service declares alike.
type Streams struct {
	Replicas        int
	MaxBytes        int64
	MaxMsgs         int64
	MaxAge          time.Duration
	DuplicateWindow time.Duration
	DLQMaxAge       time.Duration
	MemoryStorage   bool
}

// Common holds what every service reads the same way.
type Common struct {
	NATS            NATS
	Streams         Streams
	HTTPAddr        string
	LogLevel        string
	LogFormat       string
	ShutdownTimeout time.Duration
	Pprof           bool
}

// Worker holds the settings of a stage that consumes a stream.
type Worker struct {
	Concurrency   int
	Batch         int
	BatchWait     time.Duration
	MaxAttempts   int
	Backoff       []time.Duration
	AckWait       time.Duration
	AckHold       time.Duration
	MaxAckPending int
	// ConsumerMemory keeps the consumer's delivery state in the server's
	// memory instead of a file rewritten up to ten times a second.
	ConsumerMemory bool
}

// AddCommon registers the shared entries. httpAddr is the service's default
// health and metrics address.
func AddCommon(s *Set, c *Common, httpAddr string) {
	from := len(s.vars)
	defer s.mark(from, common)
	s.String(&c.NATS.URL, "nats-url", "NEWSFLOW_NATS_URL", "nats://127.0.0.1:4222", "NATS server URL(s), comma-separated.")
	s.String(&c.NATS.Creds, "nats-creds", "NEWSFLOW_NATS_CREDS", "", "NATS user credentials file (JWT and NKEY seed).")
	s.String(&c.NATS.NKeySeed, "nats-nkey", "NEWSFLOW_NATS_NKEY", "", "NATS NKEY seed file.")
	s.Secret(&c.NATS.Token, "nats-token", "NEWSFLOW_NATS_TOKEN", "NATS token.")
	s.String(&c.NATS.User, "nats-user", "NEWSFLOW_NATS_USER", "", "NATS user name.")
	s.Secret(&c.NATS.Password, "nats-password", "NEWSFLOW_NATS_PASSWORD", "NATS password.")
	s.String(&c.NATS.TLSCA, "nats-tls-ca", "NEWSFLOW_NATS_TLS_CA", "", "CA certificate file to verify the NATS server.")
	s.String(&c.NATS.TLSCert, "nats-tls-cert", "NEWSFLOW_NATS_TLS_CERT", "", "Client certificate file for NATS mutual TLS.")
	s.String(&c.NATS.TLSKey, "nats-tls-key", "NEWSFLOW_NATS_TLS_KEY", "", "Client key file for NATS mutual TLS.")
	s.Duration(&c.NATS.ConnectTO, "nats-connect-timeout", "NEWSFLOW_NATS_CONNECT_TIMEOUT", 30*time.Second, "How long to keep trying the first connection.")
	s.Int(&c.Streams.Replicas, "stream-replicas", "NEWSFLOW_STREAM_REPLICAS", 1, "Replicas of each stream (3 on a cluster).")
	s.Bytes(&c.Streams.MaxBytes, "stream-max-bytes", "NEWSFLOW_STREAM_MAX_BYTES", 1<<30, "Backlog cap per hop stream; when full, publishers wait (no message is discarded).")
	s.Int64(&c.Streams.MaxMsgs, "stream-max-msgs", "NEWSFLOW_STREAM_MAX_MSGS", 1_000_000, "Backlog cap in messages per hop stream.")
	s.Duration(&c.Streams.MaxAge, "stream-max-age", "NEWSFLOW_STREAM_MAX_AGE", 7*24*time.Hour, "Oldest unconsumed message kept in a hop stream.")
	s.Duration(&c.Streams.DuplicateWindow, "stream-dedup-window", "NEWSFLOW_STREAM_DEDUP_WINDOW", 10*time.Minute, "JetStream de-duplication window for Nats-Msg-Id.")
	s.Duration(&c.Streams.DLQMaxAge, "dlq-max-age", "NEWSFLOW_DLQ_MAX_AGE", 30*24*time.Hour, "How long dead letters are kept.")
	s.Bool(&c.Streams.MemoryStorage, "stream-memory", "NEWSFLOW_STREAM_MEMORY", false, "Keep streams in memory instead of on disk (tests only).")
	s.String(&c.HTTPAddr, "http-addr", "NEWSFLOW_HTTP_ADDR", httpAddr, "Address of /healthz, /readyz and /metrics (and the sink's API).").shared = commonPerService
	s.String(&c.LogLevel, "log-level", "NEWSFLOW_LOG_LEVEL", "info", "debug, info, warn or error.")
	s.String(&c.LogFormat, "log-format", "NEWSFLOW_LOG_FORMAT", "auto", "json, console, or auto (console on a terminal, else JSON).")
	s.Duration(&c.ShutdownTimeout, "shutdown-timeout", "NEWSFLOW_SHUTDOWN_TIMEOUT", 30*time.Second, "How long SIGTERM may take to drain in-flight work.")
	s.Bool(&c.Pprof, "pprof", "NEWSFLOW_PPROF", false, "Serve Go's profiler under /debug/pprof/ on the ops address (keep that address private).")
}

// AddWorker registers the entries of a consuming stage. batchWait is the
// stage's default for how long messages that trickle in may gather.
func AddWorker(s *Set, w *Worker, concurrency, batch int, batchWait time.Duration) {
	from := len(s.vars)
	defer s.mark(from, worker)
	s.Int(&w.Concurrency, "concurrency", "NEWSFLOW_CONCURRENCY", concurrency, "Messages processed at once by this replica.").shared = workerPerService
	s.Int(&w.Batch, "batch", "NEWSFLOW_BATCH", batch, "Messages pulled per request at most (the sink's largest batch).").shared = workerPerService
	s.Duration(&w.BatchWait, "batch-wait", "NEWSFLOW_BATCH_WAIT", batchWait, "When messages trickle in, how long they may gather before the next pull takes them in one go (the sink's flush delay; each message waits at most this long); a backlog is taken at once.").shared = workerPerService
	s.Int(&w.MaxAttempts, "max-attempts", "NEWSFLOW_MAX_ATTEMPTS", 5, "Deliveries before a message is dead-lettered.")
	s.Durations(&w.Backoff, "backoff", "NEWSFLOW_BACKOFF", []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute}, "Redelivery delays after a failure, by attempt.")
	s.Duration(&w.AckWait, "ack-wait", "NEWSFLOW_ACK_WAIT", 30*time.Second, "Time before an unacknowledged message is redelivered (kept alive by in-progress acks while working).")
	s.Duration(&w.AckHold, "ack-hold", "NEWSFLOW_ACK_HOLD", 250*time.Millisecond, "How long a finished message's ack may wait for the next one, so a stage that keeps up does not empty its stream after every message (costly for the NATS file store); 0 acks at once. At most AckWait/10.")
	s.Int(&w.MaxAckPending, "max-ack-pending", "NEWSFLOW_MAX_ACK_PENDING", 1000, "Messages in flight across all replicas of the stage; caps scale-out.")
	s.Bool(&w.ConsumerMemory, "consumer-memory", "NEWSFLOW_CONSUMER_MEMORY", true, "Keep the stage consumer's delivery state in NATS memory, not in a file the server rewrites up to 10 times a second; single-replica streams only (replicated ones keep it on file). Unacked messages stay in the work-queue stream either way: after a NATS restart the consumer is re-created and delivers them again (delivery counts start over). Applies when the consumer is created.")
}
