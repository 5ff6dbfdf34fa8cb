package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func ptr[T any](v T) *T { return &v }

// claimRows covers the cases a table gets wrong: no date, no speaker, a
// tab and a newline in the text, a long text, a range, a qualifier.
func claimRows() []store.ClaimRow {
	pub := time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)
	stored := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	return []store.ClaimRow{
		{
			ArticleID: "a1", ArticleURL: "https://news.example.com/a1", Title: "Prices ease", Site: "news.example.com",
			PublishedAt: &pub, StoredAt: stored, Relevant: true, Index: 0,
			Claim: schema.Claim{Text: "Inflation fell to 3.5 percent,\tLagarde said.", Speaker: "Christine Lagarde", Verb: "said",
				Topic: "inflation", Places: []string{"Frankfurt", "Euro Area"}, Offset: 10,
				Quantities: []schema.Quantity{{Value: ptr(3.5), Unit: "percent", Qualifier: "exact", Raw: "3.5 percent"}}},
		},
		{
			ArticleID: "a2", ArticleURL: "https://wire.example.net/a2", Title: "Moves, \"in quotes\"", Site: "wire.example.net",
			StoredAt: stored, Index: 3,
			Claim: schema.Claim{Text: "Between 2 and 4 million people moved last year across the region,\naccording to figures released on Monday by the agency.",
				Via: "Reuters", Places: []string{}, Offset: -1,
				Quantities: []schema.Quantity{
					{Low: ptr(2.0), High: ptr(4.0), Unit: "million people", Qualifier: "range", Raw: "between 2 and 4 million"},
					{Value: ptr(1200.0), Unit: "EUR", Qualifier: "approx", Raw: "about 1,200 euros"},
					{Unit: "people", Qualifier: "unknown", Raw: "dozens of people"},
				}},
		},
	}
}

func articles() []schema.ArticleTaggedV1 {
	pub := time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)
	stored := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	return []schema.ArticleTaggedV1{
		{SchemaVersion: "1.0", ID: "a1", URL: "https://news.example.com/a1", CanonicalURL: "https://news.example.com/a1",
			ContentHash: "h1", Title: "Prices ease", SiteName: "Example News", PublishedAt: &pub, Relevant: true,
			Tags:   []schema.Tag{{Name: "inflation", Score: 0.9}, {Name: "energy", Score: 0.4}},
			Claims: []schema.Claim{claimRows()[0].Claim}, Stages: schema.Stages{FetchedAt: pub, StoredAt: &stored}},
		{SchemaVersion: "1.0", ID: "a2", URL: "https://wire.example.net/a2", CanonicalURL: "https://wire.example.net/a2",
			ContentHash: "h2", Title: "No date", Stages: schema.Stages{FetchedAt: pub}},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestWriteClaims(t *testing.T) {
	for _, format := range []string{Table, JSON, CSV} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteClaims(&buf, claimRows(), format); err != nil {
				t.Fatal(err)
			}
			golden(t, "claims."+format+".golden", buf.Bytes())
		})
	}
}

func TestClaimsTableKeepsOneLinePerClaim(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteClaims(&buf, claimRows(), Table); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 3 {
		t.Errorf("%d lines, want header + 2", lines)
	}
}

func TestClaimsCSVReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteClaims(&buf, claimRows(), CSV); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[2][len(recs[2])-1] != claimRows()[1].Text || recs[2][4] != `Moves, "in quotes"` {
		t.Errorf("records: %q", recs)
	}
}

func TestClaimsJSONReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteClaims(&buf, claimRows(), JSON); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&buf)
	for i, want := range claimRows() {
		var got store.ClaimRow
		if err := dec.Decode(&got); err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("row %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

func TestArticleWriter(t *testing.T) {
	for _, format := range []string{Table, JSON, CSV} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			aw, err := NewArticleWriter(&buf, format)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range articles() {
				if err := aw.Write(a); err != nil {
					t.Fatal(err)
				}
			}
			if err := aw.Flush(); err != nil {
				t.Fatal(err)
			}
			golden(t, "articles."+format+".golden", buf.Bytes())
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := WriteClaims(&bytes.Buffer{}, nil, "xml"); !errors.Is(err, ErrFormat) {
		t.Errorf("WriteClaims(xml) = %v, want ErrFormat", err)
	}
	if _, err := NewArticleWriter(&bytes.Buffer{}, "yaml"); !errors.Is(err, ErrFormat) {
		t.Errorf("NewArticleWriter(yaml) = %v, want ErrFormat", err)
	}
}

func TestFormatQuantity(t *testing.T) {
	tests := []struct {
		q    schema.Quantity
		want string
	}{
		{schema.Quantity{Value: ptr(3.5), Unit: "percent", Qualifier: "exact"}, "3.5 percent"},
		{schema.Quantity{Low: ptr(2.0), High: ptr(4.0), Unit: "million people", Qualifier: "range"}, "2-4 million people"},
		{schema.Quantity{Value: ptr(1200.0), Unit: "EUR", Qualifier: "approx"}, "1200 EUR (approx)"},
		{schema.Quantity{Low: ptr(50.0), Unit: "people", Qualifier: "at least"}, ">= 50 people (at least)"},
		{schema.Quantity{Value: ptr(0.25)}, "0.25"},
		{schema.Quantity{Unit: "people", Raw: "dozens of people"}, "dozens of people"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			if got := FormatQuantity(tc.q); got != tc.want {
				t.Errorf("FormatQuantity = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestClaimsTableFitsTheTerminal: fitted to a width, no line of the table
// is wider, and a long claim is cut with an ellipsis rather than wrapped.
func TestClaimsTableFitsTheTerminal(t *testing.T) {
	for _, width := range []int{100, 140, 200} {
		var buf bytes.Buffer
		if err := WriteClaimsWidth(&buf, claimRows(), Table, width); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
		if len(lines) != len(claimRows())+1 {
			t.Fatalf("width %d: %d lines, want a header and one per claim:\n%s", width, len(lines), buf.String())
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(strings.TrimRight(l, " ")); n > width {
				t.Errorf("width %d: a line of %d columns:\n%s", width, n, l)
			}
		}
		if width == 100 && !strings.Contains(buf.String(), "…") {
			t.Errorf("width 100: the long claim was not cut:\n%s", buf.String())
		}
	}
}
