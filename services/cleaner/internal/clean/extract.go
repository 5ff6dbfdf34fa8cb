package clean

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"

	"github.com/newsflow/newsflow/pkg/markup"
)

// DefaultMaxBytes caps the page size when Options.MaxBytes is zero.
const DefaultMaxBytes = 10 << 20

// maxChromeLines bounds Article.Chrome on pages with huge menus.
const maxChromeLines = 1000

// Options tune one extraction.
type Options struct {
	// MaxBytes caps the page size; 0 means DefaultMaxBytes. Larger pages
	// fail with ErrTooLarge.
	MaxBytes int64
	// Rules are per-domain body/drop selectors: nil uses the built-in
	// rules, LoadRules or NewRules give built-in plus their own, &Rules{}
	// none at all.
	Rules *Rules
	// FallbackPublished is the feed item's date, used when the page has none.
	FallbackPublished *time.Time
}

// Article is the extracted article and its metadata.
type Article struct {
	Title, Byline string
	Authors       []string

	Published, Modified *time.Time
	// PublishedSource and ModifiedSource say where each date came from
	// (one of the Date* constants), "" when there is no date.
	PublishedSource, ModifiedSource string

	CanonicalURL, SiteName, Language, Description, Image string

	// Text is the article text, one paragraph per line.
	Text string
	// Chrome holds the page's other text lines (menus, teasers, "ALSO
	// READ", comment forms...), trimmed and deduplicated, so later stages
	// can tell that a sentence is not the article's.
	Chrome []string

	// Confidence is how sure the extractor is that Text is the page's
	// main text, 0 to 1; Method names the path that produced it (one of
	// the Method* constants).
	Confidence float64
	Method     string
}

// Extract reads an HTML page and returns its article. contentType is the
// HTTP Content-Type header, used for the charset.
func Extract(pageURL string, r io.Reader, contentType string, opt Options) (Article, error) {
	return extract(pageURL, r, contentType, opt, true)
}

// extract is Extract with the markup filtering optional, so tests can
// check that filtering changes nothing.
func extract(pageURL string, r io.Reader, contentType string, opt Options, filter bool) (Article, error) {
	limit := opt.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	rule, hasRule := opt.Rules.lookup(pageURL)
	bufs := pageBufPool.Get().(*pageBufs)
	if l, ok := r.(interface{ Len() int }); ok {
		// The size is known: room for the page (and the EOF) at once.
		if n := min(int64(l.Len()), limit) + 1; int64(cap(bufs.raw)) < n {
			bufs.raw = make([]byte, 0, n)
		}
	}
	src, err := bufs.read(&capReader{r: r, limit: limit}, contentType)
	if err != nil {
		bufs.release()
		return Article{}, err
	}
	// The filter tells the page's tags to k in passing: the page's cost to
	// the parser is known before it is parsed (see checkCost).
	var k coster
	if cap(bufs.out) < len(src) {
		bufs.out = make([]byte, 0, len(src)) // the filter only shortens
	}
	switch {
	case hasRule || !filter:
		bufs.out = markup.StripTags(bufs.out[:0], src, k.tag)
	default:
		bufs.out = markup.TrimTags(bufs.out[:0], src, k.tag)
	}
	if filter {
		src = bufs.out
	}
	cost := k.cost()
	if err := checkCost(cost); err != nil {
		bufs.release()
		return Article{}, err
	}
	react := bytes.Contains(src, reactMarker)
	doc, err := html.Parse(bytes.NewReader(src))
	bufs.release() // the tree holds copies
	if err != nil {
		return Article{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	demoteUnclosed(doc, cost)
	if react {
		placeReactSegments(doc)
	}
	var marks map[*html.Node]uint8
	if hasRule {
		marks = rule.marks(doc)
	}
	return extractDoc(doc, pageURL, opt, marks)
}

// pageBufs hold one page while it is decoded, filtered and parsed. The page
// is read whole (it is already in memory in the pipeline) so that the
// filter can look ahead freely; the buffers are reused across pages.
type pageBufs struct {
	raw, dec, out []byte
}

var pageBufPool = sync.Pool{New: func() any { return new(pageBufs) }}

// maxPooledBuf bounds the buffers kept for reuse, so that a rare huge page
// does not pin its memory.
const maxPooledBuf = 2 << 20

func (b *pageBufs) release() {
	for _, p := range []*[]byte{&b.raw, &b.dec, &b.out} {
		if cap(*p) > maxPooledBuf {
			*p = nil
		}
	}
	pageBufPool.Put(b)
}

// read returns the page as UTF-8: a BOM, then the Content-Type charset,
// then a <meta> declaration decide; an undeclared page is UTF-8 unless its
// first 64 KiB are not valid UTF-8 (then windows-1252, as browsers do).
func (b *pageBufs) read(r io.Reader, contentType string) ([]byte, error) {
	var err error
	if b.raw, err = readAll(b.raw, r); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		return nil, fmt.Errorf("clean: read page: %w", err)
	}
	enc := chooseEncoding(b.raw[:min(len(b.raw), sniffSize)], contentType)
	if enc == nil {
		return b.raw, nil
	}
	if b.dec, err = readAll(b.dec, transform.NewReader(bytes.NewReader(b.raw), enc.NewDecoder())); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return b.dec, nil
}

// readAll is io.ReadAll into buf, reusing its memory.
func readAll(buf []byte, r io.Reader) ([]byte, error) {
	buf = buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, sniffSize)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return buf, err
		}
	}
}

// capReader fails with ErrTooLarge once more than limit bytes were read,
// so an oversized page is refused without buffering more than the limit.
type capReader struct {
	r     io.Reader
	limit int64
	n     int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n > c.limit {
		return 0, c.tooLarge()
	}
	if room := c.limit + 1 - c.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n, c.tooLarge()
	}
	return n, err
}

func (c *capReader) tooLarge() error {
	return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, c.limit)
}

// sniffSize is how much of the page is looked at to find its charset.
const sniffSize = 64 << 10

// chooseEncoding returns nil for UTF-8.
func chooseEncoding(head []byte, contentType string) encoding.Encoding {
	enc, name, certain := charset.DetermineEncoding(head, contentType)
	if !certain && name == "windows-1252" {
		// The standard prescan reads 1 KiB only; declarations often come
		// later, and undeclared pages today are mostly UTF-8.
		if label := findMetaCharset(head); label != "" {
			if e, n := charset.Lookup(label); e != nil {
				enc, name = e, n
			}
		} else if validUTF8Prefix(head) {
			return nil
		}
	}
	if name == "utf-8" || enc == nil || enc == encoding.Nop {
		return nil
	}
	return enc
}

// validUTF8Prefix is utf8.Valid allowing a rune cut at the end.
func validUTF8Prefix(b []byte) bool {
	for i := len(b) - 1; i >= 0 && i >= len(b)-3; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				b = b[:i]
			}
			break
		}
	}
	return utf8.Valid(b)
}

// findMetaCharset looks for a charset= declaration in head.
func findMetaCharset(head []byte) string {
	for off := 0; off < len(head); {
		i := bytes.Index(head[off:], []byte("charset="))
		if i < 0 {
			return ""
		}
		j := off + i + len("charset=")
		for j < len(head) && (head[j] == '"' || head[j] == '\'' || head[j] == ' ') {
			j++
		}
		k := j
		for k < len(head) && (head[k] == '-' || head[k] == '_' || head[k] == '.' || head[k] == ':' ||
			(head[k] >= '0' && head[k] <= '9') || (head[k]|0x20 >= 'a' && head[k]|0x20 <= 'z')) {
			k++
		}
		if k > j {
			return string(head[j:k])
		}
		off = j
	}
	return ""
}

// extractDoc extracts the article from the parsed page; marks are the
// verdicts of the page's site rule, nil if none applies.
func extractDoc(doc *html.Node, pageURL string, opt Options, marks map[*html.Node]uint8) (Article, error) {
	var a Article
	base, err := url.Parse(pageURL)
	if err != nil {
		base = nil
	}
	m := collectMeta(doc)
	m.fill(&a, pageURL, base, opt)

	body := findElement(doc, atom.Body)
	if body == nil {
		body = doc
	}
	p := flatten(body, marks)
	defer p.release()
	if m.ld.body != "" {
		p.markJSONLD(m.ld.body)
	}
	titleKey := foldKey(a.Title)
	p.findTitle(titleKey)
	p.valueBlocks()
	p.aggregate()
	text, method := p.run(true, titleKey)
	hasTitle := titleKey != ""
	feat := p.features(text)
	if p.looksWrong(len(text)) {
		// The chosen block holds little of the page's prose: class names
		// may have misled the pruning (a wrapper named like a sidebar, a
		// body in a "menu" or "teaser" component). Judge by text alone
		// and keep the better of the two.
		alt, _ := p.run(false, titleKey)
		altFeat := p.features(alt)
		if len(text) < 200 && len(alt) > len(text) || len(alt) >= 2*len(text) && altFeat.rank(hasTitle) >= feat.rank(hasTitle) {
			text, method, feat = alt, MethodFallback, altFeat
		} else {
			text, method = p.run(true, titleKey) // restore the first verdicts
		}
	}
	if traceConfidence != nil {
		traceConfidence(feat)
	}
	a.Confidence = feat.confidence(hasTitle)
	if ld := ldParagraphs(m.ld.body); len(ld) > 2*len(text) && len(ld) >= 200 {
		// The page hides its body (scripts, paywall markup); the JSON-LD
		// copy is the article.
		text, method = ld, MethodJSONLD
		a.Confidence = ldConfidence(ld)
		for i := range p.blocks {
			p.blocks[i].keep = false
		}
	}
	a.Method = method
	a.Text = text
	a.Chrome = p.chrome(text, titleKey)
	if a.Language == "" && text != "" {
		a.Language = detectLang(text)
	}
	if strings.TrimSpace(text) == "" {
		return a, fmt.Errorf("%w: %s", ErrNoContent, pageURL)
	}
	return a, nil
}

func findElement(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Head {
			continue
		}
		if f := findElement(c, a); f != nil {
			return f
		}
	}
	return nil
}

// run prunes, scores, picks the container and returns its text and the
// method that chose it.
func (p *page) run(useHints bool, titleKey string) (string, string) {
	p.prune(useHints)
	p.score()
	if len(p.bodies) > 0 {
		p.selectBlocks(p.bodies, titleKey)
		if text := p.text(); text != "" {
			return text, MethodSiteRule
		}
		// The rule's body is empty here (a redesign, a script-built
		// page): fall back to the generic choice.
	}
	p.selectBlocks([]int32{p.best()}, titleKey)
	if !useHints {
		return p.text(), MethodNoHints
	}
	return p.text(), MethodDOM
}

// markJSONLD flags blocks whose text is part of the JSON-LD articleBody.
func (p *page) markJSONLD(body string) {
	key := foldKey(body)
	if len(key) < 200 {
		return
	}
	in := p.grams.index(key)
	for i := range p.blocks {
		b := &p.blocks[i]
		if b.chars < 40 {
			continue
		}
		if k := foldKey(b.text); len(k) >= 30 && in.contains(k) {
			b.ldHit = true
		}
	}
}

// ldParagraphs splits a JSON-LD body into paragraphs; some sites put HTML
// in it.
func ldParagraphs(s string) string {
	if s == "" {
		return ""
	}
	if strings.Contains(s, "</") || strings.Contains(s, "<br") {
		if doc, err := html.Parse(strings.NewReader(s)); err == nil {
			if body := findElement(doc, atom.Body); body != nil {
				p := flatten(body, nil)
				defer p.release()
				for i := range p.blocks {
					p.blocks[i].keep = true
				}
				return p.text()
			}
		}
	}
	s = html.UnescapeString(s)
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = normSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// text joins the kept blocks, one paragraph per line.
func (p *page) text() string {
	var b strings.Builder
	n := 0
	for i := range p.blocks {
		if p.blocks[i].keep {
			n += len(p.blocks[i].text) + 1
		}
	}
	b.Grow(n)
	for i := range p.blocks {
		bl := &p.blocks[i]
		if !bl.keep {
			continue
		}
		for line := range strings.SplitSeq(bl.text, "\n") {
			if line = strings.TrimSpace(line); line == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(line)
		}
	}
	return b.String()
}

// chrome lists the lines of every block left out of the article, except
// the headline and lines that repeat the article (a standfirst quoting its
// first sentence must not make that sentence look like chrome).
func (p *page) chrome(text, titleKey string) []string {
	var out []string
	seen := p.seen
	in := p.grams.index(text)
	for line := range strings.SplitSeq(text, "\n") {
		seen[line] = struct{}{}
	}
	for i := range p.blocks {
		bl := &p.blocks[i]
		if bl.keep {
			continue
		}
		for line := range strings.SplitSeq(bl.text, "\n") {
			if line = strings.TrimSpace(line); line == "" {
				continue
			}
			if _, dup := seen[line]; dup {
				continue
			}
			if (bl.kind == kindTitleH1 || bl.kind == kindHeading) && titleKey != "" && foldKey(line) == titleKey {
				continue
			}
			if repeatsText(line, in) {
				continue
			}
			seen[line] = struct{}{}
			out = append(out, line)
			if len(out) >= maxChromeLines {
				return out
			}
		}
	}
	return out
}

// repeatsText reports whether line, or one of its sentences of some length,
// appears in text.
func repeatsText(line string, text textSearch) bool {
	if len(line) < 40 {
		return false
	}
	if text.contains(line) {
		return true
	}
	for len(line) > 0 {
		i := strings.IndexAny(line, ".!?…")
		if i < 0 {
			i = len(line)
		}
		if sentence := strings.TrimSpace(line[:i]); len(sentence) >= 30 && text.contains(sentence) {
			return true
		}
		if i == len(line) {
			break
		}
		_, size := utf8.DecodeRuneInString(line[i:])
		line = line[i+size:]
	}
	return false
}
