package clean

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Class and id vocabulary. Words come from splitting class and id values on
// punctuation and camelCase; stems match inside a word, whole words only as
// themselves. These lists are the generic knowledge of how sites name their
// chrome; per-site fixes belong in Rules instead.
var (
	// chromeStems mark site chrome wherever they appear in a word.
	chromeStems = newStemSet(
		"comment", "disqus", "share", "sharing", "social", "related",
		"sidebar", "newsletter", "subscri", "signup", "promo", "sponsor",
		"cookie", "consent", "gdpr", "breadcrumb", "outbrain", "taboola",
		"recommend", "trending", "popular", "advert", "adsbygoogle",
		"banner", "masthead", "footer", "pagination", "pager",
		"toolbar", "navbar", "navigation", "menu", "overlay", "modal",
		"popup", "byline", "donate", "carousel", "playlist",
		"rating",
	)
	// chromeWords mark site chrome only as whole words.
	chromeWords = map[string]bool{
		"ad": true, "ads": true, "adv": true, "nav": true, "tag": true,
		"tags": true, "meta": true, "author": true, "authors": true,
		"caption": true, "credit": true, "credits": true, "date": true,
		"dateline": true, "print": true, "email": true, "login": true,
		"search": true, "header": true, "masthead": true, "rail": true,
		"aside": true, "next": true, "prev": true, "previous": true,
		"poll": true, "survey": true, "follow": true, "skip": true,
		"jump": true, "tools": true, "toc": true, "bio": true,
		"timestamp": true, "published": true, "source": true,
		"more": true, "teaser": true, "teasers": true, "gallery": true,
		"cta": true, "signin": true, "register": true,
		"topbar": true, "reactions": true, "rss": true,
	}
	// chromeCompounds mark chrome when a whole token, separators removed,
	// contains them ("read-more", "most_read").
	chromeCompounds = newStemSet(
		"readmore", "alsoread", "mostread", "mostpopular", "mostviewed",
		"followus", "relatedposts", "relatedarticles", "relatedstories",
		"moreposts", "morestories", "morenews", "morefrom", "youmaylike",
		"dontmiss", "nextpost", "prevpost", "previouspost", "nextarticle",
		"postnav", "postnavigation", "authorbox", "authorbio", "aboutauthor",
		"sociallinks", "tagcloud", "taglist", "inlinead", "adslot",
		"adunit", "adwrap", "adcontainer", "adblock", "adbox",
		"postmeta", "entrymeta", "articlemeta", "addthis", "sharethis",
		"sharedaddy", "printfriendly", "relatedcontent", "nocontent",
	)
	// contentStems mark the article body.
	contentStems = newStemSet(
		"articlebody", "articletext", "articlecontent", "articlecopy",
		"storybody", "storytext", "storycontent", "entrycontent",
		"entrybody", "postcontent", "postbody", "posttext", "postentry",
		"bodytext", "contentbody", "textbody", "richtext", "bodycopy",
		"newscontent", "newstext", "maintext", "articleinner",
		"contentarticle", "singlecontent", "blogcontent", "blogpost",
	)
	// contentWords lean towards content as whole words.
	contentWords = map[string]bool{
		"article": true, "content": true, "entry": true, "main": true,
		"post": true, "story": true, "text": true, "body": true,
		"blog": true, "prose": true, "copy": true, "page": true,
	}
	// hiddenClasses hide an element on every screen.
	hiddenClasses = map[string]bool{
		"hidden": true, "hide": true, "sr-only": true, "visually-hidden": true,
		"visuallyhidden": true, "screen-reader-text": true, "invisible": true,
		"screenreader-only": true, "element-invisible": true, "d-none": true,
		"is-hidden": true, "u-hidden": true, "offscreen": true,
	}
	chromeRoles = map[string]bool{
		"navigation": true, "banner": true, "contentinfo": true,
		"complementary": true, "search": true, "menu": true, "menubar": true,
		"toolbar": true, "dialog": true, "alertdialog": true, "tablist": true,
		"note": true,
	}
)

// Hint strengths.
const (
	hintHidden  = -9
	hintChrome  = -3
	hintWeakNeg = -1
	hintContent = 3
)

// classHint scores an element by its tag, attributes, class and id:
// negative leans to chrome, positive to article content, hintHidden when it
// is not rendered. mixed reports content words among the chrome ones
// ("content-with-sidebar"), which makes a negative score less certain.
func classHint(n *html.Node, cache hintCache) (score int, mixed bool) {
	var class, id, role, itemprop, style string
	hidden := false
	for _, a := range n.Attr {
		switch a.Key {
		case "class":
			class = a.Val
		case "id":
			id = a.Val
		case "role":
			role = strings.ToLower(strings.TrimSpace(a.Val))
		case "itemprop":
			itemprop = a.Val
		case "style":
			style = a.Val
		case "hidden":
			hidden = true
		case "aria-hidden":
			hidden = hidden || strings.EqualFold(strings.TrimSpace(a.Val), "true")
		}
	}
	if hidden || (style != "" && styleHidden(style)) {
		return hintHidden, false
	}
	switch n.DataAtom {
	case atom.Nav, atom.Aside, atom.Footer, atom.Figcaption, atom.Dialog, atom.Menu:
		score += hintChrome
	case atom.Header, atom.Form:
		score -= 2
	case atom.Article, atom.Main:
		score += 2
		mixed = true
	}
	if role != "" {
		if chromeRoles[role] {
			score += hintChrome
		} else if role == "main" || role == "article" {
			score += 2
			mixed = true
		}
	}
	if strings.Contains(itemprop, "articleBody") || itemprop == "text" {
		score += 5
		mixed = true
	}
	for _, v := range [2]string{class, id} {
		if v == "" {
			continue
		}
		h, ok := cache.values[v]
		if !ok {
			h = valueHint(v, cache)
			if cache.values != nil {
				cache.values[v] = h
			}
		}
		if h.hidden {
			return hintHidden, false
		}
		score += h.score
		mixed = mixed || h.mixed
	}
	return score, mixed
}

// attrHint is the verdict on one class or id value.
type attrHint struct {
	score         int
	mixed, hidden bool
}

// hintCache memoises verdicts within a page, where the same class strings
// and tokens repeat on hundreds of elements.
type hintCache struct {
	values, tokens map[string]attrHint
}

func valueHint(v string, cache hintCache) attrHint {
	var h attrHint
	for tok := range strings.FieldsSeq(v) {
		t, ok := cache.tokens[tok]
		if !ok {
			low := strings.ToLower(tok)
			if hiddenClasses[low] {
				t.hidden = true
			} else {
				t.score, t.mixed = tokenHint(tok, low)
			}
			if cache.tokens != nil {
				cache.tokens[tok] = t
			}
		}
		if t.hidden {
			return attrHint{hidden: true}
		}
		h.score += t.score
		h.mixed = h.mixed || t.mixed
	}
	return h
}

// stemSet finds any of a few lower-case ASCII stems inside a word, indexed
// by first letter so most positions cost one table look-up.
type stemSet [26][]string

func newStemSet(stems ...string) *stemSet {
	var ss stemSet
	for _, st := range stems {
		ss[st[0]-'a'] = append(ss[st[0]-'a'], st)
	}
	return &ss
}

func (ss *stemSet) in(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			continue
		}
		for _, st := range ss[c-'a'] {
			if strings.HasPrefix(s[i:], st) {
				return true
			}
		}
	}
	return false
}

// tokenHint scores one class or id token and reports content words in it.
func tokenHint(tok, low string) (int, bool) {
	score := 0
	joined := stripSeparators(low)
	if contentStems.in(joined) {
		score += hintContent
	}
	neg, pos := 0, 0
	if chromeCompounds.in(joined) {
		neg = hintChrome
	}
	forEachWord(tok, func(w string) {
		if len(w) > 2 && chromeStems.in(w) {
			neg = hintChrome
			return
		}
		if chromeWords[w] {
			neg = min(neg, -2)
			return
		}
		if contentWords[w] {
			pos = 1
		}
	})
	if strings.Contains(joined, "embed") {
		// "social-media-embed" holds an embedded post the article quotes.
		neg = 0
	}
	return score + neg + pos, score > 0 || pos > 0
}

// stripSeparators drops '-', '_' and digits so "article__body-2" reads
// "articlebody".
func stripSeparators(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b = append(b, c)
		}
	}
	return string(b)
}

// forEachWord splits a class or id token on non-letters and camelCase
// humps and calls f with each lower-cased word.
func forEachWord(tok string, f func(string)) {
	var buf [64]byte
	w := buf[:0]
	prevLower := false
	flush := func() {
		if len(w) > 0 {
			f(string(w))
			w = w[:0]
		}
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c >= 'a' && c <= 'z':
			w = append(w, c)
			prevLower = true
		case c >= 'A' && c <= 'Z':
			if prevLower {
				flush()
			}
			w = append(w, c+'a'-'A')
			prevLower = false
		default:
			flush()
			prevLower = false
		}
	}
	flush()
}

// styleHidden reports an inline style that hides the element.
func styleHidden(style string) bool {
	s := strings.ToLower(style)
	if !strings.Contains(s, "none") && !strings.Contains(s, "hidden") {
		return false
	}
	s = strings.ReplaceAll(s, " ", "")
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}
