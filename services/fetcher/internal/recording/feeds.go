package recording

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Feed formats.
const (
	formatRSS   = "rss"    // RSS 2.0 with dc:creator and a non-permalink guid
	formatAtom  = "atom"   // Atom 1.0
	formatJSON  = "json"   // JSON Feed 1.1
	formatRSSWP = "rss-wp" // RSS 2.0 as WordPress writes it (?p=N guids)
)

// feedDef is one feed of the recording.
type feedDef struct {
	URL      string
	Title    string
	Home     string
	Format   string
	Author   string   // for items whose page names no author: the outlet itself
	Category string   // added to every item's categories
	Hosts    []string // seed and follow-up pages of these hosts go to this feed
	NoCorpus bool     // benchmark pages are not spread over this feed
}

func feedDefs() []feedDef {
	return []feedDef{
		{URL: "https://www.gulf-times.com/rss/world", Title: "Gulf Times - World", Home: "https://www.gulf-times.com/",
			Format: formatRSS, Author: "Gulf Times", Category: "World", Hosts: []string{"www.gulf-times.com", "diyaruna.com"}},
		{URL: "https://www.eurasiareview.com/feed/atom/", Title: "Eurasia Review", Home: "https://www.eurasiareview.com/",
			Format: formatAtom, Author: "Eurasia Review", Category: "News", Hosts: []string{"www.eurasiareview.com"}},
		{URL: "https://asianlite.com/feed.json", Title: "Asian Lite International", Home: "https://asianlite.com/",
			Format: formatJSON, Author: "Asian Lite News", Category: "Top News", Hosts: []string{"asianlite.com"}},
		{URL: "https://en.minanews.net/feed/", Title: "MINA News", Home: "https://en.minanews.net/",
			Format: formatRSSWP, Author: "MINA News", Category: "International", Hosts: []string{"en.minanews.net"}},
		{URL: "https://www.wireroundup.example/feed.xml", Title: "Wire Roundup", Home: "https://www.wireroundup.example/",
			Format: formatRSS, Author: "Wire Roundup", Category: "Middle East", NoCorpus: true,
			Hosts: []string{"www.gulfwire.example", "www.levantdaily.example", "www.baghdadherald.example",
				"www.frontline-report.example", "www.romewire.example"}},
	}
}

// item is a feed entry pointing at a page.
type item struct {
	page
	Author     string
	Categories []string
	Published  time.Time
}

// assign gives each seed page to the feed of its host and spreads the corpus pages over
// the four feeds in turn. Pages without a date get one counted back from genTime.
func assign(defs []feedDef, seeds, corpus []page, genTime time.Time) ([][]item, error) {
	out := make([][]item, len(defs))
	n := 0
	add := func(fi int, p page) {
		n++
		it := item{page: p, Author: firstOf(p.Author, defs[fi].Author), Published: p.Published}
		if it.Published.IsZero() {
			it.Published = genTime.Add(-time.Duration(n) * 97 * time.Minute)
		}
		for _, c := range []string{p.Section, defs[fi].Category} {
			if c != "" && !contains(it.Categories, c) {
				it.Categories = append(it.Categories, c)
			}
		}
		out[fi] = append(out[fi], it)
	}
	for _, p := range seeds {
		u, _ := url.Parse(p.URL)
		fi := -1
		for i, d := range defs {
			if contains(d.Hosts, u.Host) {
				fi = i
			}
		}
		if fi < 0 {
			return nil, fmt.Errorf("recording: seed %s: no feed for host %s", p.URL, u.Host)
		}
		add(fi, p)
	}
	var spread []int // feeds the benchmark pages go to, in turn
	for i, d := range defs {
		if !d.NoCorpus {
			spread = append(spread, i)
		}
	}
	for i, p := range corpus {
		add(spread[i%len(spread)], p)
	}
	for _, items := range out {
		sort.SliceStable(items, func(a, b int) bool {
			if !items[a].Published.Equal(items[b].Published) {
				return items[a].Published.After(items[b].Published)
			}
			return items[a].URL < items[b].URL
		})
	}
	return out, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// postID is a stable WordPress-like post number for a URL.
func postID(u string) uint32 {
	h := sha1.Sum([]byte(u))
	return 10000 + binary.BigEndian.Uint32(h[:4])%90000
}

// siteSlug is "gulf-times" for https://www.gulf-times.com/.
func siteSlug(home string) string {
	u, err := url.Parse(home)
	if err != nil {
		return "item"
	}
	slug, _, _ := strings.Cut(strings.TrimPrefix(u.Hostname(), "www."), ".")
	return slug
}

// render writes the feed document and returns it with its media type.
func render(d feedDef, items []item) ([]byte, string, error) {
	updated := items[0].Published
	switch d.Format {
	case formatRSS, formatRSSWP:
		return renderRSS(d, items, updated)
	case formatAtom:
		return renderAtom(d, items, updated)
	case formatJSON:
		return renderJSON(d, items)
	}
	return nil, "", fmt.Errorf("recording: unknown feed format %q", d.Format)
}

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Self          xmlLink   `xml:"atom:link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator,omitempty"`
	Items         []rssItem `xml:"item"`
}

type xmlLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Creator     string   `xml:"dc:creator"`
	Categories  []string `xml:"category"`
	Description string   `xml:"description,omitempty"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

func renderRSS(d feedDef, items []item, updated time.Time) ([]byte, string, error) {
	doc := rssDoc{Version: "2.0", DC: "http://purl.org/dc/elements/1.1/", Atom: "http://www.w3.org/2005/Atom",
		Channel: rssChannel{
			Title: d.Title, Link: d.Home, Self: xmlLink{Href: d.URL, Rel: "self", Type: "application/rss+xml"},
			Description: "Latest stories from " + d.Title, Language: "en", LastBuildDate: updated.Format(time.RFC1123Z),
		}}
	if d.Format == formatRSSWP {
		doc.Channel.Generator = "https://wordpress.org/?v=6.5.2"
	}
	for _, it := range items {
		guid := rssGUID{IsPermaLink: "false", Value: fmt.Sprintf("%s-%d", siteSlug(d.Home), postID(it.URL))}
		if d.Format == formatRSSWP {
			guid.Value = fmt.Sprintf("%s?p=%d", d.Home, postID(it.URL))
		}
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title: it.Title, Link: it.URL, GUID: guid, PubDate: it.Published.Format(time.RFC1123Z),
			Creator: it.Author, Categories: it.Categories, Description: it.Description,
		})
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, "", fmt.Errorf("recording: rss: %w", err)
	}
	return append([]byte(xml.Header), append(b, '\n')...), "application/rss+xml; charset=utf-8", nil
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []xmlLink   `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	Title      string         `xml:"title"`
	Link       xmlLink        `xml:"link"`
	ID         string         `xml:"id"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    string         `xml:"summary,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

func renderAtom(d feedDef, items []item, updated time.Time) ([]byte, string, error) {
	host := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSuffix(d.Home, "/"), "https://"), "www.")
	doc := atomFeed{Title: d.Title, ID: d.Home, Updated: updated.Format(time.RFC3339),
		Links: []xmlLink{{Href: d.Home, Rel: "alternate", Type: "text/html"}, {Href: d.URL, Rel: "self", Type: "application/atom+xml"}}}
	for _, it := range items {
		e := atomEntry{
			Title: it.Title, Link: xmlLink{Href: it.URL, Rel: "alternate", Type: "text/html"},
			ID:        fmt.Sprintf("tag:%s,%d:post-%d", host, it.Published.Year(), postID(it.URL)),
			Published: it.Published.Format(time.RFC3339), Updated: it.Published.Format(time.RFC3339),
			Author: atomPerson{Name: it.Author}, Summary: it.Description,
		}
		for _, c := range it.Categories {
			e.Categories = append(e.Categories, atomCategory{Term: c})
		}
		doc.Entries = append(doc.Entries, e)
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, "", fmt.Errorf("recording: atom: %w", err)
	}
	return append([]byte(xml.Header), append(b, '\n')...), "application/atom+xml; charset=utf-8", nil
}

type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url"`
	FeedURL     string     `json:"feed_url"`
	Language    string     `json:"language"`
	Items       []jsonItem `json:"items"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url"`
	Title         string       `json:"title"`
	Summary       string       `json:"summary,omitempty"`
	DatePublished string       `json:"date_published"`
	Authors       []jsonAuthor `json:"authors"`
	Tags          []string     `json:"tags"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

func renderJSON(d feedDef, items []item) ([]byte, string, error) {
	doc := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: d.Title, HomePageURL: d.Home, FeedURL: d.URL, Language: "en"}
	for _, it := range items {
		doc.Items = append(doc.Items, jsonItem{
			ID: it.URL, URL: it.URL, Title: it.Title, Summary: it.Description,
			DatePublished: it.Published.Format(time.RFC3339), Authors: []jsonAuthor{{Name: it.Author}}, Tags: it.Categories,
		})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, "", fmt.Errorf("recording: json feed: %w", err)
	}
	return b.Bytes(), "application/feed+json; charset=utf-8", nil
}

// feedsYAML is testdata/recording/feeds.yaml: the feeds make run subscribes to.
func feedsYAML(defs []feedDef) ([]byte, error) {
	type entry struct {
		URL   string `yaml:"url"`
		Title string `yaml:"title"`
	}
	var doc struct {
		Feeds []entry `yaml:"feeds"`
	}
	for _, d := range defs {
		doc.Feeds = append(doc.Feeds, entry{URL: d.URL, Title: d.Title})
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("recording: feeds.yaml: %w", err)
	}
	return append([]byte("# The feeds of bundle.warc.gz. Generated by services/fetcher/internal/recording.Build; do not edit.\n"), b...), nil
}
