package clean

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// prose is article-like filler: long sentences with punctuation.
func prose(topic string, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("<p>The ")
		b.WriteString(topic)
		b.WriteString(" report, published on Tuesday, says that paragraph ")
		b.WriteString(string(rune('A' + i%26)))
		b.WriteString(" explains in detail why officials, analysts and residents disagree about what happens next.</p>\n")
	}
	return b.String()
}

const navChrome = `<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/business">Business</a></li></ul></nav></header>`

func extractString(t *testing.T, page string, opt Options) Article {
	t.Helper()
	a, err := Extract("https://news.example.com/2024/03/05/story", strings.NewReader(page), "text/html", opt)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestExtractText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		page      string
		want      []string // substrings of Text
		notWant   []string // never in Text
		wantLines int      // minimum lines of Text
	}{
		{
			name: "scripts and styles never reach the text",
			page: `<html><head><style>p{color:red}</style></head><body>` + navChrome + `<article>` + prose("budget", 5) +
				`<script>var secret = "SCRIPT-TEXT";</script><style>.x{content:"STYLE-TEXT"}</style><noscript>NOSCRIPT-TEXT</noscript></article></body></html>`,
			want:    []string{"The budget report, published on Tuesday"},
			notWant: []string{"SCRIPT-TEXT", "STYLE-TEXT", "NOSCRIPT-TEXT", "color:red", "Business"},
		},
		{
			name: "article split across two containers around an ad",
			page: `<html><body>` + navChrome + `<div class="story"><h1>Budget</h1><div class="part">` + prose("first", 4) +
				`</div><div class="ad-slot">Advertisement</div><div class="part">` + prose("second", 4) + `</div></div>` +
				`<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Some other headline about sports results</a></li></ul></aside></body></html>`,
			want:    []string{"The first report", "The second report"},
			notWant: []string{"Advertisement", "Most read", "Some other headline"},
		},
		{
			name: "text laid out with line breaks",
			page: `<html><body>` + navChrome + `<div class="text">First paragraph of the story, which explains what the minister said on Monday.<br>` +
				`Second paragraph, with more detail about the plan, its cost and its critics.<br><br>` +
				`Third paragraph: reactions from the opposition, who called it late and expensive.</div></body></html>`,
			want:      []string{"First paragraph", "Second paragraph", "Third paragraph"},
			wantLines: 3,
		},
		{
			name: "headings lists and quotes kept in order",
			page: `<html><body>` + navChrome + `<main>` + prose("plan", 3) + `<h2>What changes</h2><ul><li>Fares rise by 5% in May, the operator said.</li><li>Night buses run every 20 minutes, up from 30.</li></ul>` +
				`<blockquote>We will not accept this, said the union leader, speaking outside the depot.</blockquote>` + prose("union", 2) + `</main></body></html>`,
			want: []string{"What changes\nFares rise by 5% in May", "Night buses run every 20 minutes", "We will not accept this"},
		},
		{
			name: "inline chrome inside the body",
			page: `<html><body>` + navChrome + `<div class="entry-content">` + prose("court", 3) +
				`<p><strong>ALSO READ: <a href="/x">Unrelated story about a football transfer</a></strong></p>` +
				`<figure><img src="a.jpg"><figcaption>Photo credit: Jane Doe / Agency</figcaption></figure>` +
				`<div class="share-buttons"><a href="#">Facebook</a> <a href="#">Twitter</a></div>` + prose("judge", 3) +
				`<div class="newsletter-signup"><p>Sign up for our newsletter to get the best stories every morning in your inbox.</p></div></div>` +
				`<div id="comments"><h3>Leave a Reply</h3><p>Your email address will not be published. Required fields are marked *</p></div></body></html>`,
			want:    []string{"The court report", "The judge report"},
			notWant: []string{"ALSO READ", "Unrelated story", "Photo credit", "Facebook", "Sign up", "Leave a Reply", "Your email address"},
		},
		{
			name: "house notes and credits",
			page: `<html><body>` + navChrome + `<div class="story">` + prose("launch", 4) +
				`<p>Jane Doe | Reuters | Getty Images</p><p>Image 1 of 5</p>` + prose("rocket", 2) +
				`<p>Email Jane Doe at jane@example.com or follow her on Twitter @jdoe. Follow us on Facebook.</p>` +
				`<p>Sign up for our daily newsletter to get stories like this one in your inbox.</p></div></body></html>`,
			want:    []string{"The launch report", "The rocket report"},
			notWant: []string{"Getty Images", "Image 1 of 5", "follow her", "newsletter"},
		},
		{
			name: "teaser list after the article",
			page: `<html><body>` + navChrome + `<article><h1>Story</h1>` + prose("storm", 4) + `</article><section><h2>Related Posts</h2>` +
				`<div><h3><a href="/1">Flood warnings issued for the coast tonight</a></h3><p>Residents were told to move their cars, officials said on Sunday evening.</p></div>` +
				`<div><h3><a href="/2">Schools close as snow arrives early this year</a></h3><p>Parents were told to check the website before leaving, the council said.</p></div></section></body></html>`,
			want:    []string{"The storm report"},
			notWant: []string{"Related Posts", "Flood warnings", "Residents were told", "Parents were told"},
		},
		{
			name: "body only in JSON-LD",
			page: `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Bridge reopens",` +
				`"articleBody":"The bridge reopened on Monday after two years of repairs, the city said.\nTraffic was light in the morning, but queues formed by noon as commuters returned.\nThe repairs cost 40 million euros, ten million more than planned, and the city blamed rising steel prices for the overrun.\nA second bridge will close for similar work next spring, officials added, and a temporary ferry will run."}</script></head>` +
				`<body>` + navChrome + `<div id="app">Loading…</div><footer>© Example News</footer></body></html>`,
			want:      []string{"The bridge reopened on Monday", "A second bridge will close"},
			notWant:   []string{"Loading", "Example News"},
			wantLines: 4,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := extractString(t, tc.page, Options{})
			for _, w := range tc.want {
				if !strings.Contains(a.Text, w) {
					t.Errorf("Text lacks %q\nText:\n%s", w, a.Text)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(a.Text, w) {
					t.Errorf("Text has %q\nText:\n%s", w, a.Text)
				}
			}
			if n := len(strings.Split(a.Text, "\n")); n < tc.wantLines {
				t.Errorf("Text has %d lines, want at least %d:\n%s", n, tc.wantLines, a.Text)
			}
		})
	}
}

func TestExtractChrome(t *testing.T) {
	t.Parallel()
	page := `<html><body>` + navChrome + `<article>` + prose("harbour", 4) + `</article><div class="related"><h3>Related Posts</h3><a href="/x">Harbour fees to rise</a></div><p class="comments-closed">Comments are closed.</p></body></html>`
	a := extractString(t, page, Options{})
	want := map[string]bool{"Home": false, "Related Posts": false, "Harbour fees to rise": false, "Comments are closed.": false}
	seen := map[string]bool{}
	for _, c := range a.Chrome {
		if seen[c] {
			t.Errorf("Chrome line %q repeated", c)
		}
		seen[c] = true
		if c != strings.TrimSpace(c) || c == "" {
			t.Errorf("Chrome line %q not trimmed", c)
		}
		if _, ok := want[c]; ok {
			want[c] = true
		}
		if strings.Contains(a.Text, c) {
			t.Errorf("Chrome line %q is also in Text", c)
		}
	}
	for c, ok := range want {
		if !ok {
			t.Errorf("Chrome lacks %q: %q", c, a.Chrome)
		}
	}
}

func TestExtractErrors(t *testing.T) {
	t.Parallel()
	big := "<html><body>" + strings.Repeat("<p>filler text for a large page.</p>", 2000) + "</body></html>"
	_, err := Extract("https://example.com/a", strings.NewReader(big), "text/html", Options{MaxBytes: 10 << 10})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "10240") {
		t.Errorf("error %q does not name the limit", err)
	}
	if _, err := Extract("https://example.com/a", strings.NewReader(big), "text/html", Options{}); err != nil {
		t.Errorf("default limit: %v", err)
	}
	_, err = Extract("https://example.com/a", strings.NewReader("<html><body><nav><a href='/'>Home</a></nav></body></html>"), "text/html", Options{})
	if !errors.Is(err, ErrNoContent) {
		t.Errorf("err = %v, want ErrNoContent", err)
	}
	_, err = Extract("https://example.com/a", errReader{}, "text/html", Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "clean: ") {
		t.Errorf("read error = %v, want a clean: error", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestExtractCharset(t *testing.T) {
	t.Parallel()
	body := `<p>Le ministre a annoncé vendredi que les écoles rouvriront, malgré les réserves des syndicats, à la rentrée.</p>` +
		`<p>Les élèves de Besançon et d'Orléans reprendront les cours le lundi, a précisé le rectorat, sans donner de détails.</p>`
	latin1, err := charmap.ISO8859_1.NewEncoder().String(body)
	if err != nil {
		t.Fatal(err)
	}
	sjisBody, err := japanese.ShiftJIS.NewEncoder().String("<p>東京都は月曜日、新しい交通計画を発表した。計画では、バスの本数を増やし、駅の周辺に自転車置き場を整備する。</p>")
	if err != nil {
		t.Fatal(err)
	}
	padding := "<!--" + strings.Repeat("x", 3000) + "-->"
	tests := []struct {
		name, contentType, page, want string
	}{
		{"utf-8 undeclared", "text/html", "<html><body>" + body + "</body></html>", "a annoncé vendredi"},
		{"latin-1 from header", "text/html; charset=ISO-8859-1", "<html><body>" + latin1 + "</body></html>", "a annoncé vendredi"},
		{"latin-1 meta after 1 KiB", "text/html", "<html><head>" + padding + `<meta charset="iso-8859-1"></head><body>` + latin1 + "</body></html>", "élèves de Besançon"},
		{"latin-1 undeclared", "", "<html><body>" + latin1 + "</body></html>", "élèves de Besançon"},
		{"shift_jis meta", "text/html", `<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"></head><body>` + sjisBody + "</body></html>", "新しい交通計画"},
		{"utf-8 bom", "text/html; charset=iso-8859-1", "\ufeff<html><body>" + body + "</body></html>", "a annoncé vendredi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := Extract("https://example.fr/a", strings.NewReader(tc.page), tc.contentType, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(a.Text, tc.want) {
				t.Errorf("Text %q lacks %q", a.Text, tc.want)
			}
		})
	}
}

func TestExtractMetadata(t *testing.T) {
	t.Parallel()
	fallback := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		url  string
		head string
		body string
		opt  Options
		want Article // only non-zero fields are checked
		pub  string  // RFC 3339, "" for none
		mod  string
	}{
		{
			name: "open graph and article tags",
			url:  "https://www.example.com/news/x",
			head: `<title>Dam opens - Example News</title><meta property="og:title" content="Dam opens"><meta property="og:site_name" content="Example News">` +
				`<meta property="article:published_time" content="2021-06-29T10:42:11+05:30"><meta property="article:modified_time" content="2021-06-30T08:00:00Z">` +
				`<meta name="description" content="A dam opened."><meta property="og:image" content="/img/dam.jpg"><link rel="canonical" href="/news/dam-opens"><meta name="author" content="Ana Lima, Bo Chen">`,
			want: Article{Title: "Dam opens", SiteName: "Example News", Description: "A dam opened.", Image: "https://www.example.com/img/dam.jpg",
				CanonicalURL: "https://www.example.com/news/dam-opens", Byline: "By Ana Lima and Bo Chen", Language: "en"},
			pub: "2021-06-29T05:12:11Z", mod: "2021-06-30T08:00:00Z",
		},
		{
			name: "json-ld graph",
			url:  "https://example.org/p",
			head: `<title>Storm hits coast | Daily Post</title><script type="application/ld+json">{"@graph":[{"@type":"WebSite","name":"Daily Post"},` +
				`{"@type":["NewsArticle"],"headline":"Storm hits coast","datePublished":"2022-02-03","author":[{"@type":"Person","name":"Kim Park"},{"name":"Lee Roy"}],"inLanguage":"de-DE","image":{"url":"https://example.org/s.jpg"}}]}</script>`,
			want: Article{Title: "Storm hits coast", SiteName: "Daily Post", Authors: []string{"Kim Park", "Lee Roy"}, Language: "de", Image: "https://example.org/s.jpg"},
			pub:  "2022-02-03T00:00:00Z",
		},
		{
			name: "title tag minus site name, time element",
			url:  "https://example.net/a",
			head: `<title>Council backs new tram line | The Gazette</title><meta property="og:site_name" content="The Gazette">`,
			body: `<time datetime="2020-05-06T07:08:09Z">May 6</time>`,
			want: Article{Title: "Council backs new tram line", SiteName: "The Gazette"},
			pub:  "2020-05-06T07:08:09Z",
		},
		{
			name: "date from the url",
			url:  "https://example.net/2019/11/18/story-slug/",
			head: `<title>Story</title>`,
			pub:  "2019-11-18T00:00:00Z",
		},
		{
			name: "feed date as fallback",
			url:  "https://example.net/story",
			head: `<title>Story</title>`,
			opt:  Options{FallbackPublished: &fallback},
			pub:  "2024-01-02T03:04:05Z",
		},
		{
			name: "lang attribute wins over detection",
			url:  "https://example.net/story",
			head: `<title>Story</title>`,
			want: Article{Language: "pt"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lang := ""
			if tc.name == "lang attribute wins over detection" {
				lang = ` lang="pt-BR"`
			}
			page := "<html" + lang + "><head>" + tc.head + "</head><body>" + navChrome + "<article>" + tc.body + prose("metadata", 4) + "</article></body></html>"
			a, err := Extract(tc.url, strings.NewReader(page), "text/html", tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			check := func(field, got, want string) {
				if want != "" && got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("Title", a.Title, tc.want.Title)
			check("SiteName", a.SiteName, tc.want.SiteName)
			check("Description", a.Description, tc.want.Description)
			check("Image", a.Image, tc.want.Image)
			check("CanonicalURL", a.CanonicalURL, tc.want.CanonicalURL)
			check("Byline", a.Byline, tc.want.Byline)
			check("Language", a.Language, tc.want.Language)
			if tc.want.Authors != nil && strings.Join(a.Authors, "|") != strings.Join(tc.want.Authors, "|") {
				t.Errorf("Authors = %q, want %q", a.Authors, tc.want.Authors)
			}
			if got := fmtTime(a.Published); got != tc.pub {
				t.Errorf("Published = %q, want %q", got, tc.pub)
			}
			if got := fmtTime(a.Modified); got != tc.mod {
				t.Errorf("Modified = %q, want %q", got, tc.mod)
			}
		})
	}
}

func TestExtractDetectsLanguage(t *testing.T) {
	t.Parallel()
	page := `<html><body><article><p>Die Regierung hat am Montag angekündigt, dass die Schulen im ganzen Land wieder öffnen werden, obwohl die Gewerkschaften Bedenken geäußert haben.</p>` +
		`<p>Die Schüler sollen zunächst in kleinen Gruppen unterrichtet werden, sagte die Ministerin in Berlin vor Journalisten.</p></article></body></html>`
	a, err := Extract("https://example.de/a", bytes.NewReader([]byte(page)), "text/html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Language != "de" {
		t.Errorf("Language = %q, want de", a.Language)
	}
}

func TestExtractHostileInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		page string
	}{
		{"deep nesting", strings.Repeat("<div>", 50000) + "<p>Deep text, with a comma, and a full stop at the end of it.</p>" + strings.Repeat("</div>", 50000)},
		{"deep inline nesting", strings.Repeat("<span><b><i>", 20000) + "text"},
		{"giant attribute", `<div class="` + strings.Repeat("a-", 500000) + `"><p>Text in a div with a huge class attribute, which must not slow things down.</p></div>`},
		{"unclosed tags", strings.Repeat("<p><a href=x><table><tr><td><li>", 5000) + "end"},
		{"nested anchors", strings.Repeat("<a href=x>", 5000) + "text"},
		{"many related headings", strings.Repeat("<h3>Related Posts</h3><div><p>Some text, with commas, and an end.</p></div>", 20000)},
		{"many blocks", strings.Repeat("<div class='a b c'><p>Some text, with commas, and a sentence end here.</p></div>", 20000)},
		{"binary noise", string([]byte{0, 1, 2, 0xff, 0xfe, '<', 'p', '>', 0x80, 0x81})},
		{"broken json-ld", `<script type="application/ld+json">{"@type":"NewsArticle","articleBody":` + strings.Repeat("[", 10000) + `</script><p>x</p>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := Extract("https://example.com/x", strings.NewReader(tc.page), "text/html", Options{})
			// The parser refuses more than 512 open elements: that is
			// ErrMalformed, a clean refusal.
			if err != nil && !errors.Is(err, ErrNoContent) && !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v", err)
			}
			// A generous bound: it catches a runaway (quadratic or worse
			// work on these inputs takes minutes), not a busy machine or
			// the race detector. Speed itself is measured by benchmarks.
			if d := time.Since(start); d > time.Minute {
				t.Errorf("took %v", d)
			}
		})
	}
}
