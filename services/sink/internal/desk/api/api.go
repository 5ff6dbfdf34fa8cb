// Package api serves the sink's store read-only over HTTP as JSON, with
// offset pagination, on the claim desk's address:
//
//	GET /api/articles?since=&relevant=&site=&lang=&q=&limit=&page=|offset=
//	GET /api/claims?topic=&speaker=&kind=&role=&place=&unit=&lang=&since=&relevant=&q=&limit=&page=|offset=
//	GET /api/stats
//
// speaker and place match by words, ignoring case (speaker=mattis finds
// James Mattis); kind is the speaker's kind (person, organisation,
// document, anonymous, outlet) and role its role in the topic file
// (government, group-media ...), exactly; an unknown kind or a role that
// is not a lower-case word answers 400. lang is the article's language
// (lang=fr). q is a
// full-text search over title and text (words, "a phrase", -excluded; see
// store.ParseSearch): articles then come best match first, each with
// "rank" and "snippet_html" (escaped text, matches in <mark>); claims
// are those of matching articles. JSON lines stores answer q with 501.
//
// A list answers {"items": [...], "count", "limit", "page", "offset", "next"},
// where next is the URL of the following page and is absent on the last
// one. Pages are numbered from 1 (page=1 is offset=0); give page or offset,
// not both. A parameter the endpoint cannot read answers 400 with the
// reason in {"error": ...}.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/desk/deskdb"
	"github.com/newsflow/newsflow/services/sink/internal/store"
	"go.uber.org/zap"
)

const (
	// DefaultLimit is the page size when the request gives none.
	DefaultLimit = 100
	// MaxLimit caps the page size; larger requests get MaxLimit.
	MaxLimit = 1000
)

// Page is one page of a list.
type Page[T any] struct {
	Items []T `json:"items"`
	Count int `json:"count"`
	Limit int `json:"limit"`
	// Page is the page's number from 1, when Offset is a multiple of Limit.
	Page   int `json:"page,omitempty"`
	Offset int `json:"offset"`
	// Next is the path and query of the next page, empty on the last page.
	Next string `json:"next,omitempty"`
}

type handler struct {
	store store.Store
	log   *zap.Logger
	now   func() time.Time
}

// Handler serves the read-only API over s. It only reads: the sink's
// writes stay on the NATS path.
func Handler(s store.Store, log *zap.Logger) http.Handler {
	h := &handler{store: s, log: log, now: time.Now}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/articles", h.articles)
	mux.HandleFunc("GET /api/claims", h.claims)
	mux.HandleFunc("GET /api/stats", h.stats)
	return mux
}

// badRequest is an error in the request, reported to the client as is.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

func (h *handler) articles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "since", "relevant", "site", "lang", "q", "limit", "page", "offset"); err != nil {
		h.fail(w, r, err)
		return
	}
	var f store.ExportFilter
	var err error
	if f.Since, err = ParseSince(q.Get("since"), h.now()); err != nil {
		h.fail(w, r, badRequest{err.Error()})
		return
	}
	if f.RelevantOnly, err = boolParam(q, "relevant"); err != nil {
		h.fail(w, r, err)
		return
	}
	f.Site, f.Language, f.Query = q.Get("site"), q.Get("lang"), q.Get("q")
	limit, offset, err := pageParams(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// One more than the page tells whether a next page exists.
	f.Limit, f.Offset = limit+1, offset
	if strings.TrimSpace(f.Query) != "" {
		// A search answers best match first, each with its rank and a
		// snippet with the matches in <mark>.
		hits, err := store.Find(r.Context(), h.store, f)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if hits == nil {
			hits = []store.Hit{}
		}
		writePage(w, r, hits, limit, offset)
		return
	}
	items := make([]schema.ArticleTaggedV1, 0, min(limit+1, 64))
	err = h.store.Export(r.Context(), f, func(a schema.ArticleTaggedV1) error {
		items = append(items, a)
		return nil
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writePage(w, r, items, limit, offset)
}

func (h *handler) claims(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "topic", "speaker", "kind", "role", "place", "unit", "lang", "since", "relevant", "q", "limit", "page", "offset"); err != nil {
		h.fail(w, r, err)
		return
	}
	f := store.ClaimFilter{Topic: q.Get("topic"), Speaker: q.Get("speaker"), Place: q.Get("place"), Unit: q.Get("unit"),
		SpeakerKind: q.Get("kind"), SpeakerRole: q.Get("role"), Language: q.Get("lang"), Query: q.Get("q")}
	if err := deskdb.CheckSpeakerKind(f.SpeakerKind); err != nil {
		h.fail(w, r, badRequest{"kind: " + err.Error()})
		return
	}
	if err := deskdb.CheckSpeakerRole(f.SpeakerRole); err != nil {
		h.fail(w, r, badRequest{"role: " + err.Error()})
		return
	}
	var err error
	if f.Since, err = ParseSince(q.Get("since"), h.now()); err != nil {
		h.fail(w, r, badRequest{err.Error()})
		return
	}
	if f.RelevantOnly, err = boolParam(q, "relevant"); err != nil {
		h.fail(w, r, err)
		return
	}
	limit, offset, err := pageParams(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Limit, f.Offset = limit+1, offset
	rows, err := h.store.Claims(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if rows == nil {
		rows = []store.ClaimRow{}
	}
	writePage(w, r, rows, limit, offset)
}

func (h *handler) stats(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query()); err != nil {
		h.fail(w, r, err)
		return
	}
	st, err := h.store.Stats(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// writePage answers items, which may hold one item more than limit: that
// one only says a next page exists.
func writePage[T any](w http.ResponseWriter, r *http.Request, items []T, limit, offset int) {
	p := Page[T]{Items: items, Limit: limit, Offset: offset}
	if offset%limit == 0 {
		p.Page = offset/limit + 1
	}
	if len(items) > limit {
		p.Items = items[:limit]
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(limit))
		if q.Has("page") {
			q.Set("page", strconv.Itoa(p.Page+1))
		} else {
			q.Set("offset", strconv.Itoa(offset+limit))
		}
		p.Next = r.URL.Path + "?" + q.Encode()
	}
	p.Count = len(p.Items)
	writeJSON(w, http.StatusOK, p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	// The status line is sent; a failed write means the client went away.
	_ = enc.Encode(v)
}

// fail answers err: the client's mistakes as 400, queries the backend
// cannot answer as 501, and anything else as 500, logged here and not
// shown to the client.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": bad.msg})
	case errors.Is(err, store.ErrBadSearch):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "q: " + err.Error()})
	case errors.Is(err, store.ErrUnsupported):
		writeJSON(w, http.StatusNotImplemented, map[string]string{"error": err.Error()})
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client left; nobody reads an answer.
	default:
		h.log.Error("API query failed.", zap.String("path", r.URL.Path), zap.String("query", r.URL.RawQuery), zap.Error(err))
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the store could not answer; see the desk's log"})
	}
}

// onlyParams rejects parameters the endpoint does not know: a misspelt
// filter would otherwise silently return everything.
func onlyParams(q url.Values, known ...string) error {
	for k := range q {
		if !slices.Contains(known, k) {
			if len(known) == 0 {
				return badRequest{fmt.Sprintf("unknown parameter %q: this endpoint takes none", k)}
			}
			return badRequest{fmt.Sprintf("unknown parameter %q (want %s)", k, strings.Join(known, ", "))}
		}
	}
	return nil
}

func boolParam(q url.Values, key string) (bool, error) {
	v := q.Get(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest{fmt.Sprintf("%s=%q: want true or false", key, v)}
	}
	return b, nil
}

func pageParams(q url.Values) (limit, offset int, err error) {
	limit = DefaultLimit
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, badRequest{fmt.Sprintf("limit=%q: want a whole number from 1 to %d", v, MaxLimit)}
		}
		limit = min(limit, MaxLimit)
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, badRequest{fmt.Sprintf("offset=%q: want a whole number, 0 or more", v)}
		}
	}
	if v := q.Get("page"); v != "" {
		if q.Has("offset") {
			return 0, 0, badRequest{"give page or offset, not both"}
		}
		page, err := strconv.Atoi(v)
		if err != nil || page < 1 {
			return 0, 0, badRequest{fmt.Sprintf("page=%q: pages are numbered from 1", v)}
		}
		offset = (page - 1) * limit
	}
	return limit, offset, nil
}

// ParseSince reads a since value: empty (no bound), an RFC 3339 time, a
// date or minute in UTC (2006-01-02, 2006-01-02T15:04), or a duration back
// from now (36h, 90m, or 7d for days).
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("since=%q: want a date (2006-01-02), an RFC 3339 time or a duration back from now (24h, 7d)", s)
}
