package clean

import (
	"bytes"
	"strings"
	"unicode/utf8"

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

// wordKinds merges chromeWords and contentWords, for one look-up a word.
var wordKinds = func() map[string]uint8 {
	m := make(map[string]uint8, len(chromeWords)+len(contentWords))
	for w := range contentWords {
		m[w] = contentWord
	}
	for w := range chromeWords {
		m[w] = chromeWord // before content, as tokenHint checks them
	}
	return m
}()

const (
	chromeWord = 1 + iota
	contentWord
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

// valueHint scores a class or id value token by token.
func valueHint(v string, cache hintCache) attrHint {
	var h attrHint
	add := func(t attrHint) {
		h.score += t.score
		h.mixed = h.mixed || t.mixed
	}
	if !isASCII(v) {
		// Unicode spaces separate tokens too, and Unicode lower-casing
		// applies; rare enough for the general path.
		for tok := range strings.FieldsSeq(v) {
			t := tokenVerdict(tok, cache)
			if t.hidden {
				return attrHint{hidden: true}
			}
			add(t)
		}
		return h
	}
	for i := 0; i < len(v); {
		for i < len(v) && isASCIISpace(v[i]) {
			i++
		}
		j := i
		for j < len(v) && !isASCIISpace(v[j]) {
			j++
		}
		if j > i {
			t := tokenVerdict(v[i:j], cache)
			if t.hidden {
				return attrHint{hidden: true}
			}
			add(t)
		}
		i = j
	}
	return h
}

// tokenVerdict scores one token, through the cache.
func tokenVerdict(tok string, cache hintCache) attrHint {
	t, ok := cache.tokens[tok]
	if ok {
		return t
	}
	var buf [64]byte
	var low []byte
	if isASCII(tok) {
		low = appendLowerASCII(buf[:0], tok)
	} else {
		low = []byte(strings.ToLower(tok))
	}
	if hiddenClasses[string(low)] {
		t.hidden = true
	} else {
		t.score, t.mixed = tokenHint(tok, low)
	}
	if cache.tokens != nil {
		cache.tokens[tok] = t
	}
	return t
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isASCIISpace is the ASCII part of unicode.IsSpace, as strings.Fields
// splits.
func isASCIISpace(c byte) bool {
	return asciiClass[c] == asciiSpace
}

func appendLowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, lowerASCII(s[i]))
	}
	return dst
}

// stemSet finds any of a few lower-case ASCII stems inside a word, indexed
// by their first three letters so most positions cost a bit test.
type stemSet struct {
	first [26][]string
	third [26 * 26]uint32 // third letters, by the first two
}

func newStemSet(stems ...string) *stemSet {
	var ss stemSet
	for _, st := range stems {
		if len(st) < 3 {
			panic("clean: stem shorter than three letters: " + st)
		}
		c, d := st[0]-'a', st[1]-'a'
		ss.first[c] = append(ss.first[c], st)
		ss.third[int(c)*26+int(d)] |= 1 << (st[2] - 'a')
	}
	return &ss
}

// in reports whether s, lower-case, contains one of the stems.
func (ss *stemSet) in(s []byte) bool {
	for i := 0; i+2 < len(s); i++ {
		c, d, e := s[i]-'a', s[i+1]-'a', s[i+2]-'a'
		if c >= 26 || d >= 26 || e >= 26 || ss.third[int(c)*26+int(d)]&(1<<e) == 0 {
			continue
		}
		for _, st := range ss.first[c] {
			if len(s)-i >= len(st) && string(s[i:i+len(st)]) == st {
				return true
			}
		}
	}
	return false
}

// Stem sets, as bits of stemStarts.
const (
	inContentStems = 1 << iota
	inChromeCompounds
	inChromeStems
)

// stemStarts marks the first three letters of the stems of each set, so
// that most tokens, which hold none, are cleared in one pass.
var stemStarts = func() *[26 * 26 * 26]uint8 {
	var t [26 * 26 * 26]uint8
	for _, s := range []struct {
		set *stemSet
		bit uint8
	}{{contentStems, inContentStems}, {chromeCompounds, inChromeCompounds}, {chromeStems, inChromeStems}} {
		for _, stems := range s.set.first {
			for _, st := range stems {
				t[(int(st[0]-'a')*26+int(st[1]-'a'))*26+int(st[2]-'a')] |= s.bit
			}
		}
	}
	return &t
}()

// stemSetsIn returns the sets with a stem starting somewhere in s, a to z
// only, going by the first three letters.
func stemSetsIn(s []byte) uint8 {
	var sets uint8
	for i := 0; i+2 < len(s); i++ {
		c, d, e := int(s[i]-'a'), int(s[i+1]-'a'), int(s[i+2]-'a')
		if c < 26 && d < 26 && e < 26 {
			sets |= stemStarts[(c*26+d)*26+e]
		}
	}
	return sets
}

// tokenHint scores one class or id token, given also lower-cased, and
// reports content words in it.
func tokenHint(tok string, low []byte) (int, bool) {
	score := 0
	var buf [64]byte
	joined := appendLetters(buf[:0], low)
	// Words are stretches of joined: stems missing from it are in no word.
	sets := stemSetsIn(joined)
	if sets&inContentStems != 0 && contentStems.in(joined) {
		score += hintContent
	}
	neg, pos := 0, 0
	if sets&inChromeCompounds != 0 && chromeCompounds.in(joined) {
		neg = hintChrome
	}
	var wbuf [64]byte
	for w, rest := nextWord(wbuf[:0], tok); len(w) > 0; w, rest = nextWord(wbuf[:0], rest) {
		switch {
		case len(w) > 2 && sets&inChromeStems != 0 && chromeStems.in(w):
			neg = hintChrome
		default:
			switch wordKinds[string(w)] {
			case chromeWord:
				neg = min(neg, -2)
			case contentWord:
				pos = 1
			}
		}
	}
	if bytes.Contains(joined, []byte("embed")) {
		// "social-media-embed" holds an embedded post the article quotes.
		neg = 0
	}
	return score + neg + pos, score > 0 || pos > 0
}

// stripSeparators drops '-', '_' and digits so "article__body-2" reads
// "articlebody".
func stripSeparators(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return string(appendLetters(make([]byte, 0, len(s)), s))
		}
	}
	return s
}

// appendLetters appends the letters a to z of s.
func appendLetters[T string | []byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			dst = append(dst, c)
		}
	}
	return dst
}

// nextWord splits the first word off a class or id token, on non-letters
// and camelCase humps, and appends it lower-cased to dst; it returns an
// empty word when there are none left.
func nextWord(dst []byte, tok string) (word []byte, rest string) {
	i := 0
	for i < len(tok) && !isASCIILetter(tok[i]) {
		i++
	}
	prevLower := false
	for ; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c >= 'a' && c <= 'z':
			dst = append(dst, c)
			prevLower = true
		case c >= 'A' && c <= 'Z':
			if prevLower {
				return dst, tok[i:]
			}
			dst = append(dst, c+'a'-'A')
			prevLower = false
		default:
			return dst, tok[i:]
		}
	}
	return dst, ""
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

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCIILetter(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z'
}
