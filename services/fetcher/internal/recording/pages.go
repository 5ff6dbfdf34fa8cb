package recording

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// corpusPages is how many benchmark pages go into the recording (first by file name).
const corpusPages = 45

// page is one article page of the recording and the metadata its feed item carries.
type page struct {
	URL         string
	Body        []byte
	Title       string
	Description string
	Author      string
	Section     string
	Published   time.Time
	Seed        bool
}

// loadSeeds reads testdata/seeds/html/<basename>.html at the URLs of urls.json.
func loadSeeds(srcRoot string) ([]page, error) {
	pages, err := loadFixtures(srcRoot, "seeds")
	for i := range pages {
		pages[i].Seed = true
	}
	return pages, err
}

// loadFollowups reads testdata/followups/html: articles of other outlets
// that restate seed figures, so the claim desk has something to group.
func loadFollowups(srcRoot string) ([]page, error) {
	return loadFixtures(srcRoot, "followups")
}

// loadFixtures reads testdata/<set>/html/<basename>.html at the URLs of its
// urls.json, in name order.
func loadFixtures(srcRoot, set string) ([]page, error) {
	dir := filepath.Join(srcRoot, set, "html")
	b, err := os.ReadFile(filepath.Join(dir, "urls.json"))
	if err != nil {
		return nil, fmt.Errorf("recording: %s: %w", set, err)
	}
	var urls map[string]string
	if err := json.Unmarshal(b, &urls); err != nil {
		return nil, fmt.Errorf("recording: %s: urls.json: %w", set, err)
	}
	names := make([]string, 0, len(urls))
	for n := range urls {
		names = append(names, n)
	}
	sort.Strings(names)
	var pages []page
	for _, n := range names {
		body, err := os.ReadFile(filepath.Join(dir, n+".html"))
		if err != nil {
			return nil, fmt.Errorf("recording: %s: %w", set, err)
		}
		p, err := newPage(urls[n], body)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// benchFile is one page of the benchmark corpus and its ground-truth URL.
type benchFile struct {
	Path, ID, URL string
}

// benchmarkFiles lists the benchmark pages by file name with their URLs.
func benchmarkFiles(srcRoot string) ([]benchFile, error) {
	dir := filepath.Join(srcRoot, "corpus", "article-extraction-benchmark")
	b, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, fmt.Errorf("recording: corpus: %w", err)
	}
	var truth map[string]struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		return nil, fmt.Errorf("recording: corpus: ground-truth.json: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	if err != nil {
		return nil, fmt.Errorf("recording: corpus: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("recording: corpus: no pages under %s", dir)
	}
	sort.Strings(files)
	out := make([]benchFile, 0, len(files))
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".html.gz")
		if truth[id].URL == "" {
			return nil, fmt.Errorf("recording: corpus: %s: no URL in ground-truth.json", id)
		}
		out = append(out, benchFile{Path: f, ID: id, URL: truth[id].URL})
	}
	return out, nil
}

// loadCorpus reads the first corpusPages benchmark pages at their ground-truth URLs.
func loadCorpus(srcRoot string) ([]page, error) {
	files, err := benchmarkFiles(srcRoot)
	if err != nil {
		return nil, err
	}
	if len(files) < corpusPages {
		return nil, fmt.Errorf("recording: corpus: %d pages, want %d", len(files), corpusPages)
	}
	var pages []page
	for _, f := range files[:corpusPages] {
		body, err := readGzip(f.Path)
		if err != nil {
			return nil, err
		}
		p, err := newPage(f.URL, body)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("recording: %s: %w", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("recording: %s: %w", path, err)
	}
	return b, nil
}

var datePublished = regexp.MustCompile(`"datePublished"\s*:\s*"([^"]+)"`)

// newPage reads the metadata a feed item would carry from the page's head.
func newPage(rawURL string, body []byte) (page, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return page{}, fmt.Errorf("recording: bad page URL %q", rawURL)
	}
	meta, title := headMeta(body)
	p := page{
		URL:         rawURL,
		Body:        body,
		Title:       firstOf(meta["og:title"], meta["twitter:title"], title),
		Description: firstOf(meta["og:description"], meta["description"]),
		Author:      meta["author"],
		Section:     meta["article:section"],
	}
	if strings.HasPrefix(p.Author, "http") {
		p.Author = ""
	}
	published := meta["article:published_time"]
	if published == "" {
		if m := datePublished.FindSubmatch(body); m != nil {
			published = string(m[1])
		}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(published)); err == nil {
			p.Published = t.UTC()
			break
		}
	}
	if p.Title == "" {
		return page{}, fmt.Errorf("recording: %s: page has no title", rawURL)
	}
	return p, nil
}

// headMeta collects <meta name|property=... content=...> and the first <title>, first
// occurrence winning. It reads the whole page: some pages open <body> before their meta tags.
func headMeta(body []byte) (map[string]string, string) {
	meta := map[string]string{}
	var title strings.Builder
	inTitle := false
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return meta, clean(title.String())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "title":
				inTitle = title.Len() == 0
			case "meta":
				var key, content string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "name", "property":
						if key == "" {
							key = strings.ToLower(string(v))
						}
					case "content":
						content = string(v)
					}
				}
				if key != "" && meta[key] == "" {
					meta[key] = clean(content)
				}
			}
		case html.TextToken:
			if inTitle {
				title.Write(z.Text())
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "title" {
				inTitle = false
			}
		}
	}
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
