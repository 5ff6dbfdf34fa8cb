package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
	"go.uber.org/zap/zaptest"
)

// newServer serves a SQLite store holding n generated articles.
func newServer(t *testing.T, n int) (*httptest.Server, store.Store) {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "api.db"), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Upsert(context.Background(), storetest.Articles(1, n)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(s, zaptest.NewLogger(t)))
	t.Cleanup(srv.Close)
	return srv, s
}

func get(t *testing.T, srv *httptest.Server, path string, wantStatus int, into any) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != wantStatus {
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		t.Fatalf("GET %s: status %d, want %d (%v)", path, resp.StatusCode, wantStatus, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatalf("GET %s: decode: %v", path, err)
		}
	}
}

// walk follows next links from path and returns every item's key.
func walk[T any](t *testing.T, srv *httptest.Server, path string, key func(T) string) []string {
	t.Helper()
	var keys []string
	for pages := 0; path != ""; pages++ {
		if pages > 100 {
			t.Fatal("more than 100 pages: next never ends")
		}
		var p Page[T]
		get(t, srv, path, http.StatusOK, &p)
		if p.Count != len(p.Items) {
			t.Fatalf("count %d but %d items", p.Count, len(p.Items))
		}
		if p.Next != "" && p.Count != p.Limit {
			t.Fatalf("page with next has %d items, limit %d", p.Count, p.Limit)
		}
		for _, it := range p.Items {
			keys = append(keys, key(it))
		}
		path = p.Next
	}
	return keys
}

func TestClaimsPagesCoverTheStore(t *testing.T) {
	srv, s := newServer(t, 30)
	f := store.ClaimFilter{Topic: "energy", RelevantOnly: true}
	rows, err := s.Claims(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 10 {
		t.Fatalf("fixture: only %d claims, need several pages", len(rows))
	}
	var want []string
	for _, r := range rows {
		want = append(want, fmt.Sprintf("%s/%d", r.ArticleID, r.Index))
	}
	got := walk(t, srv, "/api/claims?topic=energy&relevant=true&limit=4", func(r store.ClaimRow) string {
		return fmt.Sprintf("%s/%d", r.ArticleID, r.Index)
	})
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("paged claims:\n got %v\nwant %v", got, want)
	}
}

func TestArticlesPagesCoverTheStore(t *testing.T) {
	srv, s := newServer(t, 23)
	since := storetest.Base().Add(5 * time.Hour)
	var want []string
	if err := s.Export(context.Background(), store.ExportFilter{Since: since}, func(a schema.ArticleTaggedV1) error {
		want = append(want, a.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got := walk(t, srv, "/api/articles?limit=5&since="+since.Format(time.RFC3339), func(a schema.ArticleTaggedV1) string { return a.ID })
	if len(want) < 11 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("paged articles:\n got %v\nwant %v", got, want)
	}
}

func TestClaimFiltersReachTheStore(t *testing.T) {
	srv, s := newServer(t, 30)
	tests := []struct {
		query string
		f     store.ClaimFilter
	}{
		{"speaker=christine+lagarde", store.ClaimFilter{Speaker: "Christine Lagarde"}},
		{"place=Berlin&unit=percent", store.ClaimFilter{Place: "Berlin", Unit: "percent"}},
		{"speaker=lagarde&lang=EN", store.ClaimFilter{Speaker: "lagarde", Language: "EN"}},
		{"place=berlin", store.ClaimFilter{Place: "Berlin"}},
		{"since=2025-03-02&topic=health", store.ClaimFilter{Topic: "health", Since: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			want, err := s.Claims(context.Background(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("fixture: filter matches nothing")
			}
			var p Page[store.ClaimRow]
			get(t, srv, "/api/claims?"+tc.query, http.StatusOK, &p)
			gotJSON, _ := json.Marshal(p.Items)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) || p.Next != "" {
				t.Errorf("got %d rows (next %q), want %d", len(p.Items), p.Next, len(want))
			}
		})
	}
}

func TestEmptyListIsAnEmptyArray(t *testing.T) {
	srv, _ := newServer(t, 3)
	resp, err := http.Get(srv.URL + "/api/claims?topic=none")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if string(raw["items"]) != "[]" || raw["next"] != nil {
		t.Errorf("items = %s, next = %s; want [] and no next", raw["items"], raw["next"])
	}
}

func TestStats(t *testing.T) {
	srv, s := newServer(t, 9)
	want, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got store.Stats
	get(t, srv, "/api/stats", http.StatusOK, &got)
	if got != want || got.Articles != 9 {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
}

func TestBadRequests(t *testing.T) {
	srv, _ := newServer(t, 1)
	tests := []struct {
		path   string
		status int
	}{
		{"/api/articles?since=garbage", http.StatusBadRequest},
		{"/api/claims?page=0", http.StatusBadRequest},
		{"/api/claims?page=two", http.StatusBadRequest},
		{"/api/claims?page=2&offset=5", http.StatusBadRequest},
		{"/api/claims?limit=0", http.StatusBadRequest},
		{"/api/claims?limit=ten", http.StatusBadRequest},
		{"/api/claims?offset=-1", http.StatusBadRequest},
		{"/api/claims?since=yesterday", http.StatusBadRequest},
		{"/api/claims?relevant=maybe", http.StatusBadRequest},
		{"/api/claims?speakr=UNHCR", http.StatusBadRequest},
		{"/api/claims?kind=people", http.StatusBadRequest},
		{"/api/claims?kind=Person", http.StatusBadRequest},
		{"/api/claims?role=group+media", http.StatusBadRequest},
		{"/api/articles?topic=energy", http.StatusBadRequest},
		{"/api/stats?x=1", http.StatusBadRequest},
		{"/api/articles?q=-inflation", http.StatusBadRequest},
		{"/api/claims?q=-inflation", http.StatusBadRequest},
		{"/api/nothing", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == http.StatusBadRequest {
				var body map[string]string
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body["error"]) < 10 {
					t.Errorf("400 without a reason: %v %v", body, err)
				}
			}
		})
	}
	resp, err := http.Post(srv.URL+"/api/claims", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", resp.StatusCode)
	}
}

func TestLimitIsCapped(t *testing.T) {
	srv, _ := newServer(t, 2)
	var p Page[store.ClaimRow]
	get(t, srv, "/api/claims?limit=99999", http.StatusOK, &p)
	if p.Limit != MaxLimit {
		t.Errorf("limit = %d, want %d", p.Limit, MaxLimit)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"2025-05-01", time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), true},
		{"2025-05-01T08:30", time.Date(2025, 5, 1, 8, 30, 0, 0, time.UTC), true},
		{"2025-05-01T08:30:00+02:00", time.Date(2025, 5, 1, 6, 30, 0, 0, time.UTC), true},
		{"36h", now.Add(-36 * time.Hour), true},
		{"7d", now.Add(-7 * 24 * time.Hour), true},
		{"-2h", time.Time{}, false},
		{"last week", time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSince(tc.in, now)
			if (err == nil) != tc.ok || !got.Equal(tc.want) {
				t.Errorf("ParseSince(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
			}
		})
	}
}

// TestArticlesByLanguage: lang keeps the articles of one language.
func TestArticlesByLanguage(t *testing.T) {
	srv, _ := newServer(t, 6)
	for q, want := range map[string]int{"lang=en": 6, "lang=EN": 6, "lang=fr": 0} {
		var p Page[schema.ArticleTaggedV1]
		get(t, srv, "/api/articles?"+q, http.StatusOK, &p)
		if len(p.Items) != want {
			t.Errorf("/api/articles?%s: %d articles, want %d", q, len(p.Items), want)
		}
	}
}

// TestPagesFromOne: page=1 is the first page, page=N the one offset
// (N-1)*limit gives, and next links keep counting pages.
func TestPagesFromOne(t *testing.T) {
	srv, _ := newServer(t, 12)
	var first, byOffset, second Page[store.ClaimRow]
	get(t, srv, "/api/claims?limit=4", http.StatusOK, &first)
	get(t, srv, "/api/claims?limit=4&offset=4", http.StatusOK, &byOffset)
	get(t, srv, "/api/claims?limit=4&page=2", http.StatusOK, &second)
	if first.Page != 1 || second.Page != 2 || second.Offset != 4 {
		t.Errorf("pages %d and %d (offset %d), want 1 and 2 (offset 4)", first.Page, second.Page, second.Offset)
	}
	a, _ := json.Marshal(byOffset.Items)
	b, _ := json.Marshal(second.Items)
	if string(a) != string(b) || len(second.Items) != 4 {
		t.Errorf("page=2 differs from offset=4")
	}
	if !strings.Contains(second.Next, "page=3") || strings.Contains(second.Next, "offset=") {
		t.Errorf("next of page 2 = %q, want page=3", second.Next)
	}
}

// TestSearch: q searches title and text, best match first, with marked
// snippets, on articles and claims.
func TestSearch(t *testing.T) {
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "api.db"), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	in := storetest.Articles(2, 5)
	in[1].Text += " Zeppelins <b>over</b> the harbour."
	in[3].Title = "Zeppelin week"
	in[3].Text += " A zeppelin, then another zeppelin."
	if err := s.Upsert(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(s, zaptest.NewLogger(t)))
	t.Cleanup(srv.Close)

	var p Page[store.Hit]
	get(t, srv, "/api/articles?q=zeppelin", http.StatusOK, &p)
	if len(p.Items) != 2 || p.Items[0].ID != in[3].ID || p.Items[1].ID != in[1].ID {
		t.Fatalf("q=zeppelin: %d items, want %s then %s", len(p.Items), in[3].ID, in[1].ID)
	}
	if sn := p.Items[1].Snippet; !strings.Contains(sn, "<mark>Zeppelins</mark> &lt;b&gt;over") {
		t.Errorf("snippet %q: want the match marked and the text escaped", sn)
	}
	get(t, srv, "/api/articles?q=zeppelin+-harbour", http.StatusOK, &p)
	if len(p.Items) != 1 || p.Items[0].ID != in[3].ID {
		t.Errorf("q=zeppelin -harbour: %d items", len(p.Items))
	}
	var c Page[store.ClaimRow]
	get(t, srv, "/api/claims?q=%22another+zeppelin%22", http.StatusOK, &c)
	if len(c.Items) == 0 || c.Items[0].ArticleID != in[3].ID || c.Items[len(c.Items)-1].ArticleID != in[3].ID {
		t.Errorf("claims for a phrase: %d rows, want only %s's", len(c.Items), in[3].ID)
	}
}

// TestClaimsBySpeakerKindAndRole: kind and role keep the claims with that
// speaker kind and role, alone or with other filters, on every backend.
func TestClaimsBySpeakerKindAndRole(t *testing.T) {
	in := storetest.Articles(3, 12)
	kinds := []string{schema.SpeakerPerson, schema.SpeakerOrganisation, schema.SpeakerAnonymous}
	for i := range in {
		for ci := range in[i].Claims {
			c := &in[i].Claims[ci]
			c.SpeakerKind = kinds[(i+ci)%len(kinds)]
			if (i+ci)%2 == 0 {
				c.SpeakerRole = "government"
			}
		}
	}
	want := func(kind, role, topic string) []string {
		var ids []string
		for i := range in {
			for ci, c := range in[i].Claims {
				if (kind == "" || c.SpeakerKind == kind) && (role == "" || c.SpeakerRole == role) && (topic == "" || c.Topic == topic) {
					ids = append(ids, fmt.Sprintf("%s/%d", in[i].ID, ci))
				}
			}
		}
		slices.Sort(ids)
		return ids
	}
	specs := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "api.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresSchema(t) },
		"jsonl":    func(t *testing.T) string { return "jsonl:" + t.TempDir() },
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			s, err := store.Open(context.Background(), spec(t), zaptest.NewLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if err := s.Upsert(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(Handler(s, zaptest.NewLogger(t)))
			t.Cleanup(srv.Close)
			for _, tc := range []struct{ kind, role, topic string }{
				{"person", "", ""}, {"", "government", ""}, {"anonymous", "government", ""}, {"organisation", "", "energy"},
			} {
				q := url.Values{}
				for k, v := range map[string]string{"kind": tc.kind, "role": tc.role, "topic": tc.topic} {
					if v != "" {
						q.Set(k, v)
					}
				}
				got := walk(t, srv, "/api/claims?limit=1000&"+q.Encode(), func(r store.ClaimRow) string {
					return fmt.Sprintf("%s/%d", r.ArticleID, r.Index)
				})
				slices.Sort(got)
				w := want(tc.kind, tc.role, tc.topic)
				if len(w) == 0 || !slices.Equal(got, w) {
					t.Errorf("%s: %d claims, want %d", q.Encode(), len(got), len(w))
				}
			}
		})
	}
}
