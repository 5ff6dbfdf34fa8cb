package web

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
)

// The chart's drawing area, in SVG user units; the SVG scales to its box.
const (
	chartW      = 560
	chartH      = 210
	chartLeft   = 64
	chartRight  = 14
	chartTop    = 12
	chartBottom = 30
	// paletteSize is how many group colours the stylesheet defines.
	paletteSize = 8
)

// chart is a series laid out for the template: every coordinate is
// computed here so the template only writes elements.
type chart struct {
	W, H           int
	Left, Right    float64
	Top, Bottom    float64
	XTicks, YTicks []tick
	Points         []chartPoint
	// Lines join the points of each claim group, one per Legend entry
	// with two points or more.
	Lines []chartLine
	// Legend names the chart's series: one per claim group, in the order
	// their first claims were made.
	Legend []legendItem
	Label  string // for screen readers
	// Note says when the value axis does not start at zero.
	Note string
}

type tick struct {
	Pos   float64
	Label string
}

// chartPoint is one claim: a dot, or for a range a vertical bar with caps.
type chartPoint struct {
	X, Y   float64
	Y1, Y2 float64 // the range's ends (Y1 low, on screen lower)
	Range  bool
	// Colour is the css class g0..g7 of the point's series; Hollow marks
	// the series past the eighth, drawn as rings of the same colours.
	Colour     string
	Hollow     bool
	Series     int // the legend entry, from 1
	Tip        string
	Href       string
	CapL, CapR float64
}

// chartLine joins one series' points, as SVG polyline points.
type chartLine struct {
	Colour, Points string
}

// legendItem is one series of a chart: a claim group, named by its first
// figure and words, with who said it and where.
type legendItem struct {
	N             int
	Colour        string
	Hollow        bool
	Figure, Text  string
	Speakers      string
	Outlets       string
	Points        int
	GroupID, Href string
	outletsSeen   map[string]bool
	speakersSeen  map[string]bool
	outletList    []string
	speakerList   []string
	linePts       []string
}

// maxLegendNames bounds the speakers and outlets a legend entry names.
const maxLegendNames = 3

// seriesOrder numbers the claim groups of s from 0 in the order their
// first claims were made (the points are in time order): the chart's
// series, its legend and the table behind it use the same numbers.
func seriesOrder(s *ledger.Series) map[string]int {
	order := map[string]int{}
	for i := range s.Points {
		if _, ok := order[s.Points[i].GroupID]; !ok {
			order[s.Points[i].GroupID] = len(order)
		}
	}
	return order
}

// seriesColour is series i's css colour class and whether it is drawn
// hollow: eight colours, then the same as rings.
func seriesColour(i int) (string, bool) {
	return "g" + strconv.Itoa(i%paletteSize), (i/paletteSize)%2 == 1
}

// layoutChart places the points of s, one series per claim group. href
// gives each point's link (the claim on this page, else the article).
func layoutChart(s *ledger.Series, href func(*ledger.Entry) string) chart {
	c := chart{W: chartW, H: chartH, Left: chartLeft, Right: chartW - chartRight, Top: chartTop, Bottom: chartH - chartBottom,
		Label: "Chart of " + s.Key() + " over time, " + strconv.Itoa(len(s.Points)) + " claims"}
	if len(s.Points) == 0 {
		return c
	}
	order := seriesOrder(s)
	c.Legend = make([]legendItem, len(order))
	t0, t1 := s.Points[0].At, s.Points[0].At
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range s.Points {
		p := &s.Points[i]
		if p.At.Before(t0) {
			t0 = p.At
		}
		if p.At.After(t1) {
			t1 = p.At
		}
		for _, v := range values(p) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	// Counts start at zero, so a change looks as big as it is, unless
	// every figure is close to the others (95, 98, 100 percent): then the
	// axis starts near them, and says so, or the change would not show.
	ymin, ymax := math.Min(0, lo), hi
	if s.Unit == "percent" && hi <= 100 {
		ymax = 100
	}
	if lo > 0 && hi > lo && lo > 0.6*hi {
		pad := (hi - lo) / 3
		ymin, ymax = lo-pad, hi+pad
		if s.Unit == "percent" && hi <= 100 {
			ymax = math.Min(ymax, 100)
		}
	}
	step, ymin, ymax := niceScale(ymin, ymax)
	if ymin > 0 {
		c.Note = "value axis starts at " + axisNumber(ymin)
	}
	span := t1.Sub(t0)
	if span < 24*time.Hour {
		// A day either side, so points of one day sit in the middle.
		t0, t1 = t0.Add(-12*time.Hour), t1.Add(12*time.Hour)
		span = t1.Sub(t0)
	}
	pad := span / 20
	t0, t1 = t0.Add(-pad), t1.Add(pad)
	x := func(t time.Time) float64 {
		return c.Left + (c.Right-c.Left)*float64(t.Sub(t0))/float64(t1.Sub(t0))
	}
	y := func(v float64) float64 {
		return c.Bottom - (c.Bottom-c.Top)*(v-ymin)/(ymax-ymin)
	}
	for v := ymin; v <= ymax+step/1e6; v += step {
		c.YTicks = append(c.YTicks, tick{Pos: round1(y(v)), Label: axisNumber(v)})
	}
	layout, unit := dateLayout(t1.Sub(t0))
	for i := range 4 {
		t := t0.Add(pad + time.Duration(float64(t1.Sub(t0)-2*pad)*float64(i)/3))
		if unit > 0 {
			t = t.Round(unit) // on the hour or the day: easier to read
		}
		label := t.UTC().Format(layout)
		if n := len(c.XTicks); n > 0 && c.XTicks[n-1].Label == label {
			continue
		}
		c.XTicks = append(c.XTicks, tick{Pos: round1(x(t)), Label: label})
	}
	var prev *chartPoint
	for i := range s.Points {
		p := &s.Points[i]
		n := order[p.GroupID]
		li := &c.Legend[n]
		if li.N == 0 {
			li.N, li.GroupID, li.Href = n+1, p.GroupID, href(p)
			li.Colour, li.Hollow = seriesColour(n)
			li.Figure, li.Text = ledger.Figure(p), clip(p.Text, 110)
			li.outletsSeen, li.speakersSeen = map[string]bool{}, map[string]bool{}
		}
		li.Points++
		if o := p.Outlet(); !li.outletsSeen[o] {
			li.outletsSeen[o] = true
			li.outletList = append(li.outletList, o)
		}
		if who := speakerOf(p); !li.speakersSeen[who] {
			li.speakersSeen[who] = true
			li.speakerList = append(li.speakerList, who)
		}
		cp := chartPoint{X: x(p.At), Colour: li.Colour, Hollow: li.Hollow, Series: li.N, Tip: pointTip(p, li.N, len(order)), Href: href(p)}
		if p.IsRange() {
			cp.Range = true
			cp.Y1, cp.Y2 = y(*p.Low), y(*p.High)
			cp.Y = (cp.Y1 + cp.Y2) / 2
		} else {
			cp.Y = y(p.Point())
		}
		// Claims of the same figure a few hours apart would hide each
		// other: step them aside so each can be hovered.
		if prev != nil && math.Abs(cp.X-prev.X) < 7 && math.Abs(cp.Y-prev.Y) < 7 {
			cp.X = prev.X + 7
		}
		cp.X, cp.Y, cp.Y1, cp.Y2 = round1(cp.X), round1(cp.Y), round1(cp.Y1), round1(cp.Y2)
		cp.CapL, cp.CapR = cp.X-5, cp.X+5
		c.Points = append(c.Points, cp)
		prev = &c.Points[len(c.Points)-1]
		li.linePts = append(li.linePts, strconv.FormatFloat(cp.X, 'f', -1, 64)+","+strconv.FormatFloat(cp.Y, 'f', -1, 64))
	}
	for i := range c.Legend {
		li := &c.Legend[i]
		li.Outlets, li.Speakers = namesUpTo(li.outletList), namesUpTo(li.speakerList)
		if len(li.linePts) > 1 {
			c.Lines = append(c.Lines, chartLine{Colour: li.Colour, Points: strings.Join(li.linePts, " ")})
		}
	}
	return c
}

// namesUpTo joins the first maxLegendNames names, saying how many more.
func namesUpTo(names []string) string {
	if len(names) <= maxLegendNames {
		return joinComma(names)
	}
	return joinComma(names[:maxLegendNames]) + " and " + strconv.Itoa(len(names)-maxLegendNames) + " more"
}

// speakerOf is who made the claim, as the tooltip and legend say it.
func speakerOf(p *ledger.Entry) string {
	who := p.Speaker
	if who == "" {
		who = "the outlet itself"
	}
	if p.Via != "" {
		who += " (via " + p.Via + ")"
	}
	return who
}

// values are the numbers a point spans.
func values(p *ledger.Entry) []float64 {
	if p.IsRange() {
		return []float64{*p.Low, *p.High}
	}
	return []float64{p.Point()}
}

// niceScale returns a tick step of 1, 2, 2.5 or 5 times a power of ten
// giving about four intervals, and the axis's ends on steps.
func niceScale(lo, hi float64) (step, bottom, top float64) {
	if hi <= lo {
		hi = lo + 1
	}
	rough := (hi - lo) / 4
	mag := math.Pow(10, math.Floor(math.Log10(rough)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= rough {
			step = m * mag
			break
		}
	}
	bottom = math.Floor(lo/step+1e-9) * step
	top = math.Ceil(hi/step-1e-9) * step
	return step, bottom, top
}

// axisNumber writes an axis label short: 18k, 2.5M.
func axisNumber(v float64) string {
	abs := math.Abs(v)
	switch {
	case abs >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', -1, 64) + "B"
	case abs >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case abs >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// dateLayout picks how to write dates on an axis spanning d, and the
// unit ticks are rounded to (0: none).
func dateLayout(d time.Duration) (string, time.Duration) {
	switch {
	case d > 2*365*24*time.Hour:
		return "2006", 0
	case d > 60*24*time.Hour:
		return "Jan 2006", 0
	case d > 3*24*time.Hour:
		return "2 Jan 2006", 24 * time.Hour
	}
	return "2 Jan 15:04", time.Hour
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// pointTip is what hovering a point shows: date, figure and its series
// (claim n of the legend's m), who said it, the outlet, where.
func pointTip(p *ledger.Entry, n, m int) string {
	s := p.At.UTC().Format("2 Jan 2006 15:04") + " · " + ledger.Figure(p) + " (claim " + strconv.Itoa(n) + " of " + strconv.Itoa(m) + ")"
	s += "\nSaid by: " + speakerOf(p) + "\nOutlet: " + p.Outlet() + " · " + p.Title
	if len(p.Places) > 0 {
		s += "\nPlaces: " + joinComma(p.Places)
	}
	return s + "\n“" + clip(p.Text, 160) + "”"
}
