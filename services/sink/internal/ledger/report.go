package ledger

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsflow/newsflow/services/sink/internal/tabular"
)

// Formats of WriteGroups and WriteSeries.
const (
	FormatTable = "table"
	FormatJSON  = "json"
	FormatCSV   = "csv"
)

// ErrFormat is returned for a format other than table, json or csv.
var ErrFormat = errors.New("ledger: unknown format (want table, json or csv)")

// textWidth is where the table cuts a claim; JSON and CSV keep it whole.
const textWidth = 80

// WriteGroups writes groups as a table (one line per group), JSON lines
// (one Group per line, with its members if loaded) or CSV (one record per
// group).
func WriteGroups(w io.Writer, groups []Group, format string) error {
	switch format {
	case FormatTable:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "FIRST\tOUTLETS\tMEMBERS\tTOPIC\tFIGURE\tSPEAKER\tFIRST OUTLET\tCLAIM")
		for i := range groups {
			g := &groups[i]
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", day(g.First), len(g.Outlets), g.Members,
				tabular.Cell(tabular.OrDash(g.Topic)), tabular.Cell(tabular.OrDash(GroupFigure(g))), tabular.Cell(tabular.OrDash(g.Speaker)), tabular.Cell(g.FirstOutlet),
				tabular.Cell(tabular.Truncate(g.Text, textWidth)))
		}
		return flushed("groups", tw.Flush())
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range groups {
			if err := enc.Encode(&groups[i]); err != nil {
				return fmt.Errorf("ledger: groups: %w", err)
			}
		}
		return nil
	case FormatCSV:
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"group_id", "topic", "unit", "value", "low", "high", "qualifier", "figure", "first_at", "last_at",
			"outlets", "members", "speaker", "first_outlet", "first_url", "places", "outlet_names", "text"})
		for i := range groups {
			g := &groups[i]
			_ = cw.Write([]string{g.ID, g.Topic, g.Unit, numOrEmpty(g.Value), numOrEmpty(g.Low), numOrEmpty(g.High), g.Qualifier,
				GroupFigure(g), g.First.UTC().Format(time.RFC3339), g.Last.UTC().Format(time.RFC3339),
				strconv.Itoa(len(g.Outlets)), strconv.Itoa(g.Members), g.Speaker, g.FirstOutlet, g.FirstURL,
				strings.Join(g.Places, "; "), strings.Join(g.Outlets, "; "), g.Text})
		}
		cw.Flush()
		return flushed("groups", cw.Error())
	default:
		return fmt.Errorf("%w: %q", ErrFormat, format)
	}
}

// WriteSeries writes series as a table (a heading per series, one line
// per point), JSON lines (one Series per line) or CSV (one record per
// point).
func WriteSeries(w io.Writer, series []Series, format string) error {
	switch format {
	case FormatTable:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i := range series {
			s := &series[i]
			if i > 0 {
				fmt.Fprintln(tw)
			}
			fmt.Fprintf(tw, "== %s (%s, %s, %s)\n", s.Key(), count(len(s.Points), "point"), count(s.Groups, "distinct figure"),
				count(s.Outlets, "outlet"))
			fmt.Fprintln(tw, "DATE\tFIGURE\tSPEAKER\tOUTLET\tPLACES\tCLAIM")
			for j := range s.Points {
				p := &s.Points[j]
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", day(p.At), tabular.Cell(Figure(p)), tabular.Cell(tabular.OrDash(p.Speaker)),
					tabular.Cell(p.Outlet()), tabular.Cell(tabular.OrDash(strings.Join(p.Places, ", "))), tabular.Cell(tabular.Truncate(p.Text, textWidth)))
			}
		}
		return flushed("series", tw.Flush())
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range series {
			if err := enc.Encode(&series[i]); err != nil {
				return fmt.Errorf("ledger: series: %w", err)
			}
		}
		return nil
	case FormatCSV:
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"topic", "unit", "at", "value", "low", "high", "qualifier", "figure", "group_id",
			"speaker", "via", "outlet", "article_url", "places", "text"})
		for i := range series {
			s := &series[i]
			for j := range s.Points {
				p := &s.Points[j]
				_ = cw.Write([]string{s.Topic, s.Unit, p.At.UTC().Format(time.RFC3339), numOrEmpty(p.Value), numOrEmpty(p.Low),
					numOrEmpty(p.High), p.Qualifier, Figure(p), p.GroupID, p.Speaker, p.Via, p.Outlet(), p.URL,
					strings.Join(p.Places, "; "), p.Text})
			}
		}
		cw.Flush()
		return flushed("series", cw.Error())
	default:
		return fmt.Errorf("%w: %q", ErrFormat, format)
	}
}

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

// count writes "1 point", "3 points".
func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func numOrEmpty(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

func flushed(what string, err error) error {
	if err != nil {
		return fmt.Errorf("ledger: %s: %w", what, err)
	}
	return nil
}
