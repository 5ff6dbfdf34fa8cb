package schema

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	// goccy/go-json is encoding/json's API at a quarter of its CPU on
	// these messages (10 KB of article JSON per hop).
	json "github.com/goccy/go-json"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// The zstd coders are safe for concurrent use through EncodeAll/DecodeAll.
var (
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
	zstdErr  error
)

// maxBodyBytes bounds a decompressed body: a hostile message cannot inflate
// into gigabytes.
const maxBodyBytes = 64 << 20

func coders() (*zstd.Encoder, *zstd.Decoder, error) {
	zstdOnce.Do(func() {
		zstdEnc, zstdErr = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
		if zstdErr != nil {
			return
		}
		zstdDec, zstdErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxBodyBytes))
	})
	return zstdEnc, zstdDec, zstdErr
}

// SetHTML stores html in the message, S2-compressed.
func (a *ArticleFetchedV1) SetHTML(html []byte) error {
	return a.SetHTMLEncoded(html, EncodingS2)
}

// SetHTMLEncoded stores html compressed as encoding says: EncodingS2 (the
// default: a few times cheaper to compress and decompress than zstd, a
// fifth larger), EncodingZstd (smallest, for tight stream storage) or
// EncodingIdentity.
func (a *ArticleFetchedV1) SetHTMLEncoded(html []byte, encoding string) error {
	return a.SetHTMLBuffer(nil, html, encoding)
}

// SetHTMLBuffer is SetHTMLEncoded compressing into buf's storage when it is
// large enough (a publisher that reuses its buffers: a page is 100-200 KB).
// The body then aliases buf; with EncodingIdentity it aliases html.
func (a *ArticleFetchedV1) SetHTMLBuffer(buf, html []byte, encoding string) error {
	switch encoding {
	case EncodingS2:
		a.Body = s2.Encode(buf[:cap(buf)], html)
	case EncodingZstd:
		enc, _, err := coders()
		if err != nil {
			return fmt.Errorf("schema: zstd: %w", err)
		}
		if cap(buf) == 0 {
			buf = make([]byte, 0, len(html)/3)
		}
		a.Body = enc.EncodeAll(html, buf[:0])
	case EncodingIdentity:
		a.Body = html
	default:
		return fmt.Errorf("schema: unknown body encoding %q (want s2, zstd or identity)", encoding)
	}
	a.BodyEncoding = encoding
	return nil
}

// HTML returns the raw page bytes, decompressing them if needed.
func (a *ArticleFetchedV1) HTML() ([]byte, error) { return a.HTMLBuffer(nil) }

// HTMLBuffer is HTML decompressing into buf's storage when it is large
// enough (a consumer that reuses its buffers). Uncompressed, the page
// aliases the body.
func (a *ArticleFetchedV1) HTMLBuffer(buf []byte) ([]byte, error) {
	switch a.BodyEncoding {
	case EncodingIdentity, "":
		return a.Body, nil
	case EncodingS2:
		n, err := s2.DecodedLen(a.Body)
		if err != nil {
			return nil, &FieldError{Type: "ArticleFetchedV1", Field: "body", Reason: "is not valid s2: " + err.Error()}
		}
		if n > maxBodyBytes {
			return nil, &FieldError{Type: "ArticleFetchedV1", Field: "body", Reason: fmt.Sprintf("inflates to %d bytes, over the %d limit", n, maxBodyBytes)}
		}
		out, err := s2.Decode(buf[:cap(buf)], a.Body)
		if err != nil {
			return nil, &FieldError{Type: "ArticleFetchedV1", Field: "body", Reason: "is not valid s2: " + err.Error()}
		}
		return out, nil
	case EncodingZstd:
		_, dec, err := coders()
		if err != nil {
			return nil, fmt.Errorf("schema: zstd: %w", err)
		}
		out, err := dec.DecodeAll(a.Body, buf[:0])
		if err != nil {
			return nil, &FieldError{Type: "ArticleFetchedV1", Field: "body", Reason: "is not valid zstd: " + err.Error()}
		}
		return out, nil
	default:
		return nil, &FieldError{Type: "ArticleFetchedV1", Field: "body_encoding", Reason: fmt.Sprintf("has unknown value %q", a.BodyEncoding)}
	}
}

// EncodeFetched returns the wire form of a fetched article: its JSON
// without the body, one newline, then the body bytes as they are. The page
// travels outside the JSON because base64 and JSON scanning of ~50 KB cost
// the fetcher and the cleaner more CPU than compressing it. The JSON part
// stays readable (`nats stream get` shows it on the first line), and
// encoding/json never writes a raw newline, so the first one ends it.
func EncodeFetched(m ArticleFetchedV1) ([]byte, error) {
	return AppendFetched(nil, m)
}

// AppendFetched appends the wire form of m (see EncodeFetched) to dst.
func AppendFetched(dst []byte, m ArticleFetchedV1) ([]byte, error) {
	body := m.Body
	m.Body, m.BodyBytes = nil, len(body)
	head, err := json.Marshal(m)
	if err != nil {
		return dst, fmt.Errorf("schema: encode %T: %w", m, err)
	}
	dst = slices.Grow(dst, len(head)+1+len(body))
	return append(append(append(dst, head...), '\n'), body...), nil
}

// Encode marshals a message as JSON.
func Encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("schema: encode %T: %w", v, err)
	}
	return b, nil
}

// DecodeFetched decodes and validates an ArticleFetchedV1, in the wire form
// EncodeFetched writes or as plain JSON with the body inside (as 1.0
// wrote it). The body aliases data.
func DecodeFetched(data []byte) (ArticleFetchedV1, error) {
	const typ = "ArticleFetchedV1"
	plain := func() (ArticleFetchedV1, error) {
		var m ArticleFetchedV1
		if err := decode(typ, data, &m, &m.SchemaVersion); err != nil {
			return m, err
		}
		return m, m.Validate()
	}
	// The wire form's first line is a whole object; that of pretty-printed
	// JSON is not, or rarely (then the head does not decode and the whole
	// does): the head is scanned once on the hot path.
	i := bytes.IndexByte(data, '\n')
	if i < 0 || !bytes.HasSuffix(bytes.TrimRight(data[:i], " \t\r"), []byte("}")) {
		return plain()
	}
	var m ArticleFetchedV1
	head, body := data[:i], data[i+1:]
	if err := decode(typ, head, &m, &m.SchemaVersion); err != nil {
		if json.Valid(data) {
			return plain()
		}
		return m, err
	}
	switch {
	case len(m.Body) > 0 && len(bytes.TrimSpace(body)) == 0:
		// Plain JSON with a trailing newline.
	case len(m.Body) > 0:
		return m, &FieldError{Type: typ, Field: "body", Reason: "is both inside the JSON and after it"}
	case len(body) != m.BodyBytes:
		return m, &FieldError{Type: typ, Field: "body", Reason: fmt.Sprintf("has %d bytes after the JSON, body_bytes says %d", len(body), m.BodyBytes)}
	default:
		m.Body = body
	}
	return m, m.Validate()
}

// DecodeCleaned decodes and validates an ArticleCleanedV1.
func DecodeCleaned(data []byte) (ArticleCleanedV1, error) {
	var m ArticleCleanedV1
	if err := decode("ArticleCleanedV1", data, &m, &m.SchemaVersion); err != nil {
		return m, err
	}
	return m, m.Validate()
}

// DecodeTagged decodes and validates an ArticleTaggedV1.
func DecodeTagged(data []byte) (ArticleTaggedV1, error) {
	var m ArticleTaggedV1
	if err := decode("ArticleTaggedV1", data, &m, &m.SchemaVersion); err != nil {
		return m, err
	}
	return m, m.Validate()
}

// decode unmarshals data into v in one pass and then checks the version v
// carries (version points at its field). Only when that fails does it look at schema_version alone, so a
// future major that is not even shaped like this one is still reported as
// ErrUnknownVersion rather than as invalid.
func decode(typ string, data []byte, v any, version *string) error {
	if err := json.Unmarshal(data, v); err != nil {
		var head struct {
			SchemaVersion *string `json:"schema_version"`
		}
		if herr := json.Unmarshal(data, &head); herr != nil {
			return fmt.Errorf("%w: %s: not JSON: %v", ErrInvalid, typ, herr)
		}
		if head.SchemaVersion == nil || *head.SchemaVersion == "" {
			return &FieldError{Type: typ, Field: "schema_version", Reason: "is missing"}
		}
		if verr := checkVersion(typ, *head.SchemaVersion); verr != nil {
			return verr
		}
		return fmt.Errorf("%w: %s: %v", ErrInvalid, typ, err)
	}
	if *version == "" {
		return &FieldError{Type: typ, Field: "schema_version", Reason: "is missing"}
	}
	return checkVersion(typ, *version)
}

func checkVersion(typ, v string) error {
	major, _, _ := strings.Cut(v, ".")
	if major != "1" {
		return fmt.Errorf("%w: %s: schema_version %q (this build reads 1.x)", ErrUnknownVersion, typ, v)
	}
	return nil
}

type validator struct {
	typ string
	err error
}

func (v *validator) need(field string, ok bool) {
	if v.err == nil && !ok {
		v.err = &FieldError{Type: v.typ, Field: field, Reason: "is missing"}
	}
}

// Validate checks the required fields.
func (a *ArticleFetchedV1) Validate() error {
	v := validator{typ: "ArticleFetchedV1"}
	v.need("schema_version", a.SchemaVersion != "")
	v.need("id", a.ID != "")
	v.need("url", a.URL != "")
	v.need("canonical_url", a.CanonicalURL != "")
	v.need("content_hash", a.ContentHash != "")
	v.need("body_encoding", a.BodyEncoding != "")
	v.need("item.feed_url", a.Item.FeedURL != "")
	v.need("stages.fetched_at", !a.Stages.FetchedAt.IsZero())
	return v.err
}

// Validate checks the required fields.
func (a *ArticleCleanedV1) Validate() error {
	v := validator{typ: "ArticleCleanedV1"}
	v.need("schema_version", a.SchemaVersion != "")
	v.need("id", a.ID != "")
	v.need("url", a.URL != "")
	v.need("content_hash", a.ContentHash != "")
	v.need("stages.fetched_at", !a.Stages.FetchedAt.IsZero())
	v.need("stages.cleaned_at", a.Stages.CleanedAt != nil)
	return v.err
}

// Validate checks the required fields.
func (a *ArticleTaggedV1) Validate() error {
	v := validator{typ: "ArticleTaggedV1"}
	v.need("schema_version", a.SchemaVersion != "")
	v.need("id", a.ID != "")
	v.need("url", a.URL != "")
	v.need("content_hash", a.ContentHash != "")
	v.need("stages.fetched_at", !a.Stages.FetchedAt.IsZero())
	v.need("stages.tagged_at", a.Stages.TaggedAt != nil)
	for i, c := range a.Claims {
		v.need(fmt.Sprintf("claims[%d].text", i), c.Text != "")
		for j, q := range c.Quantities {
			v.need(fmt.Sprintf("claims[%d].quantities[%d].raw", i, j), q.Raw != "")
		}
	}
	for i, t := range a.Tags {
		v.need(fmt.Sprintf("tags[%d].name", i), t.Name != "")
	}
	return v.err
}
