package quantity

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The parser's words are data: lang/en.yaml holds English number words,
// scales, qualifiers, units and the words around numbers that tell a count
// from a date, a code or an age. Another language is another file and,
// where its word order differs, a little code.

//go:embed lang/en.yaml
var englishYAML []byte

// ErrEmptyLang is returned for a language file without numbers or units.
var ErrEmptyLang = errors.New("quantity: empty language file")

// phraseTo maps a phrase, as lower-case words, to a value: a qualifier or
// a unit.
type phraseTo struct {
	Words []string `yaml:"words"`
	To    string   `yaml:"to"`
}

// Lang is one language's vocabulary for the parser.
type Lang struct {
	SmallNumbers   map[string]float64 `yaml:"small_numbers"`
	TensNumbers    map[string]float64 `yaml:"tens_numbers"`
	ScaleWords     map[string]float64 `yaml:"scale_words"`
	SuffixScales   map[string]float64 `yaml:"suffix_scales"`
	Qualifiers     []phraseTo         `yaml:"qualifiers"`
	UnitPhrases    []phraseTo         `yaml:"unit_phrases"`
	Durations      map[string]string  `yaml:"durations"`
	CurrencyBefore map[string]string  `yaml:"currency_before"`
	Singulars      map[string]string  `yaml:"singulars"`
	Collectives    []string           `yaml:"collectives"`
	NpStop         []string           `yaml:"np_stop"`
	NotPlural      []string           `yaml:"not_plural"`
	MonthWords     []string           `yaml:"month_words"`
	YearContext    []string           `yaml:"year_context"`
	LabelWords     []string           `yaml:"label_words"`
	TimeWords      []string           `yaml:"time_words"`
	PeopleVerbs    []string           `yaml:"people_verbs"`
	PeopleAfter    []string           `yaml:"people_after"`
	CountedNouns   map[string]string  `yaml:"counted_nouns"`
	VagueScales    map[string]float64 `yaml:"vague_scales"`
	PlaceNouns     []string           `yaml:"place_nouns"`
	Fractions      map[string]float64 `yaml:"fractions"`
	HalfBlockers   []string           `yaml:"half_blockers"`
	Multipliers    map[string]float64 `yaml:"multipliers"`
	SquareUnits    map[string]string  `yaml:"square_units"`
	ArmedBodies    []string           `yaml:"armed_bodies"`
	RateWords      []string           `yaml:"rate_words"`
	DeterminersOf  []string           `yaml:"determiners_of"`
}

// ParseLang reads a language file.
func ParseLang(raw []byte) (*Lang, error) {
	var l Lang
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("quantity: language file: %w", err)
	}
	if len(l.SmallNumbers) == 0 || len(l.UnitPhrases) == 0 {
		return nil, fmt.Errorf("quantity: language file: %w", ErrEmptyLang)
	}
	return &l, nil
}

// english is the built-in language; the file is part of the binary, so a
// broken one fails the package's tests.
var english = func() *Lang {
	l, err := ParseLang(englishYAML)
	if err != nil {
		panic(err)
	}
	return l
}()

func toSet(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
