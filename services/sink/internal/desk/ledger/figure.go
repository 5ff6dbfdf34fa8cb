package ledger

import (
	"math"
	"strconv"
	"strings"
)

// Figure renders an entry's number for people: "95 percent",
// "14,000–18,000 militants", "4 million people (approximately)".
func Figure(e *Entry) string {
	if !e.Numeric() {
		return ""
	}
	var s string
	if e.IsRange() {
		s = Number(*e.Low) + "–" + Number(*e.High)
	} else {
		s = Number(e.Point())
	}
	if e.Unit != "" {
		s += " " + e.Unit
	}
	if q := e.Qualifier; q != "" && q != "exact" && q != "range" {
		s += " (" + q + ")"
	}
	return s
}

// GroupFigure is the figure of the group's first appearance.
func GroupFigure(g *Group) string {
	a := g.Anchor()
	return Figure(&a)
}

// Number writes a number as a reader would: 95, 41,000, 2.3 million.
func Number(f float64) string {
	abs := math.Abs(f)
	switch {
	case abs >= 1e9 && isRound(f/1e9):
		return strconv.FormatFloat(f/1e9, 'f', -1, 64) + " billion"
	case abs >= 1e6 && isRound(f/1e6):
		return strconv.FormatFloat(f/1e6, 'f', -1, 64) + " million"
	case abs >= 1000 && f == math.Trunc(f):
		return thousands(int64(f))
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// isRound: at most two decimals, so "2.3 million" but not "2.34567 million".
func isRound(f float64) bool { return math.Abs(f*100-math.Round(f*100)) < 1e-9 }

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
