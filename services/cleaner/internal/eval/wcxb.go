package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Extracted is what an extractor returns for one page, as far as the
// corpora below score it.
type Extracted struct {
	Text, Title, Byline, Language string
	Published                     *time.Time
	// Confidence is the extractor's own 0-1 estimate that Text is the
	// page's main text; Method names the path that produced it.
	Confidence float64
	Method     string
	Err        error
}

// Extractor extracts one page.
type Extractor func(url string, html []byte) Extracted

// GoldPage is one page of a corpus with its reviewed main text and
// metadata (empty fields are unknown and not scored).
type GoldPage struct {
	ID, URL string
	HTML    []byte
	Main    string
	// With and Without are snippets the text must / must not contain.
	With, Without             []string
	Title, Author, Date, Lang string
	HeldOut                   bool
}

type wcxbFile struct {
	URL         string `json:"url"`
	GroundTruth struct {
		Title       string   `json:"title"`
		Author      string   `json:"author"`
		PublishDate string   `json:"publish_date"`
		MainContent string   `json:"main_content"`
		With        []string `json:"with"`
		Without     []string `json:"without"`
	} `json:"ground_truth"`
}

// LoadWCXB reads a WCXB split laid out as ground-truth/NNNN.json and
// html/NNNN.html.gz (see the corpus's SOURCE.txt).
func LoadWCXB(dir string) ([]GoldPage, error) {
	files, err := filepath.Glob(filepath.Join(dir, "ground-truth", "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("eval: no ground truth in %s", dir)
	}
	slices.Sort(files)
	pages := make([]GoldPage, 0, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("eval: read ground truth: %w", err)
		}
		var g wcxbFile
		if err := json.Unmarshal(raw, &g); err != nil {
			return nil, fmt.Errorf("eval: decode %s: %w", filepath.Base(f), err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		page, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, err
		}
		gt := g.GroundTruth
		pages = append(pages, GoldPage{ID: id, URL: g.URL, HTML: page, Main: gt.MainContent,
			With: gt.With, Without: gt.Without, Title: gt.Title, Author: gt.Author,
			Date: gt.PublishDate, HeldOut: HeldOut(id + ".html.gz")})
	}
	return pages, nil
}

// PageScore is one page's outcome.
type PageScore struct {
	ID, URL    string
	HeldOut    bool
	Words      WordScore
	Refused    bool // the extractor returned an error
	Confidence float64
	Method     string
	// Metadata verdicts: -1 not scored (no gold), 0 wrong, 1 right.
	Title, Author, Date, Lang int8
	// Snippets found of With and of Without.
	WithFound, WithTotal, WithoutFound, WithoutTotal int
	// Misses lists the metadata disagreements ("title: gold | got"), for
	// listing tuning pages with MetaMisses.
	Misses []string
}

// Summary aggregates page scores of one part of a corpus.
type Summary struct {
	Pages                 int
	Precision, Recall, F1 float64 // means over pages
	// Empty counts pages with none of their text (recall 0), Refused those
	// the extractor refused outright (included in Empty).
	Empty, Refused int
	// WithShare is the share of must-have snippets found, WithoutShare
	// the share of must-not snippets found (lower is better).
	WithShare, WithoutShare float64
	// Metadata: right / scored.
	TitleOK, TitleN, AuthorOK, AuthorN, DateOK, DateN, LangOK, LangN int
	// Bad pages (F1 < BadF1) and how many of them have confidence < 0.5;
	// Good pages (F1 >= GoodF1) and how many of them fall below 0.5
	// anyway; Low is every page below 0.5 confidence.
	Bad, BadLow, Good, GoodLow, Low int
}

// BadF1 is the F1 under which a page counts as badly extracted when
// calibrating confidence, GoodF1 the F1 from which it counts as good.
const BadF1, GoodF1 = 0.5, 0.9

// BadLowShare is the share of bad pages below 0.5 confidence (1 when
// there is none), GoodLowShare the share of good pages below it.
func (s Summary) BadLowShare() float64 {
	if s.Bad == 0 {
		return 1
	}
	return pct(s.BadLow, s.Bad)
}

func (s Summary) GoodLowShare() float64 { return pct(s.GoodLow, s.Good) }

func pct(ok, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(ok) / float64(n)
}

// String prints the summary on one line.
func (s Summary) String() string {
	return fmt.Sprintf("pages=%d P=%.3f R=%.3f F1=%.3f empty=%d refused=%d with=%.3f without=%.3f title=%.3f author=%.3f date=%.3f lang=%.3f conf<0.5: bad(F1<%.1f) %d of %d (%.2f), good(F1>=%.1f) %d of %d (%.3f), all %d",
		s.Pages, s.Precision, s.Recall, s.F1, s.Empty, s.Refused, s.WithShare, s.WithoutShare,
		pct(s.TitleOK, s.TitleN), pct(s.AuthorOK, s.AuthorN), pct(s.DateOK, s.DateN), pct(s.LangOK, s.LangN),
		BadF1, s.BadLow, s.Bad, s.BadLowShare(), GoodF1, s.GoodLow, s.Good, s.GoodLowShare(), s.Low)
}

// Title, Author, Date and Lang are the metadata shares (0 when nothing was scored).
func (s Summary) TitleShare() float64  { return pct(s.TitleOK, s.TitleN) }
func (s Summary) AuthorShare() float64 { return pct(s.AuthorOK, s.AuthorN) }
func (s Summary) DateShare() float64   { return pct(s.DateOK, s.DateN) }
func (s Summary) LangShare() float64   { return pct(s.LangOK, s.LangN) }

// GoldReport is a corpus run: every page and the summaries of the tuning
// part, the held-out part and all pages.
type GoldReport struct {
	Pages           []PageScore
	Tune, Held, All Summary
	Elapsed         time.Duration
	PagesPerSec     float64
}

// RunGold scores extract over pages.
func RunGold(pages []GoldPage, extract Extractor) GoldReport {
	var rep GoldReport
	for _, g := range pages {
		start := time.Now()
		x := extract(g.URL, g.HTML)
		rep.Elapsed += time.Since(start)
		ps := PageScore{ID: g.ID, URL: g.URL, HeldOut: g.HeldOut, Refused: x.Err != nil,
			Confidence: x.Confidence, Method: x.Method, Title: -1, Author: -1, Date: -1, Lang: -1}
		if x.Err != nil {
			x.Text = ""
		}
		ps.Words = WordMatch(g.Main, x.Text)
		for _, s := range g.With {
			ps.WithTotal++
			if ContainsSnippet(x.Text, s) {
				ps.WithFound++
			}
		}
		for _, s := range g.Without {
			ps.WithoutTotal++
			if ContainsSnippet(x.Text, s) {
				ps.WithoutFound++
			}
		}
		miss := func(field, gold, got string) {
			ps.Misses = append(ps.Misses, field+": "+gold+" | "+got)
		}
		if g.Title != "" {
			if ps.Title = verdict(SameTitle(g.Title, x.Title)); ps.Title == 0 {
				miss("title", g.Title, x.Title)
			}
		}
		if g.Author != "" {
			if ps.Author = verdict(AuthorFound(g.Author, x.Byline)); ps.Author == 0 {
				miss("author", g.Author, x.Byline)
			}
		}
		if g.Date != "" {
			if ps.Date = verdict(SameDay(g.Date, x.Published)); ps.Date == 0 {
				got := ""
				if x.Published != nil {
					got = x.Published.Format(time.RFC3339)
				}
				miss("date", g.Date, got)
			}
		}
		if g.Lang != "" {
			if ps.Lang = verdict(SameLang(g.Lang, x.Language)); ps.Lang == 0 {
				miss("lang", g.Lang, x.Language)
			}
		}
		rep.Pages = append(rep.Pages, ps)
	}
	rep.Tune = Summarize(rep.Pages, func(p PageScore) bool { return !p.HeldOut })
	rep.Held = Summarize(rep.Pages, func(p PageScore) bool { return p.HeldOut })
	rep.All = Summarize(rep.Pages, func(PageScore) bool { return true })
	if rep.Elapsed > 0 {
		rep.PagesPerSec = float64(len(pages)) / rep.Elapsed.Seconds()
	}
	return rep
}

func verdict(ok bool) int8 {
	if ok {
		return 1
	}
	return 0
}

// Summarize aggregates the pages for which in is true.
func Summarize(pages []PageScore, in func(PageScore) bool) Summary {
	var s Summary
	var with, withN, without, withoutN int
	for _, p := range pages {
		if !in(p) {
			continue
		}
		s.Pages++
		s.Precision += p.Words.Precision
		s.Recall += p.Words.Recall
		s.F1 += p.Words.F1
		if p.Words.Recall == 0 {
			s.Empty++
		}
		if p.Refused {
			s.Refused++
		}
		with += p.WithFound
		withN += p.WithTotal
		without += p.WithoutFound
		withoutN += p.WithoutTotal
		count := func(v int8, ok, n *int) {
			if v >= 0 {
				*n++
				*ok += int(v)
			}
		}
		count(p.Title, &s.TitleOK, &s.TitleN)
		count(p.Author, &s.AuthorOK, &s.AuthorN)
		count(p.Date, &s.DateOK, &s.DateN)
		count(p.Lang, &s.LangOK, &s.LangN)
		low := p.Confidence < 0.5
		if low {
			s.Low++
		}
		switch {
		case p.Words.F1 < BadF1:
			s.Bad++
			if low {
				s.BadLow++
			}
		case p.Words.F1 >= GoodF1:
			s.Good++
			if low {
				s.GoodLow++
			}
		}
	}
	if s.Pages > 0 {
		n := float64(s.Pages)
		s.Precision /= n
		s.Recall /= n
		s.F1 /= n
	}
	s.WithShare = pct(with, withN)
	s.WithoutShare = pct(without, withoutN)
	return s
}

// Worst lists the n pages of the tuning part with the lowest F1: the
// held-out part is never listed page by page.
func (r GoldReport) Worst(n int) []PageScore {
	var ps []PageScore
	for _, p := range r.Pages {
		if !p.HeldOut {
			ps = append(ps, p)
		}
	}
	slices.SortStableFunc(ps, func(a, b PageScore) int {
		switch {
		case a.Words.F1 < b.Words.F1:
			return -1
		case a.Words.F1 > b.Words.F1:
			return 1
		}
		return 0
	})
	return ps[:min(n, len(ps))]
}

// MetaMisses lists the tuning pages' metadata disagreements, one line
// each: the held-out part is never listed page by page.
func (r GoldReport) MetaMisses() []string {
	var out []string
	for _, p := range r.Pages {
		if p.HeldOut {
			continue
		}
		for _, m := range p.Misses {
			out = append(out, p.ID+" "+m+" ("+p.URL+")")
		}
	}
	return out
}

// SameTitle compares titles by their lowercase words, so quotes, dashes
// and spacing do not count.
func SameTitle(gold, got string) bool {
	return slices.Equal(lowerTokens(gold), lowerTokens(got))
}

// AuthorFound reports whether the byline names the gold author: the words
// of the gold's first name (before a comma, "and" or "&": degrees and
// co-authors follow) appear in a run in the byline.
func AuthorFound(gold, byline string) bool {
	first := gold
	for _, sep := range []string{",", " and ", "&", "|", ";", " und "} {
		if i := strings.Index(strings.ToLower(first), sep); i > 0 {
			first = first[:i]
		}
	}
	return ContainsSnippet(byline, first)
}

// SameDay compares the gold date (YYYY-MM-DD, or longer ISO 8601) with the
// day of the extracted date, in the extracted date's own time zone.
func SameDay(gold string, got *time.Time) bool {
	if got == nil || len(gold) < 10 {
		return false
	}
	return got.Format("2006-01-02") == gold[:10]
}

// SameLang compares primary language subtags ("en-US" and "en" agree).
func SameLang(gold, got string) bool {
	primary := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		if i := strings.IndexAny(s, "-_"); i > 0 {
			s = s[:i]
		}
		return s
	}
	return gold != "" && primary(gold) == primary(got)
}
