package clean

import (
	"strings"
	"testing"
	"time"
)

func TestFindTextDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		monthFirst bool
		want       string // "" for none
	}{
		{"November 19, 2019, 07:47 PM EST", true, "2019-11-19"},
		{"Fri 6:45 PM, Feb 16, 2018", true, "2018-02-16"},
		{"Published on July 18th, 2025", true, "2025-07-18"},
		{"15. März 2024", false, "2024-03-15"},
		{"27 de marzo de 2024", false, "2024-03-27"},
		{"2024/03/27", false, "2024-03-27"},
		{"2022-11-23T08:10+02:00", false, "2022-11-23"},
		{"Posted on the 15/12/2025 at 19:00", true, "2025-12-15"},
		{"03/04/2024", true, "2024-03-04"},
		{"03/04/2024", false, "2024-04-03"},
		{"27.03.2024", true, "2024-03-27"},
		{"2 days ago", true, ""},
		{"February 30, 2024", true, ""},
		{"Call 2024 5555", true, ""},
	}
	for _, tc := range tests {
		got, _ := findTextDate(tc.in, tc.monthFirst)
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("findTextDate(%q) = %v, want none", tc.in, got)
		case tc.want != "" && (got == nil || got.Format("2006-01-02") != tc.want):
			t.Errorf("findTextDate(%q) = %v, want %s", tc.in, got, tc.want)
		}
	}
}

// TestPageDateBeforeFeedDate: the page's own date wins over the feed
// item's, wherever the page states it, and each date says where it came
// from (issue 17, item 8: the demo's 2017-2019 pages were dated by the
// recording's feed).
func TestPageDateBeforeFeedDate(t *testing.T) {
	t.Parallel()
	feed := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	body := `<p>` + strings.Repeat("The coalition said the operation continues in the north of the country. ", 6) + `</p>`
	tests := []struct {
		name, url, head, top string
		wantDay, wantSource  string
	}{
		{"meta in words", "https://ex.com/a", `<meta property="article:published_time" content="November 19, 2019, 07:47 PM EST">`, "",
			"2019-11-19", DateMeta},
		{"site meta name", "https://ex.com/a", `<meta name="sn-post-date" content="2019/11/19">`, "",
			"2019-11-19", DateMeta},
		{"json-ld", "https://ex.com/a", `<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2018-04-05T06:00:00Z"}</script>`, "",
			"2018-04-05", DateJSONLD},
		{"date element", "https://ex.com/a", "", `<span class="story-date">Posted: Feb 16, 2018</span>`,
			"2018-02-16", DateText},
		{"by the headline", "https://ex.com/a", "", `<p>By Jane Doe - Mar 27, 2017</p>`,
			"2017-03-27", DateText},
		{"last update only", "https://ex.com/a", "", `<div><div>Last updated:</div><div>Dec 12, 2017</div></div>`,
			"2017-12-12", DateText},
		{"address", "https://ex.com/2017/11/10/story", "", "", "2017-11-10", DateURL},
		{"address with a dated slug", "https://ex.com/articles/2025-12-15+Rust+backend", "", "", "2025-12-15", DateURL},
		{"an image's address is not the page's date", "https://ex.com/a", `<meta property="og:image" content="https://ex.com/shared/images/2019/02/07/trump.jpg">`, "",
			"2025-06-01", DateFeed},
		{"teaser date is not the page's", "https://ex.com/a", "", `<aside><span class="date">May 3, 2016</span></aside>`,
			"2025-06-01", DateFeed},
		{"header's today", "https://ex.com/a", "", ``, "2025-06-01", DateFeed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			page := `<html><head><title>Coalition</title>` + tc.head + `</head><body>` +
				`<div class="topbar-today-date">Friday, November 10, 2017</div>` +
				`<article><h1>Coalition presses on</h1>` + tc.top + body + `</article></body></html>`
			a, err := Extract(tc.url, strings.NewReader(page), "text/html", Options{FallbackPublished: &feed})
			if err != nil {
				t.Fatal(err)
			}
			if a.Published == nil || a.Published.Format("2006-01-02") != tc.wantDay || a.PublishedSource != tc.wantSource {
				t.Errorf("published %v from %q, want %s from %q", a.Published, a.PublishedSource, tc.wantDay, tc.wantSource)
			}
		})
	}
}

// TestTimeUnderHeadline: the <time> just under the headline is the
// article's; one earlier in the page (a teaser above it) is not, and a
// <time> element's own text counts as a shown date.
func TestTimeUnderHeadline(t *testing.T) {
	t.Parallel()
	body := `<p>` + strings.Repeat("The coalition said the operation continues in the north of the country. ", 6) + `</p>`
	tests := []struct{ name, before, after, want string }{
		{"teaser above", `<div><time datetime="2025-01-31T12:00:00Z">01/31/2025</time></div>`,
			`<div><time datetime="2017-03-01T12:00:00Z">03/01/2017</time> by Ann Lee</div>`, "2017-03-01"},
		{"only above", `<div><time datetime="2023-10-12T19:38:01Z">10/12/2023</time></div>`, ``, "2023-10-12"},
		{"time text", `<hgroup><time>Published on June 04, 2025</time></hgroup>`, ``, "2025-06-04"},
		{"published label", `<div class="hero"><div class="t1">Published</div><div class="t2">October 14, 2025</div></div>`, ``, "2025-10-14"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			page := `<html><head><title>Coalition</title></head><body><div class="teasers">` + tc.before +
				strings.Repeat(`<p>Menu item</p>`, 45) + `</div><article><h1>Coalition presses on</h1>` +
				tc.after + body + `</article></body></html>`
			a, err := Extract("https://ex.com/a", strings.NewReader(page), "text/html", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Published == nil || a.Published.Format("2006-01-02") != tc.want {
				t.Errorf("published %v, want %s", a.Published, tc.want)
			}
		})
	}
}

func TestVisibleByline(t *testing.T) {
	t.Parallel()
	body := `<p>` + strings.Repeat("The coalition said the operation continues in the north of the country. ", 6) + `</p>`
	tests := []struct {
		name, head, top, want string
	}{
		{"label then name", "", `<div><p>Written by</p><p>Edzel Tabing</p></div>`, "By Edzel Tabing"},
		{"by in one text", "", `<div class="hero">By Angela Williams</div>`, "By Angela Williams"},
		{"linked name after label", "", `<div>By <a href="/authors/jd">Jane Doe</a></div>`, "By Jane Doe"},
		{"author-name element", "", `<div class="author-name">Stephen Jesudunsin</div>`, "By Stephen Jesudunsin"},
		{"json-ld reference", `<script type="application/ld+json">{"@graph":[{"@type":"Article","author":{"@id":"#p1"}},{"@type":"Person","@id":"#p1","name":"Shivkumar M"}]}</script>`,
			"", "By Shivkumar M"},
		{"no byline", "", `<div>Share this story</div>`, ""},
		{"link to the author's page", "", `<div><a href="https://ex.com/blog/author/jane-doe/">Jane Doe</a></div>`, "By Jane Doe"},
		{"link to the authors' index", "", `<div><a href="/authors/">Our Writers</a></div>`, ""},
		{"BEM author name", "", `<a class="c-author-info__name" href="#author">Cara Dumas</a>`, "By Cara Dumas"},
		{"creator name", "", `<div class="creator-name svelte-x1">Newsdesk</div>`, "By Newsdesk"},
		{"author element with its By", "", `<span class="post-hero__author">By Team Tiger</span>`, "By Team Tiger"},
		{"a label alone is no name", "", `<div class="author-name">The Author</div>`, ""},
		{"by with a colon", "", `<div class="by-div"><p>By: Paul Fenaroli</p></div>`, "By Paul Fenaroli"},
		{"contributors label", "", `<div><strong>Contributors:</strong> Janet Loughrey</div>`, "By Janet Loughrey"},
		{"twitter card label", `<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Nawaz Dhandala">`, "", "By Nawaz Dhandala"},
		{"twitter card reading time", `<meta name="twitter:label1" content="Est. reading time"><meta name="twitter:data1" content="5 Minutes">`, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			page := `<html><head><title>Coalition</title>` + tc.head + `</head><body><article><h1>Coalition presses on</h1>` +
				tc.top + body + `</article></body></html>`
			a, err := Extract("https://ex.com/a", strings.NewReader(page), "text/html", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Byline != tc.want {
				t.Errorf("byline %q, want %q", a.Byline, tc.want)
			}
		})
	}
}

// TestAuthorBoxByline: "Written by" in an author box under the article
// names the author when nothing near the headline does.
func TestAuthorBoxByline(t *testing.T) {
	t.Parallel()
	body := strings.Repeat(`<p>The coalition said the operation continues in the north of the country.</p>`, 45)
	for box, want := range map[string]string{
		`<div class="bio"><h3>Written by Cassidy Horton</h3><p>Cassidy is a finance writer.</p></div>`:       "By Cassidy Horton",
		`<p>This post was written by Danielle Padula, Head of Marketing.</p>`:                                "",
		`<div class="bio"><p>Written by Danielle Padula, Head of Marketing</p></div>`:                        "By Danielle Padula",
		`<footer><p>Written by Site Admin</p></footer>`:                                                      "",
		`<div class="bio"><p>Written by hand in our workshop, every one of them is unique and numbered.</p>`: "",
	} {
		page := `<html><head><title>Coalition</title></head><body><article><h1>Coalition presses on</h1>` +
			body + box + `</article></body></html>`
		a, err := Extract("https://ex.com/a", strings.NewReader(page), "text/html", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if a.Byline != want {
			t.Errorf("%s: byline %q, want %q", box, a.Byline, want)
		}
	}
}

func TestIsAuthorPath(t *testing.T) {
	t.Parallel()
	for href, want := range map[string]bool{
		"/author/jane-doe":                     true,
		"https://ex.com/blog/authors/jd?x=1":   true,
		"https://ex.com/contributor/hunter/":   true,
		"/de/autor/max-muster":                 true,
		"/authors/":                            false,
		"https://ex.com/about-krystyna/":       false,
		"https://ex.com/authoring-tools/guide": false,
		"https://author.example.com/":          false,
		"mailto:author@example.com":            false,
		"https://ex.com/blog?author=jane-doe":  false,
	} {
		if got := isAuthorPath(href); got != want {
			t.Errorf("isAuthorPath(%q) = %v, want %v", href, got, want)
		}
	}
}

func TestShownHeadline(t *testing.T) {
	t.Parallel()
	body := `<p>` + strings.Repeat("The coalition said the operation continues in the north of the country. ", 6) + `</p>`
	tests := []struct {
		name, head, h1, want string
	}{
		{"the shown headline beats a rewritten og:title",
			`<title>Nutritionists Explain Diet Trends | Site</title><meta property="og:title" content="Nutritionists Explain the Biggest Diet Trends of 2025">`,
			"The 7 Biggest Diet and Nutrition Trends in 2025", "The 7 Biggest Diet and Nutrition Trends in 2025"},
		{"a placeholder h1 sharing no word stays out", `<title>Remove script tags test</title>`, "Lorem ipsum", "Remove script tags test"},
		{"the site's name in an h1 stays out", `<title>Coalition presses on - Gulf Times</title><meta property="og:site_name" content="Gulf Times">`,
			"Gulf Times", "Coalition presses on"},
		{"an h1 linking home is the blog's name", `<title>Engora Data Blog: Small adventures with small models</title>`,
			`<a href="https://ex.com/">Engora Data Blog</a></h1><h2>Friday, December 19, 2025</h2><h3>Small adventures with small models</h3><h1>Small is the new large`,
			"Small adventures with small models"},
		{"an h1 linking to the article is its headline", `<title>Coalition presses on | Gulf</title>`,
			`<a href="https://ex.com/a">Coalition presses on</a></h1><h2>Coalition presses on in the north`, "Coalition presses on"},
		{"the site's name after the headline goes", `<title>Best Exhibitions</title><meta property="og:site_name" content="Artlyst">`,
			"Critics’ Choice: Best Exhibitions – Artlyst", "Critics’ Choice: Best Exhibitions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			page := `<html><head>` + tc.head + `</head><body><article><h1>` + tc.h1 + `</h1>` + body + `</article></body></html>`
			a, err := Extract("https://ex.com/a", strings.NewReader(page), "text/html", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tc.want {
				t.Errorf("title %q, want %q", a.Title, tc.want)
			}
		})
	}
}
