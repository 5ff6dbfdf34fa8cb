// Package report prints claims, articles and the ledger's groups and series
// for the desk's commands as an aligned table for people, JSON lines for
// jq, or CSV for spreadsheets.
//
// Files by behaviour:
//
//	report.go  claims and articles (`sink claims`, `sink export`)
//	ledger.go  ledger groups and series (`sink ledger`)
//	cell.go    table cells: one line each, long text cut, empty shown as a dash
package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// Formats.
const (
	Table = "table"
	JSON  = "json"
	CSV   = "csv"
)

// ErrFormat is returned for a format other than table, json or csv.
var ErrFormat = errors.New("report: unknown format (want table, json or csv)")

// claimTextWidth is where the table cuts a claim's text; the other
// formats keep it whole.
const claimTextWidth = 90

// Fitting a claims table to a terminal: the caps of the columns before
// the claim, the claim's least width, and the gap tabwriter puts between.
var fitCaps = []int{16, 22, 20, 14, 22, 26}

const (
	minClaimWidth = 24
	minColumn     = 6
	columnGap     = 2
)

// fit cuts the cells of table (and header) so that a row fits width; the
// last column is the claim's text. Width 0 only cuts the text at
// claimTextWidth.
func fit(header []string, table [][]string, width int) {
	last := len(header) - 1
	textWidth := claimTextWidth
	if width > 0 {
		widths := make([]int, last)
		used := 0
		for c := range widths {
			wc := utf8.RuneCountInString(header[c])
			for _, row := range table {
				wc = max(wc, utf8.RuneCountInString(row[c]))
			}
			widths[c] = min(wc, fitCaps[c])
			used += widths[c] + columnGap
		}
		// A narrow terminal: narrow the widest column (never the date)
		// until the claim has its least width, or all are at minColumn.
		for used+minClaimWidth > width {
			widest := 0
			for c := 1; c < last; c++ {
				if widths[c] > minColumn && (widest == 0 || widths[c] > widths[widest]) {
					widest = c
				}
			}
			if widest == 0 {
				break
			}
			widths[widest]--
			used--
		}
		for c, wc := range widths {
			header[c] = truncate(header[c], wc)
			for _, row := range table {
				row[c] = truncate(row[c], wc)
			}
		}
		textWidth = max(width-used, minClaimWidth)
	}
	for _, row := range table {
		row[last] = truncate(row[last], textWidth)
	}
}

// WriteClaims writes rows in format: table (one line per claim), json (one
// ClaimRow object per line) or csv (a header, then one record per claim,
// places and quantities joined with "; ").
func WriteClaims(w io.Writer, rows []store.ClaimRow, format string) error {
	return WriteClaimsWidth(w, rows, format, 0)
}

// WriteClaimsWidth is WriteClaims with the table fitted to width columns
// (a terminal's): the other columns are cut to at most their caps, then
// the claim's text gets what is left, at least minClaimWidth. Width 0
// keeps the table as WriteClaims writes it.
func WriteClaimsWidth(w io.Writer, rows []store.ClaimRow, format string, width int) error {
	switch format {
	case Table:
		header := []string{"PUBLISHED", "SITE", "SPEAKER", "TOPIC", "PLACES", "QUANTITIES", "CLAIM"}
		table := make([][]string, 0, len(rows))
		for _, r := range rows {
			table = append(table, []string{day(r.PublishedAt), cell(r.Site), cell(orDash(r.Speaker)), cell(orDash(r.Topic)),
				cell(orDash(strings.Join(r.Places, ", "))), cell(orDash(quantities(r.Quantities, ", "))), cell(r.Text)})
		}
		fit(header, table, width)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, row := range table {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		return flushed("claims", tw.Flush())
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("report: claims: %w", err)
			}
		}
		return nil
	case CSV:
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"published_at", "article_id", "article_url", "site", "title", "relevant",
			"claim_index", "speaker", "verb", "via", "topic", "places", "quantities", "units", "text"})
		for _, r := range rows {
			_ = cw.Write([]string{
				rfc3339(r.PublishedAt), r.ArticleID, r.ArticleURL, r.Site, r.Title, strconv.FormatBool(r.Relevant),
				strconv.Itoa(r.Index), r.Speaker, r.Verb, r.Via, r.Topic, strings.Join(r.Places, "; "),
				quantities(r.Quantities, "; "), units(r.Quantities), r.Text,
			})
		}
		cw.Flush()
		return flushed("claims", cw.Error())
	default:
		return fmt.Errorf("%w: %q", ErrFormat, format)
	}
}

// ArticleWriter writes articles one at a time, as Export hands them over.
// Call Flush at the end: the table is aligned over all rows.
type ArticleWriter struct {
	format string
	tw     *tabwriter.Writer
	enc    *json.Encoder
	cw     *csv.Writer
}

// NewArticleWriter returns a writer for format: table (one line per
// article), json (the whole tagged article per line, as `sink export`
// prints) or csv (a header, then one summary record per article).
func NewArticleWriter(w io.Writer, format string) (*ArticleWriter, error) {
	aw := &ArticleWriter{format: format}
	switch format {
	case Table:
		aw.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(aw.tw, "PUBLISHED\tSITE\tRELEVANT\tCLAIMS\tTAGS\tTITLE")
	case JSON:
		aw.enc = json.NewEncoder(w)
		aw.enc.SetEscapeHTML(false)
	case CSV:
		aw.cw = csv.NewWriter(w)
		_ = aw.cw.Write([]string{"published_at", "stored_at", "id", "site", "relevant", "claims", "tags", "title", "url"})
	default:
		return nil, fmt.Errorf("%w: %q", ErrFormat, format)
	}
	return aw, nil
}

// Write writes one article.
func (aw *ArticleWriter) Write(a schema.ArticleTaggedV1) error {
	published := a.PublishedAt
	if published == nil {
		published = a.Item.PublishedAt
	}
	switch aw.format {
	case Table:
		fmt.Fprintf(aw.tw, "%s\t%s\t%s\t%d\t%s\t%s\n", day(published), cell(host(a)), yesNo(a.Relevant),
			len(a.Claims), cell(orDash(tagNames(a.Tags))), cell(truncate(a.Title, claimTextWidth)))
		return nil
	case JSON:
		if err := aw.enc.Encode(a); err != nil {
			return fmt.Errorf("report: article: %w", err)
		}
		return nil
	default:
		stored := ""
		if a.Stages.StoredAt != nil {
			stored = a.Stages.StoredAt.UTC().Format(time.RFC3339)
		}
		return aw.cw.Write([]string{rfc3339(published), stored, a.ID, host(a), strconv.FormatBool(a.Relevant),
			strconv.Itoa(len(a.Claims)), tagNames(a.Tags), a.Title, a.URL})
	}
}

// Flush writes out what is buffered.
func (aw *ArticleWriter) Flush() error {
	switch aw.format {
	case Table:
		return flushed("articles", aw.tw.Flush())
	case CSV:
		aw.cw.Flush()
		return flushed("articles", aw.cw.Error())
	}
	return nil
}

// FormatQuantity renders a quantity for people: "3.5 percent",
// "2-4 million people", "1200 EUR (approx)". A qualifier other than exact
// or range is shown in brackets; without numbers the raw text is shown.
func FormatQuantity(q schema.Quantity) string {
	var s string
	switch {
	case q.Low != nil && q.High != nil:
		s = num(*q.Low) + "-" + num(*q.High)
	case q.Value != nil:
		s = num(*q.Value)
	case q.Low != nil:
		s = ">= " + num(*q.Low)
	case q.High != nil:
		s = "<= " + num(*q.High)
	default:
		return q.Raw
	}
	if q.Unit != "" {
		s += " " + q.Unit
	}
	if q.Qualifier != "" && q.Qualifier != "exact" && q.Qualifier != "range" {
		s += " (" + q.Qualifier + ")"
	}
	return s
}

func quantities(qs []schema.Quantity, sep string) string {
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = FormatQuantity(q)
	}
	return strings.Join(parts, sep)
}

// units lists the distinct units, so a spreadsheet can filter on them.
func units(qs []schema.Quantity) string {
	var out []string
	seen := map[string]bool{}
	for _, q := range qs {
		if q.Unit != "" && !seen[q.Unit] {
			seen[q.Unit] = true
			out = append(out, q.Unit)
		}
	}
	return strings.Join(out, "; ")
}

func tagNames(tags []schema.Tag) string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// host names the article's site: its site name, else its URL's host.
func host(a schema.ArticleTaggedV1) string {
	if a.SiteName != "" {
		return a.SiteName
	}
	if u, err := url.Parse(a.CanonicalURL); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return a.CanonicalURL
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func day(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func rfc3339(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func flushed(what string, err error) error {
	if err != nil {
		return fmt.Errorf("report: %s: %w", what, err)
	}
	return nil
}
