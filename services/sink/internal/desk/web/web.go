package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/desk/deskdb"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

//go:embed assets
var assets embed.FS

const (
	// PerPage is how many articles a page lists.
	PerPage = 10
	// maxGroups and maxCharts bound the right-hand column.
	maxGroups = 100
	maxCharts = 12
	// dateForm is how the filter form writes dates.
	dateForm = "2006-01-02"
)

// Server renders the desk over a store.
type Server struct {
	desk    deskdb.Store
	log     *zap.Logger
	page    *template.Template
	article *template.Template
	static  http.Handler
}

// New returns the desk over d.
func New(d deskdb.Store, log *zap.Logger) (*Server, error) {
	funcs := template.FuncMap{"plural": plural, "quotable": quotable, "hasValue": hasValue}
	t, err := template.New("page.html").Funcs(funcs).ParseFS(assets, "assets/page.html")
	if err != nil {
		return nil, fmt.Errorf("web: template: %w", err)
	}
	at, err := template.New("article.html").Funcs(funcs).ParseFS(assets, "assets/article.html")
	if err != nil {
		return nil, fmt.Errorf("web: template: %w", err)
	}
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	return &Server{desk: d, log: log, page: t, article: at, static: http.StripPrefix("/static/", http.FileServerFS(sub))}, nil
}

// Mount registers the page at / and its assets under /static/ with
// handle (for example ops.Server.Handle). Other paths (/api/, /metrics,
// /healthz, /readyz) are left to their own handlers.
func (s *Server) Mount(handle func(pattern string, h http.Handler)) {
	handle("GET /{$}", http.HandlerFunc(s.servePage))
	handle("GET /article/{id}", http.HandlerFunc(s.serveArticle))
	handle("GET /static/", http.HandlerFunc(s.serveStatic))
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/") || strings.HasSuffix(r.URL.Path, ".html") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	s.static.ServeHTTP(w, r)
}

// filter is the page's query: what the form shows and the store filters.
type filter struct {
	From, To, Outlet, Tag, Place string
	// Speaker, like Outlet and Place, matches by words ("mattis");
	// Lang is the articles' language ("fr").
	Speaker, Lang string
	// Kind and Role are the speaker's kind (deskdb.SpeakerKinds) and
	// role; Topic a claim's topic and Unit a figure's, ignoring case.
	Kind, Role, Topic, Unit string
	// Q is a full-text search over title and text (store.ParseSearch).
	Q            string
	Page         int
	since, until time.Time
	Problems     []string
}

// params are the page's query parameters; any other is refused, as a
// misspelt filter would otherwise silently show everything.
var params = []string{"from", "to", "outlet", "tag", "place", "speaker", "kind", "role", "topic", "unit", "lang", "q", "page"}

// parseFilter reads the page's query. What it cannot read goes to
// Problems, and the page then answers 400 with them instead of results
// that silently ignore a filter.
func parseFilter(q url.Values) filter {
	f := filter{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Outlet: strings.TrimSpace(q.Get("outlet")), Tag: strings.TrimSpace(q.Get("tag")), Place: strings.TrimSpace(q.Get("place")),
		Speaker: strings.TrimSpace(q.Get("speaker")), Lang: strings.TrimSpace(q.Get("lang")),
		Kind: strings.TrimSpace(q.Get("kind")), Role: strings.TrimSpace(q.Get("role")),
		Topic: strings.TrimSpace(q.Get("topic")), Unit: strings.TrimSpace(q.Get("unit")),
		Q: strings.TrimSpace(q.Get("q")), Page: 1}
	if err := deskdb.CheckSpeakerKind(f.Kind); err != nil {
		f.Problems = append(f.Problems, fmt.Sprintf("Speaker kind %q is none of %s.", f.Kind, strings.Join(deskdb.SpeakerKinds, ", ")))
	}
	if err := deskdb.CheckSpeakerRole(f.Role); err != nil {
		f.Problems = append(f.Problems, fmt.Sprintf("Role %q is not a role: roles are lower-case words such as government or group-media.", f.Role))
	}
	if _, err := store.ParseSearch(f.Q); err != nil {
		f.Problems = append(f.Problems, fmt.Sprintf("Search %q only excludes words: give a word to find too.", f.Q))
	}
	var unknown []string
	for k := range q {
		if !slices.Contains(params, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		f.Problems = append(f.Problems, fmt.Sprintf("Unknown parameter %q: the page takes %s.", k, strings.Join(params, ", ")))
	}
	if f.From != "" {
		t, err := time.Parse(dateForm, f.From)
		if err != nil {
			f.Problems = append(f.Problems, fmt.Sprintf("“from” %q is not a date like 2025-06-01.", f.From))
		}
		f.since = t
	}
	if f.To != "" {
		t, err := time.Parse(dateForm, f.To)
		if err != nil {
			f.Problems = append(f.Problems, fmt.Sprintf("“to” %q is not a date like 2025-06-30.", f.To))
		} else {
			f.until = t.Add(24 * time.Hour) // the whole day
		}
	}
	if !f.since.IsZero() && !f.until.IsZero() && !f.since.Before(f.until) {
		f.Problems = append(f.Problems, fmt.Sprintf("“from” %s is after “to” %s.", f.From, f.To))
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			f.Problems = append(f.Problems, fmt.Sprintf("Page %q is not a page number: pages are numbered from 1.", p))
		} else {
			f.Page = n
		}
	}
	return f
}

// Active reports whether any filter is set.
func (f filter) Active() bool {
	return f.From != "" || f.To != "" || f.Outlet != "" || f.Tag != "" || f.Place != "" || f.Speaker != "" || f.Lang != "" || f.Q != "" ||
		f.Kind != "" || f.Role != "" || f.Topic != "" || f.Unit != ""
}

// query is the filter as a URL query, with page p.
func (f filter) query(p int) string {
	v := url.Values{}
	for k, s := range map[string]string{"from": f.From, "to": f.To, "outlet": f.Outlet, "tag": f.Tag, "place": f.Place,
		"speaker": f.Speaker, "lang": f.Lang, "q": f.Q, "kind": f.Kind, "role": f.Role, "topic": f.Topic, "unit": f.Unit} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if p > 1 {
		v.Set("page", strconv.Itoa(p))
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// view is everything the template shows.
type view struct {
	Filter filter
	Facets deskdb.Facets
	// Kinds are the speaker kinds the form offers.
	Kinds    []string
	Articles []articleView
	// Groups were carried by several outlets; Singles by one.
	Groups  []groupView
	Singles []groupView
	Series  []seriesView
	Newer   string
	Older   string
	Shown   string
	Error   string
	// Invalid is set when the query could not be read (Filter.Problems):
	// the page shows no results rather than ones that ignore a filter.
	Invalid bool
}

type articleView struct {
	ID, Title, URL, Outlet, Site string
	// Page is the article's page on the desk.
	Page          string
	Date, DateISO string
	Tags, Places  []string
	Paragraphs    [][]segment
	// Snippet is the passage a search matched, matches in <mark>
	// (escaped by the store, see store.SnippetHTML).
	Snippet     template.HTML
	Claims      int
	Highlighted int
}

type groupView struct {
	ID                           string
	Figure, Text, Topic, Speaker string
	First, FirstISO              string
	FirstOutlet, FirstHref       string
	Outlets                      int
	OutletNames                  string
	Members                      []memberView
}

type memberView struct {
	Date, Outlet, Speaker, Figure, Text, Href string
}

type seriesView struct {
	Key                     string
	Points, Groups, Outlets int
	Chart                   chart
	Rows                    []pointRow
}

type pointRow struct {
	Date, Figure, Speaker, Outlet, Places, Href, Colour string
	// Series is the point's legend entry; Hollow as chartPoint's.
	Series int
	Hollow bool
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	f := parseFilter(r.URL.Query())
	var v view
	var err error
	status := http.StatusOK
	if len(f.Problems) > 0 {
		// The form stays usable; the results would not be what was asked.
		v = view{Filter: f, Invalid: true, Kinds: deskdb.SpeakerKinds}
		v.Facets, err = s.desk.Facets(r.Context())
		status = http.StatusBadRequest
	} else {
		v, err = s.build(r.Context(), f)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			return
		}
		s.log.Error("Desk page failed.", zap.String("query", r.URL.RawQuery), zap.Error(err))
		v = view{Filter: f, Error: "The store could not answer; see the desk's log.", Invalid: true}
		status = http.StatusInternalServerError
		if errors.Is(err, store.ErrUnsupported) {
			v.Error = "Search needs a SQLite or PostgreSQL store; this desk reads JSON lines."
			status = http.StatusNotImplemented
		}
	}
	s.write(w, status, s.page, v)
}

// write renders a page of the desk with its headers.
func (s *Server) write(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Everything is served from here: no inline script, no other origin.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'")
	w.WriteHeader(status)
	if err := t.Execute(w, data); err != nil {
		// Headers are out: a failed write means the client went away.
		s.log.Debug("Desk page write.", zap.Error(err))
	}
}

func (s *Server) build(ctx context.Context, f filter) (view, error) {
	v := view{Filter: f, Kinds: deskdb.SpeakerKinds}
	var err error
	if v.Facets, err = s.desk.Facets(ctx); err != nil {
		return v, err
	}
	af := deskdb.ArticleFilter{Since: f.since, Until: f.until, Site: f.Outlet, Tag: f.Tag, Query: f.Q,
		Place: f.Place, Speaker: f.Speaker, Language: f.Lang, Topic: f.Topic, Unit: f.Unit, SpeakerKind: f.Kind, SpeakerRole: f.Role,
		RelevantOnly: true, Limit: PerPage + 1, Offset: (f.Page - 1) * PerPage}
	var arts []schema.ArticleTaggedV1
	snippets := map[string]template.HTML{}
	if f.Q != "" {
		hits, err := s.desk.Search(ctx, af)
		if err != nil {
			return v, err
		}
		for i := range hits {
			arts = append(arts, hits[i].ArticleTaggedV1)
			// The store escaped the text and added only <mark>.
			snippets[hits[i].ID] = template.HTML(hits[i].Snippet) //nolint:gosec // escaped by store.SnippetHTML
		}
	} else {
		var err error
		if arts, err = s.desk.Articles(ctx, af); err != nil {
			return v, err
		}
	}
	if len(arts) > PerPage {
		arts = arts[:PerPage]
		v.Older = f.query(f.Page + 1)
	}
	if f.Page > 1 {
		v.Newer = f.query(f.Page - 1)
	}
	if len(arts) > 0 {
		first := (f.Page-1)*PerPage + 1
		v.Shown = fmt.Sprintf("page %d, articles %d–%d", f.Page, first, first+len(arts)-1)
	}
	lf := deskdb.LedgerFilter{Since: f.since, Until: f.until, Site: f.Outlet, Place: f.Place, Speaker: f.Speaker, Language: f.Lang,
		Topic: f.Topic, Unit: f.Unit, SpeakerKind: f.Kind, SpeakerRole: f.Role}
	gf := lf
	gf.Notable, gf.WithMembers, gf.Limit = true, true, maxGroups
	groups, err := s.desk.LedgerGroups(ctx, gf)
	if err != nil {
		return v, err
	}
	sf := lf
	sf.MinPoints, sf.Limit = 2, maxCharts
	series, err := s.desk.LedgerSeries(ctx, sf)
	if err != nil {
		return v, err
	}

	onPage := map[string]bool{}
	for i := range arts {
		onPage[arts[i].ID] = true
	}
	// A claim links to its highlight: on this page when its article is
	// listed, else on the article's own page.
	href := func(articleID string, claim int, _ string) string {
		if onPage[articleID] {
			return "#" + claimID(articleID, claim)
		}
		return articlePath(articleID) + "#" + claimID(articleID, claim)
	}
	// outlets says, per claim, how many outlets carried its figure.
	outlets := map[string]int{}
	for _, g := range groups {
		if len(g.Outlets) > 1 {
			v.Groups = append(v.Groups, groupOf(&g, href))
		} else {
			v.Singles = append(v.Singles, groupOf(&g, href))
		}
		for _, e := range g.Entries {
			k := claimID(e.ArticleID, e.Claim)
			outlets[k] = max(outlets[k], len(g.Outlets))
		}
	}
	for i := range arts {
		av := articleOf(&arts[i], outlets)
		av.Snippet = snippets[av.ID]
		v.Articles = append(v.Articles, av)
	}
	for i := range series {
		v.Series = append(v.Series, seriesOf(&series[i], func(e *ledger.Entry) string { return href(e.ArticleID, e.Claim, e.URL) }))
	}
	return v, nil
}

// hasValue reports whether v is one of the facets' values: a filter typed
// into the URL ("place=raqqa") gets an option of its own in the form.
func hasValue(fs []deskdb.Facet, v string) bool {
	for _, f := range fs {
		if f.Value == v {
			return true
		}
	}
	return false
}

// articlePath is the article page of id.
func articlePath(id string) string { return "/article/" + url.PathEscape(id) }

// claimID is the HTML id of a claim's highlight.
func claimID(articleID string, claim int) string {
	return "c-" + articleID + "-" + strconv.Itoa(claim)
}

func groupOf(g *ledger.Group, href func(string, int, string) string) groupView {
	gv := groupView{ID: g.ID, Figure: ledger.GroupFigure(g), Text: clip(g.Text, 220), Topic: g.Topic,
		Speaker: g.Speaker, First: g.First.UTC().Format("2 Jan 2006"), FirstISO: g.First.UTC().Format(time.RFC3339),
		FirstOutlet: g.FirstOutlet, FirstHref: href(g.ArticleID, g.Claim, g.FirstURL), Outlets: len(g.Outlets),
		OutletNames: joinComma(g.Outlets)}
	for i := range g.Entries {
		e := &g.Entries[i]
		gv.Members = append(gv.Members, memberView{Date: e.At.UTC().Format("2 Jan 2006 15:04"), Outlet: e.Outlet(),
			Speaker: e.Speaker, Figure: ledger.Figure(e), Text: e.Text, Href: href(e.ArticleID, e.Claim, e.URL)})
	}
	return gv
}

func articleOf(a *schema.ArticleTaggedV1, outlets map[string]int) articleView {
	av := articleView{ID: a.ID, Title: a.Title, URL: a.URL, Page: articlePath(a.ID), Site: ledger.SiteOf(a.CanonicalURL, a.URL), Claims: len(a.Claims)}
	av.Outlet = a.SiteName
	if av.Outlet == "" {
		av.Outlet = av.Site
	}
	if av.Title == "" {
		av.Title = a.URL
	}
	if t := articleDate(a); !t.IsZero() {
		av.Date, av.DateISO = t.UTC().Format("2 Jan 2006 15:04"), t.UTC().Format(time.RFC3339)
	}
	for _, t := range a.Tags {
		av.Tags = append(av.Tags, t.Name)
	}
	for _, e := range a.Entities {
		if e.Kind == "place" {
			av.Places = append(av.Places, e.Name)
		}
	}
	marks := make([]*claimMark, len(a.Claims))
	ids := make([]string, len(a.Claims))
	for i := range a.Claims {
		ids[i] = claimID(a.ID, i)
		marks[i] = &claimMark{Index: i + 1, Tip: claimTip(&a.Claims[i]), Outlets: outlets[ids[i]]}
		if marks[i].Outlets < 2 {
			marks[i].Outlets = 0
		}
	}
	spans := claimSpans(a.Text, a.Claims, marks, ids)
	av.Highlighted = len(spans)
	av.Paragraphs = paragraphs(a.Text, spans)
	return av
}

func articleDate(a *schema.ArticleTaggedV1) time.Time {
	for _, t := range []*time.Time{a.PublishedAt, a.Item.PublishedAt, a.Stages.StoredAt} {
		if t != nil && !t.IsZero() {
			return *t
		}
	}
	return time.Time{}
}

// claimTip says who claimed what, for the highlight's tooltip.
func claimTip(c *schema.Claim) string {
	var parts []string
	who := c.Speaker
	if who == "" {
		who = "The outlet itself"
	}
	if c.Via != "" {
		who += " (via " + c.Via + ")"
	}
	parts = append(parts, who)
	if c.Topic != "" {
		parts = append(parts, "Topic: "+c.Topic)
	}
	var figs []string
	for _, q := range c.Quantities {
		e := ledger.Entry{Quantity: 0, Value: q.Value, Low: q.Low, High: q.High, Unit: q.Unit, Qualifier: q.Qualifier}
		if q.Value != nil || q.Low != nil || q.High != nil {
			figs = append(figs, ledger.Figure(&e))
		}
	}
	if len(figs) > 0 {
		parts = append(parts, "Figures: "+joinComma(figs))
	}
	if len(c.Places) > 0 {
		parts = append(parts, "Places: "+joinComma(c.Places))
	}
	return strings.Join(parts, "\n")
}

func seriesOf(s *ledger.Series, href func(*ledger.Entry) string) seriesView {
	sv := seriesView{Key: s.Key(), Points: len(s.Points), Groups: s.Groups, Outlets: s.Outlets, Chart: layoutChart(s, href)}
	for i := range s.Points {
		p := &s.Points[i]
		cp := &sv.Chart.Points[i]
		sv.Rows = append(sv.Rows, pointRow{Date: p.At.UTC().Format("2 Jan 2006 15:04"), Figure: ledger.Figure(p),
			Speaker: p.Speaker, Outlet: p.Outlet(), Places: joinComma(p.Places), Href: href(p),
			Colour: cp.Colour, Hollow: cp.Hollow, Series: cp.Series})
	}
	return sv
}

func joinComma(s []string) string { return strings.Join(s, ", ") }

// quotable reports whether a claim can go in <q>: one that carries its
// own quotation marks would show them twice.
func quotable(s string) bool { return !strings.ContainsAny(s, "\"“”‘’") }

// clip shortens s to n runes at a word boundary.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// plural writes "1 claim", "3 claims".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
