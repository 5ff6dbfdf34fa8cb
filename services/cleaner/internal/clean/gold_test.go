package clean

import (
	"bytes"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
	"github.com/newsflow/newsflow/services/cleaner/internal/eval"
)

// goldExtract adapts Extract to the evaluation.
func goldExtract(url string, page []byte) eval.Extracted {
	a, err := Extract(url, bytes.NewReader(page), "text/html", Options{})
	return eval.Extracted{Text: a.Text, Title: a.Title, Byline: a.Byline, Language: a.Language,
		Published: a.Published, Confidence: a.Confidence, Method: a.Method, Err: err}
}

// floors are the least each figure may be on each part of a corpus: a
// little under what the extractor reaches, so a regression fails. Empty
// and WithoutShare are ceilings.
type floors struct {
	F1, Precision, Recall, With float64
	Empty                       int
	WithoutShare                float64
	Title, Author, Date, Lang   float64
	// BadLowShare is the least share of bad pages (F1 < 0.5) below 0.5
	// confidence, GoodLowShare the most share of good pages (F1 >= 0.9)
	// below it.
	BadLowShare, GoodLowShare float64
}

func checkFloors(t *testing.T, part string, s eval.Summary, f floors) {
	t.Helper()
	low := func(name string, got, floor float64) {
		if got < floor {
			t.Errorf("%s: %s %.4f below floor %.3f", part, name, got, floor)
		}
	}
	low("F1", s.F1, f.F1)
	low("precision", s.Precision, f.Precision)
	low("recall", s.Recall, f.Recall)
	low("with-snippets", s.WithShare, f.With)
	low("title", s.TitleShare(), f.Title)
	low("author", s.AuthorShare(), f.Author)
	low("date", s.DateShare(), f.Date)
	low("language", s.LangShare(), f.Lang)
	low("bad pages below 0.5 confidence", s.BadLowShare(), f.BadLowShare)
	if g := s.GoodLowShare(); g > f.GoodLowShare {
		t.Errorf("%s: good pages below 0.5 confidence %.4f above ceiling %.3f", part, g, f.GoodLowShare)
	}
	if s.Empty > f.Empty {
		t.Errorf("%s: %d pages with none of their text, at most %d", part, s.Empty, f.Empty)
	}
	if f.WithoutShare > 0 && s.WithoutShare > f.WithoutShare {
		t.Errorf("%s: without-snippets %.4f above ceiling %.3f", part, s.WithoutShare, f.WithoutShare)
	}
}

func logGold(t *testing.T, corpus string, rep eval.GoldReport) {
	t.Helper()
	t.Logf("%s tuning:   %v", corpus, rep.Tune)
	t.Logf("%s held-out: %v", corpus, rep.Held)
	t.Logf("%s all:      %v  pages/s=%.0f", corpus, rep.All, rep.PagesPerSec)
	for _, p := range rep.Worst(*worstN) {
		t.Logf("%.3f P=%.3f R=%.3f conf=%.2f %s %s %s", p.Words.F1, p.Words.Precision, p.Words.Recall, p.Confidence, p.Method, p.ID, p.URL)
	}
	if *metaMisses {
		for _, m := range rep.MetaMisses() {
			t.Logf("meta %s", m)
		}
	}
}

// TestWCXBQuality scores the cleaner on WCXB's 711 development article
// pages: word F1 against the reviewed main text, snippets, metadata.
func TestWCXBQuality(t *testing.T) {
	pages, err := eval.LoadWCXB(testkit.Shared(t, "corpus", "wcxb-dev-articles"))
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.RunGold(pages, goldExtract)
	logGold(t, "wcxb-dev-articles", rep)
	checkFloors(t, "tuning", rep.Tune, wcxbTuneFloors)
	checkFloors(t, "held-out", rep.Held, wcxbHeldFloors)
}

// TestReadabilityPages measures metadata on Readability.js's test pages and
// counts pages that come out empty or far from Readability's own text.
func TestReadabilityPages(t *testing.T) {
	pages, err := eval.LoadReadability(testkit.Shared(t, "corpus", "readability-test-pages"))
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.RunGold(pages, goldExtract)
	logGold(t, "readability-test-pages", rep)
	checkFloors(t, "tuning", rep.Tune, readabilityTuneFloors)
	checkFloors(t, "held-out", rep.Held, readabilityHeldFloors)
}

// The floors: a little under the figures reached (docs/cleaner.md lists
// them), so that a change costing quality on either part fails.
var (
	wcxbTuneFloors = floors{F1: 0.945, Precision: 0.945, Recall: 0.955, With: 0.875, Empty: 3,
		WithoutShare: 0.04, Title: 0.885, Author: 0.875, Date: 0.848,
		BadLowShare: 0.14, GoodLowShare: 0.015}
	wcxbHeldFloors = floors{F1: 0.95, Precision: 0.958, Recall: 0.955, With: 0.88, Empty: 1,
		WithoutShare: 0.026, Title: 0.84, Author: 0.81, Date: 0.83,
		BadLowShare: 0.5, GoodLowShare: 0.01}
	readabilityTuneFloors = floors{F1: 0.91, Precision: 0.96, Recall: 0.885, Empty: 3,
		Title: 0.71, Author: 0.76, Date: 0.84, Lang: 0.99,
		BadLowShare: 0.8, GoodLowShare: 0.09}
	readabilityHeldFloors = floors{F1: 0.93, Precision: 0.97, Recall: 0.91, Empty: 1,
		Title: 0.64, Author: 0.55, Date: 0.63, Lang: 0.99,
		BadLowShare: 0.5, GoodLowShare: 0.04}
)
