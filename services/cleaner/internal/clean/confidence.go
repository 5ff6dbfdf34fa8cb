package clean

// How the article text was found: Article.Method.
const (
	MethodDOM      = "dom"         // the page's best block of prose
	MethodNoHints  = "dom-nohints" // the same with class names ignored
	MethodSiteRule = "site-rule"   // the body a site rule names
	MethodJSONLD   = "json-ld"     // the page's JSON-LD articleBody
	MethodFallback = "fallback"    // an alternative extraction beat the first choice
)

// confidence estimates, from the kept blocks, how likely the text is the
// page's main text: long prose, most of the page's prose, few links, near
// the headline and matching the JSON-LD body raise it; a short or linky
// text while much prose lies elsewhere lowers it. Below 0.5 the text is
// more likely wrong than right (calibrated on the tuning parts of the
// corpora, see docs/cleaner.md).
func (p *page) confidence(text, titleKey string) float64 {
	if text == "" {
		return 0
	}
	var good, chars, links float32
	ld, nearTitle := false, false
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
		ld = ld || b.ldHit
	}
	total := p.elems[0].good
	if p.title >= 0 && first >= 0 {
		if lca := p.lca(first, p.title); lca >= 0 && p.elems[p.title].depth-p.elems[lca].depth <= 4 {
			nearTitle = true
		}
	}
	c := 0.55
	switch n := len(text); {
	case n >= 1500:
		c += 0.2
	case n >= 600:
		c += 0.1
	case n < 200:
		c -= 0.3
	case n < 400:
		c -= 0.1
	}
	if total > 0 {
		switch cov := good / total; {
		case cov >= 0.6:
			c += 0.1
		case cov < 0.2:
			c -= 0.3
		case cov < 0.4:
			c -= 0.1
		}
	}
	if chars > 0 && links/chars > 0.3 {
		c -= 0.2
	}
	switch {
	case nearTitle:
		c += 0.1
	case titleKey != "" && p.title >= 0:
		c -= 0.1
	}
	if ld {
		c += 0.1
	}
	return clamp01(c)
}

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
