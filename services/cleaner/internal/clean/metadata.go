package clean

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"unicode"

	"github.com/abadojack/whatlanggo"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// meta is what the page says about itself, gathered in one walk.
type meta struct {
	lang        string
	title       string // <title>
	h1          []string
	h2          [3]*html.Node     // the first h2s and h3s outside menus, asides and links, after a linked h1
	h1Href      string            // the link the first h1 consists of, if any
	headline    string            // the first h1 outside menus, asides and links
	props       map[string]string // first value per lower-cased meta name/property
	canonical   string
	imageSrc    string
	authorLinks []string
	byline      string   // first visible byline element's text
	timeTags    []string // <time datetime> values, in order
	timeNear    []string // those just under the headline: the article's own, before teasers above it
	otherDates  []string // values of other meta tags named for a publication date
	textDates   []dateCand
	dateBuf     [8]dateCand // textDates' first backing array, with the meta
	// Text-node bookkeeping for textDates.
	h1Seen       bool
	textsAfterH1 int
	lastText     string
	// textByline is a name shown after a "By" or "Written by" label
	// near the headline, or in an element named for the author's name.
	textByline string
	byPending  bool
	// farByline is "Written by Jane Doe" anywhere outside chrome (an
	// author box under the article), used when nothing nearer names one.
	farByline string
	itemprops map[string]string
	ld        ldInfo
}

// ldInfo is the article object of the page's JSON-LD, if any.
type ldInfo struct {
	found         bool
	headline      string
	body          string
	published     string
	modified      string
	authors       []string
	publisher     string
	image         string
	description   string
	lang          string
	url           string
	siteName      string
	articleSeen   bool
	otherHeadline string
	// otherPublished is the first datePublished of any other object (a
	// WebPage in the graph), for pages whose article object has none.
	otherPublished string
	// authorRefs are the article's authors given as {"@id": ...}
	// references; names maps the ids of the graph's objects to their name.
	authorRefs []string
	names      map[string]string
}

// resolvedAuthors returns the article's authors, following references to
// Person objects elsewhere in the graph (Yoast writes them so).
func (l *ldInfo) resolvedAuthors() []string {
	if len(l.authors) > 0 || len(l.authorRefs) == 0 {
		return l.authors
	}
	var out []string
	for _, id := range l.authorRefs {
		if n := l.names[id]; n != "" {
			out = append(out, n)
		}
	}
	return out
}

// isPersonType reports the schema.org types an author reference points at.
func isPersonType(t string) bool {
	return strings.EqualFold(t, "Person") || strings.EqualFold(t, "Organization")
}

// refs lists the @id of each reference object in v.
func ldRefs(v any) []string {
	switch t := v.(type) {
	case map[string]any:
		if id, ok := t["@id"].(string); ok && ldString(t["name"]) == "" {
			return []string{id}
		}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, ldRefs(x)...)
		}
		return out
	}
	return nil
}

// metaKeys are the meta names and properties worth keeping.
var metaKeys = map[string]bool{
	"og:title": true, "og:site_name": true, "og:description": true,
	"og:image": true, "og:image:url": true, "og:image:secure_url": true,
	"og:url": true, "og:locale": true, "og:updated_time": true,
	"og:published_time": true, "og:type": true,
	"twitter:title": true, "twitter:description": true, "twitter:image": true,
	"twitter:image:src": true, "twitter:site": true,
	"twitter:label1": true, "twitter:data1": true, "twitter:label2": true, "twitter:data2": true,
	"description": true, "author": true, "byl": true, "application-name": true,
	"article:published_time": true, "article:modified_time": true,
	"article:author": true, "article:published": true, "article:modified": true,
	"datepublished": true, "datemodified": true, "pubdate": true,
	"publishdate": true, "publish-date": true, "date": true,
	"dc.date": true, "dc.date.issued": true, "dc.date.created": true,
	"dcterms.created": true, "dcterms.modified": true, "dc.creator": true,
	"dcterms.creator": true, "dc.language": true, "dcterms.language": true,
	"sailthru.date": true, "sailthru.author": true, "parsely-pub-date": true,
	"parsely-author": true, "content-language": true, "language": true,
	"last-modified": true, "lastmod": true, "cxenseparse:recs:publishtime": true,
	"cxenseparse:author": true, "article.published": true, "article.updated": true,
	"displaydate": true, "original-publish-date": true, "citation_date": true,
	"citation_publication_date": true, "citation_author": true,
	"citation_title": true, "headline": true,
}

// collectMeta walks the whole document once for metadata.
func collectMeta(doc *html.Node) *meta {
	m := &meta{props: map[string]string{}, itemprops: map[string]string{}}
	m.textDates = m.dateBuf[:0]
	// dateLvl counts the levels left under an element named for dates;
	// chrome is set inside links, menus, asides and footers, whose dates
	// belong to other pages.
	var walk func(n *html.Node, depth, dateLvl, nameLvl int, chrome, link bool)
	walk = func(n *html.Node, depth, dateLvl, nameLvl int, chrome, link bool) {
		if n.Type == html.TextNode {
			// A linked date counts inside a date element only (the
			// permalink around a post's date), not in teaser lists.
			m.addText(n.Data, dateLvl > 0, chrome || link && dateLvl == 0)
			if !chrome {
				m.addBylineText(n.Data, nameLvl > 0)
			}
			return
		}
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return
		}
		if depth > maxDepth {
			return
		}
		if dateLvl > 0 {
			dateLvl--
		}
		if nameLvl > 0 {
			nameLvl--
		}
		if n.Type == html.ElementNode {
			if n.Data == "date" || n.DataAtom == atom.Time || isDateClass(attr(n, "class")) || isDateClass(attr(n, "id")) {
				dateLvl = 3
			}
			if isAuthorNameClass(attr(n, "class")) || attr(n, "rel") == "author" {
				nameLvl = 3
			}
			// A link to an author's page names the author once the
			// headline is seen (before it, menus list the authors).
			if n.DataAtom == atom.A && m.h1Seen && m.textByline == "" && isAuthorPath(attr(n, "href")) {
				nameLvl = 3
			}
			switch n.DataAtom {
			case atom.A:
				link = true
			case atom.Nav, atom.Aside, atom.Footer, atom.Select, atom.Button:
				chrome = true
			}
			switch n.DataAtom {
			case atom.Html:
				if v := attr(n, "lang"); v != "" {
					m.lang = v
				} else if v := attr(n, "xml:lang"); v != "" {
					m.lang = v
				}
			case atom.Title:
				if m.title == "" && n.Namespace == "" {
					m.title = normSpace(textOf(n))
				}
				return
			case atom.Meta:
				m.addMeta(n)
				return
			case atom.Link:
				m.addLink(n)
				return
			case atom.Script:
				if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
					m.ld.add(n.FirstChild.Data)
				}
				return
			case atom.Style, atom.Noscript, atom.Template, atom.Svg:
				return
			case atom.H1:
				first := !m.h1Seen && !chrome && !link
				if len(m.h1) < 4 || first {
					t := normSpace(textOf(n))
					if t != "" && len(m.h1) < 4 {
						m.h1 = append(m.h1, t)
					}
					if first {
						m.h1Seen, m.textsAfterH1, m.headline = true, 0, t
						if a := onlyLink(n); a != nil {
							m.h1Href = attr(a, "href")
						}
					}
				}
			case atom.H2, atom.H3:
				if !chrome && !link && m.h1Href != "" {
					for i := range m.h2 {
						if m.h2[i] == nil {
							m.h2[i] = n
							break
						}
					}
				}
			case atom.Time:
				if v := attr(n, "datetime"); v != "" && len(m.timeTags) < 8 {
					m.timeTags = append(m.timeTags, v)
					if m.h1Seen && m.textsAfterH1 <= 10 && len(m.timeNear) < 2 {
						m.timeNear = append(m.timeNear, v)
					}
				}
			case atom.A:
				if strings.Contains(attr(n, "rel"), "author") && len(m.authorLinks) < 4 {
					if t := normSpace(textOf(n)); t != "" {
						m.authorLinks = append(m.authorLinks, t)
					}
				}
			}
			if ip := attr(n, "itemprop"); ip != "" {
				m.addItemprop(n, ip)
			}
			if m.byline == "" && isBylineClass(attr(n, "class")) {
				if t := normSpace(textOf(n)); len(t) >= 3 && len(t) <= 120 {
					m.byline = t
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1, dateLvl, nameLvl, chrome, link)
		}
	}
	walk(doc, 0, 0, 0, false, false)
	return m
}

// addText looks for a shown date in a text node outside chrome.
func (m *meta) addText(text string, dateElem, chrome bool) {
	if len(text) > 300 {
		m.textsAfterH1++
		return
	}
	t := strings.TrimSpace(text)
	if t == "" {
		return
	}
	if m.h1Seen {
		m.textsAfterH1++
	}
	if !chrome && !dateElem && len(m.lastText) <= 16 && publishedLabel(m.lastText) {
		dateElem = true // "Published" in its own element, the date in the next
	}
	if !chrome && (dateElem || m.h1Seen && m.textsAfterH1 <= 40) {
		m.addTextDate(t, dateElem)
	}
	m.lastText = t // lower-cased only when a date needs it
}

// publishedLabel reports a label text that introduces the publication
// date ("Published", "Posted on:", "Veröffentlicht am").
func publishedLabel(t string) bool {
	if len(t) < 5 {
		return false
	}
	t = strings.TrimRight(t, ": ")
	for _, l := range publishedLabels {
		if len(l) == len(t) && strings.EqualFold(l, t) {
			return true
		}
	}
	return false
}

var publishedLabels = []string{"published", "published on", "posted", "posted on", "date published",
	"publication date", "veröffentlicht", "veröffentlicht am", "publié le", "publicado", "pubblicato"}

// byLabels introduce the author's name in its own element.
var byLabels = map[string]bool{
	"by": true, "written by": true, "posted by": true, "author": true, "author:": true, "authored by": true,
	"words by": true, "story by": true, "von": true, "autor": true, "autor:": true, "autorin": true,
	"autorin:": true, "par": true, "por": true, "di": true, "door": true, "text:": true, "text von": true,
	"by:": true, "written by:": true, "posted by:": true, "von:": true,
	"text by": true, "article by": true, "article by:": true, "contributor:": true, "contributors:": true,
	"author(s)": true, "authors:": true, "authors": true,
}

// byPrefixes open a byline with the name in the same text.
var byPrefixes = []string{"by ", "by: ", "written by ", "posted by ", "words by ", "story by ", "von ", "par ", "por "}

// addBylineText looks for the author's name shown near the headline: a
// "By" label and the name after it, "By Jane Doe" in one text, or the
// text of an element named for the author's name.
func (m *meta) addBylineText(raw string, nameElem bool) {
	near := m.h1Seen && m.textsAfterH1 <= 40
	if m.textByline != "" || len(raw) > 200 {
		return
	}
	if !near && !nameElem && !m.byPending {
		if m.farByline == "" && len(raw) < 100 {
			m.addFarByline(raw)
		}
		return
	}
	if !nameElem && !m.byPending && !mayOpenByline(strings.TrimSpace(raw)) {
		return // the common case, without allocating
	}
	t := normSpace(raw)
	if t == "" {
		return
	}
	low := strings.ToLower(t)
	switch {
	case m.byPending:
		m.byPending = false
		if looksLikeName(t) {
			m.textByline = "By " + t
			return
		}
	case near && byLabels[low]:
		m.byPending = true
		return
	case nameElem && looksLikeName(t):
		if len(low) > 3 && low[:3] == "by " {
			t = strings.TrimSpace(t[3:])
		}
		m.textByline = "By " + t
		return
	}
	if near || nameElem {
		for _, pre := range byPrefixes {
			if strings.HasPrefix(low, pre) {
				if name := strings.TrimSpace(t[len(pre):]); looksLikeName(strings.TrimRight(name, ",|·")) {
					m.textByline = "By " + strings.TrimRight(name, " ,|·")
				}
				return
			}
		}
	}
}

// addFarByline takes "Written by Jane Doe" from a text away from the
// headline.
func (m *meta) addFarByline(raw string) {
	t := strings.TrimLeft(raw, " \t\n\r")
	const pre = "written by "
	if len(t) < len(pre)+3 || !containsFold(t[:len(pre)], pre) {
		return
	}
	name := strings.TrimRight(strings.TrimSpace(normSpace(t[len(pre):])), " ,.|·")
	if i := strings.IndexAny(name, ",|·("); i > 0 {
		name = strings.TrimSpace(name[:i]) // "Jane Doe, Head of Marketing"
	}
	if looksLikeName(name) {
		m.farByline = "By " + name
	}
}

// mayOpenByline is a cheap test for a "By" label or a text opening with
// one, before the text is normalised.
func mayOpenByline(t string) bool {
	if len(t) <= 16 {
		for label := range byLabels {
			if len(label) == len(t) && containsFold(t, label) {
				return true
			}
		}
	}
	for _, pre := range byPrefixes {
		if len(t) >= len(pre) && containsFold(t[:len(pre)], pre) {
			return true
		}
	}
	return false
}

// isHandle reports an account name ("andrew.keaveney", "kffnirmitap",
// "262588213843476") rather than a person's name.
func isHandle(s string) bool {
	if strings.ContainsRune(s, ' ') {
		return false
	}
	for _, r := range s {
		if unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// isAuthorNameClass reports a class naming the author's name itself
// ("author-name", "byline__author"), whose text is the name alone.
func isAuthorNameClass(class string) bool {
	if !strings.Contains(class, "uthor") && !strings.Contains(class, "creator-name") {
		return false
	}
	for tok := range strings.FieldsSeq(strings.ToLower(class)) {
		j := stripSeparators(tok)
		if j == "creatorname" {
			return true
		}
		if strings.Contains(j, "authorname") || strings.HasSuffix(j, "bylineauthor") || j == "author" || j == "postauthor" ||
			j == "entryauthor" || j == "articleauthor" || strings.HasSuffix(j, "contentauthors") ||
			// BEM and module forms: "c-author-info__name", "hero__author".
			strings.Contains(j, "author") && strings.HasSuffix(j, "name") || strings.HasSuffix(tok, "__author") {
			return true
		}
	}
	return false
}

// authorSegments are address path segments of author profile pages
// ("/author/jane-doe", "/authors/", "/contributor/").
var authorSegments = map[string]bool{
	"author": true, "authors": true, "contributor": true, "contributors": true, "autor": true,
	"autoren": true, "auteur": true, "auteurs": true, "writer": true, "writers": true,
}

// isAuthorPath reports a link to an author's profile page: a path segment
// named for authors followed by a further segment (the author's slug).
func isAuthorPath(href string) bool {
	if !strings.Contains(href, "/") || !(containsFold(href, "author") || containsFold(href, "contributor") ||
		containsFold(href, "autor") || containsFold(href, "auteur") || containsFold(href, "writer")) {
		return false
	}
	if i := strings.IndexAny(href, "?#"); i >= 0 {
		href = href[:i]
	}
	if i := strings.Index(href, "://"); i >= 0 {
		href = href[i+3:]
		if j := strings.IndexByte(href, '/'); j >= 0 {
			href = href[j:]
		} else {
			return false
		}
	}
	segs := strings.Split(strings.Trim(href, "/"), "/")
	for i, seg := range segs[:max(len(segs)-1, 0)] {
		if authorSegments[strings.ToLower(seg)] && segs[i+1] != "" {
			return true
		}
	}
	return false
}

// looksLikeName reports a short run of words without digits, the shape of
// a person's or a desk's name, not a label or a sentence.
func looksLikeName(s string) bool {
	if len(s) < 3 || len(s) > 60 || strings.ContainsAny(s, "0123456789@:|/?!") {
		return false
	}
	words := strings.Fields(s)
	if len(words) > 6 {
		return false
	}
	upper := false
	for _, r := range s {
		if unicode.IsUpper(r) || r > 0x2E80 {
			upper = true
			break
		}
	}
	if !upper {
		return false
	}
	low := strings.ToLower(s)
	switch low {
	case "posted by", "written by", "the author", "author", "authors", "by", "admin":
		return false // a label left on its own, not a name
	}
	for _, w := range []string{"share", "comment", "read", "minute", "follow", "subscribe", "updated", "published", "menu", "search", "login", "sign in"} {
		if strings.Contains(low, w) {
			return false
		}
	}
	return true
}

// isPublishedName reports a field name for the publication date
// ("published_date", "sn-post-date", "cludo:date"), not the last change.
func isPublishedName(v string) bool {
	if containsFold(v, "modif") || containsFold(v, "updat") || containsFold(v, "expir") || containsFold(v, "today") {
		return false
	}
	return containsFold(v, "publish") || len(v) >= 4 && containsFold(v[len(v)-4:], "date") || containsFold(v, "post-date") || containsFold(v, "post_date")
}

func (m *meta) addMeta(n *html.Node) {
	var key, content, equiv string
	for _, a := range n.Attr {
		switch a.Key {
		case "property", "name", "itemprop":
			if key == "" {
				key = strings.ToLower(strings.TrimSpace(a.Val))
			}
		case "content":
			content = a.Val
		case "http-equiv":
			equiv = strings.ToLower(a.Val)
		}
	}
	if equiv == "content-language" && key == "" {
		key = "content-language"
	}
	content = strings.TrimSpace(content)
	if key == "" || content == "" {
		return
	}
	if !metaKeys[key] {
		if isPublishedName(key) && len(m.otherDates) < 8 {
			m.otherDates = append(m.otherDates, content)
		}
		return
	}
	if _, ok := m.props[key]; !ok {
		m.props[key] = content
	}
}

func (m *meta) addLink(n *html.Node) {
	rel := strings.ToLower(attr(n, "rel"))
	switch {
	case rel == "canonical" && m.canonical == "":
		m.canonical = strings.TrimSpace(attr(n, "href"))
	case rel == "image_src" && m.imageSrc == "":
		m.imageSrc = strings.TrimSpace(attr(n, "href"))
	}
}

func (m *meta) addItemprop(n *html.Node, ip string) {
	for _, key := range strings.Fields(ip) {
		switch key {
		case "datePublished", "dateModified", "dateCreated", "author", "headline", "name", "inLanguage":
		default:
			continue
		}
		if _, ok := m.itemprops[key]; ok {
			continue
		}
		v := attr(n, "content")
		if v == "" {
			v = attr(n, "datetime")
		}
		if v == "" && key != "datePublished" && key != "dateModified" && key != "dateCreated" {
			v = normSpace(textOf(n))
		}
		if v == "" && (key == "datePublished" || key == "dateModified") {
			v = normSpace(textOf(n))
		}
		if v != "" && len(v) < 300 {
			m.itemprops[key] = v
		}
	}
}

// isBylineClass reports a class naming the byline or the author's name
// (not an author biography box).
func isBylineClass(class string) bool {
	if !strings.Contains(class, "yline") && !strings.Contains(class, "uthor") && !strings.Contains(class, "YLINE") && !strings.Contains(class, "UTHOR") {
		return false
	}
	for tok := range strings.FieldsSeq(strings.ToLower(class)) {
		j := stripSeparators(tok)
		if strings.Contains(j, "byline") || j == "author" || j == "authorname" || j == "postauthor" || j == "articleauthor" {
			return true
		}
	}
	return false
}

// textOf concatenates the text under n, skipping scripts and styles.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > maxDepth || b.Len() > 4096 {
			return
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			b.WriteByte(' ')
			return
		case html.ElementNode:
			if skipTags[n.DataAtom] && n.DataAtom != atom.Title {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// articleTypes are schema.org types whose object describes the article.
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "blogposting": true,
	"reportagenewsarticle": true, "analysisnewsarticle": true,
	"opinionnewsarticle": true, "backgroundnewsarticle": true,
	"reviewnewsarticle": true, "scholarlyarticle": true, "techarticle": true,
	"socialmediaposting": true, "liveblogposting": true, "report": true,
	"posting": true, "satiricalarticle": true, "advertisercontentarticle": true,
	"askpublicnewsarticle": true, "factcheck": true,
}

// add parses one JSON-LD script; broken JSON is ignored.
func (l *ldInfo) add(raw string) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 2<<20 {
		return
	}
	raw = strings.TrimPrefix(raw, "<!--")
	raw = strings.TrimSuffix(raw, "-->")
	raw = strings.TrimPrefix(strings.TrimSpace(raw), "//<![CDATA[")
	raw = strings.TrimSuffix(strings.TrimSpace(raw), "//]]>")
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return
	}
	l.found = true
	l.visit(v, 0)
}

func (l *ldInfo) visit(v any, depth int) {
	if depth > 6 {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			l.visit(x, depth+1)
		}
	case map[string]any:
		if g, ok := t["@graph"]; ok {
			l.visit(g, depth+1)
		}
		types := ldTypes(t["@type"])
		if id, ok := t["@id"].(string); ok && id != "" && slices.ContainsFunc(types, isPersonType) {
			if n := ldString(t["name"]); n != "" && len(l.names) < 64 {
				if l.names == nil {
					l.names = map[string]string{}
				}
				l.names[id] = n
			}
		}
		isArticle := false
		for _, ty := range types {
			if articleTypes[strings.ToLower(ty)] {
				isArticle = true
			}
			if strings.EqualFold(ty, "WebSite") && l.siteName == "" {
				l.siteName = ldString(t["name"])
			}
		}
		if !isArticle {
			if l.otherPublished == "" {
				l.otherPublished = ldString(t["datePublished"])
			}
			if me, ok := t["mainEntity"]; ok {
				l.visit(me, depth+1)
			}
			return
		}
		if l.articleSeen {
			return // the first article object wins
		}
		l.articleSeen = true
		l.headline = ldString(t["headline"])
		if l.headline == "" {
			l.headline = ldString(t["name"])
		}
		l.body = ldString(t["articleBody"])
		if l.body == "" {
			l.body = ldString(t["text"])
		}
		l.published = ldString(t["datePublished"])
		if l.published == "" {
			l.published = ldString(t["dateCreated"])
		}
		l.modified = ldString(t["dateModified"])
		l.authors = ldNames(t["author"], 0)
		if len(l.authors) == 0 {
			l.authors = ldNames(t["creator"], 0)
		}
		if len(l.authors) == 0 {
			l.authorRefs = ldRefs(t["author"])
		}
		if p := ldNames(t["publisher"], 0); len(p) > 0 {
			l.publisher = p[0]
		}
		l.image = ldImage(t["image"], 0)
		if l.image == "" {
			l.image = ldImage(t["thumbnailUrl"], 0)
		}
		l.description = ldString(t["description"])
		l.lang = ldString(t["inLanguage"])
		l.url = ldString(t["url"])
	}
}

func ldTypes(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// ldString reads a text value (a string, or the first of a list).
func ldString(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(html.UnescapeString(t))
	case []any:
		if len(t) > 0 {
			return ldString(t[0])
		}
	case map[string]any:
		if s, ok := t["@value"]; ok {
			return ldString(s)
		}
	}
	return ""
}

// ldNames reads person or organisation names.
func ldNames(v any, depth int) []string {
	if depth > 3 {
		return nil
	}
	switch t := v.(type) {
	case string:
		if s := strings.TrimSpace(t); s != "" && !looksLikeURL(s) {
			return []string{s}
		}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, ldNames(x, depth+1)...)
		}
		return out
	case map[string]any:
		if s := ldString(t["name"]); s != "" {
			return []string{s}
		}
	}
	return nil
}

func ldImage(v any, depth int) string {
	if depth > 3 {
		return ""
	}
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case []any:
		for _, x := range t {
			if s := ldImage(x, depth+1); s != "" {
				return s
			}
		}
	case map[string]any:
		if s := ldString(t["url"]); s != "" {
			return s
		}
		return ldString(t["contentUrl"])
	}
	return ""
}

func looksLikeURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "//")
}

// fill sets the article's metadata fields.
func (m *meta) fill(a *Article, pageURL string, base *url.URL, opt Options) {
	first := func(vals ...string) string {
		for _, v := range vals {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
		return ""
	}
	p := m.props
	a.SiteName = first(p["og:site_name"], m.ld.publisher, m.ld.siteName, p["application-name"])
	title := first(p["og:title"], m.ld.headline, p["twitter:title"], p["citation_title"], p["headline"], m.itemprops["headline"])
	if title == "" {
		title = m.title
	}
	if title == "" && len(m.h1) == 1 {
		title = m.h1[0]
	}
	a.Title = cleanTitle(normSpace(title), a.SiteName, m.title)
	if h := m.headline; shownHeadline(h, a.Title, a.SiteName) || shownHeadline(h, m.title, a.SiteName) {
		// The headline the page shows is the one readers and editors
		// know; og:title and <title> are often rewritten for search.
		a.Title = cleanTitle(h, a.SiteName, "")
	}
	if m.h1Href != "" && a.Title == m.headline && ancestorLink(base, m.h1Href) {
		// The first h1 is a link home or to a section ("The Go Blog"):
		// the blog's name. The post's title is the part of <title> that
		// the page shows as a heading besides it.
		if t := titleSegmentHeading(m.title, m.headline, m.h1, m.h2[:]); t != "" {
			a.Title = t
		}
	}
	a.Description = normSpace(first(p["og:description"], p["description"], p["twitter:description"], m.ld.description))
	a.Image = resolve(base, first(p["og:image"], p["og:image:url"], p["og:image:secure_url"], p["twitter:image"], p["twitter:image:src"], m.ld.image, m.imageSrc))
	a.CanonicalURL = resolve(base, first(m.canonical, p["og:url"], m.ld.url))
	if a.CanonicalURL == "" {
		a.CanonicalURL = pageURL
	}

	authors := m.ld.resolvedAuthors()
	if len(authors) == 0 {
		for _, k := range []string{"author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator", "cxenseparse:author", "citation_author"} {
			if v := p[k]; v != "" && !looksLikeURL(v) {
				authors = splitAuthors(v)
				break
			}
		}
	}
	if len(authors) == 0 {
		// Yoast and others state the author as a Twitter card label.
		for _, k := range [][2]string{{"twitter:label1", "twitter:data1"}, {"twitter:label2", "twitter:data2"}} {
			if l := strings.ToLower(p[k[0]]); (l == "written by" || l == "author" || l == "von" || l == "geschrieben von") && p[k[1]] != "" {
				authors = splitAuthors(p[k[1]])
				break
			}
		}
	}
	if m.textByline == "" {
		m.textByline = m.farByline
	}
	if len(authors) == 0 {
		if v := m.itemprops["author"]; v != "" {
			authors = splitAuthors(v)
		}
	}
	if len(authors) == 0 && len(m.authorLinks) > 0 {
		authors = m.authorLinks
	}
	if len(authors) > 0 && m.textByline != "" && (sameName(authors[0], a.SiteName) || sameName(authors[0], m.ld.publisher) || isHandle(authors[0])) {
		// The metadata names the publisher or an account as the author
		// while the page shows a person's byline: the page is right.
		authors = nil
		m.byline = m.textByline
	}
	// A visible byline counts when it names a known author or, with none
	// known, reads like a byline ("By Jane Doe"), not a button label.
	byline := m.byline
	if len(authors) > 0 {
		if !strings.Contains(byline, authors[0]) {
			byline = ""
		}
	} else if low := strings.ToLower(byline); !strings.HasPrefix(low, "by ") && !strings.HasPrefix(low, "posted by ") {
		byline = ""
	}
	if byline == "" && m.textByline != "" && (len(authors) == 0 || strings.Contains(m.textByline, authors[0])) {
		byline = m.textByline
	}
	if len(authors) == 0 && byline != "" {
		authors = splitAuthors(byline)
		if len(authors) > 4 {
			authors = nil // a dateline or a sentence, not names
		}
	}
	a.Authors = dedupNames(authors)
	switch {
	case p["byl"] != "":
		a.Byline = normSpace(p["byl"])
	case byline != "":
		a.Byline = byline
	case len(a.Authors) > 0:
		a.Byline = "By " + joinNames(a.Authors)
	}

	a.Published, a.PublishedSource = m.published(pageURL, opt)
	a.Modified, a.ModifiedSource = firstDate(
		dateVal{m.ld.modified, DateJSONLD}, dateVal{p["article:modified_time"], DateMeta}, dateVal{p["article:modified"], DateMeta},
		dateVal{p["og:updated_time"], DateMeta}, dateVal{m.itemprops["dateModified"], DateMicrodata}, dateVal{p["datemodified"], DateMeta},
		dateVal{p["dcterms.modified"], DateMeta}, dateVal{p["article.updated"], DateMeta}, dateVal{p["last-modified"], DateMeta},
		dateVal{p["lastmod"], DateMeta})

	a.Language = normLang(first(m.lang, p["content-language"], p["dc.language"], p["dcterms.language"], p["language"], m.ld.lang, m.itemprops["inLanguage"], p["og:locale"]))
}

// titleSegmentSeps split a <title> into the post's title and the site's.
var titleSegmentSeps = []string{" | ", " - ", " – ", " — ", " • ", " · ", ": ", " :: ", " » "}

// onlyLink returns the link that holds all of n's text, if any.
func onlyLink(n *html.Node) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
		case c.Type == html.ElementNode && c.DataAtom == atom.A:
			if c.NextSibling != nil {
				for d := c.NextSibling; d != nil; d = d.NextSibling {
					if d.Type != html.TextNode || strings.TrimSpace(d.Data) != "" {
						return nil
					}
				}
			}
			return c
		default:
			return nil
		}
	}
	return nil
}

// ancestorLink reports a link to the page's site root or to a folder
// above the page ("/", "/blog/"): a home or section link, never the
// article's own address.
func ancestorLink(base *url.URL, href string) bool {
	if base == nil {
		return false
	}
	u, err := base.Parse(strings.TrimSpace(href))
	if err != nil || !strings.EqualFold(u.Host, base.Host) {
		return false
	}
	p := u.Path
	if p == "" || p == "/" {
		return true
	}
	return strings.HasSuffix(p, "/") && strings.HasPrefix(base.Path, p) && len(base.Path) > len(p)
}

// titleSegmentHeading returns the longest heading other than skip that
// is, word for word, one part of the page's <title> split at a
// separator, when the title has parts; "" otherwise.
func titleSegmentHeading(title, skip string, h1 []string, h2 []*html.Node) string {
	sep := ""
	for _, s := range titleSegmentSeps {
		if strings.Contains(title, s) {
			sep = s
			break
		}
	}
	if sep == "" {
		return ""
	}
	heads := append([]string(nil), h1...)
	for _, n := range h2 {
		if n != nil {
			heads = append(heads, normSpace(textOf(n)))
		}
	}
	skipKey := foldKey(skip)
	best := ""
	for _, seg := range strings.Split(title, sep) {
		k := foldKey(seg)
		if k == "" || k == skipKey {
			continue
		}
		for _, h := range heads {
			if len(h) > len(best) && foldKey(h) == k {
				best = h
			}
		}
	}
	return best
}

// shownHeadline reports whether the page's first h1 reads as the
// article's headline rather than the site's name or a section label.
func shownHeadline(h, titles, site string) bool {
	if len(h) < 8 || len(h) > 250 || len(strings.Fields(h)) < 2 {
		return false
	}
	if site != "" && len(h) < 2*len(site)+8 && sameName(h, site) {
		// (A headline much longer than the site's name is not the name;
		// skipping the test saves its allocations on every page.)
		return false
	}
	// It shares a word with the page's own titles: an h1 that shares none
	// is a section label or a placeholder ("Lorem", "Minecraft News").
	for w := range strings.FieldsFuncSeq(h, notWordRune) {
		if len(w) >= 3 && containsWordFold(titles, w) {
			return true
		}
	}
	return false
}

// containsWordFold reports whether s contains w, ignoring ASCII case,
// without allocating.
func containsWordFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for j < len(w) && lowerASCII(s[i+j]) == lowerASCII(w[j]) {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }

// cleanTitle strips the site name from a title like "Headline - Site" or
// "Site | Headline".
func cleanTitle(title, site, docTitle string) string {
	if title == "" {
		return ""
	}
	for _, sep := range []string{" | ", " - ", " – ", " — ", " :: ", " · ", " // ", " » "} {
		i := strings.LastIndex(title, sep)
		if i < 0 {
			continue
		}
		head, tail := strings.TrimSpace(title[:i]), strings.TrimSpace(title[i+len(sep):])
		switch {
		case site != "" && sameName(tail, site):
			return head
		case site != "" && sameName(head, site):
			return tail
		case title == docTitle && len(tail) < len(head)/2 && len(strings.Fields(tail)) <= 4:
			// Only <title> gets the site name guessed away: og:title
			// rarely carries one and headlines contain dashes.
			return head
		}
	}
	return title
}

func sameName(a, b string) bool {
	ka, kb := foldKey(a), foldKey(b)
	if ka == "" || kb == "" {
		return false
	}
	return ka == kb || strings.HasPrefix(ka, kb) || strings.HasPrefix(kb, ka) ||
		strings.TrimPrefix(ka, "www") == strings.TrimPrefix(kb, "www")
}

func splitAuthors(v string) []string {
	v = normSpace(v)
	low := strings.ToLower(v)
	switch {
	case strings.HasPrefix(low, "by "):
		v = v[3:]
	case strings.HasPrefix(low, "posted by "):
		v = v[10:]
	}
	var out []string
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		for _, q := range strings.Split(part, " and ") {
			if q = strings.TrimSpace(q); q != "" && len(q) < 100 {
				out = append(out, q)
			}
		}
	}
	return out
}

func dedupNames(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range in {
		n = normSpace(n)
		k := strings.ToLower(n)
		if n == "" || seen[k] || len(out) >= 10 {
			continue
		}
		seen[k] = true
		out = append(out, n)
	}
	return out
}

func joinNames(ns []string) string {
	switch len(ns) {
	case 0:
		return ""
	case 1:
		return ns[0]
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}

func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

// dateVal is a date as the page states it and where.
type dateVal struct{ v, source string }

// firstDate returns the first value that reads as a date, and its source.
func firstDate(vals ...dateVal) (*time.Time, string) {
	for _, v := range vals {
		if d := parseDateLoose(v.v); d != nil {
			return d, v.source
		}
	}
	return nil, ""
}

// published chooses the publication date: what the page's metadata says,
// then a <time> element, then a date shown by the headline or in a date
// element, then the address; the feed's date only when the page has none.
func (m *meta) published(pageURL string, opt Options) (*time.Time, string) {
	p := m.props
	var buf [40]dateVal // on the stack: this runs for every page
	vals := append(buf[:0], dateVal{m.ld.published, DateJSONLD})
	for _, k := range []string{"article:published_time", "article:published", "og:published_time"} {
		vals = append(vals, dateVal{p[k], DateMeta})
	}
	vals = append(vals, dateVal{m.itemprops["datePublished"], DateMicrodata})
	for _, k := range []string{"datepublished", "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "publish-date",
		"dc.date.issued", "dc.date", "dcterms.created", "dc.date.created", "cxenseparse:recs:publishtime", "article.published",
		"citation_publication_date", "citation_date", "original-publish-date", "displaydate", "date"} {
		vals = append(vals, dateVal{p[k], DateMeta})
	}
	vals = append(vals, dateVal{m.itemprops["dateCreated"], DateMicrodata}, dateVal{m.ld.otherPublished, DateJSONLD})
	for _, v := range m.otherDates {
		vals = append(vals, dateVal{v, DateMeta})
	}
	for _, v := range m.timeNear {
		vals = append(vals, dateVal{v, DateTimeTag})
	}
	for _, v := range m.timeTags {
		vals = append(vals, dateVal{v, DateTimeTag})
	}
	if d, src := firstDate(vals...); d != nil {
		return d, src
	}
	if d := m.pageDate(); d != nil {
		return d, DateText
	}
	if d := dateFromURL(pageURL); d != nil {
		return d, DateURL
	}
	if f := opt.FallbackPublished; f != nil && !f.IsZero() {
		d := *f
		return &d, DateFeed
	}
	return nil, ""
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.000Z0700",
	"2006-01-02T15:04:05.000000Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.000",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"20060102150405",
	"20060102",
	time.RFC1123Z,
	time.RFC1123,
	time.RFC850,
	time.ANSIC,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 02 Jan 2006 15:04:05 -0700",
	"Mon Jan 02 2006 15:04:05 GMT-0700",
	"January 2, 2006 15:04",
	"January 2, 2006 3:04 PM",
	"January 2, 2006",
	"Jan 2, 2006",
	"Jan. 2, 2006",
	"2 January 2006",
	"2 Jan 2006",
	"02.01.2006",
	"Monday, January 2, 2006",
}

var spaceRun = regexp.MustCompile(`\s+`)

// parseDate reads the date formats pages use in metadata; unparseable or
// implausible values give nil.
func parseDate(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return nil
	}
	if strings.ContainsAny(s, " \t\n") {
		s = spaceRun.ReplaceAllString(s, " ")
	}
	if isDigits(s) && (len(s) == 10 || len(s) == 13) {
		// Unix seconds or milliseconds.
		n, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			if len(s) == 13 {
				n /= 1000
			}
			return plausible(time.Unix(n, 0).UTC())
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return plausible(t)
		}
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func plausible(t time.Time) *time.Time {
	if t.Year() < 1990 || t.After(time.Now().AddDate(1, 0, 0)) {
		return nil
	}
	return &t
}

var urlDate = regexp.MustCompile(`/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[^0-9]|$)`)

// dateFromURL reads a /2021/06/29/ style date from the page URL.
func dateFromURL(raw string) *time.Time {
	m := urlDate.FindStringSubmatch(raw)
	if m == nil {
		return nil
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return nil
	}
	return plausible(t)
}

// normLang turns "en-US", "en_GB" or "eng" into a lower-case primary tag.
func normLang(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ",;"); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(strings.ReplaceAll(s, "_", "-"))
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return ""
		}
	}
	if len(s) == 3 {
		if l := whatlanggo.CodeToLang(s); l >= 0 {
			if two := l.Iso6391(); two != "" {
				return two
			}
		}
	}
	return s
}

// detectLang guesses the language of the article text.
func detectLang(text string) string {
	if len(text) > 600 {
		cut := 600
		for cut < len(text) && text[cut]&0xC0 == 0x80 {
			cut++
		}
		text = text[:cut]
	}
	info := whatlanggo.Detect(text)
	if info.Lang < 0 || info.Confidence < 0.5 {
		return ""
	}
	if two := info.Lang.Iso6391(); two != "" {
		return two
	}
	return info.Lang.Iso6393()
}
