package clean

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// reactMarker is in every page that streams React segments; pages without
// it skip placeReactSegments.
var reactMarker = []byte(`id="S:`)

// placeReactSegments does what React's streaming script does in the
// browser: server-rendered content sent late, in hidden <div id="S:n">
// segments at the end of the body (in the order they completed, not the
// page's), replaces its placeholder: its own <template id="P:n">, else
// the suspense boundary <template id="B:n"> of the same id, whose
// fallback ("Loading paragraph...") it replaces; the script calls that
// pair them are not kept, and on every streamed page of the corpora a
// boundary's content segment bears its id. A segment matching neither
// fills the first boundary left, in document order. Without this the
// article's text is hidden, or lands after the footer.
func placeReactSegments(doc *html.Node) {
	var boundaries, segments []*html.Node
	holes, bounds := map[string]*html.Node{}, map[string]*html.Node{}
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			id := attr(c, "id")
			switch {
			case c.DataAtom == atom.Template && strings.HasPrefix(id, "B:"):
				boundaries = append(boundaries, c)
				bounds[id[2:]] = c
			case c.DataAtom == atom.Template && strings.HasPrefix(id, "P:"):
				holes[id[2:]] = c
			case c.DataAtom == atom.Div && strings.HasPrefix(id, "S:") && hasAttr(c, "hidden"):
				segments = append(segments, c)
			}
			walk(c, depth+1)
		}
	}
	walk(doc, 0)
	// Pair by id first, then the segments left with the boundaries left.
	targets := make([]*html.Node, len(segments))
	used := make(map[*html.Node]bool, len(boundaries))
	for i, seg := range segments {
		id := attr(seg, "id")[2:]
		if t := holes[id]; t != nil {
			targets[i] = t
		} else if t := bounds[id]; t != nil && !used[t] {
			targets[i], used[t] = t, true
		}
	}
	next := 0
	for i := range segments {
		for targets[i] == nil && next < len(boundaries) {
			if t := boundaries[next]; !used[t] {
				targets[i], used[t] = t, true
			}
			next++
		}
	}
	for i, seg := range segments {
		target := targets[i]
		if target == nil {
			continue
		}
		if target.DataAtom == atom.Template && strings.HasPrefix(attr(target, "id"), "B:") {
			dropFallback(target)
		}
		if target.Parent == nil || isInside(target, seg) {
			continue
		}
		for c := seg.FirstChild; c != nil; c = seg.FirstChild {
			seg.RemoveChild(c)
			target.Parent.InsertBefore(c, target)
		}
		target.Parent.RemoveChild(target)
		if seg.Parent != nil {
			seg.Parent.RemoveChild(seg)
		}
	}
}

// dropFallback removes the element a suspense boundary shows until its
// content arrives: the short one right after the boundary's template.
func dropFallback(t *html.Node) {
	f := t.NextSibling
	for f != nil && f.Type == html.TextNode && strings.TrimSpace(f.Data) == "" {
		f = f.NextSibling
	}
	if f == nil || f.Type != html.ElementNode || f.DataAtom == atom.Template || hasAttr(f, "hidden") {
		return
	}
	var b bytes.Buffer
	var text func(n *html.Node)
	text = func(n *html.Node) {
		for c := n.FirstChild; c != nil && b.Len() < 100; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
			text(c)
		}
	}
	text(f)
	if strings.TrimSpace(b.String()) != "" && b.Len() < 100 {
		f.Parent.RemoveChild(f)
	}
}

// isInside reports whether n lies inside (or is) root.
func isInside(n, root *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == root {
			return true
		}
	}
	return false
}
