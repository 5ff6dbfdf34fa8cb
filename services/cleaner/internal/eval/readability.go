package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/net/html"
)

// readabilityURL is the address Readability's own tests give every page.
const readabilityURL = "http://fakehost/test/page.html"

type readabilityMeta struct {
	Title         string `json:"title"`
	Byline        string `json:"byline"`
	Lang          string `json:"lang"`
	PublishedTime string `json:"publishedTime"`
}

// LoadReadability reads Readability.js's test pages: NAME/source.html,
// NAME/expected.html (Readability's own output, used as Main only to find
// pages that come out empty or far off) and NAME/expected-metadata.json
// (hand-checked title, byline, language and published time).
func LoadReadability(dir string) ([]GoldPage, error) {
	metas, err := filepath.Glob(filepath.Join(dir, "*", "expected-metadata.json"))
	if err != nil || len(metas) == 0 {
		return nil, fmt.Errorf("eval: no test pages in %s", dir)
	}
	pages := make([]GoldPage, 0, len(metas))
	for _, mf := range metas {
		pd := filepath.Dir(mf)
		name := filepath.Base(pd)
		raw, err := os.ReadFile(mf)
		if err != nil {
			return nil, fmt.Errorf("eval: read metadata: %w", err)
		}
		var m readabilityMeta
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("eval: decode %s metadata: %w", name, err)
		}
		src, err := os.ReadFile(filepath.Join(pd, "source.html"))
		if err != nil {
			return nil, fmt.Errorf("eval: read page: %w", err)
		}
		exp, err := os.ReadFile(filepath.Join(pd, "expected.html"))
		if err != nil {
			return nil, fmt.Errorf("eval: read expected text: %w", err)
		}
		pages = append(pages, GoldPage{ID: name, URL: readabilityURL, HTML: src, Main: htmlText(exp),
			Title: m.Title, Author: m.Byline, Date: m.PublishedTime, Lang: m.Lang, HeldOut: HeldOut(name)})
	}
	return pages, nil
}

// htmlText is the text of an HTML fragment, words separated by spaces.
func htmlText(b []byte) string {
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	var sb strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
			sb.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return sb.String()
}
