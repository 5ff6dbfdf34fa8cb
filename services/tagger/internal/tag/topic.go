package tag

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

//go:embed topics/isis.yaml
var defaultTopicYAML []byte

// Topic is everything the tagger knows about one subject: aliases, partner
// names, gazetteers and negative patterns. It is data, read from YAML (see
// topics/isis.yaml for the documented format).
type Topic struct {
	Name string `yaml:"name"`
	// Context are phrases that make an ambiguous alias read as this topic.
	Context []string `yaml:"context"`
	// Senses are other meanings of the ambiguous aliases.
	Senses []Sense `yaml:"senses"`
	// Competitors are other armed groups; an article dominated by them is
	// not about this topic.
	Competitors []string     `yaml:"competitors"`
	Tags        []TagSpec    `yaml:"tags"`
	Places      []Gazetteer  `yaml:"places"`
	Orgs        []Gazetteer  `yaml:"orgs"`
	ClaimTopics []ClaimTopic `yaml:"claim_topics"`
	// Sources give known sources a role (coalition, government,
	// group-media, monitor, ngo, media) for Claim.SpeakerRole.
	Sources []SourceRole `yaml:"sources"`
}

// SourceRole is a role and the names of the sources that have it.
type SourceRole struct {
	Role  string   `yaml:"role"`
	Names []string `yaml:"names"`
}

// Sense is another meaning of an ambiguous alias and the words that signal it.
type Sense struct {
	Name string   `yaml:"name"`
	Cues []string `yaml:"cues"`
}

// TagSpec is one tag and how to decide it.
type TagSpec struct {
	Name string `yaml:"name"`
	// Requires names a tag, listed earlier, that must pass for this tag's
	// non-strong aliases to count.
	Requires string `yaml:"requires"`
	// MinHits is the alias weight an article needs anywhere in its body to
	// pass without a headline or lead mention (default 3, or 1 with Requires).
	MinHits float64 `yaml:"min_hits"`
	// AloneHits lets a tag with Requires pass on its own when the required
	// tag has at least one confirmed mention but does not pass: an article
	// about the coalition that names ISIS once. Zero disables it.
	AloneHits float64  `yaml:"alone_hits"`
	Aliases   []Alias  `yaml:"aliases"`
	Exclude   []string `yaml:"exclude"`
}

// Alias is one name of the tagged thing.
type Alias struct {
	Text string `yaml:"text"`
	// Case is "exact", "any" or empty (see topics/isis.yaml).
	Case   string  `yaml:"case"`
	Weight float64 `yaml:"weight"`
	// Context is how many distinct context phrases the article needs for
	// this alias to count; ambiguous aliases set it.
	Context int `yaml:"context"`
	// Strong aliases count even when the required tag does not pass.
	Strong bool `yaml:"strong"`
	// NotBeforeName rejects a mention followed by a capitalised word in
	// running text: "Isis Moreno", "Isis Pharmaceuticals".
	NotBeforeName bool `yaml:"not_before_name"`
}

// Gazetteer is a place or organisation with its other spellings.
type Gazetteer struct {
	Name     string   `yaml:"name"`
	Variants []string `yaml:"variants"`
	Country  string   `yaml:"country"`
	Case     string   `yaml:"case"`
	// Outlet marks news agencies and papers.
	Outlet bool `yaml:"outlet"`
}

// ClaimTopic names what a claim is about and the words that say so.
type ClaimTopic struct {
	Name string   `yaml:"name"`
	Cues []string `yaml:"cues"`
}

// DefaultTopic returns the built-in ISIS / anti-ISIS coalition topic.
func DefaultTopic() (Topic, error) {
	return ParseTopic(bytes.NewReader(defaultTopicYAML))
}

// LoadTopic reads a topic from a YAML (or JSON) file.
func LoadTopic(path string) (Topic, error) {
	f, err := os.Open(path)
	if err != nil {
		return Topic{}, fmt.Errorf("tag: load topic: %w", err)
	}
	defer f.Close()
	t, err := ParseTopic(f)
	if err != nil {
		return Topic{}, fmt.Errorf("tag: load topic %s: %w", path, err)
	}
	return t, nil
}

// ParseTopic decodes and validates a topic. Unknown fields are errors, so a
// misspelt key is not silently ignored.
func ParseTopic(r io.Reader) (Topic, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var t Topic
	if err := dec.Decode(&t); err != nil {
		if errors.Is(err, io.EOF) {
			return Topic{}, fmt.Errorf("tag: parse topic: %w", ErrEmptyTopic)
		}
		return Topic{}, fmt.Errorf("tag: parse topic: %w", err)
	}
	if err := t.validate(); err != nil {
		return Topic{}, err
	}
	return t, nil
}

func (t *Topic) validate() error {
	if t.Name == "" {
		return fmt.Errorf("%w: no name", ErrInvalidTopic)
	}
	for i, sr := range t.Sources {
		if sr.Role == "" || len(sr.Names) == 0 {
			return fmt.Errorf("%w: topic %q: source role %d needs a role and names", ErrInvalidTopic, t.Name, i)
		}
	}
	if len(t.Tags) == 0 {
		return fmt.Errorf("%w: topic %q has no tags", ErrInvalidTopic, t.Name)
	}
	seen := map[string]bool{}
	for i := range t.Tags {
		ts := &t.Tags[i]
		if ts.Name == "" {
			return fmt.Errorf("%w: topic %q: tag %d has no name", ErrInvalidTopic, t.Name, i)
		}
		if seen[ts.Name] {
			return fmt.Errorf("%w: topic %q: tag %q listed twice", ErrInvalidTopic, t.Name, ts.Name)
		}
		if ts.Requires != "" && !seen[ts.Requires] {
			return fmt.Errorf("%w: topic %q: tag %q requires %q, which is not listed before it", ErrInvalidTopic, t.Name, ts.Name, ts.Requires)
		}
		seen[ts.Name] = true
		if len(ts.Aliases) == 0 {
			return fmt.Errorf("%w: topic %q: tag %q has no aliases", ErrInvalidTopic, t.Name, ts.Name)
		}
		if ts.MinHits < 0 {
			return fmt.Errorf("%w: topic %q: tag %q: negative min_hits", ErrInvalidTopic, t.Name, ts.Name)
		}
		for j := range ts.Aliases {
			a := &ts.Aliases[j]
			if phraseWords(a.Text) == 0 {
				return fmt.Errorf("%w: topic %q: tag %q: alias %d has no words", ErrInvalidTopic, t.Name, ts.Name, j)
			}
			if err := checkCase(a.Case); err != nil {
				return fmt.Errorf("%w: topic %q: alias %q: %w", ErrInvalidTopic, t.Name, a.Text, err)
			}
			if a.Weight < 0 || a.Context < 0 {
				return fmt.Errorf("%w: topic %q: alias %q: negative weight or context", ErrInvalidTopic, t.Name, a.Text)
			}
		}
	}
	for _, g := range append(append([]Gazetteer(nil), t.Places...), t.Orgs...) {
		if phraseWords(g.Name) == 0 {
			return fmt.Errorf("%w: topic %q: gazetteer entry without a name", ErrInvalidTopic, t.Name)
		}
		if err := checkCase(g.Case); err != nil {
			return fmt.Errorf("%w: topic %q: %q: %w", ErrInvalidTopic, t.Name, g.Name, err)
		}
	}
	for _, c := range t.ClaimTopics {
		if c.Name == "" {
			return fmt.Errorf("%w: topic %q: claim topic without a name", ErrInvalidTopic, t.Name)
		}
	}
	return nil
}

func checkCase(c string) error {
	switch c {
	case "", "exact", "any":
		return nil
	}
	return fmt.Errorf("case %q is not exact, any or empty", c)
}

// phraseWords counts the words a phrase tokenises to.
func phraseWords(s string) int {
	n := 0
	for _, t := range tokenize(s, 0, nil) {
		if t.isWord() {
			n++
		}
	}
	return n
}
