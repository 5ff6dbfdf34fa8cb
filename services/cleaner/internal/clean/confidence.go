package clean

// How the article text was found: Article.Method.
const (
	MethodDOM      = "dom"         // the page's best block of prose
	MethodNoHints  = "dom-nohints" // the same with class names ignored
	MethodSiteRule = "site-rule"   // the body a site rule names
	MethodJSONLD   = "json-ld"     // the page's JSON-LD articleBody
	MethodFallback = "fallback"    // an alternative extraction beat the first choice
)

// confFeatures are what the confidence is computed from: measures of the
// kept blocks against the page.
type confFeatures struct {
	textLen int
	// cov is the share of the page's prose (positive block values) kept,
	// -1 when the page has none; pageShare the share of all its text.
	cov, pageShare float32
	linkDensity    float32
	// nearTitle: the kept text starts near the headline; noTitle: the
	// headline was not found on the page.
	nearTitle, noTitle bool
	ld                 bool // the kept text matches the JSON-LD body
}

// features measures the kept blocks.
func (p *page) features(text string) confFeatures {
	f := confFeatures{textLen: len(text), noTitle: p.title < 0, cov: -1}
	var good, chars, links float32
	first := int32(-1)
	for i := range p.blocks {
		b := &p.blocks[i]
		if !b.keep {
			continue
		}
		if first < 0 {
			first = b.elem
		}
		good += max(b.value, 0)
		chars += float32(b.chars)
		links += float32(b.links)
		f.ld = f.ld || b.ldHit
	}
	if total := p.elems[0].good; total > 0 {
		f.cov = good / total
	}
	if p.total > 0 {
		f.pageShare = chars / float32(p.total)
	}
	if chars > 0 {
		f.linkDensity = links / chars
	}
	if p.title >= 0 && first >= 0 {
		if lca := p.lca(first, p.title); lca >= 0 && p.elems[p.title].depth-p.elems[lca].depth <= 4 {
			f.nearTitle = true
		}
	}
	return f
}

// rank rates a candidate text so that two extractions of one page can be
// compared: long prose, most of the page's prose, few links, near the
// headline and matching the JSON-LD body raise it; a short or linky text
// while much prose lies elsewhere lowers it. hasTitle: the page has a
// title to look for.
func (f confFeatures) rank(hasTitle bool) float64 {
	if f.textLen == 0 {
		return 0
	}
	c := 0.55
	switch n := f.textLen; {
	case n >= 1500:
		c += 0.2
	case n >= 600:
		c += 0.1
	case n < 200:
		c -= 0.3
	case n < 400:
		c -= 0.1
	}
	switch {
	case f.cov < 0: // the page has no prose at all
	case f.cov >= 0.6:
		c += 0.1
	case f.cov < 0.2:
		c -= 0.3
	case f.cov < 0.4:
		c -= 0.1
	}
	if f.linkDensity > 0.3 {
		c -= 0.2
	}
	switch {
	case f.nearTitle:
		c += 0.1
	case hasTitle && !f.noTitle:
		c -= 0.1
	}
	if f.ld {
		c += 0.1
	}
	return clamp01(c)
}

// confidence is Article.Confidence: the rank, lowered where the tuning
// parts of the corpora showed the text is more often wrong than right
// (docs/cleaner.md, "Confidence and method"), so that below 0.5 a text
// is more likely wrong:
//   - a fragment: it holds under 30 % of the page's prose and under a
//     quarter of all its text (a standfirst, one section, a teaser);
//   - a text under 400 characters: a short item still comes out, but
//     short texts are as often a label or a fragment as an article.
func (f confFeatures) confidence(hasTitle bool) float64 {
	c := f.rank(hasTitle)
	if c == 0 {
		return 0
	}
	if f.cov >= 0 && f.cov < 0.3 && f.pageShare < 0.25 {
		c -= 0.3
	}
	if f.textLen < 400 {
		c -= 0.2
	}
	return clamp01(c)
}

// traceConfidence, when set (by tests), sees the features of each page's
// final text.
var traceConfidence func(confFeatures)

// ldConfidence rates a text taken from the JSON-LD articleBody: the
// publisher's own copy, sure when long.
func ldConfidence(text string) float64 {
	if len(text) >= 600 {
		return 0.85
	}
	return 0.6
}

func clamp01(c float64) float64 {
	return min(0.98, max(0.02, c))
}

// keptShare is the share of the page's prose (positive block values)
// that the kept blocks hold.
func (p *page) keptShare() float32 {
	total := p.elems[0].good
	if total <= 0 {
		return 1
	}
	var good float32
	for i := range p.blocks {
		if p.blocks[i].keep {
			good += max(p.blocks[i].value, 0)
		}
	}
	return good / total
}

// looksWrong reports a choice worth comparing with an alternative: a
// short text while the page has much prose, or a text holding little of
// the page's prose.
func (p *page) looksWrong(textLen int) bool {
	total := p.elems[0].good
	return total >= 1000 && (textLen < 200 || p.keptShare() < 0.4 && textLen < 3000)
}
