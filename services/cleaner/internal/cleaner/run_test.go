package cleaner

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/bus"
)

func fetchedMsg(t *testing.T, html string) *bus.Message {
	t.Helper()
	id, canonical, err := schema.ArticleID("https://news.example.com/2024/05/story")
	if err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	m := schema.ArticleFetchedV1{SchemaVersion: schema.Version, ID: id, URL: "https://news.example.com/2024/05/story",
		CanonicalURL: canonical, ContentHash: schema.ContentHash([]byte(html)),
		Response: schema.Response{Status: 200, ContentType: "text/html; charset=utf-8", FetchedAt: pub},
		Item:     schema.FeedItem{FeedURL: "https://news.example.com/rss", FeedTitle: "Example News", Title: "Feed title", Link: "https://news.example.com/2024/05/story", PublishedAt: &pub},
		Stages:   schema.Stages{FetchedAt: pub}}
	if err := m.SetHTML([]byte(html)); err != nil {
		t.Fatal(err)
	}
	data, err := schema.EncodeFetched(m)
	if err != nil {
		t.Fatal(err)
	}
	return &bus.Message{Subject: schema.SubjectArticleFetchedV1, Data: data}
}

func TestProcessPublishesCleanedArticle(t *testing.T) {
	p, err := newProcessor(Config{MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("The coalition said the operation continued through the night, officials told reporters. ", 6)
	html := `<html><head><title>Story headline - Example News</title></head><body>
<nav><a href="/">Home</a><a href="/world">World</a></nav>
<article><h1>Story headline</h1><p>` + body + `</p><p>` + body + `</p></article>
<aside><h3>Related Posts</h3><a href="/x">Another story</a></aside></body></html>`
	outs, err := p.process(context.Background(), fetchedMsg(t, html))
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].Subject != schema.SubjectArticleCleanedV1 {
		t.Fatalf("outputs = %+v", outs)
	}
	got, err := schema.DecodeCleaned(outs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "officials told reporters") || strings.Contains(got.Text, "Related Posts") {
		t.Errorf("text = %q", got.Text)
	}
	if got.PublishedAt == nil || got.Stages.CleanedAt == nil || got.Item.FeedTitle != "Example News" {
		t.Errorf("metadata not carried: %+v", got)
	}
	if outs[0].MsgID != schema.MsgID(schema.StageCleaner, got.ID, got.ContentHash) {
		t.Errorf("msg id %q", outs[0].MsgID)
	}
}

func TestProcessRejectsPoisonPermanently(t *testing.T) {
	p, err := newProcessor(Config{MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]*bus.Message{
		"not json":       {Data: []byte("{")},
		"future version": {Data: []byte(`{"schema_version":"2.0"}`)},
		"missing fields": {Data: []byte(`{"schema_version":"1.0","id":"x"}`)},
		"too large":      fetchedMsg(t, "<html><body><p>"+strings.Repeat("x", 2<<20)+"</p></body></html>"),
	}
	for name, m := range tests {
		_, err := p.process(context.Background(), m)
		if err == nil || !bus.IsPermanent(err) {
			t.Errorf("%s: err = %v, want a permanent error", name, err)
		}
	}
	var fe *schema.FieldError
	_, err = p.process(context.Background(), tests["missing fields"])
	if !errors.As(err, &fe) {
		t.Errorf("missing fields: err = %v, want a FieldError naming the field", err)
	}
}

func TestCleanList(t *testing.T) {
	dir := t.TempDir()
	body := strings.Repeat("The coalition said the operation continued through the night, officials told reporters. ", 6)
	page := `<html><head><title>Story headline</title></head><body><nav><a href="/">Home</a></nav>
<article><h1>Story headline</h1><p>` + body + `</p><p>` + body + `</p></article></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "a.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	list := `{"url": "https://news.example.com/a", "path": "a.html", "content_type": "text/html; charset=utf-8"}

{"url": "https://news.example.com/missing", "path": "missing.html"}
{"url": "https://news.example.com/b", "path": "` + filepath.Join(dir, "a.html") + `"}
not json
`
	if err := os.WriteFile(filepath.Join(dir, "list.jsonl"), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err := Main(context.Background(), app.Env{Args: []string{"clean", "--list", filepath.Join(dir, "list.jsonl")},
		Lookup: func(string) (string, bool) { return "", false }, Stdout: &out, Stderr: &errb})
	// Two pages cleaned, two lines reported, and the command fails.
	if err == nil || !strings.Contains(err.Error(), "2 of the pages") {
		t.Errorf("err = %v, want one counting 2 failed pages", err)
	}
	if !strings.Contains(errb.String(), "list.jsonl:3:") || !strings.Contains(errb.String(), "list.jsonl:5:") {
		t.Errorf("stderr does not name the failed lines:\n%s", errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d output lines, want 2:\n%s", len(lines), out.String())
	}
	for i, want := range []string{"https://news.example.com/a", "https://news.example.com/b"} {
		a, err := schema.DecodeCleaned([]byte(lines[i]))
		if err != nil {
			t.Fatal(err)
		}
		if a.URL != want || !strings.Contains(a.Text, "officials told reporters") {
			t.Errorf("line %d: url %q, text %.60q", i+1, a.URL, a.Text)
		}
	}
}

// TestPageDateWinsOverFeedDate: the cleaned article carries the page's own
// date and says so; the feed's date only stands in when the page has none.
func TestPageDateWinsOverFeedDate(t *testing.T) {
	p, err := newProcessor(Config{MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("The coalition said the operation continued through the night, officials told reporters. ", 6)
	for _, tc := range []struct {
		name, head, wantDay, wantSource string
	}{
		{"page date", `<meta property="article:published_time" content="2017-11-10T09:00:00Z">`, "2017-11-10", "meta"},
		{"no page date", "", "2024-05-01", "feed"},
	} {
		html := `<html><head><title>Story headline</title>` + tc.head + `</head><body><article><h1>Story headline</h1><p>` +
			body + `</p></article></body></html>`
		outs, err := p.process(context.Background(), fetchedMsg(t, html))
		if err != nil {
			t.Fatal(err)
		}
		got, err := schema.DecodeCleaned(outs[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		if got.PublishedAt == nil || got.PublishedAt.Format("2006-01-02") != tc.wantDay || got.PublishedSource != tc.wantSource {
			t.Errorf("%s: published %v from %q, want %s from %q", tc.name, got.PublishedAt, got.PublishedSource, tc.wantDay, tc.wantSource)
		}
		if got.Extraction == nil || got.Extraction.Method == "" || got.Extraction.Confidence <= 0 || got.Extraction.Confidence > 1 {
			t.Errorf("%s: extraction %+v, want a method and a confidence in (0, 1]", tc.name, got.Extraction)
		}
	}
}
