package clean

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Where a date came from: Article.PublishedSource and ModifiedSource.
const (
	DateJSONLD    = "json-ld"   // the page's schema.org article object
	DateMeta      = "meta"      // a <meta> tag (article:published_time, ...)
	DateMicrodata = "microdata" // an itemprop="datePublished" element
	DateTimeTag   = "time"      // a <time datetime> element
	DateText      = "text"      // a date shown on the page (by the headline, in a date element)
	DateURL       = "url"       // the page address (/2021/06/29/)
	DateFeed      = "feed"      // the feed item: the page names no date
)

// monthNames maps month names and abbreviations, in the feeds' main
// languages, to their number.
var monthNames = map[string]int{}

func init() {
	lists := [][]string{
		{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"},
		{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
		{"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"},
		{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		{"sept", "okt", "dez", "mär", "mrt", "déc", "févr", "avr", "juil"},
	}
	for li, l := range lists {
		for i, name := range l {
			if li == len(lists)-1 {
				// The odd abbreviations: look the month up by its start.
				for full, n := range monthNames {
					if strings.HasPrefix(full, name) {
						monthNames[name] = n
						break
					}
				}
				continue
			}
			if _, ok := monthNames[name]; !ok {
				monthNames[name] = i + 1
			}
		}
	}
	names := make([]string, 0, len(monthNames))
	for n := range monthNames {
		names = append(names, regexp.QuoteMeta(n))
	}
	// Longest first, so "june" wins over "jun".
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	mon := `(` + strings.Join(names, "|") + `)\.?`
	textDatePatterns = []*regexp.Regexp{
		// 2024-03-27, 2024/03/27, 2024.03.27, 2024-03-27T08:10+02:00
		regexp.MustCompile(`\b((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?:\b|T)`),
		// March 27, 2024 / Mar. 27th 2024
		regexp.MustCompile(`(?i)\b` + mon + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})\b`),
		// 27 March 2024 / 27. März 2024 / 27 de marzo de 2024
		regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th|er)?\.?\s+(?:de\s+|of\s+)?` + mon + `,?\s+(?:de\s+)?((?:19|20)\d{2})\b`),
		// 27.03.2024, 27/03/2024
		regexp.MustCompile(`\b(\d{1,2})([./])(\d{1,2})[./]((?:19|20)\d{2})\b`),
	}
}

// textDatePatterns find a date written out in running text.
var textDatePatterns []*regexp.Regexp

// hasYear reports whether s holds four digits starting 19 or 20: the cheap
// test before the patterns run.
func hasYear(s string) bool {
	for i := 0; i+3 < len(s); i++ {
		if (s[i] == '1' && s[i+1] == '9' || s[i] == '2' && s[i+1] == '0') && isDigitByte(s[i+2]) && isDigitByte(s[i+3]) {
			return true
		}
	}
	return false
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

// findTextDate returns the first date written in s (see textDatePatterns)
// and where it starts; monthFirst reads an ambiguous 03/04/2024 as March 4.
func findTextDate(s string, monthFirst bool) (*time.Time, int) {
	if len(s) > 300 || !hasYear(s) {
		return nil, -1
	}
	var best *time.Time
	at := -1
	for pi, re := range textDatePatterns {
		m := re.FindStringSubmatchIndex(s)
		if m == nil || at >= 0 && m[0] >= at {
			continue
		}
		g := func(i int) string { return s[m[2*i]:m[2*i+1]] }
		var y, mo, d int
		switch pi {
		case 0:
			y, mo, d = atoi(g(1)), atoi(g(2)), atoi(g(3))
		case 1:
			mo, d, y = monthNames[strings.ToLower(g(1))], atoi(g(2)), atoi(g(3))
		case 2:
			d, mo, y = atoi(g(1)), monthNames[strings.ToLower(g(2))], atoi(g(3))
		case 3:
			a, b := atoi(g(1)), atoi(g(3))
			y = atoi(g(4))
			switch {
			case g(2) == "." || a > 12:
				d, mo = a, b
			case b > 12 || monthFirst:
				mo, d = a, b
			default:
				d, mo = a, b
			}
		}
		if t := makeDate(y, mo, d); t != nil {
			best, at = t, m[0]
		}
	}
	return best, at
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func makeDate(y, mo, d int) *time.Time {
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return nil
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return nil
	}
	return plausible(t)
}

// updatedWords precede a date that is the last change, not the first
// publication.
var updatedWords = []string{"updated", "modified", "aktualisiert", "mis à jour", "actualizado", "atualizado", "bijgewerkt"}

// dateCand is a text that may show the page's date, parsed only when the
// metadata names no date (most pages do, and the patterns cost).
type dateCand struct {
	text, prev string // prev: the text before, for "Updated:" labels
	// dateElem: inside an element named for dates ("post-date",
	// "published"); nearTitle: among the first lines after the headline.
	dateElem, nearTitle bool

	parsed, updated bool
	t               *time.Time
}

// maxDateCands bounds the dates kept per page.
const maxDateCands = 32

// isDateClass reports a class or id naming a date or the post's meta line,
// but not today's date in the page header.
func isDateClass(v string) bool {
	if v == "" {
		return false
	}
	if !containsFold(v, "date") && !containsFold(v, "publish") && !containsFold(v, "posted") && !containsFold(v, "byline") &&
		!containsFold(v, "meta") && !containsFold(v, "time") {
		return false // the common case, without allocating
	}
	low := strings.ToLower(v)
	if strings.Contains(low, "today") || strings.Contains(low, "current") || strings.Contains(low, "update") || strings.Contains(low, "modif") {
		return false
	}
	return strings.Contains(low, "date") || strings.Contains(low, "publish") || strings.Contains(low, "posted") ||
		strings.Contains(low, "byline") || strings.Contains(low, "dateline") || strings.Contains(low, "post-meta") ||
		strings.Contains(low, "entry-meta") || strings.Contains(low, "article-meta") || strings.Contains(low, "time")
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && lowerASCII(s[i+j]) == sub[j] {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// addTextDate records a text that may hold a date.
func (m *meta) addTextDate(text string, dateElem bool) {
	if len(m.textDates) >= maxDateCands || !hasYear(text) {
		return
	}
	m.textDates = append(m.textDates, dateCand{text: text, prev: m.lastText, dateElem: dateElem,
		nearTitle: m.h1Seen && m.textsAfterH1 <= 40})
}

// parse reads the candidate's date once.
func (c *dateCand) parse(monthFirst bool) {
	if c.parsed {
		return
	}
	c.parsed = true
	t, at := findTextDate(c.text, monthFirst)
	if t == nil {
		return
	}
	before := c.text[:at]
	if strings.TrimSpace(before) == "" {
		before = c.prev
	}
	c.t, c.updated = t, hasAny(strings.ToLower(before), updatedWords)
}

// pageDate picks the publication date shown on the page: a date element's
// date near the headline first, then any date element's, then a date
// among the first lines after the headline; one marked as the last update
// only when nothing else is shown.
func (m *meta) pageDate() *time.Time {
	monthFirst := strings.HasPrefix(strings.ToLower(m.lang), "en-us") || m.lang == "en"
	for _, pass := range []func(c *dateCand) bool{
		func(c *dateCand) bool { return c.dateElem && c.nearTitle && !c.updated },
		func(c *dateCand) bool { return c.dateElem && !c.updated },
		func(c *dateCand) bool { return c.nearTitle && !c.updated },
		func(c *dateCand) bool { return c.dateElem || c.nearTitle },
	} {
		for i := range m.textDates {
			c := &m.textDates[i]
			c.parse(monthFirst)
			if c.t != nil && pass(c) {
				return c.t
			}
		}
	}
	return nil
}

// parseDateLoose is parseDate, then a date written out inside the value
// ("November 19, 2019, 07:47 PM EST", "Fri 6:45 PM, Feb 16, 2018").
func parseDateLoose(s string) *time.Time {
	if t := parseDate(s); t != nil {
		return t
	}
	t, _ := findTextDate(strings.TrimSpace(s), true)
	return t
}
