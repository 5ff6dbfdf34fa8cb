package warc

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// indexer pairs the records of a recording into servable entries.
type indexer struct {
	entries   []*entry
	reqMethod map[string]string // request record id -> method
	reqFor    map[string]string // id a request record is concurrent to -> method
	lastReq   map[string]string // target URI -> method of the latest request record
	byID      map[string]*entry
	byDigest  map[string]*entry
}

func (ix *indexer) add(s *scanned, file int) error {
	h := s.header
	typ := strings.ToLower(h.Get("WARC-Type"))
	var kind entryKind
	var fetchErr string
	switch typ {
	case "request":
		method := requestMethod(s.block)
		ix.reqMethod[s.id()] = method
		if c := h.Get("WARC-Concurrent-To"); c != "" {
			ix.reqFor[c] = method
		}
		if uri, err := normalizeURL(h.Get("WARC-Target-URI")); err == nil {
			ix.lastReq[uri] = method
		}
		return nil
	case "response", "revisit":
		if !bytes.HasPrefix(s.block, []byte("HTTP/")) {
			return nil // not an HTTP exchange (dns:, whois:, ...)
		}
		kind = kindResponse
		if typ == "revisit" {
			kind = kindRevisit
		}
	case "resource":
		// A resource record holds the payload alone (no HTTP head): served as a 200 with
		// the record's Content-Type, as pywb does. Only web URLs can be requested.
		u := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h.Get("WARC-Target-URI")), "<"))
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return nil
		}
		kind = kindResource
	case "metadata":
		msg, ok := fetchError(h, s.block)
		if !ok {
			return nil // wget's log and other metadata
		}
		kind, fetchErr = kindFailure, msg
	default:
		return nil
	}

	uri, err := normalizeURL(h.Get("WARC-Target-URI"))
	if err != nil || uri == "" {
		return s.fail(fmt.Errorf("WARC-Target-URI %q: bad URL", h.Get("WARC-Target-URI")))
	}
	date, err := parseDate(h.Get("WARC-Date"))
	if err != nil {
		return s.fail(err)
	}
	e := &entry{
		kind:      kind,
		id:        s.id(),
		uri:       uri,
		date:      date,
		loc:       RecordError{File: s.file, Offset: s.offset, Index: s.index, ID: s.id()},
		truncated: h.Get("WARC-Truncated") != "",
		fetchErr:  fetchErr,
		reqID:     h.Get("WARC-Concurrent-To"),
		refersTo:  h.Get("WARC-Refers-To"),
		refURI:    h.Get("WARC-Refers-To-Target-URI"),
		digest:    h.Get("WARC-Payload-Digest"),
		notModOK:  strings.Contains(h.Get("WARC-Profile"), "server-not-modified"),
		file:      -1,
	}
	e.contentType = h.Get("Content-Type")
	if kind == kindResource {
		e.block = s.block
	}
	if kind == kindResponse || kind == kindRevisit {
		// Check the HTTP message now, so a damaged record fails OpenReplay. The method is
		// not known for sure before every record is read; HEAD is judged in resolve.
		guess := ix.method(e, http.MethodGet)
		_, _, herr, berr := parseHTTP(s.block, guess)
		if herr != nil {
			return s.fail(herr)
		}
		if kind == kindResponse {
			e.bodyErr = berr
		}
		if s.offset >= 0 {
			e.file, e.offset, e.size = file, s.offset, s.size
			e.blockAt, e.blockLen = s.blockAt, len(s.block)
		} else {
			e.block = s.block
		}
	}
	ix.entries = append(ix.entries, e)
	if e.id != "" {
		ix.byID[e.id] = e
	}
	if kind == kindResponse && e.digest != "" && ix.byDigest[e.digest] == nil {
		ix.byDigest[e.digest] = e
	}
	return nil
}

// method finds the method of e's request record, or returns def.
func (ix *indexer) method(e *entry, def string) string {
	if m := ix.reqMethod[e.reqID]; m != "" && e.reqID != "" {
		return m
	}
	if m := ix.reqFor[e.id]; m != "" && e.id != "" {
		return m
	}
	if m := ix.lastReq[e.uri]; m != "" {
		return m
	}
	return def
}

// resolve settles methods, body errors and revisit payloads once every record is read.
func (ix *indexer) resolve() error {
	lastResp := map[string]*entry{}
	for _, e := range ix.entries {
		e.method = ix.method(e, http.MethodGet)
		switch e.kind {
		case kindResponse:
			if e.bodyErr != nil && e.method != http.MethodHead && !e.truncated {
				return e.recordErr(e.bodyErr)
			}
			lastResp[e.uri] = e
		case kindRevisit:
			ref := ix.byID[e.refersTo]
			if ref == nil && e.digest != "" {
				ref = ix.byDigest[e.digest]
			}
			if ref == nil && e.refURI != "" {
				if u, err := normalizeURL(e.refURI); err == nil {
					ref = lastResp[u]
				}
			}
			for ref != nil && ref.kind == kindRevisit && ref.ref != nil {
				ref = ref.ref
			}
			if ref == nil || ref.kind != kindResponse {
				if e.notModOK {
					continue
				}
				return e.recordErr(fmt.Errorf("revisit: the record it refers to (%s) is not in the recording", firstNonEmpty(e.refersTo, e.digest, e.refURI)))
			}
			e.ref = ref
		}
	}
	return nil
}

func requestMethod(block []byte) string {
	line, _, _ := bytes.Cut(block, []byte(" "))
	if len(line) == 0 || len(line) > 16 {
		return http.MethodGet
	}
	return strings.ToUpper(string(line))
}

// fetchError reads the "fetch-error" field the Recorder writes for a failed round trip.
func fetchError(h interface{ Get(string) string }, block []byte) (string, bool) {
	if !strings.HasPrefix(h.Get("Content-Type"), "application/warc-fields") {
		return "", false
	}
	for _, line := range strings.Split(string(block), "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "fetch-error") {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("WARC-Date %q: not a W3C-ISO8601 date", s)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return "unknown"
}
