package tag

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"

	"go.yaml.in/yaml/v3"
)

//go:embed topics/isis.yaml
var defaultTopicYAML []byte

//go:embed topics/isis.*.yaml
var langTopicFS embed.FS

// Topic is everything the tagger knows about one subject: aliases, partner
// names, gazetteers and negative patterns. It is data, read from YAML (see
// topics/isis.yaml for the documented format).
type Topic struct {
	Name string `yaml:"name"`
	// Lang is the language of this file's words; empty for a base topic
	// (English). A topic in another language adds its words to the base
	// topic of the same name (see topics/isis.fr.yaml).
	Lang string `yaml:"lang"`
	// Codes are other language codes that select this file besides Lang:
	// three-letter codes, and languages a detector confuses with it.
	Codes []string `yaml:"codes"`
	// Stopwords are frequent function words of the language; they choose
	// the language of a document that comes without one.
	Stopwords []string `yaml:"stopwords"`
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

// DefaultTopics returns the built-in topic and its data in every
// language the tagger ships (topics/isis.LANG.yaml), English first.
func DefaultTopics() ([]Topic, error) {
	base, err := DefaultTopic()
	if err != nil {
		return nil, err
	}
	out := []Topic{base}
	files, err := fs.Glob(langTopicFS, "topics/isis.*.yaml")
	if err != nil {
		return nil, fmt.Errorf("tag: list topics: %w", err)
	}
	sort.Strings(files)
	for _, f := range files {
		raw, err := langTopicFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("tag: read topic %s: %w", f, err)
		}
		t, err := ParseTopic(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("tag: topic %s: %w", f, err)
		}
		out = append(out, t)
	}
	return out, nil
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
	if isForeign(t.Lang) {
		return t.validateLang()
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

// validateLang checks a topic in another language: its tags name tags of
// the base topic and only add words; how a tag is decided is the base
// topic's, and claims are English only.
func (t *Topic) validateLang() error {
	if len(t.ClaimTopics) > 0 {
		return fmt.Errorf("%w: topic %q in %q: claim_topics are English only", ErrInvalidTopic, t.Name, t.Lang)
	}
	for i := range t.Tags {
		ts := &t.Tags[i]
		if ts.Name == "" {
			return fmt.Errorf("%w: topic %q in %q: tag %d has no name", ErrInvalidTopic, t.Name, t.Lang, i)
		}
		if ts.Requires != "" || ts.MinHits != 0 || ts.AloneHits != 0 {
			return fmt.Errorf("%w: topic %q in %q: tag %q: requires, min_hits and alone_hits belong to the base topic", ErrInvalidTopic, t.Name, t.Lang, ts.Name)
		}
		for j := range ts.Aliases {
			a := &ts.Aliases[j]
			if phraseWords(a.Text) == 0 {
				return fmt.Errorf("%w: topic %q in %q: tag %q: alias %d has no words", ErrInvalidTopic, t.Name, t.Lang, ts.Name, j)
			}
			if err := checkCase(a.Case); err != nil {
				return fmt.Errorf("%w: topic %q in %q: alias %q: %w", ErrInvalidTopic, t.Name, t.Lang, a.Text, err)
			}
			if a.Weight < 0 || a.Context < 0 {
				return fmt.Errorf("%w: topic %q in %q: alias %q: negative weight or context", ErrInvalidTopic, t.Name, t.Lang, a.Text)
			}
		}
	}
	for _, g := range append(append([]Gazetteer(nil), t.Places...), t.Orgs...) {
		if phraseWords(g.Name) == 0 {
			return fmt.Errorf("%w: topic %q in %q: gazetteer entry without a name", ErrInvalidTopic, t.Name, t.Lang)
		}
		if err := checkCase(g.Case); err != nil {
			return fmt.Errorf("%w: topic %q in %q: %q: %w", ErrInvalidTopic, t.Name, t.Lang, g.Name, err)
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
