package schema_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

func TestCanonicalURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"lowercase host, drop fragment", "HTTPS://WWW.Example.COM/a/B?x=1#frag", "https://www.example.com/a/B?x=1"},
		{"tracking params dropped, rest sorted", "https://ex.com/p?utm_source=tw&b=2&fbclid=zz&a=1&gclid=q", "https://ex.com/p?a=1&b=2"},
		{"default port dropped", "http://ex.com:80/p", "http://ex.com/p"},
		{"other port kept", "http://ex.com:8080/p", "http://ex.com:8080/p"},
		{"empty path is /", "https://ex.com", "https://ex.com/"},
		{"only tracking params", "https://ex.com/p?utm_medium=x", "https://ex.com/p"},
		{"user info dropped", "https://u:p@ex.com/p", "https://ex.com/p"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := schema.CanonicalURL(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	for _, bad := range []string{"ftp://ex.com/x", "javascript:alert(1)", "/relative", "https://"} {
		if _, err := schema.CanonicalURL(bad); err == nil {
			t.Errorf("CanonicalURL(%q) succeeded, want an error", bad)
		}
	}
}

func TestArticleIDStable(t *testing.T) {
	t.Parallel()
	a, _, err := schema.ArticleID("https://Ex.com/story?utm_source=x#top")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := schema.ArticleID("https://ex.com/story")
	if err != nil {
		t.Fatal(err)
	}
	if a != b || len(a) != 32 {
		t.Fatalf("ids %q and %q: want equal 32-hex ids for the same canonical URL", a, b)
	}
}

func fetched(t *testing.T) schema.ArticleFetchedV1 {
	t.Helper()
	id, canonical, err := schema.ArticleID("https://ex.com/a")
	if err != nil {
		t.Fatal(err)
	}
	m := schema.ArticleFetchedV1{SchemaVersion: schema.Version, ID: id, URL: "https://ex.com/a", CanonicalURL: canonical,
		ContentHash: "abc", Item: schema.FeedItem{FeedURL: "https://ex.com/feed", Link: "https://ex.com/a"},
		Stages: schema.Stages{FetchedAt: time.Now()}}
	if err := m.SetHTML([]byte(strings.Repeat("<p>hello</p>", 1000))); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFetchedRoundTripCompresses(t *testing.T) {
	t.Parallel()
	m := fetched(t)
	if len(m.Body) >= 12000/5 {
		t.Errorf("compressed body is %d bytes, want well under the 12000 raw", len(m.Body))
	}
	data, err := schema.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := schema.DecodeFetched(data)
	if err != nil {
		t.Fatal(err)
	}
	html, err := got.HTML()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(html, []byte(strings.Repeat("<p>hello</p>", 1000))) {
		t.Fatal("body changed in the round trip")
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, field string
		version         bool
	}{
		{name: "not json", in: `{"schema_version":`, field: ""},
		{name: "no version", in: `{"id":"x"}`, field: "schema_version"},
		{name: "unknown major", in: `{"schema_version":"2.0","id":"x"}`, version: true},
		{name: "missing id", in: `{"schema_version":"1.3","url":"u"}`, field: "id"},
		{name: "missing feed url", in: `{"schema_version":"1.0","id":"x","url":"u","canonical_url":"u","content_hash":"h","body_encoding":"identity","stages":{"fetched_at":"2024-01-01T00:00:00Z"}}`, field: "item.feed_url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := schema.DecodeFetched([]byte(tc.in))
			if err == nil {
				t.Fatal("decoded, want an error")
			}
			if tc.version {
				if !errors.Is(err, schema.ErrUnknownVersion) {
					t.Fatalf("err = %v, want ErrUnknownVersion", err)
				}
				return
			}
			if !errors.Is(err, schema.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			var fe *schema.FieldError
			if tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field) {
				t.Fatalf("err = %v, want a FieldError naming %q", err, tc.field)
			}
		})
	}
}

func TestMinorVersionAccepted(t *testing.T) {
	t.Parallel()
	m := fetched(t)
	m.SchemaVersion = "1.7"
	data, _ := schema.Encode(m)
	if _, err := schema.DecodeFetched(data); err != nil {
		t.Fatalf("a newer minor version must decode: %v", err)
	}
}

func TestBadBodyEncoding(t *testing.T) {
	t.Parallel()
	m := fetched(t)
	m.Body = []byte("not zstd")
	if _, err := m.HTML(); !errors.Is(err, schema.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}

func TestTaggedValidation(t *testing.T) {
	t.Parallel()
	now := time.Now()
	c := schema.ArticleCleanedV1{SchemaVersion: schema.Version, ID: "i", URL: "u", ContentHash: "h",
		Stages: schema.Stages{FetchedAt: now, CleanedAt: &now}}
	tg := c.Tagged()
	tg.Stages.TaggedAt = &now
	tg.Claims = []schema.Claim{{Text: "x", Quantities: []schema.Quantity{{Unit: "people"}}}}
	data, _ := schema.Encode(tg)
	_, err := schema.DecodeTagged(data)
	var fe *schema.FieldError
	if !errors.As(err, &fe) || fe.Field != "claims[0].quantities[0].raw" {
		t.Fatalf("err = %v, want a FieldError naming claims[0].quantities[0].raw", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"schema_version":"1.0","id":"x"}`))
	f.Add([]byte(`{"schema_version":"9"}`))
	f.Add([]byte(`{"schema_version":"1.0","body_encoding":"zstd","body":"AAAA"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := schema.DecodeFetched(data); err == nil {
			_, _ = m.HTML()
		}
		_, _ = schema.DecodeCleaned(data)
		_, _ = schema.DecodeTagged(data)
	})
}
