package schema_test

import (
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// TestExtractionCarriedOn: the 1.3 fields survive encoding and reach the
// tagged article; a 1.2 message without them still decodes.
func TestExtractionCarriedOn(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	c := schema.ArticleCleanedV1{SchemaVersion: schema.Version, ID: "i", URL: "u", ContentHash: "h",
		Stages: schema.Stages{FetchedAt: now, CleanedAt: &now}, PublishedAt: &now, PublishedSource: "meta",
		Extraction: &schema.Extraction{Confidence: 0.8, Method: "dom"}}
	data, err := schema.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := schema.DecodeCleaned(data)
	if err != nil {
		t.Fatal(err)
	}
	tg := got.Tagged()
	if tg.PublishedSource != "meta" || tg.Extraction == nil || tg.Extraction.Confidence != 0.8 || tg.Extraction.Method != "dom" {
		t.Errorf("tagged article lost the 1.3 fields: %+v %+v", tg.PublishedSource, tg.Extraction)
	}
	old := []byte(`{"schema_version":"1.2","id":"i","url":"u","canonical_url":"u","content_hash":"h","item":{"feed_url":"f","link":"u"},"title":"t","text":"x","stages":{"fetched_at":"2025-01-01T00:00:00Z","cleaned_at":"2025-01-01T00:00:00Z"}}`)
	prev, err := schema.DecodeCleaned(old)
	if err != nil {
		t.Fatalf("a 1.2 message: %v", err)
	}
	if prev.Extraction != nil || prev.PublishedSource != "" {
		t.Errorf("a 1.2 message has extraction %+v, source %q", prev.Extraction, prev.PublishedSource)
	}
}
