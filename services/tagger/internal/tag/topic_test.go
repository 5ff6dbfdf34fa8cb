package tag

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultTopic(t *testing.T) {
	t.Parallel()
	top, err := DefaultTopic()
	if err != nil {
		t.Fatal(err)
	}
	if top.Name != "isis-coalition" || len(top.Tags) != 2 || top.Tags[0].Name != "isis" || top.Tags[1].Name != "coalition" {
		t.Fatalf("unexpected default topic: %q %d tags", top.Name, len(top.Tags))
	}
	// The gazetteer knows the spelling variants the issue lists.
	variants := map[string][]string{}
	for _, p := range top.Places {
		variants[p.Name] = p.Variants
	}
	for name, want := range map[string]string{"Hawija": "Hawijah", "Tal Afar": "Talafar", "Deir ez-Zor": "Deir al-Zour", "Raqqa": "Raqqah"} {
		if !contains(variants[name], want) {
			t.Errorf("place %s lacks variant %s", name, want)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestLoadTopicTagsWithIt(t *testing.T) {
	t.Parallel()
	top, err := LoadTopic("testdata/topics/al-shabaab.yaml")
	if err != nil {
		t.Fatal(err)
	}
	def, err := DefaultTopic()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := New(def, top)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/dev/neg_shabaab.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	r := tg.Tag(Document{Title: strings.SplitN(text, "\n", 2)[0], Text: text})
	if !r.Relevant || len(r.Tags) != 1 || r.Tags[0].Name != "al-shabaab" {
		t.Fatalf("al-Shabaab article: relevant %v tags %+v", r.Relevant, r.Tags)
	}
	if len(r.Tags[0].Evidence) == 0 || r.Tags[0].Score <= 0 || r.Tags[0].Score > 1 {
		t.Errorf("tag without evidence or with a bad score: %+v", r.Tags[0])
	}
}

func TestParseTopicErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml string }{
		{"empty", ""},
		{"no name", "tags: [{name: x, aliases: [{text: X}]}]"},
		{"no tags", "name: t"},
		{"unknown field", "name: t\nfoo: 1\ntags: [{name: x, aliases: [{text: X}]}]"},
		{"requires later tag", "name: t\ntags: [{name: a, requires: b, aliases: [{text: A}]}, {name: b, aliases: [{text: B}]}]"},
		{"duplicate tag", "name: t\ntags: [{name: a, aliases: [{text: A}]}, {name: a, aliases: [{text: B}]}]"},
		{"no aliases", "name: t\ntags: [{name: a}]"},
		{"bad case", "name: t\ntags: [{name: a, aliases: [{text: A, case: upper}]}]"},
		{"empty alias", "name: t\ntags: [{name: a, aliases: [{text: ' - '}]}]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseTopic(strings.NewReader(tc.yaml)); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestLoadTopicMissingFile(t *testing.T) {
	t.Parallel()
	_, err := LoadTopic(filepath.Join(t.TempDir(), "none.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	if _, err := New(); !errors.Is(err, ErrNoTopics) {
		t.Errorf("New() err = %v", err)
	}
	def, err := DefaultTopic()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(def, def); !errors.Is(err, ErrDuplicateTag) {
		t.Errorf("New(def, def) err = %v", err)
	}
}
