package clean

import (
	"errors"
	"fmt"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newsflow/newsflow/pkg/markup"
)

// ErrTooComplex is returned (wrapped, with the figure and the limit) for a
// page whose tree would take far more memory than its size suggests: the
// parser builds the whole tree before anything can stop it, and misnested
// formatting tags make it clone elements (the adoption agency algorithm
// and the reconstruction of active formatting elements), so that 10 MB of
// <b><i><u><p>x</b>y</i>z</u> took the cleaner to 884 MB.
var ErrTooComplex = errors.New("clean: page too complex to parse")

// Limits on what a page may ask of the parser, checked on its tags (read
// as the tokenizer reads them, while the page is filtered) before parsing.
// Real pages stay far below (TestPageCostOfRealPages logs the most of the
// 1,022 pages of the shared corpora).
const (
	// maxNodes bounds the tags, each of which makes a node or ends one
	// (text may follow either).
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

// coster follows a page's tags (markup.TagFunc, told while the page is
// filtered, so the scan costs no pass of its own) and counts the nodes they
// make and the misnested formatting end tags, following open elements on a
// bounded stack (enough to tell the common case, a formatting element
// closed where it was opened).
type coster struct {
	c    pageCost
	open [64]opened
	n    int // entries in open, the innermost last
	// seen counts the elements of each chromeByTag tag so far.
	seen   map[atom.Atom]int
	inForm bool
}

type opened struct {
	a   atom.Atom
	ord int // among the elements of its tag, for chromeByTag ones
}

// tag is the markup.TagFunc.
func (k *coster) tag(end bool, name []byte) {
	// Each tag is a node or ends one, and text may follow it.
	k.c.nodes++
	a := atom.Lookup(name)
	if end {
		k.end(a)
		return
	}
	if voidElement(a) {
		return
	}
	if a == atom.Form {
		// The parser keeps a form pointer, set by <form> and cleared only
		// by </form>: a <form> while it is set is dropped, even after the
		// first was closed implicitly.
		if k.inForm {
			return
		}
		k.inForm = true
	}
	ord := 0
	if chromeByTag(a) {
		if k.seen == nil {
			k.seen = map[atom.Atom]int{}
		}
		ord = k.seen[a]
		k.seen[a]++
	}
	if k.n == len(k.open) {
		copy(k.open[:], k.open[len(k.open)/2:])
		k.n = len(k.open) / 2
	}
	k.open[k.n] = opened{a: a, ord: ord}
	k.n++
}

func (k *coster) end(a atom.Atom) {
	if a == atom.Form {
		k.inForm = false
	}
	i := k.n - 1
	for i >= 0 && k.open[i].a != a {
		i--
	}
	if i < 0 {
		return // closes nothing we follow
	}
	if i != k.n-1 && formatting(a) {
		k.c.adoptions++
	}
	k.unclosed(k.open[i+1 : k.n])
	k.n = i
}

func (k *coster) unclosed(entries []opened) {
	for _, e := range entries {
		if chromeByTag(e.a) {
			if k.c.unclosed == nil {
				k.c.unclosed = map[atom.Atom][]int{}
			}
			k.c.unclosed[e.a] = append(k.c.unclosed[e.a], e.ord)
		}
	}
}

// cost ends the scan: what is still open at the end was never closed.
func (k *coster) cost() pageCost {
	k.unclosed(k.open[:k.n])
	k.n = 0
	return k.c
}

// costOf scans src on its own, as the cleaner's filter does in passing.
func costOf(src []byte) pageCost {
	var k coster
	_ = markup.StripTags(make([]byte, 0, len(src)), src, k.tag)
	return k.cost()
}

// checkCost refuses a page over the limits, before it is parsed.
func checkCost(c pageCost) error {
	switch {
	case c.nodes > maxNodes:
		return fmt.Errorf("%w: %d nodes (limit %d)", ErrTooComplex, c.nodes, maxNodes)
	case c.adoptions > maxAdoptions:
		return fmt.Errorf("%w: %d misnested formatting tags (limit %d)", ErrTooComplex, c.adoptions, maxAdoptions)
	}
	return nil
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
