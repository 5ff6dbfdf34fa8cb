package story

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed rules.yaml
var rulesYAML []byte

// Rules say when two articles are about one event and how a story's
// figures are compared; they come from rules.yaml (DefaultRules) or a
// file of the same shape (ParseRules).
type Rules struct {
	// Window is how far apart in time two articles of one story may be
	// published, article to article.
	Window time.Duration
	// MinShared and MinOverlap: two articles in the window are linked
	// when the keys they share weigh at least MinShared and at least
	// MinOverlap of the lighter article's keys.
	MinShared  float64
	MinOverlap float64
	Weights    map[string]float64
	// Tolerance is how far (a fraction) above a story's lowest figure of
	// one topic and unit another may be before the two disagree.
	Tolerance float64
	// units maps a lower-cased unit to the one it counts as.
	units map[string]string
	stop  map[string]bool
	// Version names these rules: stories kept under other rules are
	// rebuilt.
	Version string
}

type rulesFile struct {
	Window     string             `yaml:"window"`
	MinShared  float64            `yaml:"min_shared"`
	MinOverlap float64            `yaml:"min_overlap"`
	Weights    map[string]float64 `yaml:"weights"`
	Tolerance  float64            `yaml:"tolerance"`
	Units      [][]string         `yaml:"units"`
	Stopwords  []string           `yaml:"stopwords"`
}

// DefaultRules are the rules of rules.yaml.
func DefaultRules() Rules {
	r, err := ParseRules(rulesYAML)
	if err != nil {
		// rules.yaml is embedded and tested: this cannot happen at run time.
		return Rules{Window: 48 * time.Hour, MinShared: 4, MinOverlap: 0.3, Tolerance: 0.1}
	}
	return r
}

// ParseRules reads rules in the shape of rules.yaml.
func ParseRules(data []byte) (Rules, error) {
	var f rulesFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return Rules{}, fmt.Errorf("story: rules: %w", err)
	}
	w, err := time.ParseDuration(f.Window)
	if err != nil || w <= 0 {
		return Rules{}, fmt.Errorf("story: rules: window %q is not a positive duration", f.Window)
	}
	if f.MinShared <= 0 || f.MinOverlap <= 0 || f.MinOverlap > 1 {
		return Rules{}, fmt.Errorf("story: rules: min_shared must be > 0 and min_overlap in (0, 1]")
	}
	if f.Tolerance < 0 {
		return Rules{}, fmt.Errorf("story: rules: tolerance %v is negative", f.Tolerance)
	}
	r := Rules{Window: w, MinShared: f.MinShared, MinOverlap: f.MinOverlap, Weights: map[string]float64{},
		Tolerance: f.Tolerance, units: map[string]string{}, stop: map[string]bool{}}
	for _, k := range []string{KindPlace, KindEntity, KindFigure, KindWord} {
		v, ok := f.Weights[k]
		if !ok || v < 0 {
			return Rules{}, fmt.Errorf("story: rules: weight of %q missing or negative", k)
		}
		r.Weights[k] = v
	}
	for _, list := range f.Units {
		if len(list) == 0 {
			continue
		}
		name := unitKey(list[0])
		for _, u := range list {
			k := unitKey(u)
			if prev, ok := r.units[k]; ok && prev != name {
				return Rules{}, fmt.Errorf("story: rules: unit %q is in two lists (%q and %q)", u, prev, name)
			}
			r.units[k] = name
		}
	}
	for _, s := range f.Stopwords {
		r.stop[strings.ToLower(s)] = true
	}
	r.Version = fmt.Sprintf("story-1:%x", fnv32(data))
	return r, nil
}

// Unit is the unit u counts as: its list's first word, else u itself,
// lower-cased with single spaces.
func (r *Rules) Unit(u string) string {
	k := unitKey(u)
	if name, ok := r.units[k]; ok {
		return name
	}
	return k
}

func unitKey(u string) string { return strings.ToLower(strings.Join(strings.Fields(u), " ")) }

func fnv32(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}
