package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

func TestFetchedRoundTrip(t *testing.T) {
	t.Parallel()
	page := []byte(strings.Repeat("<p>hello</p>", 1000))
	tests := []struct {
		encoding string
		maxBody  int // compressed size bound
		wire     func(m schema.ArticleFetchedV1) ([]byte, error)
	}{
		{encoding: schema.EncodingS2, maxBody: len(page) / 5, wire: schema.EncodeFetched},
		{encoding: schema.EncodingZstd, maxBody: len(page) / 5, wire: schema.EncodeFetched},
		{encoding: schema.EncodingIdentity, maxBody: len(page), wire: schema.EncodeFetched},
		// 1.0 wrote the body inside the JSON; 1.1 still reads that.
		{encoding: schema.EncodingZstd, maxBody: len(page) / 5, wire: func(m schema.ArticleFetchedV1) ([]byte, error) {
			m.SchemaVersion = "1.0"
			return schema.Encode(m)
		}},
		// Plain JSON pretty-printed, as an operator may re-drive it.
		{encoding: schema.EncodingS2, maxBody: len(page) / 5, wire: func(m schema.ArticleFetchedV1) ([]byte, error) {
			return json.MarshalIndent(m, "", "  ")
		}},
		// ... with a first line that happens to end an object.
		{encoding: schema.EncodingS2, maxBody: len(page) / 5, wire: func(m schema.ArticleFetchedV1) ([]byte, error) {
			b, err := schema.Encode(m)
			return bytes.Replace(b, []byte(`"response":{`), []byte(`"stages_note":{}`+"\n"+`,"response":{`), 1), err
		}},
	}
	for _, tc := range tests {
		m := fetched(t)
		if err := m.SetHTMLEncoded(page, tc.encoding); err != nil {
			t.Fatal(err)
		}
		if len(m.Body) > tc.maxBody {
			t.Errorf("%s: body is %d bytes, want at most %d", tc.encoding, len(m.Body), tc.maxBody)
		}
		data, err := tc.wire(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := schema.DecodeFetched(data)
		if err != nil {
			t.Fatalf("%s: %v", tc.encoding, err)
		}
		html, err := got.HTML()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(html, page) || got.BodyEncoding != tc.encoding || got.ID != m.ID {
			t.Errorf("%s: article changed in the round trip", tc.encoding)
		}
	}
}

// TestFetchedReusedBuffers: a publisher that compresses and encodes page
// after page into the same buffers sends each page as it is, whatever the
// buffers held before and however big they are.
func TestFetchedReusedBuffers(t *testing.T) {
	t.Parallel()
	pages := [][]byte{[]byte(strings.Repeat("<p>a long page</p>", 2000)), []byte("<p>short</p>"),
		[]byte(strings.Repeat("<div>x</div>", 500))}
	for _, encoding := range []string{schema.EncodingS2, schema.EncodingZstd, schema.EncodingIdentity} {
		body, wire := bytes.Repeat([]byte{0xff}, 100), bytes.Repeat([]byte{0xee}, 50)
		for i, page := range pages {
			m := fetched(t)
			if err := m.SetHTMLBuffer(body[:0], page, encoding); err != nil {
				t.Fatal(err)
			}
			data, err := schema.AppendFetched(wire[:0], m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := schema.DecodeFetched(data)
			if err != nil {
				t.Fatalf("%s page %d: %v", encoding, i, err)
			}
			html, err := got.HTML()
			if err != nil || !bytes.Equal(html, page) {
				t.Fatalf("%s page %d: decoded %d bytes (%v), want the page's %d", encoding, i, len(html), err, len(page))
			}
			if encoding != schema.EncodingIdentity {
				body = m.Body // the next page reuses what this one grew
			}
			wire = data
		}
	}
}

func TestFetchedWireForm(t *testing.T) {
	t.Parallel()
	m := fetched(t)
	data, err := schema.EncodeFetched(m)
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := bytes.Cut(data, []byte("\n"))
	if !ok || !json.Valid(head) || !bytes.Equal(body, m.Body) {
		t.Fatalf("wire form is not one JSON line, a newline and the body as it is: %.80q", data)
	}
	if bytes.Contains(head, []byte(`"body":`)) {
		t.Errorf("the JSON line carries the body too: %s", head)
	}
	// Framing faults name the body.
	for name, bad := range map[string][]byte{
		"truncated":  data[:len(data)-1],
		"extra byte": append(append([]byte(nil), data...), 'x'),
		"both":       append(append(bytes.Replace(head, []byte(`"body_encoding"`), []byte(`"body":"AAAA","body_encoding"`), 1), '\n'), body...),
	} {
		_, err := schema.DecodeFetched(bad)
		var fe *schema.FieldError
		if !errors.As(err, &fe) || fe.Field != "body" {
			t.Errorf("%s: err = %v, want a FieldError naming body", name, err)
		}
	}
	// A body that would inflate past the limit is refused before decoding.
	huge := m
	huge.Body = []byte{0x80, 0x80, 0x80, 0x80, 0x01} // varint length 256 MiB, no data
	if _, err := huge.HTML(); err == nil {
		t.Error("an s2 body claiming 256 MiB was decoded")
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
	f.Add([]byte("{\"schema_version\":\"1.1\",\"body_encoding\":\"s2\",\"body_bytes\":3}\n\x00\x01\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := schema.DecodeFetched(data); err == nil {
			_, _ = m.HTML()
		}
		_, _ = schema.DecodeCleaned(data)
		_, _ = schema.DecodeTagged(data)
	})
}

// The encoder's output must be JSON any reader accepts (PostgreSQL's jsonb
// among them): invalid UTF-8 becomes U+FFFD, control characters and the
// HTML-sensitive ones are escaped, and a round trip keeps valid text as is.
func TestEncodeIsPortableJSON(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	text := "valid: café — «ISIS» <b>&</b> \u2028 tab\tnewline\n; invalid: \xff\xfe; control: \x01"
	a := schema.ArticleCleanedV1{SchemaVersion: schema.Version, ID: "i", URL: "u", ContentHash: "h", Text: text,
		Stages: schema.Stages{FetchedAt: now, CleanedAt: &now}}
	data, err := schema.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) || !utf8.Valid(data) {
		t.Fatalf("not valid JSON in UTF-8: %q", data)
	}
	for _, raw := range []string{"\xff", "\x01", "<b>", "\u2028"} {
		if bytes.Contains(data, []byte(raw)) {
			t.Errorf("output holds %q unescaped", raw)
		}
	}
	var std schema.ArticleCleanedV1
	if err := json.Unmarshal(data, &std); err != nil {
		t.Fatal(err)
	}
	got, err := schema.DecodeCleaned(data)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(text, "\xff\xfe", "\uFFFD\uFFFD", 1) // one per invalid byte, as encoding/json does
	if got.Text != want || std.Text != want {
		t.Errorf("round trip: %q (encoding/json reads %q), want %q", got.Text, std.Text, want)
	}
}

// TestHTMLBuffer: a consumer decompressing page after page into one buffer
// gets each page as it was, whatever the buffer held.
func TestHTMLBuffer(t *testing.T) {
	t.Parallel()
	pages := [][]byte{[]byte(strings.Repeat("<p>a long page</p>", 2000)), []byte("<p>short</p>")}
	for _, encoding := range []string{schema.EncodingS2, schema.EncodingZstd, schema.EncodingIdentity} {
		buf := bytes.Repeat([]byte{0xff}, 64)
		for i, page := range pages {
			m := fetched(t)
			if err := m.SetHTMLEncoded(page, encoding); err != nil {
				t.Fatal(err)
			}
			html, err := m.HTMLBuffer(buf)
			if err != nil || !bytes.Equal(html, page) {
				t.Fatalf("%s page %d: got %d bytes (%v), want the page's %d", encoding, i, len(html), err, len(page))
			}
			if encoding != schema.EncodingIdentity {
				buf = html
			}
		}
	}
}

// Schema 1.3 adds claims[].speaker_kind and speaker_role; a 1.2 message,
// without them, still decodes, and they round-trip.
func TestTaggedSpeakerKindAndRole(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	c := schema.ArticleCleanedV1{SchemaVersion: schema.Version, ID: "i", URL: "u", ContentHash: "h",
		Stages: schema.Stages{FetchedAt: now, CleanedAt: &now}}
	tg := c.Tagged()
	tg.Stages.TaggedAt = &now
	tg.Claims = []schema.Claim{{Text: "x", Speaker: "Amaq", SpeakerKind: schema.SpeakerOrganisation, SpeakerRole: "group-media", Verb: "claimed"}}
	data, err := schema.Encode(tg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := schema.DecodeTagged(data)
	if err != nil {
		t.Fatal(err)
	}
	if c := got.Claims[0]; c.SpeakerKind != "organisation" || c.SpeakerRole != "group-media" {
		t.Errorf("claim = %+v", c)
	}
	old := strings.Replace(strings.Replace(string(data), `"speaker_kind":"organisation",`, "", 1), `"speaker_role":"group-media",`, "", 1)
	old = strings.Replace(old, `"schema_version":"`+schema.Version+`"`, `"schema_version":"1.2"`, 1)
	got, err = schema.DecodeTagged([]byte(old))
	if err != nil {
		t.Fatalf("1.2 message: %v", err)
	}
	if c := got.Claims[0]; c.SpeakerKind != "" || c.SpeakerRole != "" || c.Speaker != "Amaq" {
		t.Errorf("1.2 claim = %+v", c)
	}
}
