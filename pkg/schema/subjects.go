package schema

// Subjects. Services never spell these out themselves.
const (
	SubjectArticleFetchedV1 = "newsflow.v1.article.fetched"
	SubjectArticleCleanedV1 = "newsflow.v1.article.cleaned"
	SubjectArticleTaggedV1  = "newsflow.v1.article.tagged"
	// SubjectDeadLetterPrefix is followed by the stage name.
	SubjectDeadLetterPrefix = "newsflow.v1.dlq"
)

// Streams: one per hop plus the dead-letter stream.
const (
	StreamFetched    = "NEWSFLOW_FETCHED"
	StreamCleaned    = "NEWSFLOW_CLEANED"
	StreamTagged     = "NEWSFLOW_TAGGED"
	StreamDeadLetter = "NEWSFLOW_DLQ"
)

// Durable consumers, shared by all replicas of a stage.
const (
	ConsumerCleaner = "cleaner"
	ConsumerTagger  = "tagger"
	ConsumerSink    = "sink"
)

// Stage names, used in dead letters, logs and metrics.
const (
	StageFetcher = "fetcher"
	StageCleaner = "cleaner"
	StageTagger  = "tagger"
	StageSink    = "sink"
)

// Key-value buckets.
const (
	// BucketFeedState holds the fetcher's per-feed state, shared by replicas.
	BucketFeedState = "newsflow_feeds"
	// BucketSeenItems holds the fetcher's seen feed items (GUID, canonical
	// URL, title hash), so no replica fetches an item's page twice.
	BucketSeenItems = "newsflow_seen"
)

// Headers set on dead letters; the body is the original payload.
const (
	HeaderDLQStage      = "Newsflow-Stage"
	HeaderDLQError      = "Newsflow-Error"
	HeaderDLQSubject    = "Newsflow-Subject"
	HeaderDLQStream     = "Newsflow-Stream"
	HeaderDLQStreamSeq  = "Newsflow-Stream-Seq"
	HeaderDLQDeliveries = "Newsflow-Deliveries"
	HeaderDLQTime       = "Newsflow-Failed-At"
)

// DeadLetterSubject is the subject a stage's dead letters go to.
func DeadLetterSubject(stage string) string { return SubjectDeadLetterPrefix + "." + stage }

// Hop describes one stream: what it carries and who consumes it.
type Hop struct {
	Stream   string
	Subject  string
	Consumer string // "" for the dead-letter stream
}

// Hops lists every stream of the pipeline in flow order.
func Hops() []Hop {
	return []Hop{
		{Stream: StreamFetched, Subject: SubjectArticleFetchedV1, Consumer: ConsumerCleaner},
		{Stream: StreamCleaned, Subject: SubjectArticleCleanedV1, Consumer: ConsumerTagger},
		{Stream: StreamTagged, Subject: SubjectArticleTaggedV1, Consumer: ConsumerSink},
		{Stream: StreamDeadLetter, Subject: SubjectDeadLetterPrefix + ".>"},
	}
}
