package clean

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ErrTooComplex is returned (wrapped, with the figure and the limit) for a
// page whose tree would take far more memory than its size suggests: the
// parser builds the whole tree before anything can stop it, and misnested
// formatting tags make it clone elements (the adoption agency algorithm
// and the reconstruction of active formatting elements), so that 10 MB of
// <b><i><u><p>x</b>y</i>z</u> took the cleaner to 884 MB.
var ErrTooComplex = errors.New("clean: page too complex to parse")

// Limits on what a page may ask of the parser, checked with its tokenizer
// (which builds no tree) before parsing. Real pages stay far below: over
// the 1,022 pages of the shared corpora (extraction benchmark, WCXB dev,
// readability) the most were 24,277 nodes and 7 misnested formatting end
// tags (TestPageCostOfRealPages).
const (
	// maxNodes bounds elements, text runs and comments.
	maxNodes = 400_000
	// maxAdoptions bounds end tags of formatting elements that are not the
	// current element, each of which makes the parser clone elements.
	maxAdoptions = 5_000
)

// pageCost is what parsing a page would ask of the parser.
type pageCost struct {
	nodes, adoptions int
	// unclosed holds, per sectioning tag the extractor reads as chrome
	// (aside, nav, header, form, dialog), the ordinals (0-based, in
	// document order) of its elements never closed by their own end tag:
	// the parser nests the rest of their parent in them.
	unclosed map[atom.Atom][]int
}

// chromeByTag are the elements classHint scores as chrome for their tag.
func chromeByTag(a atom.Atom) bool {
	switch a {
	case atom.Aside, atom.Nav, atom.Header, atom.Form, atom.Dialog:
		return true
	}
	return false
}

// costOf tokenizes src and counts the nodes it would make and the
// misnested formatting end tags, following open elements on a bounded
// stack (enough to tell the common case, a formatting element closed where
// it was opened).
func costOf(src []byte) (pageCost, error) {
	var c pageCost
	z := html.NewTokenizer(bytes.NewReader(src))
	type opened struct {
		a   atom.Atom
		ord int // among the elements of its tag, for chromeByTag ones
	}
	var open [64]opened
	n := 0 // entries in open, the innermost last
	seen := map[atom.Atom]int{}
	inForm := false
	unclosed := func(entries []opened) {
		for _, e := range entries {
			if chromeByTag(e.a) {
				if c.unclosed == nil {
					c.unclosed = map[atom.Atom][]int{}
				}
				c.unclosed[e.a] = append(c.unclosed[e.a], e.ord)
			}
		}
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				unclosed(open[:n])
				return c, nil
			}
			return c, z.Err()
		case html.TextToken, html.CommentToken:
			c.nodes++
		case html.StartTagToken:
			c.nodes++
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if voidElement(a) {
				continue
			}
			if a == atom.Form {
				// The parser keeps a form pointer, set by <form> and
				// cleared only by </form>: a <form> while it is set is
				// dropped, even after the first was closed implicitly.
				if inForm {
					continue
				}
				inForm = true
			}
			ord := 0
			if chromeByTag(a) {
				ord = seen[a]
				seen[a]++
			}
			if n == len(open) {
				copy(open[:], open[len(open)/2:])
				n = len(open) / 2
			}
			open[n] = opened{a: a, ord: ord}
			n++
		case html.SelfClosingTagToken:
			c.nodes++
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Form {
				inForm = false
			}
			i := n - 1
			for i >= 0 && open[i].a != a {
				i--
			}
			if i < 0 {
				continue // closes nothing we follow
			}
			if i != n-1 && formatting(a) {
				c.adoptions++
			}
			unclosed(open[i+1 : n])
			n = i
		}
	}
}

// checkCost refuses a page over the limits, before it is parsed.
func checkCost(src []byte) (pageCost, error) {
	c, err := costOf(src)
	if err != nil {
		return c, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case c.nodes > maxNodes:
		return c, fmt.Errorf("%w: %d nodes (limit %d)", ErrTooComplex, c.nodes, maxNodes)
	case c.adoptions > maxAdoptions:
		return c, fmt.Errorf("%w: %d misnested formatting tags (limit %d)", ErrTooComplex, c.adoptions, maxAdoptions)
	}
	return c, nil
}

// demoteUnclosed turns the unclosed chrome-by-tag elements of doc into
// divs: an <aside> or <nav> left open holds the rest of the article, which
// a browser shows, and its tag must not make all of it chrome. Its class,
// id and role still count. Elements are matched to their start tags by
// their order among the elements of their tag (costOf does not count a
// <form> the parser drops).
func demoteUnclosed(doc *html.Node, c pageCost) {
	if len(c.unclosed) == 0 {
		return
	}
	want := make(map[atom.Atom]map[int]bool, len(c.unclosed))
	for a, ords := range c.unclosed {
		want[a] = make(map[int]bool, len(ords))
		for _, o := range ords {
			want[a][o] = true
		}
	}
	seen := map[atom.Atom]int{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type == html.ElementNode && ch.Namespace == "" && chromeByTag(ch.DataAtom) {
				ord := seen[ch.DataAtom]
				seen[ch.DataAtom]++
				if want[ch.DataAtom][ord] {
					ch.DataAtom, ch.Data = atom.Div, "div"
				}
			}
			walk(ch)
		}
	}
	walk(doc)
}

func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr, atom.Param, atom.Keygen:
		return true
	}
	return false
}

// formatting lists the elements the parser keeps in its list of active
// formatting elements.
func formatting(a atom.Atom) bool {
	switch a {
	case atom.A, atom.B, atom.Big, atom.Code, atom.Em, atom.Font, atom.I, atom.Nobr, atom.S,
		atom.Small, atom.Strike, atom.Strong, atom.Tt, atom.U:
		return true
	}
	return false
}
