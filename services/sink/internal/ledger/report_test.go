package ledger

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func sampleGroups() []Group {
	a := fig("a", 0, 95, "percent", "territory", "Iraq", "Syria")
	a.Speaker, a.SiteName, a.Text = "Jens Stoltenberg", "MINA News", "95 percent of territory\tis liberated"
	b := fig("b", 5, 95, "percent", "territory", "Iraq")
	c := rng("c", 1, 14000, 18000, "militants", "fighters")
	return Regroup([]Entry{a, b, c}, DefaultOptions())
}

func TestWriteGroups(t *testing.T) {
	t.Parallel()
	groups := sampleGroups()
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{FormatTable, func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[0], "FIRST") {
				t.Fatalf("table:\n%s", out)
			}
			if !strings.Contains(lines[1], "95 percent") || !strings.Contains(lines[1], "Jens Stoltenberg") ||
				!strings.Contains(lines[2], "14,000–18,000 militants") || strings.Contains(out, "\t") {
				t.Errorf("table rows:\n%s", out)
			}
		}},
		{FormatJSON, func(t *testing.T, out string) {
			dec := json.NewDecoder(strings.NewReader(out))
			var n int
			for dec.More() {
				var g Group
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
		{FormatCSV, func(t *testing.T, out string) {
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
	var members []Entry
	for _, g := range sampleGroups() {
		members = append(members, g.Entries...)
	}
	series := BuildSeries(members, 2)
	if len(series) != 1 || series[0].Key() != "territory · percent" || len(series[0].Points) != 2 {
		t.Fatalf("series %+v", series)
	}
	for _, format := range []string{FormatTable, FormatJSON, FormatCSV} {
		var b bytes.Buffer
		if err := WriteSeries(&b, series, format); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		switch format {
		case FormatTable:
			if !strings.Contains(out, "== territory · percent (2 points, 1 distinct figure, 2 outlets)") {
				t.Errorf("table:\n%s", out)
			}
		case FormatJSON:
			var s Series
			if err := json.Unmarshal(b.Bytes(), &s); err != nil || len(s.Points) != 2 {
				t.Errorf("json: %v %+v", err, s)
			}
		case FormatCSV:
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil || len(recs) != 3 || recs[1][0] != "territory" || recs[1][3] != "95" {
				t.Errorf("csv: %v %v", err, recs)
			}
		}
	}
}
