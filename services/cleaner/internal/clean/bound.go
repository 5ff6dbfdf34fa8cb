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
}

// costOf tokenizes src and counts the nodes it would make and the
// misnested formatting end tags, following open elements on a bounded
// stack (enough to tell the common case, a formatting element closed where
// it was opened).
func costOf(src []byte) (pageCost, error) {
	var c pageCost
	z := html.NewTokenizer(bytes.NewReader(src))
	var open [64]atom.Atom
	n := 0 // entries in open, the innermost last
	for {
		switch z.Next() {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
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
			if n == len(open) {
				copy(open[:], open[len(open)/2:])
				n = len(open) / 2
			}
			open[n] = a
			n++
		case html.SelfClosingTagToken:
			c.nodes++
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			i := n - 1
			for i >= 0 && open[i] != a {
				i--
			}
			if i < 0 {
				continue // closes nothing we follow
			}
			if i != n-1 && formatting(a) {
				c.adoptions++
			}
			n = i
		}
	}
}

// checkCost refuses a page over the limits, before it is parsed.
func checkCost(src []byte) error {
	c, err := costOf(src)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case c.nodes > maxNodes:
		return fmt.Errorf("%w: %d nodes (limit %d)", ErrTooComplex, c.nodes, maxNodes)
	case c.adoptions > maxAdoptions:
		return fmt.Errorf("%w: %d misnested formatting tags (limit %d)", ErrTooComplex, c.adoptions, maxAdoptions)
	}
	return nil
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
