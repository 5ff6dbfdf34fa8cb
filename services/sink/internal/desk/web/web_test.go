package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/ops"
	"github.com/newsflow/newsflow/services/sink/internal/desk/api"
	"github.com/newsflow/newsflow/services/sink/internal/desk/deskdb"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger/ledgertest"
	"github.com/newsflow/newsflow/services/sink/internal/desk/web"
	"github.com/newsflow/newsflow/services/sink/internal/store"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// deskServer fills a SQLite store with the bundled recording as the real
// pipeline tagged it (`make run`, exported; see ../ledger/testdata) plus
// the six hand-written repeats of seed figures, syncs the ledger after each
// batch as the desk's follower does, and serves the desk and the API on an
// ops server, as `sink serve` does. It returns the base URL.
func deskServer(t *testing.T) string {
	t.Helper()
	return deskServerOn(t, "sqlite:"+filepath.Join(t.TempDir(), "desk.db"))
}

// deskServerOn is deskServer on the store spec opens. The recording
// predates speaker kinds: Mattis's claims are given the kind person and
// the role coalition, the others none.
func deskServerOn(t *testing.T, spec string) string {
	t.Helper()
	ctx := context.Background()
	log := zaptest.NewLogger(t)
	st, err := store.Open(ctx, spec, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	arts := append(ledgertest.Recording(t), ledgertest.Repeats(t)...)
	for i := range arts {
		for ci := range arts[i].Claims {
			if c := &arts[i].Claims[ci]; strings.Contains(c.Speaker, "Mattis") {
				c.SpeakerKind, c.SpeakerRole = schema.SpeakerPerson, "coalition"
			}
		}
	}
	desk, err := deskdb.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	for start := 0; start < len(arts); start += 8 {
		batch := arts[start:min(start+8, len(arts))]
		if err := st.Upsert(ctx, batch); err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(batch))
		for i := range batch {
			ids[i] = batch[i].ID
		}
		if _, err := desk.SyncLedger(ctx, ids); err != nil {
			t.Fatal(err)
		}
	}
	srv := ops.New("127.0.0.1:0", log)
	srv.AddCheck("store", st.Ping)
	srv.Handle("/api/", api.Handler(st, log))
	w, err := web.New(desk, log)
	if err != nil {
		t.Fatal(err)
	}
	w.Mount(srv.Handle)
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("ops server: %v", err)
		}
	})
	return "http://" + srv.Addr()
}

func get(t *testing.T, url string, wantStatus int) (string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: %d, want %d: %.300s", url, resp.StatusCode, wantStatus, b)
	}
	return string(b), resp.Header
}

var (
	articleRE  = regexp.MustCompile(`<article class="article" id="a-[0-9a-f]+">`)
	articleDay = regexp.MustCompile(`<p class="meta">\s*<span class="outlet">([^<]*)</span>\s*· <time datetime="([^"]+)"`)
)

// articles lists (outlet, time) of the articles on a page, in order.
func articles(t *testing.T, page string) [][2]string {
	t.Helper()
	var out [][2]string
	for _, m := range articleDay.FindAllStringSubmatch(page, -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	if n := len(articleRE.FindAllString(page, -1)); n != len(out) {
		t.Fatalf("%d articles but %d dated meta lines", n, len(out))
	}
	return out
}

// TestPageIsCompleteWithoutJavaScript reads the page as a browser without
// JavaScript gets it: articles newest first with claims marked, groups
// with their outlets, charts as SVG with native tooltips, and no asset
// from elsewhere.
func TestPageIsCompleteWithoutJavaScript(t *testing.T) {
	base := deskServer(t)
	page, h := get(t, base+"/", http.StatusOK)
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	arts := articles(t, page)
	if len(arts) != web.PerPage {
		t.Errorf("%d articles on the first page, want %d", len(arts), web.PerPage)
	}
	times := make([]string, len(arts))
	for i, a := range arts {
		times[i] = a[1]
	}
	if !slices.IsSortedFunc(times, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("articles not newest first: %v", times)
	}
	if !strings.Contains(page, `rel="next"`) {
		t.Error("no link to older articles")
	}
	if n := strings.Count(page, `<mark class="claim`); n < 20 {
		t.Errorf("%d claims highlighted, want the page's claims marked", n)
	}
	if !strings.Contains(page, `<mark class="claim recurring"`) {
		t.Error("no claim marked as carried by several outlets")
	}
	// The 95 percent of territory: MINA News first, then two outlets.
	row := regexp.MustCompile(`(?s)<tr class="group" id="g-[0-9a-f]+" data-outlets="3">.*?<strong class="figure">95 percent</strong>.*?MINA News.*?Jens Stoltenberg and James Mattis`)
	if !row.MatchString(page) {
		t.Error("no group row: 95 percent, 3 outlets, first MINA News, speaker Stoltenberg and Mattis")
	}
	if n := strings.Count(page, `<svg viewBox="0 0 560 210"`); n < 3 {
		t.Errorf("%d charts, want one per series of two points or more", n)
	}
	for _, want := range []string{`<line class="range"`, `<circle class="dot"`, `<title>`, `territory · percent`, `<details class="points">`,
		`<polyline class="line g`, `<ol class="legend"`, `<li data-series="1">`, `Said by: `, `Outlet: `, `<th scope="col">Series</th>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// The case: 69 countries (members of the coalition), more
	// than 70 countries (at a meeting) and 35 countries (took part) are
	// three claims on the chart of members · countries, so three series,
	// each named in the legend, none joined to another.
	members := regexp.MustCompile(`(?s)<figcaption><strong>members · countries</strong>.*?<ol class="legend"[^>]*>(.*?)</ol>`).FindStringSubmatch(page)
	if members == nil {
		t.Error("no chart of members · countries with a legend")
	} else if n := strings.Count(members[1], `<li data-series=`); n != 3 || !strings.Contains(members[1], "69 countries") ||
		!strings.Contains(members[1], "35 countries") || !strings.Contains(members[1], "AFP") {
		t.Errorf("members · countries: %d legend entries, want 69, 70 and 35 countries apart, AFP named:\n%s", n, members[1])
	}
	for _, m := range regexp.MustCompile(`(?:src|rel="stylesheet" href)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "/static/") {
			t.Errorf("asset from elsewhere: %s", m[1])
		}
	}
	older, _ := get(t, base+"/?page=2", http.StatusOK)
	if n := len(articles(t, older)); n != 12-web.PerPage || !strings.Contains(older, `rel="prev"`) {
		t.Errorf("second page: %d articles, prev link %v", n, strings.Contains(older, `rel="prev"`))
	}
}

func TestFilters(t *testing.T) {
	base := deskServer(t)
	tests := []struct {
		name, query string
		check       func(t *testing.T, arts [][2]string, page string)
	}{
		{"outlet", "outlet=www.gulf-times.com", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) != 1 || arts[0][0] != "Gulf Times" {
				t.Errorf("articles %v, want the one Gulf Times article", arts)
			}
			if !strings.Contains(page, `<option value="www.gulf-times.com" selected>`) {
				t.Error("the outlet is not shown as selected")
			}
		}},
		{"place", "place=Raqqa", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) == 0 || len(arts) >= 12 {
				t.Errorf("%d articles naming Raqqa", len(arts))
			}
		}},
		{"tag", "tag=isis", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) != web.PerPage {
				t.Errorf("%d articles tagged isis on the first page", len(arts))
			}
		}},
		{"dates", "from=2025-06-02&to=2025-06-02", func(t *testing.T, arts [][2]string, page string) {
			for _, a := range arts {
				if !strings.HasPrefix(a[1], "2025-06-02") {
					t.Errorf("article of %s outside the dates", a[1])
				}
			}
			if len(arts) == 0 {
				t.Error("no article on 2 June 2025")
			}
			if strings.Contains(page, "8 million people (nearly)") {
				t.Error("a June 2021 figure is listed for 2 June 2025")
			}
		}},
		{"outlet by words", "outlet=gulf+times", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) != 1 || arts[0][0] != "Gulf Times" {
				t.Errorf("articles %v, want the one Gulf Times article", arts)
			}
			if !strings.Contains(page, `<option value="gulf times" selected>“gulf times” (by words)</option>`) {
				t.Error("the typed outlet is not shown as the selected filter")
			}
		}},
		{"place in lower case", "place=raqqa", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) == 0 || len(arts) >= 12 {
				t.Errorf("%d articles naming raqqa", len(arts))
			}
		}},
		{"speaker by a word", "speaker=mattis", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) == 0 || !strings.Contains(page, "Mattis") {
				t.Errorf("%d articles with a claim by Mattis", len(arts))
			}
		}},
		{"language", "lang=fr", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) != 0 || !strings.Contains(page, `<option value="fr" selected>fr</option>`) {
				t.Errorf("%d French articles in an English recording", len(arts))
			}
		}},
		{"search", "q=raqqa+-mosul", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) == 0 || len(arts) >= 12 {
				t.Errorf("%d articles for raqqa -mosul", len(arts))
			}
			if n := strings.Count(page, `<p class="snippet">`); n != len(arts) {
				t.Errorf("%d snippets for %d results", n, len(arts))
			}
			if !strings.Contains(strings.ToLower(page), "<mark>raqqa</mark>") || !strings.Contains(page, "best match first") {
				t.Error("the results do not mark the word found or do not say they are ranked")
			}
			if !strings.Contains(page, `name="q" value="raqqa -mosul"`) {
				t.Error("the search box does not keep the query")
			}
		}},
		{"search and outlet", "q=raqqa&outlet=nowhere.example", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) != 0 {
				t.Errorf("%d articles for a search in an unknown outlet", len(arts))
			}
		}},
		{"nothing", "outlet=nowhere.example", func(t *testing.T, arts [][2]string, page string) {
			if len(arts) != 0 || !strings.Contains(page, "No relevant article matches these filters") {
				t.Errorf("%d articles for an unknown outlet", len(arts))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, _ := get(t, base+"/?"+tc.query, http.StatusOK)
			tc.check(t, articles(t, page), page)
		})
	}
}

// TestSpeakerTopicUnitFilters: speaker kind, role, topic and unit
// filter the articles, groups and charts, combine with the others, are
// kept in the form and in the page links, on SQLite and PostgreSQL.
func TestSpeakerTopicUnitFilters(t *testing.T) {
	specs := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "desk.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresSchema(t) },
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			base := deskServerOn(t, spec(t))
			page, _ := get(t, base+"/?kind=person&role=coalition", http.StatusOK)
			arts := articles(t, page)
			if len(arts) == 0 || !strings.Contains(page, "Mattis") {
				t.Errorf("kind=person&role=coalition: %d articles", len(arts))
			}
			for _, want := range []string{`<option value="person" selected>person</option>`, `<option value="coalition" selected>coalition (`} {
				if !strings.Contains(page, want) {
					t.Errorf("the form does not show %s", want)
				}
			}
			// Every group listed has a member by Mattis.
			for _, g := range strings.Split(page, `<tr class="group"`)[1:] {
				if !strings.Contains(g, "Mattis") {
					t.Errorf("a group without Mattis for kind=person: %.300s", g)
				}
			}
			page, _ = get(t, base+"/?kind=anonymous", http.StatusOK)
			if n := len(articles(t, page)); n != 0 {
				t.Errorf("kind=anonymous: %d articles, the fixture has no anonymous speaker", n)
			}
			all, _ := get(t, base+"/", http.StatusOK)
			page, _ = get(t, base+"/?topic=territory&unit=PERCENT", http.StatusOK)
			keys := chartKey.FindAllStringSubmatch(page, -1)
			if len(keys) != 1 || keys[0][1] != "territory · percent" || len(chartKey.FindAllString(all, -1)) < 2 {
				t.Errorf("topic=territory&unit=PERCENT: charts %v", keys)
			}
			if n := len(articles(t, page)); n == 0 || n >= len(articles(t, all))+1 {
				t.Errorf("topic=territory&unit=PERCENT: %d articles", n)
			}
			page, _ = get(t, base+"/?topic=territory&unit=percent&speaker=mattis&outlet=nowhere.example", http.StatusOK)
			if n := len(articles(t, page)); n != 0 || !strings.Contains(page, "Clear filters") {
				t.Errorf("combined with an unknown outlet: %d articles", n)
			}
			// The view is in the URL: the next page keeps the filters.
			page, _ = get(t, base+"/?topic=territory", http.StatusOK)
			if next := olderLink.FindStringSubmatch(page); next != nil && !strings.Contains(next[1], "topic=territory") {
				t.Errorf("older link %q drops the topic", next[1])
			}
		})
	}
}

var (
	chartKey  = regexp.MustCompile(`<figcaption><strong>([^<]*)</strong>`)
	olderLink = regexp.MustCompile(`<a[^>]*href="([^"]*page=2[^"]*)"`)
)

// TestBadQueryIs400: a query the page cannot read answers 400 with the
// reason on the page and no results, rather than results that silently
// ignore it; the form stays there to correct it.
func TestBadQueryIs400(t *testing.T) {
	base := deskServer(t)
	for _, tc := range []struct{ query, want string }{
		{"from=garbage", "“from” &#34;garbage&#34; is not a date"},
		{"to=2025-13-01", "“to” &#34;2025-13-01&#34; is not a date"},
		{"from=2025-06-03&to=2025-06-01", "is after “to”"},
		{"page=0", "pages are numbered from 1"},
		{"page=two", "Page &#34;two&#34; is not a page number"},
		{"outlet=x&colour=red", "Unknown parameter &#34;colour&#34;"},
		{"q=-mosul", "Search &#34;-mosul&#34; only excludes words"},
		{"kind=people", "Speaker kind &#34;people&#34; is none of person"},
		{"role=Group+Media", "Role &#34;Group Media&#34; is not a role"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			page, _ := get(t, base+"/?"+tc.query, http.StatusBadRequest)
			if !strings.Contains(page, `class="problem" role="alert">`) || !strings.Contains(page, tc.want) {
				t.Errorf("page lacks the problem %q", tc.want)
			}
			if n := len(articles(t, page)); n != 0 {
				t.Errorf("%d articles listed for a query that could not be read", n)
			}
			if !strings.Contains(page, `<form class="filters"`) {
				t.Error("the filter form is gone")
			}
		})
	}
}

// TestPagesFromOne: the first page is page 1, and says so.
func TestPagesFromOne(t *testing.T) {
	base := deskServer(t)
	first, _ := get(t, base+"/", http.StatusOK)
	one, _ := get(t, base+"/?page=1", http.StatusOK)
	if !slices.Equal(articles(t, first), articles(t, one)) {
		t.Error("page=1 is not the first page")
	}
	if !strings.Contains(first, "page 1, articles 1–10") || !strings.Contains(first, `href="/?page=2" rel="next"`) {
		t.Error("the first page does not say it is page 1 or does not link page 2")
	}
	second, _ := get(t, base+"/?page=2", http.StatusOK)
	if !strings.Contains(second, `href="/" rel="prev"`) || !strings.Contains(second, "page 2, articles 11–12") {
		t.Error("page 2 does not link back to the first or miscounts")
	}
	if !strings.Contains(first, "claim groups in the ledger") {
		t.Error("the totals do not say they count claim groups")
	}
}

// TestMountedBesideOps: the page and its assets sit on the sink's ops
// server without taking /api/, /healthz, /readyz or /metrics from it.
func TestMountedBesideOps(t *testing.T) {
	base := deskServer(t)
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/healthz", 200, "ok"},
		{"/readyz", 200, `"ready":true`},
		{"/metrics", 200, "go_goroutines"},
		{"/api/stats", 200, `"relevant":12`},
		{"/static/app.css", 200, ".claim"},
		{"/static/app.js", 200, "data-tip"},
		{"/static/", 404, ""},
		{"/static/page.html", 404, ""},
		{"/static/missing.js", 404, ""},
		{"/nowhere", 404, ""},
	} {
		body, _ := get(t, base+tc.path, tc.status)
		if !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: body lacks %q: %.200s", tc.path, tc.want, body)
		}
	}
	resp, err := http.Post(base+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405 (read-only)", resp.StatusCode)
	}
}

// TestEmptyStore: a store with nothing relevant renders a page that says
// so rather than failing.
func TestEmptyStore(t *testing.T) {
	ctx := context.Background()
	log := zaptest.NewLogger(t)
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "empty.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	now := time.Now().UTC()
	if err := st.Upsert(ctx, []schema.ArticleTaggedV1{{SchemaVersion: schema.Version, ID: "x", URL: "https://ex.example/x",
		ContentHash: "h", Text: "nothing here", Stages: schema.Stages{FetchedAt: now, TaggedAt: &now}}}); err != nil {
		t.Fatal(err)
	}
	d, err := deskdb.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	w, err := web.New(d, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux.Handle)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "No relevant article matches") ||
		!strings.Contains(body, "No topic has two figures yet") {
		t.Errorf("empty store: %d %.300s", rec.Code, body)
	}
}

// TestArticlePage: a title on the desk opens the article's own page: its
// text with the claims highlighted, each explained (speaker, figures,
// topic), its tags with their evidence, its dates with their source, and
// a link to the original. An unknown id is a 404.
func TestArticlePage(t *testing.T) {
	base := deskServer(t)
	desk, _ := get(t, base+"/?q=mattis", http.StatusOK)
	m := regexp.MustCompile(`<h3><a href="(/article/[0-9a-f]+)">([^<]+)</a></h3>`).FindStringSubmatch(desk)
	if m == nil {
		t.Fatal("no title on the desk links to an article page")
	}
	page, _ := get(t, base+m[1], http.StatusOK)
	for _, want := range []string{
		`<h2 class="title">` + m[2] + `</h2>`,
		`<mark class="claim"`,
		`<section class="claims" id="claims"`,
		`<dt>Speaker</dt><dd class="speaker">`,
		`Mattis`,
		// Mattis is a person of the coalition (see deskServerOn): his
		// kind and role open the desk filtered by them.
		`(<a href="/?kind=person" title="Claims by this kind of speaker">person</a>, <a href="/?role=coalition"`,
		`<dt>Figures</dt>`,
		`<dt>Topic</dt>`,
		`Tags and evidence`,
		`<dt>Fetched</dt>`,
		`from the fetcher`,
		`<dt>Language</dt>`,
		`Read the original ↗`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("article page lacks %s", want)
		}
	}
	// Every claim explained links to its highlight, which is on the page.
	links := regexp.MustCompile(`<li id="explain-([^"]+)">\s*<a href="#([^"]+)">`).FindAllStringSubmatch(page, -1)
	if len(links) == 0 {
		t.Error("no explained claim links to its highlight")
	}
	for _, l := range links {
		if l[1] != l[2] || !strings.Contains(page, `id="`+l[2]+`"`) {
			t.Errorf("claim %s links to #%s, not on the page", l[1], l[2])
		}
	}
	orig := regexp.MustCompile(`<a class="original" href="(https?://[^"]+)"`).FindStringSubmatch(page)
	if orig == nil {
		t.Error("no link to the original")
	}
	missing, _ := get(t, base+"/article/nope", http.StatusNotFound)
	if !strings.Contains(missing, `No article &#34;nope&#34; is stored.`) {
		t.Errorf("404 page: %.300s", missing)
	}
}
