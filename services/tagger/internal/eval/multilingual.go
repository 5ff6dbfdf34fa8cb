package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/newsflow/newsflow/services/tagger/internal/tag"
)

// The multilingual evaluation measures relevance (claims are English
// only) with the topic data of every language the tagger ships, each
// article tagged with its language as the cleaner would give it:
//   - the shared real-world set: multilingual.json (fr, de, ar, es, tr) and,
//     for the English figures, labels.json, both in ../shared/tagger-realworld;
//   - the examples written for the tag package, one file per language in
//     services/tagger/internal/tag/testdata/lang.
//
// Held out: an article of the shared set whose id hashes (FNV-1a, 32 bits)
// to 0 mod 3 is never looked at while the topic data is written; figures
// are given for the tuned and the held-out part apart.

// LangExample is one labelled article of the tag package's own examples.
type LangExample struct {
	ID       string `json:"id"`
	Lang     string `json:"lang"`
	Relevant bool   `json:"relevant"`
	Why      string `json:"why"`
	Title    string `json:"title"`
	Text     string `json:"text"`
}

// sharedLabel is an entry of multilingual.json or labels.json.
type sharedLabel struct {
	ID       string `json:"id"`
	Lang     string `json:"lang"`
	Relevant bool   `json:"relevant"`
	Why      string `json:"why"`
}

// MultiReport holds relevance figures by part and by language.
type MultiReport struct {
	// SharedTuned and SharedHeld are the non-English shared set's two parts;
	// EnglishTuned and EnglishHeld those of labels.json.
	SharedTuned, SharedHeld   PRF
	EnglishTuned, EnglishHeld PRF
	// Own are the tag package's examples, all non-English ones together.
	Own PRF
	// SharedGuessed and OwnGuessed are the same articles given without
	// their language, which the tagger then guesses.
	SharedGuessed, OwnGuessed PRF
	// ByLang is every non-English article (shared and own) by language.
	ByLang map[string]*PRF
	// Languages are those the tagger has topic data for.
	Languages []string
	Misses    []string
}

// LangDir is where the tag package keeps its labelled examples, given the
// repository root.
func LangDir(root string) string {
	return filepath.Join(root, "services", "tagger", "internal", "tag", "testdata", "lang")
}

// RunMultilingual evaluates relevance on the shared real-world set in
// sharedDir (its tagger-realworld folder) and on the examples in langDir,
// and prints the report to w.
func RunMultilingual(sharedDir, langDir string, w io.Writer) (MultiReport, error) {
	topics, err := tag.DefaultTopics()
	if err != nil {
		return MultiReport{}, err
	}
	tg, err := tag.New(topics...)
	if err != nil {
		return MultiReport{}, err
	}
	rep := MultiReport{ByLang: map[string]*PRF{}, Languages: tg.Languages()}
	score := func(p *PRF, want, got bool) {
		switch {
		case want && got:
			p.TP++
		case want:
			p.FN++
		case got:
			p.FP++
		}
	}
	for _, set := range []struct {
		file         string
		tuned, held  *PRF
		byLang       bool
		defaultLangs string
	}{
		{"multilingual.json", &rep.SharedTuned, &rep.SharedHeld, true, ""},
		{"labels.json", &rep.EnglishTuned, &rep.EnglishHeld, false, "en"},
	} {
		labels, err := readShared(filepath.Join(sharedDir, set.file))
		if err != nil {
			return MultiReport{}, err
		}
		for _, l := range labels {
			d, err := readSharedArticle(filepath.Join(sharedDir, "articles", l.ID+".txt"))
			if err != nil {
				return MultiReport{}, err
			}
			d.Lang = l.Lang
			if d.Lang == "" {
				d.Lang = set.defaultLangs
			}
			got := tg.Tag(d).Relevant
			if set.byLang {
				d.Lang = ""
				score(&rep.SharedGuessed, l.Relevant, tg.Tag(d).Relevant)
			}
			part, name := set.tuned, "tuned"
			if HeldOut(l.ID) {
				part, name = set.held, "held-out"
			}
			score(part, l.Relevant, got)
			if set.byLang {
				score(rep.lang(l.Lang), l.Relevant, got)
			}
			if got != l.Relevant {
				rep.Misses = append(rep.Misses, fmt.Sprintf("shared %s %s (%s): relevant %v, want %v", name, l.ID, d.Lang, got, l.Relevant))
			}
		}
	}
	own, err := ReadLangExamples(langDir)
	if err != nil {
		return MultiReport{}, err
	}
	for _, e := range own {
		got := tg.Tag(tag.Document{Title: e.Title, Text: e.Text, Lang: e.Lang}).Relevant
		score(&rep.Own, e.Relevant, got)
		score(&rep.OwnGuessed, e.Relevant, tg.Tag(tag.Document{Title: e.Title, Text: e.Text}).Relevant)
		score(rep.lang(e.Lang), e.Relevant, got)
		if got != e.Relevant {
			rep.Misses = append(rep.Misses, fmt.Sprintf("own %s (%s): relevant %v, want %v: %s", e.ID, e.Lang, got, e.Relevant, e.Why))
		}
	}
	for _, p := range []*PRF{&rep.SharedTuned, &rep.SharedHeld, &rep.EnglishTuned, &rep.EnglishHeld, &rep.Own, &rep.SharedGuessed, &rep.OwnGuessed} {
		p.finish()
	}
	for _, p := range rep.ByLang {
		p.finish()
	}
	rep.print(w)
	return rep, nil
}

func (r *MultiReport) lang(l string) *PRF {
	p := r.ByLang[l]
	if p == nil {
		p = new(PRF)
		r.ByLang[l] = p
	}
	return p
}

// Shared returns the two parts of the non-English shared set together.
func (r *MultiReport) Shared() PRF {
	return sumPRF(r.SharedTuned, r.SharedHeld)
}

// English returns the two parts of labels.json together.
func (r *MultiReport) English() PRF {
	return sumPRF(r.EnglishTuned, r.EnglishHeld)
}

func sumPRF(a, b PRF) PRF {
	p := PRF{TP: a.TP + b.TP, FP: a.FP + b.FP, FN: a.FN + b.FN}
	p.finish()
	return p
}

func (r *MultiReport) print(w io.Writer) {
	line := func(name string, p PRF) {
		fmt.Fprintf(w, "  %-34s P %.3f  R %.3f  F1 %.3f  (tp %d fp %d fn %d)\n", name, p.Precision, p.Recall, p.F1, p.TP, p.FP, p.FN)
	}
	fmt.Fprintf(w, "multilingual relevance, topic data in %s (held out: FNV-1a(id) mod 3 == 0)\n", strings.Join(r.Languages, " "))
	line("shared fr/de/ar/es/tr, tuned", r.SharedTuned)
	line("shared fr/de/ar/es/tr, held out", r.SharedHeld)
	line("shared fr/de/ar/es/tr, all", r.Shared())
	line("shared English labels, tuned", r.EnglishTuned)
	line("shared English labels, held out", r.EnglishHeld)
	line("shared English labels, all", r.English())
	line("own examples (testdata/lang)", r.Own)
	line("shared, language guessed", r.SharedGuessed)
	line("own examples, language guessed", r.OwnGuessed)
	langs := make([]string, 0, len(r.ByLang))
	for l := range r.ByLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		line("  "+l+" (shared and own)", *r.ByLang[l])
	}
	for _, m := range r.Misses {
		fmt.Fprintln(w, "  miss:", m)
	}
}

func readShared(path string) ([]sharedLabel, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: read labels: %w", err)
	}
	var ls []sharedLabel
	if err := json.Unmarshal(raw, &ls); err != nil {
		return nil, fmt.Errorf("eval: decode %s: %w", path, err)
	}
	return ls, nil
}

// readSharedArticle reads an article of the shared set: "url: ...",
// "title: ..." (or "(none in stored page)"), a blank line, the body.
func readSharedArticle(path string) (tag.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return tag.Document{}, fmt.Errorf("eval: read article: %w", err)
	}
	defer f.Close()
	var d tag.Document
	var body strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	n := 0
	for sc.Scan() {
		t := sc.Text()
		n++
		switch {
		case n <= 3 && strings.HasPrefix(t, "url: "):
		case n <= 3 && strings.HasPrefix(t, "title: "):
			if ti := strings.TrimPrefix(t, "title: "); ti != "(none in stored page)" {
				d.Title = ti
			}
		case n <= 3 && t == "" && body.Len() == 0:
		default:
			body.WriteString(t)
			body.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return tag.Document{}, fmt.Errorf("eval: read article %s: %w", path, err)
	}
	d.Text = body.String()
	return d, nil
}

// ReadLangExamples reads every *.json file of dir: lists of LangExample.
func ReadLangExamples(dir string) ([]LangExample, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("eval: list examples: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no examples in %s", ErrNoLabels, dir)
	}
	sort.Strings(files)
	var out []LangExample
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("eval: read examples: %w", err)
		}
		var es []LangExample
		if err := json.Unmarshal(raw, &es); err != nil {
			return nil, fmt.Errorf("eval: decode %s: %w", f, err)
		}
		out = append(out, es...)
	}
	return out, nil
}
