package clean

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Block values: how much a block looks like article prose. Positive values
// are prose, negative ones navigation, teasers and labels.
func (p *page) valueBlocks() {
	for i := range p.blocks {
		b := &p.blocks[i]
		b.value = blockValue(b)
	}
}

func blockValue(b *block) float32 {
	l := float32(b.chars)
	ld := float32(b.links) / l
	switch {
	case b.kind == kindCaption:
		return -l * 0.5
	case ld > 0.5:
		if linkedSentence(b) {
			return (l - float32(b.links)) * 0.5
		}
		return -l
	case b.kind == kindHeading || b.kind == kindTitleH1:
		return 0
	case b.lead >= 15 && float32(b.lead) >= 0.15*l:
		// A linked headline followed by its summary: a teaser.
		return -l * 0.5
	}
	v := float32(0)
	switch {
	case l >= 80 && b.punct > 0:
		v = l
	case l >= 30 && b.punct > 0:
		v = l * 0.5
	case b.kind == kindPara && l >= 15 && endsSentence(b.text) && strings.Count(b.text, " ") >= 2:
		// A short closing paragraph ("No damage was reported.") is
		// prose too, unlike labels and buttons.
		v = l * 0.3
	default:
		return -min(l, 20)
	}
	v *= 1 - ld
	if b.ldHit {
		v *= 2
	}
	return v
}

// endsSentence reports text ending as a sentence does.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, " \n\t\"'”’»)")
	return s != "" && strings.ContainsRune(".!?…。", rune(s[len(s)-1])) || strings.HasSuffix(s, "…") || strings.HasSuffix(s, "。")
}

// decay weighs a block's value for an ancestor d levels above the block's
// own element: prose counts for the element holding the paragraphs and,
// fading fast, for its ancestors, so one dense run of paragraphs beats many
// scattered teaser snippets that only add up high in the tree.
func decay(d int) float32 {
	switch d {
	case 0, 1:
		return 1
	case 2:
		return 0.5
	case 3:
		return 0.2
	case 4:
		return 0.12
	case 5:
		return 0.08
	}
	return 0
}

// linkedSentence reports a paragraph that is mostly link text yet reads as
// a sentence of its own ("The case was <a>re-opened this year</a>."), unlike
// "ALSO READ: <a>headline</a>" labels.
func linkedSentence(b *block) bool {
	return b.kind == kindPara && b.chars-b.links >= 30 && b.punct > 0 && b.lead < b.chars/4
}

// aggregate adds block statistics to every enclosing element.
func (p *page) aggregate() {
	for i := range p.blocks {
		b := &p.blocks[i]
		good := max(b.value, 0)
		d := 0
		for e := b.elem; e >= 0; e = p.elems[e].parent {
			el := &p.elems[e]
			el.chars += b.chars
			el.links += b.links
			el.good += good
			el.local += b.value * decay(d)
			d++
		}
	}
}

// hintFactor favours elements whose names say "article body".
func hintFactor(h int8) float32 {
	switch {
	case h >= hintContent:
		return 1.25
	case h > 0:
		return 1.1
	}
	return 1
}

// cardFactor discounts elements whose prose is mostly teaser cards.
func cardFactor(el *elem) float32 {
	if el.keptGood <= 0 || el.cardGood <= 0 {
		return 1
	}
	return max(0.2, 1-el.cardGood/el.keptGood)
}

// findTitle locates the headline's element: the first h1, else heading,
// whose text is the title.
func (p *page) findTitle(titleKey string) {
	p.title = -1
	if titleKey == "" {
		return
	}
	for _, want := range [2]uint8{kindTitleH1, kindHeading} {
		for i := range p.blocks {
			b := &p.blocks[i]
			if b.kind == want && b.chars < 400 && foldKey(b.text) == titleKey {
				p.title = b.elem
				return
			}
		}
	}
}

// titleFactor favours elements near the headline: the article body follows
// it closely, while footers and teaser rails sit far from it.
func (p *page) titleFactor(i int32) float32 {
	t := p.title
	if t < 0 {
		return 1
	}
	if p.isAncestor(i, t) {
		return 1.3
	}
	if i < t {
		return 1
	}
	if lca := p.lca(i, t); lca >= 0 && p.elems[t].depth-p.elems[lca].depth <= 3 {
		return 1.3
	}
	return 1
}

// argmaxLocal returns the element with the best local score, preferring the
// deeper one on ties; skipPruned ignores pruned elements.
func (p *page) argmaxLocal(skipPruned bool) int32 {
	bestIdx, bestAdj := int32(0), float32(0)
	for i := range p.elems {
		el := &p.elems[i]
		if skipPruned && el.pruned || el.local <= 0 {
			continue
		}
		if adj := el.local * hintFactor(el.hint) * cardFactor(el) * p.titleFactor(int32(i)); adj >= bestAdj && adj > 0 {
			bestIdx, bestAdj = int32(i), adj
		}
	}
	return bestIdx
}

// prune marks chrome elements. Class names are only a hint: layouts name
// wrappers after their sidebar ("penci_sidebar", "right-rail") and sticky
// plugins wrap whole articles. So an element named as chrome is kept when
// it encloses an element named as the article body holding most of its
// prose, or, for mixed names ("content-with-sidebar"), when it encloses the
// best paragraph run left after the first cut. Hidden elements go unless
// they hold nearly all the prose of the page.
func (p *page) prune(useHints bool) {
	total := p.elems[0].good
	strong := make([]float32, len(p.elems))
	for i := range p.elems {
		if p.elems[i].hint < hintContent {
			continue
		}
		g := p.elems[i].good
		for e := p.elems[i].parent; e >= 0; e = p.elems[e].parent {
			strong[e] = max(strong[e], g)
		}
	}
	bodyPath := p.markBodyAncestors()
	keep := func(i int) bool {
		el := &p.elems[i]
		switch {
		case el.mark == markDrop:
			return false
		case bodyPath != nil && bodyPath[i]:
			return true
		case total > 0 && el.good >= 0.9*total:
			return true
		case el.hint == hintHidden:
			return false
		case !useHints:
			// Judging by text alone still leaves out comment threads:
			// no article hides in an element named for comments.
			return !hardChrome(el.node)
		}
		return el.good > 0 && strong[i] >= 0.5*el.good
	}
	for i := 1; i < len(p.elems); i++ {
		el := &p.elems[i]
		el.pruned = false
		if p.elems[el.parent].pruned {
			el.pruned = true
			continue
		}
		if (el.hint < 0 && !el.mixed && !p.proseByName(i) || el.mark == markDrop) && !keep(i) {
			el.pruned = true
		}
	}
	p.pruneAfterRelatedHeadings(total)
	p.score()
	best := p.argmaxLocal(true)
	protected := make(map[int32]bool, 8)
	for e := best; e >= 0; e = p.elems[e].parent {
		protected[e] = true
	}
	for i := 1; i < len(p.elems); i++ {
		el := &p.elems[i]
		if el.pruned {
			continue
		}
		if p.elems[el.parent].pruned || ((el.hint < 0 && !p.proseByName(i) || el.mark == markDrop) && !protected[int32(i)] && !keep(i)) {
			el.pruned = true
		}
	}
}

// hardChromeNames name sections that never wrap an article.
var hardChromeNames = []string{"comment", "disqus", "respond", "reply"}

// hardChrome reports an element named for a comment thread.
func hardChrome(n *html.Node) bool {
	for _, v := range [2]string{attr(n, "class"), attr(n, "id")} {
		for _, name := range hardChromeNames {
			if containsFold(v, name) {
				return true
			}
		}
	}
	return false
}

// proseByName reports a paragraph whose class name alone sounds like
// chrome ("contextmenu Body", "share-quote"): a <p> is prose by its tag,
// so its blocks are judged by their text instead (captions, credits and
// datelines still go, by their names).
func (p *page) proseByName(i int) bool {
	el := &p.elems[i]
	if el.node.DataAtom != atom.P || el.hint <= hintHidden {
		return false
	}
	for _, v := range [2]string{attr(el.node, "class"), attr(el.node, "id")} {
		for _, name := range captionNames {
			if containsFold(v, name) {
				return false
			}
		}
	}
	return true
}

// captionNames mark a paragraph that is a caption, a credit or the
// article's meta line rather than prose.
var captionNames = []string{"caption", "credit", "byline", "date", "meta", "author", "copyright", "disclaimer", "share", "social", "related", "promo", "newsletter", "subscri", "advert", "sponsor", "comment", "tag"}

// markBodyAncestors flags the rule's body elements and their ancestors.
func (p *page) markBodyAncestors() []bool {
	if len(p.bodies) == 0 {
		return nil
	}
	in := make([]bool, len(p.elems))
	for _, b := range p.bodies {
		for e := b; e >= 0 && !in[e]; e = p.elems[e].parent {
			in[e] = true
		}
	}
	return in
}

// relatedPhrases open the headings of teaser sections.
var relatedPhrases = []string{
	"related", "you may also like", "you might also like", "you may like",
	"you might like", "more from", "more stories", "more news", "latest from",
	"latest news", "latest stories", "recommended", "don't miss", "dont miss",
	"don’t miss", "also read", "read more", "read next", "trending",
	"most popular", "most read", "popular posts", "more on this",
	"more to read", "what to read next", "leave a reply", "leave a comment",
	"join the conversation", "around the web", "from the web",
	"editor's picks", "editors' picks", "top stories", "in case you missed",
	"more in ", "more like this", "recent posts", "previous story",
	"next story", "comments",
	// The same in a few other languages of the feeds.
	"leia também", "veja também", "notícias relacionadas", "relacionad",
	"lea también", "noticias relacionadas", "artículos relacionados",
	"à lire aussi", "a lire aussi", "lire aussi", "sur le même sujet",
	"articles similaires", "mehr zum thema", "das könnte sie auch",
	"weitere artikel", "читайте также", "похожие", "baca juga",
	"berita terkait", "artikel terkait", "اقرأ أيضا", "اقرأ أيضاً",
	"أخبار ذات صلة", "مواضيع ذات صلة",
}

// relatedStems name the class of such headings.
var relatedStems = []string{
	"related", "recommend", "popular", "trending", "youmay", "mostread",
	"morefrom", "dontmiss", "alsoread", "readnext", "comment",
}

// isRelatedHeading reports a short block that announces a teaser or
// comment section, by its words or its class.
func (p *page) isRelatedHeading(b *block) bool {
	if b.chars > 40 || b.kind == kindPara || b.kind == kindItem || b.kind == kindQuote {
		return false
	}
	low := strings.ToLower(b.text)
	for _, ph := range relatedPhrases {
		if strings.HasPrefix(low, ph) {
			return true
		}
	}
	if b.kind != kindHeading {
		return false
	}
	n := p.elems[b.elem].node
	for _, key := range [2]string{"class", "id"} {
		v := stripSeparators(strings.ToLower(attr(n, key)))
		for _, st := range relatedStems {
			if v != "" && strings.Contains(v, st) {
				return true
			}
		}
	}
	return false
}

// pruneAfterRelatedHeadings prunes what follows a "Related posts" or "You
// may also like" heading inside its parent: the teasers it announces. The
// heading's wrapper counts as the heading when it holds nothing else.
func (p *page) pruneAfterRelatedHeadings(total float32) {
	sweptFrom, sweptTo := int32(0), int32(0)
	for i := range p.blocks {
		b := &p.blocks[i]
		if b.elem >= sweptFrom && b.elem < sweptTo {
			continue // inside what an earlier heading already pruned
		}
		if up := p.elems[b.elem].parent; up < 0 || p.elems[up].pruned || !p.isRelatedHeading(b) {
			continue
		}
		h := b.elem
		for {
			up := p.elems[h].parent
			if up <= 0 || p.elems[up].chars != p.elems[h].chars {
				break
			}
			h = up
		}
		parent := p.elems[h].parent
		if parent < 0 || h == b.elem && p.elems[h].chars != b.chars {
			continue
		}
		end := p.subtreeEnd(parent)
		sweptFrom, sweptTo = p.subtreeEnd(h), end
		for j := sweptFrom; j < end; {
			next := p.subtreeEnd(j)
			el := &p.elems[j]
			if a := el.node.DataAtom; a == atom.P || a == atom.H2 || a == atom.H3 || a == atom.Blockquote {
				// The article resumes after an inline teaser box.
				break
			}
			if !(total > 0 && el.good >= 0.9*total) {
				for k := j; k < next; k++ {
					p.elems[k].pruned = true
				}
			}
			j = next
		}
	}
}

// score recomputes local scores over the blocks that survived pruning.
func (p *page) score() {
	for i := range p.elems {
		el := &p.elems[i]
		el.local, el.score, el.keptGood, el.keptChars, el.keptLinks = 0, 0, 0, 0, 0
		el.cardGood, el.linkedTitle = 0, false
	}
	for i := range p.blocks {
		b := &p.blocks[i]
		if p.elems[b.elem].pruned {
			continue
		}
		d := 0
		for e := b.elem; e >= 0; e = p.elems[e].parent {
			el := &p.elems[e]
			el.local += b.value * decay(d)
			d++
			el.score += b.value
			el.keptGood += max(b.value, 0)
			el.keptChars += b.chars
			el.keptLinks += b.links
		}
	}
}

// findCards measures the teaser-list pattern: prose that sits in children
// which also carry a linked headline (card, summary; card, summary...).
// Article paragraphs live beside, not inside, the odd linked heading.
func (p *page) findCards() {
	for i := range p.blocks {
		b := &p.blocks[i]
		if b.chars < 15 || float32(b.links) < 0.8*float32(b.chars) || p.elems[b.elem].pruned {
			continue
		}
		for e := b.elem; e >= 0 && !p.elems[e].linkedTitle; e = p.elems[e].parent {
			p.elems[e].linkedTitle = true
		}
	}
	for i := len(p.elems) - 1; i > 0; i-- {
		el := &p.elems[i]
		if el.linkedTitle && !el.pruned {
			p.elems[el.parent].cardGood += el.keptGood
		}
	}
}

// best picks the element that holds the article: the best local score,
// widened to the common ancestor of nearby runs that score almost as well
// (an article split around an ad or an inline box).
func (p *page) best() int32 {
	p.findCards()
	c := p.argmaxLocal(true)
	top := p.elems[c].local * hintFactor(p.elems[c].hint) * cardFactor(&p.elems[c]) * p.titleFactor(c)
	if top <= 0 {
		return 0
	}
	for i := range p.elems {
		el := &p.elems[i]
		if el.pruned || int32(i) == c || el.local*hintFactor(el.hint)*cardFactor(el)*p.titleFactor(int32(i)) < 0.2*top {
			continue
		}
		if p.isAncestor(c, int32(i)) || p.isAncestor(int32(i), c) {
			continue
		}
		lca := p.lca(c, int32(i))
		if lca < 0 {
			continue
		}
		// Widen when the two runs are close in the tree, or when what
		// lies between them is not mostly chrome (the common ancestor
		// keeps most of both).
		if lca > 0 && p.elems[c].depth-p.elems[lca].depth <= 2 || p.elems[lca].score >= p.elems[c].score+0.5*p.elems[i].score {
			c = lca
		}
	}
	// Take in sibling paragraphs: a lead paragraph in its own wrapper, or
	// paragraphs around an inline "read all" box. Climb while what the
	// parent adds is prose nearly free of links and chrome.
	for range 2 {
		up := p.elems[c].parent
		if up < 0 {
			break
		}
		extraGood := p.elems[up].keptGood - p.elems[c].keptGood
		extraScore := p.elems[up].score - p.elems[c].score
		if extraGood < 80 || extraScore < 0.8*extraGood {
			break
		}
		c = up
	}
	return c
}

// isAncestor reports whether a is b or encloses b.
func (p *page) isAncestor(a, b int32) bool {
	for e := b; e >= 0; e = p.elems[e].parent {
		if e == a {
			return true
		}
		if e < a {
			return false
		}
	}
	return false
}

func (p *page) lca(a, b int32) int32 {
	for a != b {
		if a > b {
			a = p.elems[a].parent
		} else {
			b = p.elems[b].parent
		}
		if a < 0 || b < 0 {
			return -1
		}
	}
	return a
}

// subtreeEnd returns the index after the last descendant of e.
func (p *page) subtreeEnd(e int32) int32 {
	d := p.elems[e].depth
	i := e + 1
	for int(i) < len(p.elems) && p.elems[i].depth > d {
		i++
	}
	if e == 0 {
		return int32(len(p.elems))
	}
	return i
}

// boilerplatePrefixes start short lines that are chrome even inside the
// article container. Each must be followed by a non-letter, so "subscribe"
// does not catch "Subscribers".
var boilerplatePrefixes = []string{
	"also read", "read more", "read also", "related:", "related articles",
	"related stories", "related posts", "related coverage", "see also",
	"advertisement", "click here", "sign up", "subscribe", "follow us",
	"share this", "share on", "more from", "don't miss", "don’t miss",
	"recommended for you", "recommended reading", "recommended stories",
	"next story", "previous story", "you may also like", "you might also like",
	"we recommend", "suggested reading", "suggested articles", "image:",
	"photo:", "photograph:", "picture:", "credit:", "image credit",
	"photo credit", "(photo", "[photo", "all rights reserved",
	"leia também", "veja também", "lea también", "lire aussi",
	"à lire aussi", "читайте также", "baca juga", "اقرأ أيضا", "اقرأ أيضاً",
}

// creditMarkers mark short photo credit lines left outside captions.
var creditMarkers = []string{
	"getty images", "ap photo", "afp photo", "shutterstock", "photo by ",
	"photo credit", "image credit", "image source", "(photo:", "photograph:",
	"foto:", "crédito:", "fotografía:",
}

// promoMarkers mark the house notes that close many articles: follow us,
// newsletters, tip lines.
var promoMarkers = []string{
	"follow us", "follow him", "follow her", "follow them", "sign up",
	"newsletter", "subscribe", "join our", "download our app",
	"like us on facebook", "have a tip", "send us a tip", "got a tip",
	"email us", "contact the author", "share this article", "is out now",
	"support our journalism", "become a member", "click here",
}

// trimPromoTail drops house notes from the end of the text.
func (p *page) trimPromoTail() {
	for i := len(p.blocks) - 1; i >= 0; i-- {
		b := &p.blocks[i]
		if !b.keep {
			continue
		}
		if b.chars >= 400 || !hasAny(strings.ToLower(b.text), promoMarkers) {
			return
		}
		b.keep = false
	}
}

func hasAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// boilerplateLabels are whole short lines that are chrome.
var boilerplateLabels = map[string]bool{
	"ad": true, "advert": true, "ads": true, "sponsored content": true,
	"promoted": true, "story continues below": true, "continue reading": true,
	"continue reading below": true, "story continues below advertisement": true,
	"scroll to continue with content": true, "article continues below": true,
	"skip advert": true, "loading": true, "loading...": true, "loading…": true,
	"print": true, "email": true, "share": true, "tweet": true, "comments": true,
}

func isBoilerplate(text string) bool {
	if len(text) > 200 {
		return false
	}
	low := strings.ToLower(strings.TrimSpace(text))
	if boilerplateLabels[strings.TrimRight(low, ":.")] {
		return true
	}
	for _, pre := range boilerplatePrefixes {
		if strings.HasPrefix(low, pre) {
			if rest := low[len(pre):]; rest == "" || !isLetter(rest) {
				return true
			}
		}
	}
	if len(low) < 120 {
		for _, c := range creditMarkers {
			if strings.Contains(low, c) {
				return true
			}
		}
		// Gallery counters: "Image 1 of 5".
		if len(low) < 24 && (strings.HasPrefix(low, "image ") || strings.HasPrefix(low, "photo ")) && strings.Contains(low, " of ") {
			return true
		}
	}
	// Copyright lines: "© 2019 Agency. All rights reserved."
	return len(low) < 160 && (strings.HasPrefix(low, "©") || strings.HasPrefix(low, "copyright ©") ||
		strings.HasPrefix(low, "copyright") && strings.Contains(low, "reserved"))
}

// isLetter reports whether s starts with a letter.
func isLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

// selectBlocks marks which blocks of the chosen containers are article
// text.
func (p *page) selectBlocks(containers []int32, titleKey string) {
	for i := range p.blocks {
		p.blocks[i].keep = false
	}
	in := make([]bool, len(p.elems))
	for _, c := range containers {
		in[c] = true
	}
	for i := 1; i < len(in); i++ {
		in[i] = in[i] || in[p.elems[i].parent]
	}
	for i := range p.blocks {
		b := &p.blocks[i]
		if !in[b.elem] || p.elems[b.elem].pruned {
			continue
		}
		ld := float32(b.links) / float32(b.chars)
		switch {
		case b.kind == kindCaption:
			continue
		case ld > 0.5 && b.chars < 400 && !linkedSentence(b):
			continue
		case isBoilerplate(b.text):
			continue
		case b.kind == kindTitleH1 || b.kind == kindHeading:
			if titleKey != "" && foldKey(b.text) == titleKey {
				continue
			}
		}
		b.keep = true
	}
	p.trimEdges()
	p.trimPromoTail()
}

// trimEdges drops kept blocks before the first and after the last prose
// block: datelines, kickers, share labels and "Related" headings sit at the
// edges of the container, the article's own short lines in between.
func (p *page) trimEdges() {
	first, last := -1, -1
	for i := range p.blocks {
		b := &p.blocks[i]
		if b.keep && (b.value > 0 || b.ldHit) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return
	}
	for i := range p.blocks {
		if i < first || i > last {
			p.blocks[i].keep = false
		}
	}
}
