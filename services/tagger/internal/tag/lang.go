package tag

import (
	_ "embed"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The attribution pass reads its words from a language file (lang/en.yaml):
// reporting verbs by how they attribute, the nouns of "X revised its
// estimate" and "an estimate by X", the heads that refer back to an
// earlier source ("the firm", "the statement") and the speaker kinds they
// imply. Another language is another file and, where its word order
// differs, a little code.

//go:embed lang/en.yaml
var englishYAML []byte

// Lang is one language's attribution vocabulary.
type Lang struct {
	ReportingVerbs struct {
		Strong     []string `yaml:"strong"`
		Weak       []string `yaml:"weak"`
		Transitive []string `yaml:"transitive"`
		NounForms  []string `yaml:"noun_forms"`
	} `yaml:"reporting_verbs"`
	ObjectVerbs    []string            `yaml:"object_verbs"`
	EstimateNouns  []string            `yaml:"estimate_nouns"`
	ByNouns        []string            `yaml:"by_nouns"`
	PossNouns      []string            `yaml:"possessive_nouns"`
	NotDocVerbs    []string            `yaml:"doc_verbs_not"`
	ContinuedVerbs []string            `yaml:"continued_verbs"`
	SourceHeads    map[string][]string `yaml:"source_heads"`
	AnonymousHeads []string            `yaml:"anonymous_heads"`
	Continuations  []string            `yaml:"continuations"`
	FirstPerson    []string            `yaml:"first_person"`
	Outcomes       []string            `yaml:"outcomes"`
	Determiners    []string            `yaml:"determiners"`
	AsidePreps     []string            `yaml:"aside_prepositions"`
	WhoseWords     []string            `yaml:"whose_words"`
	ObjectPronouns map[string]string   `yaml:"object_pronouns"`
	Ranks          struct {
		OrdinalSuffixes []string `yaml:"ordinal_suffixes"`
		OrdinalWords    []string `yaml:"ordinal_words"`
		Verbs           []string `yaml:"verbs"`
	} `yaml:"ranks"`
	Months     []string `yaml:"months"`
	PlaceNouns []string `yaml:"place_nouns"`
}

// langWords is a Lang as lookups.
type langWords struct {
	speech, weak, transitive, nounForms set
	objectVerbs, estimateNouns, byNouns set
	possNouns, notDocVerbs              set
	continuedVerbs                      set
	anonymous, continuations, first     set
	determiners, asidePreps, whose      set
	headKind                            map[string]string     // "firm" -> organisation
	outcomes                            map[string][][]string // first word -> phrases
	outcomeF                            *wordFilter           // their first words
	objectPronouns                      map[string]string
	ordinalSuffixes, ordinalWords       set
	rankVerbs, months, placeNouns       set
}

type set map[string]bool

func toSet(lists ...[]string) set {
	s := set{}
	for _, l := range lists {
		for _, w := range l {
			s[w] = true
		}
	}
	return s
}

func parseLang(raw []byte) (*langWords, error) {
	var l Lang
	if err := yaml.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("tag: language file: %w", err)
	}
	rv := l.ReportingVerbs
	if len(rv.Strong) == 0 {
		return nil, fmt.Errorf("tag: language file: %w", ErrNoReportingVerbs)
	}
	w := &langWords{
		// Every word that may attribute passes the first test.
		speech:          toSet(rv.Strong, rv.Weak, rv.Transitive, rv.NounForms, l.ObjectVerbs),
		weak:            toSet(rv.Weak, rv.NounForms, l.ObjectVerbs),
		transitive:      toSet(rv.Transitive),
		nounForms:       toSet(rv.NounForms),
		objectVerbs:     toSet(l.ObjectVerbs),
		estimateNouns:   toSet(l.EstimateNouns),
		byNouns:         toSet(l.ByNouns),
		possNouns:       toSet(l.PossNouns),
		notDocVerbs:     toSet(l.NotDocVerbs),
		continuedVerbs:  toSet(l.ContinuedVerbs),
		anonymous:       toSet(l.AnonymousHeads),
		continuations:   toSet(l.Continuations),
		first:           toSet(l.FirstPerson),
		determiners:     toSet(l.Determiners),
		asidePreps:      toSet(l.AsidePreps),
		whose:           toSet(l.WhoseWords),
		objectPronouns:  l.ObjectPronouns,
		ordinalSuffixes: toSet(l.Ranks.OrdinalSuffixes),
		ordinalWords:    toSet(l.Ranks.OrdinalWords),
		rankVerbs:       toSet(l.Ranks.Verbs),
		months:          toSet(l.Months),
		placeNouns:      toSet(l.PlaceNouns),
		headKind:        map[string]string{},
	}
	w.outcomes = map[string][][]string{}
	w.outcomeF = new(wordFilter)
	for _, o := range l.Outcomes {
		ws := strings.Fields(o)
		if len(ws) > 0 {
			w.outcomes[ws[0]] = append(w.outcomes[ws[0]], ws)
			w.outcomeF.add(ws[0])
		}
	}
	for kind, heads := range l.SourceHeads {
		for _, h := range heads {
			w.headKind[h] = kind
		}
	}
	return w, nil
}

// english is the built-in language; the file is part of the binary, so a
// broken one is a build error caught by the package's tests.
var english = func() *langWords {
	w, err := parseLang(englishYAML)
	if err != nil {
		panic(err)
	}
	return w
}()

// hasOutcome reports an outcome phrase of the language among the words of
// toks[a:b].
func (w *langWords) hasOutcome(toks []token, a, b int) bool {
	for k := a; k < b; k++ {
		if toks[k].kind != tWord || !w.outcomeF.mayHave(toks[k].norm) {
			continue
		}
	phrases:
		for _, ph := range w.outcomes[toks[k].norm] {
			m := k
			for _, pw := range ph {
				for m < b && !toks[m].isWord() {
					m++
				}
				if m >= b || toks[m].norm != pw {
					continue phrases
				}
				m++
			}
			return true
		}
	}
	return false
}
