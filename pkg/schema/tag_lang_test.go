package schema_test

import (
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Since 1.3 a tag says the languages and forms that matched; a 1.2 message
// without them still decodes, and a tag without them encodes as in 1.2.
func TestTagLanguagesCompatible(t *testing.T) {
	t.Parallel()
	now := time.Now()
	c := schema.ArticleCleanedV1{SchemaVersion: schema.Version, ID: "i", URL: "u", ContentHash: "h",
		Stages: schema.Stages{FetchedAt: now, CleanedAt: &now}}
	tg := c.Tagged()
	tg.Stages.TaggedAt = &now
	tg.Tags = []schema.Tag{{Name: "isis", Score: 0.9, Evidence: []string{"ISIS"}}}
	data, err := schema.Encode(tg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), `"matches"`) || strings.Contains(string(data), `"langs"`) {
		t.Errorf("a tag without languages writes them: %s", data)
	}
	old := strings.Replace(string(data), `"schema_version":"`+schema.Version+`"`, `"schema_version":"1.2"`, 1)
	if _, err := schema.DecodeTagged([]byte(old)); err != nil {
		t.Errorf("1.2 message: %v", err)
	}
	tg.Tags[0].Langs = []string{"fr"}
	tg.Tags[0].Matches = []schema.Match{{Text: "l'EI", Form: "EI", Lang: "fr"}}
	data, err = schema.Encode(tg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := schema.DecodeTagged(data)
	if err != nil {
		t.Fatal(err)
	}
	if m := back.Tags[0].Matches; len(m) != 1 || m[0] != (schema.Match{Text: "l'EI", Form: "EI", Lang: "fr"}) || back.Tags[0].Langs[0] != "fr" {
		t.Errorf("round trip: %+v", back.Tags[0])
	}
}
