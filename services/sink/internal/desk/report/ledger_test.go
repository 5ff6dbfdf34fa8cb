package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
)

var day0 = time.Date(2025, 6, 2, 4, 0, 0, 0, time.UTC)

func fptr(v float64) *float64 { return &v }

func fig(id string, hours float64, value float64, unit, topic string, places ...string) ledger.Entry {
	return ledger.Entry{ArticleID: id, Unit: unit, Topic: topic, At: day0.Add(time.Duration(hours * float64(time.Hour))),
		Value: fptr(value), Places: places, Site: id + ".example", Text: "claim of " + id}
}

func rng(id string, hours float64, lo, hi float64, unit, topic string) ledger.Entry {
	e := fig(id, hours, 0, unit, topic)
	e.Value, e.Low, e.High = nil, fptr(lo), fptr(hi)
	return e
}

func sampleGroups() []ledger.Group {
	a := fig("a", 0, 95, "percent", "territory", "Iraq", "Syria")
	a.Speaker, a.SiteName, a.Text = "Jens Stoltenberg", "MINA News", "95 percent of territory\tis liberated"
	b := fig("b", 5, 95, "percent", "territory", "Iraq")
	c := rng("c", 1, 14000, 18000, "militants", "fighters")
	return ledger.Regroup([]ledger.Entry{a, b, c}, ledger.DefaultOptions())
}

func TestWriteGroups(t *testing.T) {
	t.Parallel()
	groups := sampleGroups()
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{Table, func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[0], "FIRST") {
				t.Fatalf("table:\n%s", out)
			}
			if !strings.Contains(lines[1], "95 percent") || !strings.Contains(lines[1], "Jens Stoltenberg") ||
				!strings.Contains(lines[2], "14,000–18,000 militants") || strings.Contains(out, "\t") {
				t.Errorf("table rows:\n%s", out)
			}
		}},
		{JSON, func(t *testing.T, out string) {
			dec := json.NewDecoder(strings.NewReader(out))
			var n int
			for dec.More() {
				var g ledger.Group
				if err := dec.Decode(&g); err != nil {
					t.Fatal(err)
				}
				if g.ID != groups[n].ID || len(g.Entries) != groups[n].Members {
					t.Errorf("group %d: %s with %d entries", n, g.ID, len(g.Entries))
				}
				n++
			}
			if n != len(groups) {
				t.Errorf("%d JSON lines, want %d", n, len(groups))
			}
		}},
		{CSV, func(t *testing.T, out string) {
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 3 || recs[0][0] != "group_id" || recs[1][3] != "95" || recs[2][4] != "14000" || recs[2][5] != "18000" {
				t.Errorf("csv: %v", recs)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := WriteGroups(&b, groups, tc.format); err != nil {
				t.Fatal(err)
			}
			tc.check(t, b.String())
		})
	}
	if err := WriteGroups(&bytes.Buffer{}, groups, "xml"); !errors.Is(err, ErrFormat) {
		t.Errorf("format xml: %v, want ErrFormat", err)
	}
}

func TestWriteSeries(t *testing.T) {
	t.Parallel()
	var members []ledger.Entry
	for _, g := range sampleGroups() {
		members = append(members, g.Entries...)
	}
	series := ledger.BuildSeries(members, 2)
	if len(series) != 1 || series[0].Key() != "territory · percent" || len(series[0].Points) != 2 {
		t.Fatalf("series %+v", series)
	}
	for _, format := range []string{Table, JSON, CSV} {
		var b bytes.Buffer
		if err := WriteSeries(&b, series, format); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		switch format {
		case Table:
			if !strings.Contains(out, "== territory · percent (2 points, 1 distinct figure, 2 outlets)") {
				t.Errorf("table:\n%s", out)
			}
		case JSON:
			var s ledger.Series
			if err := json.Unmarshal(b.Bytes(), &s); err != nil || len(s.Points) != 2 {
				t.Errorf("json: %v %+v", err, s)
			}
		case CSV:
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil || len(recs) != 3 || recs[1][0] != "territory" || recs[1][3] != "95" {
				t.Errorf("csv: %v %v", err, recs)
			}
		}
	}
}
