package web

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
)

// render writes paragraphs as text with [claim] brackets and | between
// paragraphs.
func render(ps [][]segment) string {
	var parts []string
	for _, p := range ps {
		var b strings.Builder
		for _, s := range p {
			if s.Claim != nil {
				b.WriteString("[" + s.Text + "]")
				if s.ID != "" {
					b.WriteString("#" + s.ID)
				}
				continue
			}
			b.WriteString(s.Text)
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "|")
}

func TestHighlight(t *testing.T) {
	t.Parallel()
	text := "Intro line.\nMattis said 95 percent is liberated. Then more.\n\nA claim that runs\nover two lines. End."
	tests := []struct {
		name   string
		claims []schema.Claim
		want   string
	}{
		{"at its offset", []schema.Claim{{Text: "95 percent is liberated", Offset: 24}},
			"Intro line.|Mattis said [95 percent is liberated]#c0. Then more.|A claim that runs|over two lines. End."},
		{"wrong offset: found by text", []schema.Claim{{Text: "Then more.", Offset: 3}},
			"Intro line.|Mattis said 95 percent is liberated. [Then more.]#c0|A claim that runs|over two lines. End."},
		{"not in the text: not highlighted", []schema.Claim{{Text: "absent", Offset: -1}},
			"Intro line.|Mattis said 95 percent is liberated. Then more.|A claim that runs|over two lines. End."},
		{"over a newline: both parts, id on the first", []schema.Claim{{Text: "runs\nover two", Offset: -1}},
			"Intro line.|Mattis said 95 percent is liberated. Then more.|A claim that [runs]#c0|[over two] lines. End."},
		{"overlapping: the first kept", []schema.Claim{{Text: "Mattis said 95 percent", Offset: 12}, {Text: "95 percent is liberated", Offset: 24}},
			"Intro line.|[Mattis said 95 percent]#c0 is liberated. Then more.|A claim that runs|over two lines. End."},
		{"in order whatever the claims' order", []schema.Claim{{Text: "End.", Offset: -1}, {Text: "Intro", Offset: 0}},
			"[Intro]#c1 line.|Mattis said 95 percent is liberated. Then more.|A claim that runs|over two lines. [End.]#c0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			marks := make([]*claimMark, len(tc.claims))
			ids := make([]string, len(tc.claims))
			for i := range marks {
				marks[i] = &claimMark{Index: i + 1}
				ids[i] = "c" + string(rune('0'+i))
			}
			if got := render(paragraphs(text, claimSpans(text, tc.claims, marks, ids))); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestNiceScale(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ lo, hi, step, bottom, top float64 }{
		{0, 100, 25, 0, 100},
		{0, 8e6, 2e6, 0, 8e6},
		{93.3, 100, 2, 92, 100},
		{0, 18000, 5000, 0, 20000},
		{5, 5, 0.25, 5, 6},
	} {
		step, bottom, top := niceScale(tc.lo, tc.hi)
		if step != tc.step || bottom != tc.bottom || top != tc.top {
			t.Errorf("niceScale(%v, %v) = %v, %v, %v; want %v, %v, %v", tc.lo, tc.hi, step, bottom, top, tc.step, tc.bottom, tc.top)
		}
	}
}

func TestLayoutChart(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	v := func(f float64) *float64 { return &f }
	s := ledger.Series{Topic: "fighters", Unit: "militants", Points: []ledger.Entry{
		{At: at, Quantity: 0, Low: v(14000), High: v(18000), Unit: "militants", GroupID: "a", Site: "x"},
		{At: at.Add(48 * time.Hour), Quantity: 0, Value: v(30000), Unit: "militants", GroupID: "b", Site: "y"},
	}}
	c := layoutChart(&s, func(*ledger.Entry) string { return "#x" })
	if len(c.Points) != 2 || !c.Points[0].Range || c.Points[1].Range {
		t.Fatalf("points %+v", c.Points)
	}
	r := c.Points[0]
	if !(r.Y1 > r.Y2) || r.Y1 > c.Bottom || r.Y2 < c.Top {
		t.Errorf("range drawn from %v to %v, inside %v..%v", r.Y1, r.Y2, c.Top, c.Bottom)
	}
	if c.Points[1].X <= r.X || c.Points[1].Y >= r.Y2 {
		t.Errorf("the later, larger figure is not right of and above the range: %+v", c.Points)
	}
	if c.Note != "" || c.YTicks[0].Label != "0" {
		t.Errorf("counts far apart should start at 0: note %q, first tick %q", c.Note, c.YTicks[0].Label)
	}
	s.Points[0].Low, s.Points[0].High, s.Points[0].Value = nil, nil, v(95)
	s.Points[1].Value, s.Unit = v(100), "percent"
	c = layoutChart(&s, func(*ledger.Entry) string { return "" })
	if c.Note == "" || c.Points[0].Y-c.Points[1].Y < 50 {
		t.Errorf("95 and 100 percent: note %q, %v px apart; the change should show", c.Note, c.Points[0].Y-c.Points[1].Y)
	}
}

// TestChartSeriesPerGroup: distinct figures on one chart ("73 members",
// "69 countries", "35 countries took part", as the issue found them on one
// series of members · countries) are series of their own, each named in
// the legend with who said it and where, its points joined by a line
// and each point's tooltip naming the speaker and the outlet.
func TestChartSeriesPerGroup(t *testing.T) {
	t.Parallel()
	at := time.Date(2017, 7, 1, 0, 0, 0, 0, time.UTC)
	v := func(f float64) *float64 { return &f }
	pt := func(day int, val float64, group, speaker, site, text string) ledger.Entry {
		return ledger.Entry{At: at.Add(time.Duration(day) * 24 * time.Hour), Quantity: 0, Value: v(val), Unit: "countries",
			GroupID: group, Speaker: speaker, Site: site, SiteName: site, Title: "t", Text: text}
	}
	s := ledger.Series{Topic: "members", Unit: "countries", Points: []ledger.Entry{
		pt(0, 73, "members73", "Brett McGurk", "Gulf Times", "The coalition has 73 members"),
		pt(1, 69, "countries69", "", "Asian Lite", "69 countries have joined"),
		pt(2, 73, "members73", "Brett McGurk", "MINA News", "The coalition has 73 members"),
		pt(3, 35, "took35", "a spokesman", "Rome Wire", "35 countries took part in the exercise"),
	}}
	c := layoutChart(&s, func(*ledger.Entry) string { return "#x" })
	if len(c.Legend) != 3 {
		t.Fatalf("legend %+v, want one entry per claim group", c.Legend)
	}
	want := []struct{ figure, speakers, outlets string }{
		{"73 countries", "Brett McGurk", "Gulf Times, MINA News"},
		{"69 countries", "the outlet itself", "Asian Lite"},
		{"35 countries", "a spokesman", "Rome Wire"},
	}
	for i, w := range want {
		li := c.Legend[i]
		if li.N != i+1 || li.Figure != w.figure || li.Speakers != w.speakers || li.Outlets != w.outlets {
			t.Errorf("legend %d: %+v, want %+v", i, li, w)
		}
		if li.Colour != "g"+strconv.Itoa(i) {
			t.Errorf("legend %d colour %s: each series its own", i, li.Colour)
		}
	}
	if c.Legend[0].Points != 2 || len(c.Lines) != 1 || c.Lines[0].Colour != c.Legend[0].Colour || strings.Count(c.Lines[0].Points, ",") != 2 {
		t.Errorf("lines %+v: one line, joining the two 73 members claims only", c.Lines)
	}
	for i, series := range []int{1, 2, 1, 3} {
		if c.Points[i].Series != series || c.Points[i].Colour != c.Legend[series-1].Colour {
			t.Errorf("point %d in series %d (%s), want %d", i, c.Points[i].Series, c.Points[i].Colour, series)
		}
	}
	if tip := c.Points[2].Tip; !strings.Contains(tip, "Said by: Brett McGurk") || !strings.Contains(tip, "Outlet: MINA News") ||
		!strings.Contains(tip, "(claim 1 of 3)") {
		t.Errorf("tip %q: want the speaker, the outlet and the series", tip)
	}
	// Past eight series the colours come again, as rings.
	for i := range 6 {
		s.Points = append(s.Points, pt(4+i, float64(10+i), "more"+strconv.Itoa(i), "x", "y", "z"))
	}
	c = layoutChart(&s, func(*ledger.Entry) string { return "" })
	if len(c.Legend) != 9 || c.Legend[7].Hollow || !c.Legend[8].Hollow || c.Legend[8].Colour != "g0" {
		t.Errorf("nine series: %+v", c.Legend)
	}
}

func TestArticlePageSaysWhereDatesCameFrom(t *testing.T) {
	pub := time.Date(2017, 7, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		a          schema.ArticleTaggedV1
		wantSource string
		wantExtr   string
		wantLow    bool
	}{
		{"json-ld, sure", schema.ArticleTaggedV1{PublishedAt: &pub, PublishedSource: "json-ld",
			Extraction: &schema.Extraction{Confidence: 0.91, Method: "dom"}}, "the page's JSON-LD", "0.91 confidence, method dom", false},
		{"feed, unsure", schema.ArticleTaggedV1{PublishedAt: &pub, PublishedSource: "feed",
			Extraction: &schema.Extraction{Confidence: 0.3, Method: "fallback"}}, "the feed item (the page names no date)", "0.30 confidence, method fallback", true},
		{"before 1.3", schema.ArticleTaggedV1{PublishedAt: &pub}, "the page's metadata or the feed", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := articlePageOf(&tc.a)
			if len(p.Dates) == 0 || p.Dates[0].Label != "Published" || p.Dates[0].Source != tc.wantSource {
				t.Fatalf("dates %+v, want Published from %q", p.Dates, tc.wantSource)
			}
			if p.Extraction != tc.wantExtr || p.LowConfidence != tc.wantLow {
				t.Errorf("extraction %q low %v, want %q %v", p.Extraction, p.LowConfidence, tc.wantExtr, tc.wantLow)
			}
		})
	}
}
