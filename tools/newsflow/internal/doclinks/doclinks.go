// Package doclinks checks the relative links of Markdown pages: a link to a
// file must name one that exists, and a link with #anchor must name a
// heading of the page it points at, as GitHub renders heading anchors.
// Links with a scheme (https:, mailto:) are not followed: the machine has
// no network, and they are not ours to keep.
//
// Markdown is parsed with github.com/yuin/goldmark (CommonMark), so links
// inside code blocks and code spans are not taken for links.
package doclinks

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Problem is one broken link.
type Problem struct {
	Page string // relative to the root
	Line int
	Link string
	Why  string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.Page, p.Line, p.Link, p.Why)
}

// page is a parsed Markdown file: its links and its heading anchors.
type page struct {
	links   []link
	anchors map[string]bool
}

type link struct {
	dest string
	line int
}

// Check reads the pages (paths relative to root) and returns every broken
// relative link and anchor among them, in page order.
func Check(root string, pages []string) ([]Problem, error) {
	parsed := map[string]*page{}
	load := func(rel string) (*page, error) {
		if p, ok := parsed[rel]; ok {
			return p, nil
		}
		src, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return nil, fmt.Errorf("doclinks: %w", err)
		}
		p := parse(src)
		parsed[rel] = p
		return p, nil
	}
	var out []Problem
	for _, rel := range pages {
		p, err := load(rel)
		if err != nil {
			return nil, err
		}
		for _, l := range p.links {
			if why := check(root, rel, p, l.dest, load); why != "" {
				out = append(out, Problem{Page: rel, Line: l.line, Link: l.dest, Why: why})
			}
		}
	}
	return out, nil
}

// check returns why the link dest on page rel is broken, or "".
func check(root, rel string, p *page, dest string, load func(string) (*page, error)) string {
	u, err := url.Parse(dest)
	if err != nil {
		return "not a URL: " + err.Error()
	}
	if u.Scheme != "" || u.Host != "" {
		return ""
	}
	target, anchor := rel, u.Fragment
	if u.Path != "" {
		target = filepath.ToSlash(filepath.Join(filepath.Dir(rel), u.Path))
		if strings.HasPrefix(target, "../") {
			return "points outside the repository"
		}
		st, err := os.Stat(filepath.Join(root, target))
		if err != nil {
			return "no such file"
		}
		if st.IsDir() || !strings.HasSuffix(target, ".md") {
			if anchor != "" && !st.IsDir() {
				return "an anchor into a file that is not Markdown"
			}
			return ""
		}
	}
	if anchor == "" {
		return ""
	}
	tp := p
	if target != rel {
		if tp, err = load(target); err != nil {
			return err.Error()
		}
	}
	if !tp.anchors[anchor] {
		return fmt.Sprintf("no heading #%s in %s", anchor, target)
	}
	return ""
}

func parse(src []byte) *page {
	doc := goldmark.New().Parser().Parse(text.NewReader(src))
	p := &page{anchors: map[string]bool{}}
	seen := map[string]int{}
	line := 1
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			line = 1 + bytes.Count(src[:n.Lines().At(0).Start], []byte("\n"))
		}
		switch n := n.(type) {
		case *ast.Heading:
			slug := Slug(plain(n, src))
			if k := seen[slug]; k > 0 {
				p.anchors[fmt.Sprintf("%s-%d", slug, k)] = true
			} else {
				p.anchors[slug] = true
			}
			seen[slug]++
		case *ast.Link:
			p.links = append(p.links, link{dest: string(n.Destination), line: lineOf(n, src, line)})
		case *ast.Image:
			p.links = append(p.links, link{dest: string(n.Destination), line: lineOf(n, src, line)})
		}
		return ast.WalkContinue, nil
	})
	return p
}

// lineOf is the line of a link's first text, else the line of its block.
func lineOf(n ast.Node, src []byte, block int) int {
	if t, ok := n.FirstChild().(*ast.Text); ok {
		return 1 + bytes.Count(src[:t.Segment.Start], []byte("\n"))
	}
	return block
}

// plain is the text of an inline subtree, code spans included.
func plain(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// Slug is the anchor GitHub gives a heading: lower case, letters, digits,
// hyphens and underscores kept, spaces turned into hyphens, the rest
// dropped. Repeated headings get -1, -2... (see Check).
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
