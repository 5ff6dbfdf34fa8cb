package clean

import (
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxDepth bounds the walk so hostile nesting cannot exhaust the stack;
// anything deeper is ignored.
const maxDepth = 400

// Block kinds, by the nearest block-level element that owns the text.
const (
	kindText uint8 = iota // div, td, section...: loose text
	kindPara              // p
	kindHeading
	kindItem // li, dt, dd
	kindQuote
	kindPre
	kindCaption // figcaption, caption
	kindTitleH1
)

// elem is one block-level element of <body> (or an element whose class marks
// it as chrome), in document order; children follow their parent.
type elem struct {
	node   *html.Node
	parent int32
	depth  int16
	hint   int8
	mixed  bool  // the hint has content words too
	mark   uint8 // site rule verdict: markDrop, markBody
	pruned bool  // it or an ancestor is chrome

	// Aggregates over the blocks inside.
	chars, links int32
	good         float32 // positive block values, before pruning
	local        float32 // block values weighed by decay
	score        float32 // block values after pruning
	keptGood     float32 // positive block values after pruning
	cardGood     float32 // keptGood of children that carry a linked title
	linkedTitle  bool    // a linked headline lies inside
	keptChars    int32
	keptLinks    int32
}

// block is a run of inline text between block boundaries.
type block struct {
	elem   int32
	text   string
	chars  int32
	links  int32
	lead   int32 // link text opening the block (a teaser headline)
	punct  int16
	commas int16
	kind   uint8
	value  float32
	ldHit  bool // text found in the JSON-LD articleBody
	keep   bool
}

// page is the flattened body.
type page struct {
	elems  []elem
	blocks []block
	total  int32 // chars in all blocks

	hints  hintCache
	seen   map[string]struct{}  // for chrome, kept with the page to reuse
	grams  *gramFilter          // for chrome and markJSONLD, likewise
	marks  map[*html.Node]uint8 // site rule verdicts
	bodies []int32              // elements a site rule names as the body
	title  int32                // element of the headline, -1 if unknown
	buf    textBuf
	owner  int32
	kind   uint8
	inLink int
}

var blockTags = map[atom.Atom]uint8{
	atom.Address: kindText, atom.Article: kindText, atom.Aside: kindText,
	atom.Blockquote: kindQuote, atom.Body: kindText, atom.Center: kindText,
	atom.Dd: kindItem, atom.Details: kindText, atom.Dialog: kindText,
	atom.Dir: kindText, atom.Div: kindText, atom.Dl: kindText,
	atom.Dt: kindItem, atom.Fieldset: kindText, atom.Figcaption: kindCaption,
	atom.Figure: kindText, atom.Footer: kindText, atom.Form: kindText,
	atom.H1: kindTitleH1, atom.H2: kindHeading, atom.H3: kindHeading,
	atom.H4: kindHeading, atom.H5: kindHeading, atom.H6: kindHeading,
	atom.Header: kindText, atom.Hgroup: kindText, atom.Li: kindItem,
	atom.Main: kindText, atom.Menu: kindText, atom.Nav: kindText,
	atom.Ol: kindText, atom.P: kindPara, atom.Pre: kindPre,
	atom.Section: kindText, atom.Summary: kindText, atom.Table: kindText,
	atom.Tbody: kindText, atom.Td: kindText, atom.Tfoot: kindText,
	atom.Th: kindText, atom.Thead: kindText, atom.Tr: kindText,
	atom.Ul: kindText, atom.Caption: kindCaption, atom.Legend: kindText,
	atom.Frameset: kindText, atom.Hr: kindText,
}

// skipTags never carry readable text.
var skipTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true,
	atom.Template: true, atom.Iframe: true,
	atom.Object: true, atom.Embed: true, atom.Canvas: true, atom.Video: true,
	atom.Audio: true, atom.Select: true, atom.Textarea: true,
	atom.Input: true, atom.Head: true, atom.Link: true,
	atom.Meta: true, atom.Img: true, atom.Picture: true, atom.Source: true,
	atom.Map: true, atom.Area: true, atom.Datalist: true, atom.Option: true,
	atom.Title: true, atom.Base: true, atom.Param: true, atom.Track: true,
	// Their content is raw text a browser never shows (it has frames and
	// embeds): markup such as "<script>" that must not become article text.
	atom.Noframes: true, atom.Noembed: true,
}

// flatten walks body once, recording elements and text blocks. marks are
// site rule verdicts, nil when no rule applies. Call release when done
// with the page.
func flatten(body *html.Node, marks map[*html.Node]uint8) *page {
	p := pagePool.Get().(*page)
	p.marks, p.title = marks, -1
	p.elems = append(p.elems, elem{node: body, parent: -1})
	p.owner, p.kind = 0, kindText
	p.walkChildren(body, 1)
	p.flush()
	return p
}

// maxPooledElems bounds the pages kept for reuse, by elements or blocks,
// so that one huge page does not pin its memory.
const maxPooledElems = 1 << 14

// pagePool recycles pages, whose slices, maps and filter would otherwise be
// allocated and grown again for every page.
var pagePool = sync.Pool{New: func() any {
	return &page{
		elems:  make([]elem, 0, 512),
		blocks: make([]block, 0, 256),
		hints:  hintCache{values: make(map[string]attrHint, 64), tokens: make(map[string]attrHint, 64)},
		seen:   make(map[string]struct{}, 64),
		grams:  new(gramFilter),
	}
}}

// release returns the page to the pool, holding on to nothing of the
// document; the rare huge page is left to the garbage collector instead.
func (p *page) release() {
	if max(cap(p.elems), cap(p.blocks)) > maxPooledElems {
		return
	}
	clear(p.elems)
	clear(p.blocks)
	*p = page{
		elems:  p.elems[:0],
		blocks: p.blocks[:0],
		bodies: p.bodies[:0],
		hints:  hintCache{values: reuseMap(p.hints.values), tokens: reuseMap(p.hints.tokens)},
		seen:   reuseMap(p.seen),
		grams:  p.grams,
		buf:    textBuf{b: p.buf.b[:0]},
	}
	pagePool.Put(p)
}

// reuseMap empties m for the next page, or replaces it if this one made it
// big: clearing a map costs its capacity, not its contents.
func reuseMap[K comparable, V any](m map[K]V) map[K]V {
	if len(m) > 1024 {
		return make(map[K]V, 64)
	}
	clear(m)
	return m
}

func (p *page) walkChildren(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		p.walk(c, depth)
	}
}

func (p *page) walk(n *html.Node, depth int) {
	switch n.Type {
	case html.TextNode:
		p.buf.write(n.Data)
		return
	case html.ElementNode:
	default:
		return
	}
	if depth > maxDepth {
		return
	}
	if n.Namespace != "" {
		p.walkForeign(n, depth)
		return
	}
	if n.DataAtom == atom.Button {
		// A button's label is chrome, but an unclosed <button> takes in
		// the rest of the page, which a browser shows: its blocks count.
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if _, block := blockTags[c.DataAtom]; block && c.Type == html.ElementNode && c.Namespace == "" {
				p.walk(c, depth+1)
			}
		}
		return
	}
	if skipTags[n.DataAtom] {
		return
	}
	switch n.DataAtom {
	case atom.Br:
		p.buf.lineBreak()
		return
	case atom.A:
		if hasAttr(n, "href") {
			// Links are judged by link density, not by their classes.
			p.inLink++
			p.buf.inLink = true
			p.walkChildren(n, depth+1)
			p.inLink--
			p.buf.inLink = p.inLink > 0
			return
		}
	}
	kind, isBlock := blockTags[n.DataAtom]
	var mark uint8
	if p.marks != nil {
		mark = p.marks[n]
		if mark != 0 {
			isBlock = true // a rule's element is its own unit
		}
	}
	hint, mixed := 0, false
	if len(n.Attr) > 0 || isBlock {
		hint, mixed = classHint(n, p.hints)
	}
	if hint == hintHidden && !isBlock {
		// Hidden inline text is dropped outright; a hidden block is kept
		// as a pruned element so it can be restored if it holds the article.
		return
	}
	if !isBlock && (hint >= 0 || p.kind == kindPre && hint != hintHidden) {
		// Inside code, classes name the syntax ("hljs-comment"), not chrome.
		p.walkChildren(n, depth+1)
		return
	}
	// A boundary: block-level element, or inline element marked as chrome.
	p.flush()
	parent := p.owner
	idx := int32(len(p.elems))
	p.elems = append(p.elems, elem{node: n, parent: parent, depth: int16(depth), hint: int8(max(hint, -128)), mixed: mixed, mark: mark})
	if mark == markBody {
		p.bodies = append(p.bodies, idx)
	}
	prevKind := p.kind
	p.owner = idx
	if isBlock && kind != kindText {
		p.kind = kind
	} else if isBlock && prevKind != kindText && prevKind != kindTitleH1 && prevKind != kindHeading {
		p.kind = prevKind // a div inside a li or quote is still that item
	} else if isBlock {
		p.kind = kindText
	}
	p.walkChildren(n, depth+1)
	p.flush()
	p.owner = parent
	p.kind = prevKind
}

// walkForeign walks svg and MathML content. Drawings and formulas are not
// article text, but a browser shows the HTML at their integration points
// (svg foreignObject, MathML annotation-xml) and the text of foreignObject
// and of MathML's token elements; an unclosed <svg><foreignObject> or <math>
// holds the rest of the page that way.
func (p *page) walkForeign(n *html.Node, depth int) {
	if depth > maxDepth {
		return
	}
	shows := n.Namespace == "svg" && n.Data == "foreignObject" ||
		n.Namespace == "math" && (n.Data == "mi" || n.Data == "mo" || n.Data == "mn" || n.Data == "ms" || n.Data == "mtext")
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			if shows {
				p.buf.write(c.Data)
			}
		case c.Type != html.ElementNode:
		case c.Namespace == "":
			p.walk(c, depth+1)
		default:
			p.walkForeign(c, depth+1)
		}
	}
}

// flush ends the current block.
func (p *page) flush() {
	if p.buf.chars == 0 {
		p.buf.reset()
		p.buf.inLink = p.inLink > 0
		return
	}
	b := block{
		elem:   p.owner,
		text:   p.buf.text(),
		chars:  int32(p.buf.chars),
		links:  int32(p.buf.links),
		lead:   int32(p.buf.lead),
		punct:  int16(min(p.buf.punct, 32000)),
		commas: int16(min(p.buf.commas, 32000)),
		kind:   p.kind,
	}
	p.blocks = append(p.blocks, b)
	p.total += b.chars
	p.buf.reset()
	p.buf.inLink = p.inLink > 0
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
