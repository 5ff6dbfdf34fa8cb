package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

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

// SetHTML stores html in the message, zstd-compressed.
func (a *ArticleFetchedV1) SetHTML(html []byte) error {
	enc, _, err := coders()
	if err != nil {
		return fmt.Errorf("schema: zstd: %w", err)
	}
	a.Body = enc.EncodeAll(html, make([]byte, 0, len(html)/3))
	a.BodyEncoding = EncodingZstd
	return nil
}

// HTML returns the raw page bytes, decompressing them if needed.
func (a *ArticleFetchedV1) HTML() ([]byte, error) {
	switch a.BodyEncoding {
	case EncodingIdentity, "":
		return a.Body, nil
	case EncodingZstd:
		_, dec, err := coders()
		if err != nil {
			return nil, fmt.Errorf("schema: zstd: %w", err)
		}
		out, err := dec.DecodeAll(a.Body, nil)
		if err != nil {
			return nil, &FieldError{Type: "ArticleFetchedV1", Field: "body", Reason: "is not valid zstd: " + err.Error()}
		}
		return out, nil
	default:
		return nil, &FieldError{Type: "ArticleFetchedV1", Field: "body_encoding", Reason: fmt.Sprintf("has unknown value %q", a.BodyEncoding)}
	}
}

// Encode marshals a message as JSON.
func Encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("schema: encode %T: %w", v, err)
	}
	return b, nil
}

// DecodeFetched decodes and validates an ArticleFetchedV1.
func DecodeFetched(data []byte) (ArticleFetchedV1, error) {
	var m ArticleFetchedV1
	if err := decode("ArticleFetchedV1", data, &m); err != nil {
		return m, err
	}
	return m, m.Validate()
}

// DecodeCleaned decodes and validates an ArticleCleanedV1.
func DecodeCleaned(data []byte) (ArticleCleanedV1, error) {
	var m ArticleCleanedV1
	if err := decode("ArticleCleanedV1", data, &m); err != nil {
		return m, err
	}
	return m, m.Validate()
}

// DecodeTagged decodes and validates an ArticleTaggedV1.
func DecodeTagged(data []byte) (ArticleTaggedV1, error) {
	var m ArticleTaggedV1
	if err := decode("ArticleTaggedV1", data, &m); err != nil {
		return m, err
	}
	return m, m.Validate()
}

func decode(typ string, data []byte, v any) error {
	// Check the version before the body: a future major may not even be
	// shaped like this one.
	var head struct {
		SchemaVersion *string `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("%w: %s: not JSON: %v", ErrInvalid, typ, err)
	}
	if head.SchemaVersion == nil || *head.SchemaVersion == "" {
		return &FieldError{Type: typ, Field: "schema_version", Reason: "is missing"}
	}
	if err := checkVersion(typ, *head.SchemaVersion); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, typ, err)
	}
	return nil
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
