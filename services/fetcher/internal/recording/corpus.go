package recording

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// corpusFeedItems is how many items each feed of a benchmark corpus lists.
const corpusFeedItems = 50

// BuildCorpus writes outDir/bundle.warc.gz and outDir/feeds.yaml: a recording
// of `pages` article pages for load tests and benchmarks. It takes every page
// of the article-extraction benchmark under srcRoot (the repository's
// testdata/) and, to reach `pages`, serves each again under distinct URLs
// (its own URL with ?copy=N) and distinct item titles, so the fetcher's
// de-duplication by URL, GUID and title lets every copy through and the
// sink stores one row per page. Items are spread over feeds of 50 (RSS with
// permalink GUIDs and JSON Feed, alternately), and every page host has a
// robots.txt.
//
// Pages are recorded one second apart, in the order the fetcher asks for
// them (feeds by URL, then items in feed order), so `--replay-speed Nx`
// offers N pages per second. The output is deterministic, like Build's.
func BuildCorpus(outDir, srcRoot string, pages int) error {
	if pages < 1 {
		return fmt.Errorf("recording: corpus: %d pages: want at least 1", pages)
	}
	base, err := loadBenchmark(srcRoot)
	if err != nil {
		return err
	}
	nFeeds := (pages + corpusFeedItems - 1) / corpusFeedItems
	defs := make([]feedDef, nFeeds)
	for k := range defs {
		host := fmt.Sprintf("news%02d.example.org", k+1)
		defs[k] = feedDef{URL: "https://" + host + "/feed/", Title: fmt.Sprintf("Benchmark wire %02d", k+1),
			Home: "https://" + host + "/", Format: formatRSS, Author: "Benchmark wire", Category: "World"}
		if k%2 == 1 {
			defs[k].Format = formatJSON
		}
	}
	items := make([][]item, nFeeds)
	for i := 0; i < pages; i++ {
		p := base[i%len(base)]
		if n := i / len(base); n > 0 {
			u, err := withCopy(p.URL, n)
			if err != nil {
				return err
			}
			p.URL = u
			p.Title = fmt.Sprintf("%s (%d)", p.Title, n+1)
		}
		it := item{page: p, Author: firstOf(p.Author, "Benchmark wire"),
			Published: genTime.Add(-time.Duration(i+1) * time.Minute)}
		for _, c := range []string{p.Section, "World"} {
			if c != "" && !contains(it.Categories, c) {
				it.Categories = append(it.Categories, c)
			}
		}
		items[i%nFeeds] = append(items[i%nFeeds], it)
	}

	site := map[string]resource{}
	var order []string
	add := func(rawURL string, r resource) error {
		u, err := url.Parse(rawURL)
		if err != nil {
			return fmt.Errorf("recording: corpus: %q: %w", rawURL, err)
		}
		key := u.Host + u.RequestURI()
		if _, dup := site[key]; dup {
			return fmt.Errorf("recording: corpus: %s served twice", rawURL)
		}
		site[key] = r
		order = append(order, rawURL)
		return nil
	}
	for k, d := range defs {
		body, ctype, err := renderCorpusFeed(d, items[k])
		if err != nil {
			return err
		}
		if err := add(d.URL, resource{body: body, contentType: ctype, lastModified: items[k][0].Published}); err != nil {
			return err
		}
	}
	// Every robots.txt before the pages: a paced replay then holds back
	// pages only, at one page per recorded second.
	hosts := map[string]bool{}
	for _, feedItems := range items {
		for _, it := range feedItems {
			u, _ := url.Parse(it.URL)
			hosts[u.Scheme+"://"+u.Host] = true
		}
	}
	for _, h := range sortedKeys(hosts) {
		if err := add(h+"/robots.txt", resource{body: []byte("User-agent: *\nAllow: /\n"),
			contentType: "text/plain; charset=utf-8", lastModified: genTime.Add(-24 * time.Hour)}); err != nil {
			return err
		}
	}
	for _, feedItems := range items {
		for _, it := range feedItems {
			if err := add(it.URL, resource{body: it.Body, contentType: "text/html; charset=utf-8", lastModified: it.Published}); err != nil {
				return err
			}
		}
	}

	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("recording: corpus: %w", err)
	}
	if err := record(outDir, site, order); err != nil {
		return err
	}
	y, err := feedsYAML(defs)
	if err != nil {
		return err
	}
	y = bytes.Replace(y, []byte("recording.Build;"), []byte("recording.BuildCorpus;"), 1)
	if err := os.WriteFile(filepath.Join(outDir, FeedsFile), y, 0o644); err != nil {
		return fmt.Errorf("recording: corpus: %w", err)
	}
	return nil
}

// loadBenchmark reads every benchmark page (by file name) at its
// ground-truth URL. A page without a title gets its URL's last path
// segment, so no page is left out.
func loadBenchmark(srcRoot string) ([]page, error) {
	files, err := benchmarkFiles(srcRoot)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var pages []page
	for _, f := range files {
		if seen[f.URL] {
			continue
		}
		seen[f.URL] = true
		body, err := readGzip(f.Path)
		if err != nil {
			return nil, err
		}
		p, err := newPage(f.URL, body)
		if err != nil {
			meta, _ := headMeta(body)
			p = page{URL: f.URL, Body: body, Title: fallbackTitle(f.URL), Description: meta["description"]}
		}
		pages = append(pages, p)
	}
	return pages, nil
}

func fallbackTitle(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	if len(segs) == 0 {
		return u.Host
	}
	return strings.ReplaceAll(segs[len(segs)-1], "-", " ")
}

// withCopy adds copy=n to the URL's query; the fragment goes, since a
// fragment never reaches the server.
func withCopy(rawURL string, n int) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("recording: corpus: %q: %w", rawURL, err)
	}
	q := u.Query()
	q.Set("copy", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// renderCorpusFeed writes a corpus feed. RSS items use their URL as a
// permalink GUID: Build's hashed post numbers could collide among a
// thousand items, and two items with one GUID are one item to the fetcher.
// JSON Feed items already use their URL as id.
func renderCorpusFeed(d feedDef, items []item) ([]byte, string, error) {
	if d.Format != formatRSS {
		return render(d, items)
	}
	doc := rssDoc{Version: "2.0", DC: "http://purl.org/dc/elements/1.1/", Atom: "http://www.w3.org/2005/Atom",
		Channel: rssChannel{
			Title: d.Title, Link: d.Home, Self: xmlLink{Href: d.URL, Rel: "self", Type: "application/rss+xml"},
			Description: "Latest stories from " + d.Title, Language: "en", LastBuildDate: items[0].Published.Format(time.RFC1123Z),
		}}
	for _, it := range items {
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title: it.Title, Link: it.URL, GUID: rssGUID{IsPermaLink: "true", Value: it.URL},
			PubDate: it.Published.Format(time.RFC1123Z), Creator: it.Author, Categories: it.Categories,
			Description: it.Description,
		})
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, "", fmt.Errorf("recording: corpus: rss: %w", err)
	}
	return append([]byte(xml.Header), append(b, '\n')...), "application/rss+xml; charset=utf-8", nil
}
