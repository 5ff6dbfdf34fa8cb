package schema

import "time"

// Version is the schema version this package writes.
const Version = "1.3"

// FeedItem is the feed entry an article came from.
type FeedItem struct {
	FeedURL     string     `json:"feed_url"`
	FeedTitle   string     `json:"feed_title,omitempty"`
	Title       string     `json:"title,omitempty"`
	Link        string     `json:"link"`
	GUID        string     `json:"guid,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	UpdatedAt   *time.Time `json:"updated_at,omitempty"`
	Authors     []string   `json:"authors,omitempty"`
	Categories  []string   `json:"categories,omitempty"`
	Description string     `json:"description,omitempty"`
	FeedTags    []string   `json:"feed_tags,omitempty"`
}

// Response is the HTTP response metadata of a fetched page.
type Response struct {
	Status       int       `json:"status"`
	ContentType  string    `json:"content_type,omitempty"`
	Charset      string    `json:"charset,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	FetchedAt    time.Time `json:"fetched_at"`
	Size         int       `json:"size"`
}

// Stages records when each stage handled the article.
type Stages struct {
	FetchedAt time.Time  `json:"fetched_at"`
	CleanedAt *time.Time `json:"cleaned_at,omitempty"`
	TaggedAt  *time.Time `json:"tagged_at,omitempty"`
	StoredAt  *time.Time `json:"stored_at,omitempty"`
}

// Body encodings of ArticleFetchedV1.Body.
const (
	EncodingIdentity = "identity"
	EncodingZstd     = "zstd"
	EncodingS2       = "s2" // since 1.1; the default
)

// FilterStripped is ArticleFetchedV1.BodyFilter for a page whose script
// (other than JSON-LD) and style contents were dropped by
// [markup.Strip]; since 1.2.
//
// [markup.Strip]: https://pkg.go.dev/github.com/newsflow/newsflow/pkg/markup#Strip
const FilterStripped = "stripped"

// ArticleFetchedV1 is published by the fetcher for every new or updated page.
type ArticleFetchedV1 struct {
	SchemaVersion string   `json:"schema_version"`
	ID            string   `json:"id"`
	URL           string   `json:"url"`
	FinalURL      string   `json:"final_url,omitempty"`
	CanonicalURL  string   `json:"canonical_url"`
	ContentHash   string   `json:"content_hash"`
	Update        bool     `json:"update,omitempty"`
	Response      Response `json:"response"`
	BodyEncoding  string   `json:"body_encoding"`
	// BodyFilter says what was taken out of the page before it was
	// published: "" nothing, FilterStripped script and style contents.
	BodyFilter string `json:"body_filter,omitempty"`
	// Body travels after the JSON on the wire (see EncodeFetched);
	// BodyBytes is its length there.
	Body      []byte   `json:"body,omitempty"`
	BodyBytes int      `json:"body_bytes,omitempty"`
	Item      FeedItem `json:"item"`
	Stages    Stages   `json:"stages"`
}

// ArticleCleanedV1 is the article as the cleaner extracted it.
type ArticleCleanedV1 struct {
	SchemaVersion string     `json:"schema_version"`
	ID            string     `json:"id"`
	URL           string     `json:"url"`
	CanonicalURL  string     `json:"canonical_url"`
	ContentHash   string     `json:"content_hash"`
	Item          FeedItem   `json:"item"`
	Title         string     `json:"title"`
	Byline        string     `json:"byline,omitempty"`
	Authors       []string   `json:"authors,omitempty"`
	PublishedAt   *time.Time `json:"published_at,omitempty"`
	ModifiedAt    *time.Time `json:"modified_at,omitempty"`
	SiteName      string     `json:"site_name,omitempty"`
	Language      string     `json:"language,omitempty"`
	Description   string     `json:"description,omitempty"`
	Image         string     `json:"image,omitempty"`
	Text          string     `json:"text"`
	Chrome        []string   `json:"chrome,omitempty"`
	Stages        Stages     `json:"stages"`

	// Since 1.3: where each date came from ("json-ld", "meta",
	// "microdata", "time", "text" shown on the page, "url", or "feed" when
	// the page names none) and how the text was extracted.
	PublishedSource string      `json:"published_source,omitempty"`
	ModifiedSource  string      `json:"modified_source,omitempty"`
	Extraction      *Extraction `json:"extraction,omitempty"`
}

// Extraction says how the cleaner found the article text and how sure it
// is; absent in messages before 1.3.
type Extraction struct {
	// Confidence that Text is the page's main text, 0 to 1: below 0.5 the
	// text is more likely wrong (a list page, the wrong block) than right.
	Confidence float64 `json:"confidence"`
	// Method names the path that produced Text: "dom" (the best block of
	// the page), "dom-nohints" (the same, class names ignored),
	// "site-rule", "json-ld" (the page's articleBody) or "fallback" (an
	// alternative extraction that scored better than the first choice).
	Method string `json:"method"`
}

// Tag is one topic tag with its score and the spans that support it.
type Tag struct {
	Name     string   `json:"name"`
	Score    float64  `json:"score"`
	Evidence []string `json:"evidence"`
	// Langs are the languages of the topic data that matched, in the order
	// of their first match (since 1.3; "en" for the English data).
	Langs []string `json:"langs,omitempty"`
	// Matches say, for each Evidence span in turn, the form of the topic
	// data it matched and that form's language (since 1.3).
	Matches []Match `json:"matches,omitempty"`
}

// Match is one piece of a tag's evidence: the span as the article writes
// it ("l'EI", "IŞİD'in", "والدولة الإسلامية"), the topic data's form it
// matched ("EI", "IŞİD", "الدولة الإسلامية") and the form's language.
type Match struct {
	Text string `json:"text"`
	Form string `json:"form"`
	Lang string `json:"lang"`
}

// Quantity is a normalised number found in a claim. Value is set for a single
// number; Low and High for a range (Value then holds their midpoint only if
// the writer chooses to; readers use Low/High when Qualifier is "range").
type Quantity struct {
	Value     *float64 `json:"value,omitempty"`
	Low       *float64 `json:"low,omitempty"`
	High      *float64 `json:"high,omitempty"`
	Unit      string   `json:"unit"`
	Qualifier string   `json:"qualifier"`
	Raw       string   `json:"raw"`
}

// Speaker kinds (Claim.SpeakerKind), since schema 1.3.
const (
	SpeakerPerson       = "person"
	SpeakerOrganisation = "organisation"
	SpeakerDocument     = "document"  // a report, statement, release, fact sheet
	SpeakerAnonymous    = "anonymous" // unnamed officials and sources
	SpeakerOutlet       = "outlet"    // the publishing outlet's own voice
)

// Claim is a factual assertion with a quantity, an attribution or both.
type Claim struct {
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
	// SpeakerKind is one of the Speaker* kinds (schema 1.3; empty in
	// older messages).
	SpeakerKind string `json:"speaker_kind,omitempty"`
	// SpeakerRole is the role the topic gives a known source: coalition,
	// government, group-media, monitor, ngo, media (schema 1.3; empty when
	// the source is not known to the topic).
	SpeakerRole string     `json:"speaker_role,omitempty"`
	Verb        string     `json:"verb,omitempty"`
	Via         string     `json:"via,omitempty"`
	Topic       string     `json:"topic,omitempty"`
	Quantities  []Quantity `json:"quantities"`
	Places      []string   `json:"places"`
	// Offset is the byte offset of Text in the article text, -1 if unknown.
	Offset int `json:"offset"`
}

// Entity is a place, organisation or person the article names.
type Entity struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // place, org, person
	Role string `json:"role,omitempty"`
}

// ArticleTaggedV1 is the stored result.
type ArticleTaggedV1 struct {
	SchemaVersion string     `json:"schema_version"`
	ID            string     `json:"id"`
	URL           string     `json:"url"`
	CanonicalURL  string     `json:"canonical_url"`
	ContentHash   string     `json:"content_hash"`
	Item          FeedItem   `json:"item"`
	Title         string     `json:"title"`
	Byline        string     `json:"byline,omitempty"`
	Authors       []string   `json:"authors,omitempty"`
	PublishedAt   *time.Time `json:"published_at,omitempty"`
	ModifiedAt    *time.Time `json:"modified_at,omitempty"`
	SiteName      string     `json:"site_name,omitempty"`
	Language      string     `json:"language,omitempty"`
	Description   string     `json:"description,omitempty"`
	Image         string     `json:"image,omitempty"`
	Text          string     `json:"text"`
	Relevant      bool       `json:"relevant"`
	Tags          []Tag      `json:"tags"`
	Claims        []Claim    `json:"claims"`
	Entities      []Entity   `json:"entities,omitempty"`
	Stages        Stages     `json:"stages"`

	// Since 1.3, carried on from the cleaned article.
	PublishedSource string      `json:"published_source,omitempty"`
	ModifiedSource  string      `json:"modified_source,omitempty"`
	Extraction      *Extraction `json:"extraction,omitempty"`
}
