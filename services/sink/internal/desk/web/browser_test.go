package web_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/newsflow/newsflow/services/sink/internal/desk/web"
)

// artifactDir keeps the screenshots after the test (git ignores it).
const artifactDir = "testdata/artifacts"

// chromium finds Debian's chromium. The browser test fails without it:
// a desk nobody has seen in a browser is not tested.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: the claim desk's browser test needs Debian's chromium; install it with " +
		"`apt-get install chromium` (as root; .ci/run does it)")
	return ""
}

// pageState is what the test reads from the rendered DOM.
type pageState struct {
	Articles []struct {
		Outlet string `json:"outlet"`
		Time   string `json:"time"`
		Marks  int    `json:"marks"`
	} `json:"articles"`
	Groups []struct {
		Figure  string `json:"figure"`
		Outlets string `json:"outlets"`
		First   string `json:"first"`
		Speaker string `json:"speaker"`
	} `json:"groups"`
	Charts []struct {
		Caption string `json:"caption"`
		Dots    int    `json:"dots"`
		Ranges  int    `json:"ranges"`
		Titles  int    `json:"titles"`
		Width   int    `json:"width"`
		// Legend counts the legend's entries, Series the distinct series
		// of the points, Named the entries naming a speaker and outlet.
		Legend int `json:"legend"`
		Series int `json:"series"`
		Named  int `json:"named"`
	} `json:"charts"`
	JS          bool `json:"js"`
	TipHidden   bool `json:"tipHidden"`
	Overflow    bool `json:"overflow"`
	SideBySide  bool `json:"sideBySide"`
	MarkVisible bool `json:"markVisible"`
}

const readPage = `(() => {
  const q = (el, s) => el.querySelector(s), qa = (el, s) => Array.from(el.querySelectorAll(s));
  const text = (el, s) => { const n = q(el, s); return n ? n.textContent.trim() : ""; };
  const arts = q(document, "#articles"), side = q(document, ".side");
  const mark = q(document, "mark.claim");
  const r = mark ? mark.getBoundingClientRect() : null;
  return {
    articles: qa(document, "#articles article").map(a => ({
      outlet: text(a, ".outlet"), time: (q(a, "time") || {}).dateTime || "", marks: qa(a, "mark.claim").length})),
    groups: qa(document, "#groups tr.group").map(tr => ({
      figure: text(tr, ".figure"), outlets: text(tr, ".outlets"), first: text(tr, ".first a"), speaker: text(tr, ".speaker")})),
    charts: qa(document, "figure.chart").map(f => ({
      caption: text(f, "figcaption"), dots: qa(f, "circle.dot").length, ranges: qa(f, "line.range").length,
      titles: qa(f, "a.pt > title").length, width: Math.round(q(f, "svg").getBoundingClientRect().width),
      legend: qa(f, ".legend li").length, series: new Set(qa(f, "a.pt").map(a => a.dataset.series)).size,
      named: qa(f, ".legend li").filter(li => text(li, ".who").includes(" · ")).length})),
    js: document.documentElement.classList.contains("js"),
    tipHidden: q(document, "#tip").hidden,
    overflow: document.documentElement.scrollWidth > window.innerWidth,
    sideBySide: arts && side ? side.getBoundingClientRect().left > arts.getBoundingClientRect().right - 1 : false,
    markVisible: !!r && r.width > 0 && r.height > 0,
  };
})()`

func read(t *testing.T, ctx context.Context) pageState {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](readPage))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	var s pageState
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return s
}

func saveShot(t *testing.T, name string, png []byte) {
	t.Helper()
	if err := os.MkdirAll(artifactDir, 0o755); err != nil {
		t.Fatal(err)
	}
	path, err := filepath.Abs(filepath.Join(artifactDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d KB)", path, len(png)/1024)
}

// TestDeskInChromium loads the desk in headless chromium against a store
// holding the bundled recording as the pipeline tagged it, plus the
// repeats of seed figures (see deskServer), on a laptop-sized window. It
// checks the article list, a claim group, the charts and their hover
// tooltip, saves screenshots, then reloads with JavaScript off and checks
// the same content is there.
func TestDeskInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a browser test; make test runs it")
	}
	exe := chromium(t)
	base := deskServer(t)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 860))
	defer cancelAlloc()
	bctx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1366, 860),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#articles article")),
	)
	if err != nil {
		t.Fatalf("load the desk in chromium: %v", err)
	}
	s := read(t, bctx)

	// The article list: a page of relevant articles, newest first, claims
	// highlighted and visible.
	if len(s.Articles) != web.PerPage {
		t.Errorf("%d articles listed, want %d", len(s.Articles), web.PerPage)
	}
	var times []string
	marks := 0
	for _, a := range s.Articles {
		times = append(times, a.Time)
		marks += a.Marks
		if a.Outlet == "" || a.Time == "" {
			t.Errorf("article without outlet or date: %+v", a)
		}
	}
	if !slices.IsSortedFunc(times, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("articles not newest first: %v", times)
	}
	if marks < 20 || !s.MarkVisible {
		t.Errorf("%d claims highlighted (first visible: %v)", marks, s.MarkVisible)
	}

	// A claim group: 95 percent of territory, three outlets, first MINA
	// News, Stoltenberg and Mattis.
	found := false
	for _, g := range s.Groups {
		if g.Figure == "95 percent" && g.Outlets == "3" {
			found = true
			if g.First != "MINA News" || !strings.Contains(g.Speaker, "Stoltenberg") {
				t.Errorf("95 percent group: first %q, speaker %q", g.First, g.Speaker)
			}
		}
	}
	if !found {
		t.Errorf("no 95 percent group with 3 outlets among %d groups", len(s.Groups))
	}
	for i := 1; i < len(s.Groups); i++ {
		prev, _ := strconv.Atoi(s.Groups[i-1].Outlets)
		cur, err := strconv.Atoi(s.Groups[i].Outlets)
		if err != nil || cur > prev {
			t.Errorf("groups not most carried first: %q after %q", s.Groups[i].Outlets, s.Groups[i-1].Outlets)
		}
	}

	// Charts: one per series, a point per claim, the UN range as a range.
	ranges, territory := 0, -1
	for i, c := range s.Charts {
		ranges += c.Ranges
		if c.Dots+c.Ranges < 2 || c.Titles != c.Dots+c.Ranges || c.Width < 300 {
			t.Errorf("chart %q: %d dots, %d ranges, %d tooltips, %d px wide", c.Caption, c.Dots, c.Ranges, c.Titles, c.Width)
		}
		if strings.HasPrefix(c.Caption, "territory · percent") {
			territory = i
		}
		// A series per claim group, each named in the legend with who
		// said it and where.
		if c.Legend != c.Series || c.Named != c.Legend {
			t.Errorf("chart %q: %d legend entries (%d naming speaker and outlet) for %d series", c.Caption, c.Legend, c.Named, c.Series)
		}
	}
	if territory < 0 || ranges == 0 {
		t.Errorf("charts %d (territory · percent at %d), %d ranges", len(s.Charts), territory, ranges)
	}
	if !s.JS || s.Overflow || !s.SideBySide {
		t.Errorf("script ran %v, horizontal overflow %v, two columns on a laptop screen %v", s.JS, s.Overflow, s.SideBySide)
	}

	viewport, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "desk-laptop.png", viewport)

	// Hover a point of the territory chart: the tooltip names its source.
	type box struct{ X, Y float64 }
	raw, err := chromedp.Run(bctx, chromedp.Evaluate[[]byte](`(() => {
	  const f = Array.from(document.querySelectorAll("figure.chart"))
	    .find(f => f.querySelector("figcaption").textContent.startsWith("territory · percent"));
	  const p = f.querySelector("a.pt circle");
	  p.scrollIntoView({block: "center"});
	  const r = p.getBoundingClientRect();
	  return {X: r.left + r.width / 2, Y: r.top + r.height / 2};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	var at box
	if err := json.Unmarshal(raw, &at); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.MouseEvent(chromedp.MouseMoved, at.X, at.Y)); err != nil {
		t.Fatal(err)
	}
	tip, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(() => { const t = document.getElementById("tip"); return t.hidden ? "" : t.textContent; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tip, "percent") || !strings.Contains(tip, "2025") || !strings.Contains(tip, "Said by: ") ||
		!strings.Contains(tip, "Outlet: ") || !strings.Contains(tip, "(claim ") {
		t.Errorf("hovering a point shows %q, want its date, figure, series, speaker and outlet", tip)
	}
	hover, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "desk-chart-hover.png", hover)

	// The chart with the most series, its legend under it, for the docs
	// (docs/img/desk-chart.png is a copy).
	most, err := chromedp.Run(bctx, chromedp.Evaluate[int](`(() => {
	  document.getElementById("tip").hidden = true;
	  const f = Array.from(document.querySelectorAll("figure.chart"))
	    .reduce((a, b) => b.querySelectorAll(".legend li").length > a.querySelectorAll(".legend li").length ? b : a);
	  f.id = "most-series";
	  f.scrollIntoView({block: "center"});
	  return f.querySelectorAll(".legend li").length;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if most < 3 {
		t.Errorf("the chart with the most series has %d: the fixture's members · countries claims should give several", most)
	}
	chartShot, err := chromedp.Run(bctx, chromedp.Screenshot(chromedp.CSS("#most-series")))
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "desk-chart.png", chartShot)
	full, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "desk-full.png", full)

	// Filters: chosen in the form and submitted, they land in the URL (a
	// view to share) and narrow the articles, groups and charts.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`(() => {
	  const f = document.getElementById("filters");
	  f.querySelector("select[name=kind]").value = "person";
	  f.querySelector("select[name=role]").value = "coalition";
	  f.querySelector("select[name=topic]").value = "territory";
	  f.requestSubmit();
	  return true; })()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.WaitReady(chromedp.CSS(`select[name=kind] option[value=person][selected]`))); err != nil {
		t.Fatalf("filtered page: %v", err)
	}
	raw, err = chromedp.Run(bctx, chromedp.Evaluate[[]byte](`(() => ({
	  url: location.search,
	  articles: document.querySelectorAll("#articles article").length,
	  charts: Array.from(document.querySelectorAll("figure.chart figcaption strong")).map(s => s.textContent),
	  speakers: Array.from(document.querySelectorAll("figure.chart .legend .who")).map(w => w.textContent),
	}))()`))
	if err != nil {
		t.Fatal(err)
	}
	var filtered struct {
		URL      string
		Articles int
		Charts   []string
		Speakers []string
	}
	if err := json.Unmarshal(raw, &filtered); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(filtered.URL, "kind=person") || !strings.Contains(filtered.URL, "role=coalition") ||
		!strings.Contains(filtered.URL, "topic=territory") || filtered.Articles == 0 || filtered.Articles >= len(s.Articles)+3 {
		t.Errorf("filters in the browser: %+v", filtered)
	}
	for _, c := range filtered.Charts {
		if !strings.HasPrefix(c, "territory · ") {
			t.Errorf("topic=territory shows a chart of %q", c)
		}
	}
	for _, w := range filtered.Speakers {
		if !strings.Contains(w, "Mattis") {
			t.Errorf("kind=person&role=coalition: a series said by %q", w)
		}
	}
	shot, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "desk-filter.png", shot)

	// Search: typed into the form's box and submitted, the results are
	// the matching articles, each with its passage, the words marked.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`(() => {
	  document.querySelector("#filters input[name=q]").value = 'raqqa -mosul';
	  document.getElementById("filters").requestSubmit();
	  return true; })()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("#articles article p.snippet mark"))); err != nil {
		t.Fatalf("search results: %v", err)
	}
	raw, err = chromedp.Run(bctx, chromedp.Evaluate[[]byte](`(() => ({
	  url: location.search, box: document.querySelector("#filters input[name=q]").value,
	  articles: document.querySelectorAll("#articles article").length,
	  snippets: document.querySelectorAll("#articles article p.snippet").length,
	  marks: Array.from(document.querySelectorAll("#articles p.snippet mark")).map(m => m.textContent.toLowerCase()),
	}))()`))
	if err != nil {
		t.Fatal(err)
	}
	var searched struct {
		URL, Box           string
		Articles, Snippets int
		Marks              []string
	}
	if err := json.Unmarshal(raw, &searched); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(searched.URL, "q=raqqa+-mosul") || searched.Box != "raqqa -mosul" || searched.Articles == 0 ||
		searched.Articles >= len(s.Articles)+3 || searched.Snippets != searched.Articles || !slices.Contains(searched.Marks, "raqqa") {
		t.Errorf("search in the browser: %+v", searched)
	}
	shot, err = chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "desk-search.png", shot)

	// The first result's title opens its article page: the text with the
	// claims highlighted, each claim explained beside it.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`(() => {
	  document.querySelector("#articles article h3 a").click(); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("#claims .claim-list li"))); err != nil {
		t.Fatalf("article page: %v", err)
	}
	raw, err = chromedp.Run(bctx, chromedp.Evaluate[[]byte](`(() => ({
	  path: location.pathname, title: document.querySelector("h2.title").textContent,
	  marks: document.querySelectorAll(".article.full mark.claim").length,
	  explained: document.querySelectorAll("#claims .claim-list li").length,
	  speakers: document.querySelectorAll("#claims dd.speaker").length,
	  original: (document.querySelector(".article.full a.original") || {}).href || "",
	  overflow: document.documentElement.scrollWidth > window.innerWidth,
	}))()`))
	if err != nil {
		t.Fatal(err)
	}
	var art struct {
		Path, Title, Original      string
		Marks, Explained, Speakers int
		Overflow                   bool
	}
	if err := json.Unmarshal(raw, &art); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(art.Path, "/article/") || art.Title == "" || art.Marks == 0 || art.Explained < art.Marks ||
		art.Speakers != art.Explained || !strings.HasPrefix(art.Original, "http") || art.Overflow {
		t.Errorf("article page in the browser: %+v", art)
	}
	shot, err = chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "desk-article.png", shot)

	// Without JavaScript the same page is there: server-rendered HTML and
	// SVG, native tooltips, nothing missing.
	err = chromedp.Do(bctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}),
		chromedp.Navigate(base+"/?page=1"),
		chromedp.WaitVisible(chromedp.CSS("#articles article")),
	)
	if err != nil {
		t.Fatal(err)
	}
	nojs := read(t, bctx)
	if nojs.JS {
		t.Error("the script ran with JavaScript disabled")
	}
	if len(nojs.Articles) != len(s.Articles) || len(nojs.Groups) != len(s.Groups) || len(nojs.Charts) != len(s.Charts) || !nojs.TipHidden {
		t.Errorf("without JavaScript: %d articles, %d groups, %d charts (with: %d, %d, %d)",
			len(nojs.Articles), len(nojs.Groups), len(nojs.Charts), len(s.Articles), len(s.Groups), len(s.Charts))
	}
	shot, err = chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "desk-nojs.png", shot)

	// On a phone the filter form, the charts and their legends fit the
	// width: nothing scrolls sideways.
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/?kind=person&topic=territory"),
		chromedp.WaitVisible(chromedp.CSS("figure.chart .legend li")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if phone := read(t, bctx); phone.Overflow || len(phone.Charts) == 0 {
		wide, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("body *"))
		  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
		  .slice(0, 6).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join("; ")`))
		t.Errorf("at 390 px: horizontal overflow %v, %d charts; too wide: %s", phone.Overflow, len(phone.Charts), wide)
	}
	shot, err = chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "desk-phone.png", shot)
}
