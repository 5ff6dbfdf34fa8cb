package feedlist

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Feed is one subscription.
type Feed struct {
	URL   string   `yaml:"url"`
	Title string   `yaml:"title,omitempty"`
	Tags  []string `yaml:"tags,omitempty"`
	// Enabled is nil when the file does not say: feeds are enabled unless
	// switched off.
	Enabled *bool `yaml:"enabled,omitempty"`
	// MinInterval and MaxInterval bound this feed's adaptive schedule; zero
	// means the service default.
	MinInterval time.Duration `yaml:"min_interval,omitempty"`
	MaxInterval time.Duration `yaml:"max_interval,omitempty"`
}

// IsEnabled reports whether the feed should be polled.
func (f Feed) IsEnabled() bool { return f.Enabled == nil || *f.Enabled }

// ErrInvalid is wrapped by every validation error of a feeds file.
var ErrInvalid = errors.New("feedlist: invalid feed list")

// Load reads a feeds file, YAML (.yaml, .yml) or OPML (.opml, .xml), and
// validates it.
func Load(path string) ([]Feed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("feedlist: %w", err)
	}
	return parseByExt(path, b)
}

func parseByExt(path string, b []byte) ([]Feed, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return ParseYAML(bytes.NewReader(b))
	case ".opml", ".xml":
		return ParseOPML(bytes.NewReader(b))
	}
	return nil, fmt.Errorf("%w: %s: extension is not .yaml, .yml, .opml or .xml", ErrInvalid, path)
}

// ParseYAML reads a YAML list of feeds. A mapping with a single "feeds" key
// holding that list is accepted too. Unknown keys are errors, so a typo such
// as "max_intervall" does not silently fall back to a default.
func ParseYAML(r io.Reader) ([]Feed, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return []Feed{}, nil
		}
		return nil, fmt.Errorf("%w: yaml: %w", ErrInvalid, err)
	}
	list := &doc
	if list.Kind == yaml.DocumentNode && len(list.Content) == 1 {
		list = list.Content[0]
	}
	if list.Kind == yaml.MappingNode {
		var inner *yaml.Node
		for i := 0; i+1 < len(list.Content); i += 2 {
			if list.Content[i].Value == "feeds" {
				inner = list.Content[i+1]
			} else {
				return nil, fmt.Errorf("%w: line %d: unknown top-level key %q (want a list of feeds or feeds:)", ErrInvalid, list.Content[i].Line, list.Content[i].Value)
			}
		}
		if inner == nil {
			return []Feed{}, nil
		}
		list = inner
	}
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return []Feed{}, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%w: line %d: want a list of feeds", ErrInvalid, list.Line)
	}
	feeds := make([]Feed, 0, len(list.Content))
	for _, n := range list.Content {
		var f Feed
		if err := decodeStrict(n, &f); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrInvalid, n.Line, err)
		}
		feeds = append(feeds, f)
	}
	return validate(feeds, false)
}

// decodeStrict decodes one node refusing unknown fields (yaml.Node.Decode
// has no such switch, so the node is re-encoded and read by a strict
// decoder).
func decodeStrict(n *yaml.Node, out *Feed) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("feed entry is not a mapping")
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(out)
}

// validate normalises feeds in place and checks them. With merge set,
// duplicate URLs are merged (OPML exports list a feed once per folder);
// otherwise they are an error.
func validate(feeds []Feed, merge bool) ([]Feed, error) {
	seen := map[string]int{}
	for i := range feeds {
		f := &feeds[i]
		f.URL = strings.TrimSpace(f.URL)
		f.Title = strings.TrimSpace(f.Title)
		f.Tags = cleanTags(f.Tags)
		where := fmt.Sprintf("feed %d (%s)", i+1, f.URL)
		u, err := url.Parse(f.URL)
		switch {
		case f.URL == "":
			return nil, fmt.Errorf("%w: feed %d: no url", ErrInvalid, i+1)
		case err != nil:
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, where, err)
		case u.Scheme != "http" && u.Scheme != "https":
			return nil, fmt.Errorf("%w: %s: scheme is not http or https", ErrInvalid, where)
		case u.Host == "":
			return nil, fmt.Errorf("%w: %s: no host", ErrInvalid, where)
		case f.MinInterval < 0 || f.MaxInterval < 0:
			return nil, fmt.Errorf("%w: %s: negative interval", ErrInvalid, where)
		case f.MinInterval > 0 && f.MaxInterval > 0 && f.MinInterval > f.MaxInterval:
			return nil, fmt.Errorf("%w: %s: min_interval %v is above max_interval %v", ErrInvalid, where, f.MinInterval, f.MaxInterval)
		}
		if j, dup := seen[f.URL]; dup {
			if !merge {
				return nil, fmt.Errorf("%w: %s: same url as feed %d", ErrInvalid, where, j+1)
			}
			feeds[j].Tags = cleanTags(append(feeds[j].Tags, f.Tags...))
			f.URL = "" // dropped below
			continue
		}
		seen[f.URL] = i
	}
	out := feeds[:0]
	for _, f := range feeds {
		if f.URL != "" {
			out = append(out, f)
		}
	}
	return out, nil
}

func cleanTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}
