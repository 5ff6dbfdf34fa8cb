package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/desk/deskdb"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
)

// articlePage is what the article page shows: the text with its claims
// highlighted, each claim explained, tags with their evidence, and where
// every date came from, and how sure the cleaner was of the text.
type articlePage struct {
	Article  articleView
	Found    bool
	Error    string
	Language string
	Byline   string
	Relevant bool
	Original string
	Dates    []dateRow
	Claims   []claimRow
	Tags     []tagRow
	Entities []schema.Entity
	// Extraction is the cleaner's confidence and method ("" before schema 1.3);
	// LowConfidence marks text more likely wrong than right.
	Extraction    string
	LowConfidence bool
}

type dateRow struct{ Label, Value, ISO, Source string }

type claimRow struct {
	N                                   int
	ID, Text, Speaker, Kind, Role, Verb string
	Via, Topic                          string
	Figures                             []string
	Places                              string
	Highlighted                         bool
}

type tagRow struct {
	Name, Score string
	Evidence    []string
}

func (s *Server) serveArticle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, err := s.desk.Article(r.Context(), id)
	status := http.StatusOK
	var p articlePage
	switch {
	case err == nil:
		p = articlePageOf(&a)
	case errors.Is(err, deskdb.ErrNotFound):
		status = http.StatusNotFound
		p.Error = "No article " + strconv.Quote(id) + " is stored."
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		return
	default:
		s.log.Error("Article page failed.", zap.String("id", id), zap.Error(err))
		status = http.StatusInternalServerError
		p.Error = "The store could not answer; see the desk's log."
	}
	s.write(w, status, s.article, p)
}

func articlePageOf(a *schema.ArticleTaggedV1) articlePage {
	p := articlePage{Article: articleOf(a, nil), Found: true, Language: a.Language, Relevant: a.Relevant,
		Original: a.URL, Entities: a.Entities}
	if a.CanonicalURL != "" {
		p.Original = a.CanonicalURL
	}
	p.Byline = a.Byline
	if p.Byline == "" && len(a.Authors) > 0 {
		p.Byline = joinComma(a.Authors)
	}
	date := func(label string, t *time.Time, source string) {
		if t != nil && !t.IsZero() {
			p.Dates = append(p.Dates, dateRow{Label: label, Value: t.UTC().Format("2 Jan 2006 15:04 UTC"),
				ISO: t.UTC().Format(time.RFC3339), Source: source})
		}
	}
	date("Published", a.PublishedAt, dateSource(a.PublishedSource))
	date("In the feed", a.Item.PublishedAt, "the feed item's date")
	date("Modified", a.ModifiedAt, dateSource(a.ModifiedSource))
	if e := a.Extraction; e != nil {
		p.Extraction = fmt.Sprintf("%.2f confidence, method %s", e.Confidence, e.Method)
		p.LowConfidence = e.Confidence < 0.5
	}
	date("Fetched", &a.Stages.FetchedAt, "the fetcher")
	date("Cleaned", a.Stages.CleanedAt, "the cleaner")
	date("Tagged", a.Stages.TaggedAt, "the tagger")
	date("Stored", a.Stages.StoredAt, "the sink")

	highlighted := map[string]bool{}
	for _, para := range p.Article.Paragraphs {
		for _, seg := range para {
			if seg.ID != "" {
				highlighted[seg.ID] = true
			}
		}
	}
	for i := range a.Claims {
		c := &a.Claims[i]
		row := claimRow{N: i + 1, ID: claimID(a.ID, i), Text: c.Text, Speaker: c.Speaker, Kind: c.SpeakerKind, Role: c.SpeakerRole,
			Verb: c.Verb, Via: c.Via, Topic: c.Topic, Places: joinComma(c.Places)}
		row.Highlighted = highlighted[row.ID]
		for _, q := range c.Quantities {
			e := ledger.Entry{Value: q.Value, Low: q.Low, High: q.High, Unit: q.Unit, Qualifier: q.Qualifier}
			fig := q.Raw
			if q.Value != nil || q.Low != nil || q.High != nil {
				fig = ledger.Figure(&e)
				if q.Raw != "" && !strings.EqualFold(q.Raw, fig) {
					fig += " (“" + q.Raw + "”)"
				}
			}
			if fig != "" {
				row.Figures = append(row.Figures, fig)
			}
		}
		p.Claims = append(p.Claims, row)
	}
	for _, t := range a.Tags {
		p.Tags = append(p.Tags, tagRow{Name: t.Name, Score: strconv.FormatFloat(t.Score, 'f', 2, 64), Evidence: t.Evidence})
	}
	return p
}

// dateSource says in words where the cleaner found a date (schema 1.3's
// published_source and modified_source); articles stored before say
// nothing, and their dates came from the page or, failing that, the feed.
func dateSource(src string) string {
	switch src {
	case "json-ld":
		return "the page's JSON-LD"
	case "meta":
		return "the page's meta tags"
	case "microdata":
		return "the page's microdata"
	case "time":
		return "a time element on the page"
	case "text":
		return "the date shown on the page"
	case "url":
		return "the page's address"
	case "feed":
		return "the feed item (the page names no date)"
	case "":
		return "the page's metadata or the feed"
	}
	return src
}
