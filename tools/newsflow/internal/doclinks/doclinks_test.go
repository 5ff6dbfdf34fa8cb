package doclinks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// TestDocsLinks checks every relative link and anchor of README.md and
// docs/*.md.
func TestDocsLinks(t *testing.T) {
	root := testkit.RepoRoot(t)
	pages := []string{"README.md"}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		pages = append(pages, filepath.ToSlash(filepath.Join("docs", filepath.Base(d))))
	}
	if len(pages) < 5 {
		t.Fatalf("found only %v: not the repository root?", pages)
	}
	problems, err := Check(root, pages)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func TestSlug(t *testing.T) {
	t.Parallel()
	tests := []struct{ heading, want string }{
		{"Quick start", "quick-start"},
		{"What we break, and what is lost: nothing", "what-we-break-and-what-is-lost-nothing"},
		{"`fetcher feeds`", "fetcher-feeds"},
		{"Running against a real NATS cluster and PostgreSQL", "running-against-a-real-nats-cluster-and-postgresql"},
		{"Sink upserts (SQLite/PostgreSQL)", "sink-upserts-sqlitepostgresql"},
		{"snake_case and a-b", "snake_case-and-a-b"},
	}
	for _, tc := range tests {
		if got := Slug(tc.heading); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.heading, got, tc.want)
		}
	}
}

// TestCheckFindsBrokenLinks holds the checker to what it must catch, and
// to what it must leave alone.
func TestCheckFindsBrokenLinks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", `# Top

## Quick start

See [a](docs/a.md), [a's part](docs/a.md#the-part), [here](#quick-start),
[web](https://example.com/x#y), [dir](docs/), ![pic](docs/img/p.png).
Broken: [gone](docs/gone.md), [bad anchor](docs/a.md#nothing), [self](#nowhere),
![no pic](docs/img/none.png), [out](../elsewhere.md).

`+"```"+`
[in code](docs/not-checked.md)
`+"```"+`
`)
	write("docs/a.md", "# A\n\n## The part\n\n## The part\n\nBack to [top](../README.md#top), [second](#the-part-1).\n")
	write("docs/img/p.png", "png")
	problems, err := Check(root, []string{"README.md", "docs/a.md"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Page+" "+p.Link)
	}
	want := []string{
		"README.md docs/gone.md",
		"README.md docs/a.md#nothing",
		"README.md #nowhere",
		"README.md docs/img/none.png",
		"README.md ../elsewhere.md",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(problems) > 0 && problems[0].Line != 7 {
		t.Errorf("first problem on line %d, want 7", problems[0].Line)
	}
}
