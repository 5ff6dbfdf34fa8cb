package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
)

// textWidth is where the table cuts a claim; JSON and CSV keep it whole.
const textWidth = 80

// WriteGroups writes groups as a table (one line per group), JSON lines
// (one Group per line, with its members if loaded) or CSV (one record per
// group).
func WriteGroups(w io.Writer, groups []ledger.Group, format string) error {
	switch format {
	case Table:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "FIRST\tOUTLETS\tMEMBERS\tTOPIC\tFIGURE\tSPEAKER\tFIRST OUTLET\tCLAIM")
		for i := range groups {
			g := &groups[i]
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", minute(g.First), len(g.Outlets), g.Members,
				cell(orDash(g.Topic)), cell(orDash(ledger.GroupFigure(g))), cell(orDash(g.Speaker)), cell(g.FirstOutlet),
				cell(truncate(g.Text, textWidth)))
		}
		return flushed("groups", tw.Flush())
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range groups {
			if err := enc.Encode(&groups[i]); err != nil {
				return fmt.Errorf("ledger: groups: %w", err)
			}
		}
		return nil
	case CSV:
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"group_id", "topic", "unit", "value", "low", "high", "qualifier", "figure", "first_at", "last_at",
			"outlets", "members", "speaker", "first_outlet", "first_url", "places", "outlet_names", "text"})
		for i := range groups {
			g := &groups[i]
			_ = cw.Write([]string{g.ID, g.Topic, g.Unit, numOrEmpty(g.Value), numOrEmpty(g.Low), numOrEmpty(g.High), g.Qualifier,
				ledger.GroupFigure(g), g.First.UTC().Format(time.RFC3339), g.Last.UTC().Format(time.RFC3339),
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
func WriteSeries(w io.Writer, series []ledger.Series, format string) error {
	switch format {
	case Table:
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
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", minute(p.At), cell(ledger.Figure(p)), cell(orDash(p.Speaker)),
					cell(p.Outlet()), cell(orDash(strings.Join(p.Places, ", "))), cell(truncate(p.Text, textWidth)))
			}
		}
		return flushed("series", tw.Flush())
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range series {
			if err := enc.Encode(&series[i]); err != nil {
				return fmt.Errorf("ledger: series: %w", err)
			}
		}
		return nil
	case CSV:
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"topic", "unit", "at", "value", "low", "high", "qualifier", "figure", "group_id",
			"speaker", "via", "outlet", "article_url", "places", "text"})
		for i := range series {
			s := &series[i]
			for j := range s.Points {
				p := &s.Points[j]
				_ = cw.Write([]string{s.Topic, s.Unit, p.At.UTC().Format(time.RFC3339), numOrEmpty(p.Value), numOrEmpty(p.Low),
					numOrEmpty(p.High), p.Qualifier, ledger.Figure(p), p.GroupID, p.Speaker, p.Via, p.Outlet(), p.URL,
					strings.Join(p.Places, "; "), p.Text})
			}
		}
		cw.Flush()
		return flushed("series", cw.Error())
	default:
		return fmt.Errorf("%w: %q", ErrFormat, format)
	}
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

func minute(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }
