// Package markup filters HTML pages before they are parsed or passed on,
// reading tags exactly as golang.org/x/net/html's tokenizer does, so that
// the filtered page parses to the same tree minus what was dropped.
//
// Strip drops what no stage of the pipeline reads: the contents of script
// (other than JSON-LD), style, noembed and noframes elements, over half the
// bytes of a news page. The fetcher strips pages before publishing them; the cleaner trims
// them before parsing. Both are idempotent: Strip(Strip(p)) == Strip(p),
// and Trim of a stripped page is Trim of the page.
package markup

import "bytes"

// Strip appends the page src to dst without the contents of its script
// (other than JSON-LD) and style elements.
func Strip(dst, src []byte) []byte { return filter(dst, src, false, nil) }

// Trim is Strip that also drops comment text and the attributes that
// neither newsflow's extractor nor the parser reads (see keptAttr). Site
// rules, whose selectors may test any attribute, need Strip instead.
func Trim(dst, src []byte) []byte { return filter(dst, src, true, nil) }

// TagFunc is told of each start and end tag of a page, in order, as the
// tokenizer reads them: name in lower case (nil when longer than 16 bytes,
// which no HTML element is). It must not keep name.
type TagFunc func(end bool, name []byte)

// StripTags is Strip that also tells tag of every tag, for a look at the
// page's structure at no extra pass.
func StripTags(dst, src []byte, tag TagFunc) []byte { return filter(dst, src, false, tag) }

// TrimTags is Trim that also tells tag of every tag.
func TrimTags(dst, src []byte, tag TagFunc) []byte { return filter(dst, src, true, tag) }

// filter appends the page src to dst without what the extractor never
// reads, so the parser has less to tokenize and keep as strings:
//
//   - the contents of <script> (other than JSON-LD) and <style> elements:
//     over half the bytes of a news page;
//   - with trim, comment text and the attributes that neither the
//     extractor nor the parser reads (src, srcset, data-*, svg paths...).
//     Site rules need all of them: their selectors may test anything.
//
// Tags and comments stay, so the tree keeps its shape. Tags are read as
// golang.org/x/net/html reads them, so attribute values ("<script>" in a
// data attribute) are never mistaken for markup, and the raw text of
// title, textarea, noscript and the like is copied as is, since "<script"
// there is only text.
func filter(dst, src []byte, trim bool, tag TagFunc) []byte {
	// Tags rarely have more attributes than this; more spill to the heap.
	var spans [32]attrSpan
	// One name buffer for the page: handed to tag, it leaves the stack.
	var nameBuf [16]byte
	for len(src) > 0 {
		i := bytes.IndexByte(src, '<')
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		src = src[i:]
		switch {
		case bytes.HasPrefix(src, []byte("<!--")):
			n := commentEnd(src)
			if n < 0 {
				return append(dst, src...)
			}
			if trim && n > len("<!---->") {
				dst = append(dst, "<!---->"...)
			} else {
				dst = append(dst, src[:n]...)
			}
			src = src[n:]
		case len(src) >= 2 && isASCIILetter(src[1]),
			len(src) >= 3 && src[1] == '/' && isASCIILetter(src[2]):
			t, ok := scanTag(src, spans[:0])
			if !ok {
				// The page ends inside the tag: leave the rest to the
				// tokenizer.
				return append(dst, src...)
			}
			if src[1] == '/' {
				if tag != nil {
					tag(true, lowerInto(&nameBuf, src[2:t.nameEnd]))
				}
				dst = append(dst, src[:t.end]...)
				src = src[t.end:]
				continue
			}
			name := lowerInto(&nameBuf, src[1:t.nameEnd])
			if tag != nil {
				tag(false, name)
			}
			if trim {
				dst = t.appendTrimmed(dst, src, name)
			} else {
				dst = append(dst, src[:t.end]...)
			}
			var more bool
			if dst, src, more = rawText(dst, src[t.end:], src[:t.end], name); !more {
				return dst
			}
		case len(src) >= 2 && (src[1] == '!' || src[1] == '?' || src[1] == '/'):
			// A bogus comment, such as <!DOCTYPE> or </ x>: through the '>'.
			n := bytes.IndexByte(src, '>')
			if n < 0 {
				return append(dst, src...)
			}
			dst = append(dst, src[:n+1]...)
			src = src[n+1:]
		default:
			dst = append(dst, '<')
			src = src[1:]
		}
	}
	return dst
}

// rawText handles what follows a start tag (name in lower case) whose
// content the tokenizer reads as raw text: it drops that of script and
// style, copies the rest, and returns what follows it; more is false at
// the end of the page.
func rawText(dst, src, tag, name []byte) (_, rest []byte, more bool) {
	var endBuf [16]byte
	skip := false
	switch string(name) {
	case "plaintext":
		return append(dst, src...), nil, false
	case "script":
		skip = indexFold(tag, []byte("ld+json")) < 0
	case "style", "noembed", "noframes":
		// noembed and noframes show their raw text only in a browser
		// without embeds or frames, which no reader has: it is markup
		// meant for nobody ("<script>" as text), not article text.
		skip = true
	case "title", "textarea", "noscript", "iframe", "xmp":
	default:
		return dst, src, true
	}
	// The text ends at the first closing tag of the element.
	end := append(append(endBuf[:0], "</"...), name...)
	i := indexFold(src, end)
	if i < 0 {
		if !skip {
			dst = append(dst, src...)
		}
		return dst, nil, false
	}
	if !skip {
		dst = append(dst, src[:i]...)
	}
	return dst, src[i:], true
}

// commentEnd returns the length of the comment at the head of b, as the
// tokenizer ends it ("<!-->", "-->" or "--!>"), or -1 if the page ends
// inside it.
func commentEnd(b []byte) int {
	i := len("<!--")
	for i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '>' {
		return i + 1
	}
	for off := len("<!--"); ; {
		j := bytes.Index(b[off:], []byte("--"))
		if j < 0 {
			return -1
		}
		k := off + j + 2
		for k < len(b) && b[k] == '-' {
			k++
		}
		switch {
		case k < len(b) && b[k] == '>':
			return k + 1
		case k+1 < len(b) && b[k] == '!' && b[k+1] == '>':
			return k + 2
		}
		off = k
	}
}

// attrSpan is one attribute of a tag, as offsets into it.
type attrSpan struct {
	key0, key1 int // the key as written
	val0, val1 int // the value as the tokenizer reads it, quotes left out
	end        int // past the attribute, closing quote included
}

// tagSpan is a tag read as golang.org/x/net/html reads it.
type tagSpan struct {
	end     int // past the closing '>'
	nameEnd int // past the tag name
	attrs   []attrSpan
}

// Byte classes of the tokenizer's tag states.
const (
	htmlSpace = 1 << iota // ends names, keys and unquoted values
	nameEnd               // '/' and '>' end names and keys too
	keyEnd                // '=' ends keys
	valueEnd              // '>' ends unquoted values
)

var tagClass = [256]uint8{
	' ': htmlSpace, '\n': htmlSpace, '\r': htmlSpace, '\t': htmlSpace, '\f': htmlSpace,
	'/': nameEnd, '>': nameEnd | valueEnd, '=': keyEnd,
}

func skipHTMLSpace(b []byte, i int) int {
	for i < len(b) && tagClass[b[i]]&htmlSpace != 0 {
		i++
	}
	return i
}

// scanTag reads the start or end tag at the head of b following the
// tokenizer's readTag, readTagAttrKey and readTagAttrVal; ok is false when
// the page ends inside it.
func scanTag(b []byte, attrs []attrSpan) (t tagSpan, ok bool) {
	i := 2 // the name's first letter is read
	if b[1] == '/' {
		i = 3
	}
	for i < len(b) && tagClass[b[i]]&(htmlSpace|nameEnd) == 0 {
		i++
	}
	t.nameEnd = i
	for {
		if i = skipHTMLSpace(b, i); i >= len(b) {
			return t, false
		}
		if b[i] == '>' {
			t.end, t.attrs = i+1, attrs
			return t, true
		}
		// The key runs to a space, '/', '>' or '=', but a leading '=' is
		// part of it.
		a := attrSpan{key0: i}
		j := i
		if b[i] != '/' {
			for j++; j < len(b) && tagClass[b[j]]&(htmlSpace|nameEnd|keyEnd) == 0; j++ {
			}
		}
		a.key1, a.val0, a.val1, a.end = j, j, j, j
		if i = skipHTMLSpace(b, j); i >= len(b) {
			return t, false
		}
		switch b[i] {
		case '/':
			i++
		case '=':
			if i = skipHTMLSpace(b, i+1); i >= len(b) {
				return t, false
			}
			switch q := b[i]; q {
			case '>':
			case '"', '\'':
				k := bytes.IndexByte(b[i+1:], q)
				if k < 0 {
					return t, false
				}
				a.val0, a.val1 = i+1, i+1+k
				a.end = a.val1 + 1
				i = a.end
			default:
				a.val0 = i
				for i++; i < len(b) && tagClass[b[i]]&(htmlSpace|valueEnd) == 0; i++ {
				}
				if i >= len(b) {
					return t, false
				}
				a.val1, a.end = i, i
			}
		}
		attrs = append(attrs, a)
	}
}

// selfClosing reports what the tokenizer makes of a '/' before the '>' of
// start tag b: not self-closing when it ends the last attribute's value.
func (t *tagSpan) selfClosing(b []byte) bool {
	if b[t.end-2] != '/' {
		return false
	}
	// The tokenizer keeps the first of attributes with the same key.
	for j := len(t.attrs) - 1; j >= 0; j-- {
		a := t.attrs[j]
		if a.key0 == a.key1 {
			continue
		}
		dup := false
		for _, p := range t.attrs[:j] {
			if equalFoldASCII(b[p.key0:p.key1], b[a.key0:a.key1]) {
				dup = true
				break
			}
		}
		if !dup {
			return t.end-2 != a.val1-1
		}
	}
	return true
}

func equalFoldASCII(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// appendTrimmed appends start tag b, named name in lower case, without the
// attributes keptAttr drops, or as is when it drops none. The tokenizer
// reads the result as the same tag: same name, same kept keys and values
// in the same order, and the same self-closing flag.
func (t *tagSpan) appendTrimmed(dst, b, name []byte) []byte {
	if formattingTag(name) {
		return append(dst, b[:t.end]...)
	}
	var keyBuf [16]byte
	var seen uint32
	dropped := false
	for i := range t.attrs {
		a := &t.attrs[i]
		if a.key0 == a.key1 {
			a.end = -1 // no key, as in "<br/>": the tokenizer ignores it
			continue
		}
		keep, bit := keptAttr(name, lowerInto(&keyBuf, b[a.key0:a.key1]))
		if !keep || seen&bit != 0 { // of repeated keys the tokenizer keeps the first
			a.end = -1
			dropped = true
		}
		seen |= bit
	}
	if !dropped {
		return append(dst, b[:t.end]...)
	}
	closing := t.selfClosing(b)
	dst = append(dst, b[:t.nameEnd]...)
	for _, a := range t.attrs {
		if a.end >= 0 {
			dst = append(dst, ' ')
			dst = append(dst, b[a.key0:a.end]...)
		}
	}
	switch {
	case closing:
		// A space keeps the '/' out of an unquoted value.
		dst = append(dst, " />"...)
	case dst[len(dst)-1] == '/':
		// An unquoted value ending in '/' must not make the tag
		// self-closing.
		dst = append(dst, " >"...)
	default:
		dst = append(dst, '>')
	}
	return dst
}

// lowerInto returns s in lower case, in buf, or nil if it is longer than
// any name looked for.
func lowerInto(buf *[16]byte, s []byte) []byte {
	if len(s) > len(buf) {
		return nil
	}
	l := buf[:len(s)]
	for i, c := range s {
		l[i] = lowerASCII(c)
	}
	return l
}

// formattingTag reports the tags whose attributes the parser compares (the
// Noah's Ark clause of its list of active formatting elements): dropping
// some could make two of them look alike and change the tree.
func formattingTag(name []byte) bool {
	switch string(name) {
	case "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small",
		"strike", "strong", "tt", "u":
		return true
	}
	return false
}

// keptAttr says which attributes of a tag (both in lower case) to keep:
// those the extractor reads (classHint, collectMeta) and those the parser
// reads (input type, annotation-xml encoding). bit identifies the key, to
// find repeats.
func keptAttr(tag, key []byte) (keep bool, bit uint32) {
	switch string(key) {
	case "class":
		return true, 1 << 0
	case "id":
		return true, 1 << 1
	case "role":
		return true, 1 << 2
	case "itemprop":
		return true, 1 << 3
	case "style":
		return true, 1 << 4
	case "hidden":
		return true, 1 << 5
	case "aria-hidden":
		return true, 1 << 6
	case "content":
		return true, 1 << 7
	case "datetime":
		return true, 1 << 8
	}
	switch string(tag) {
	case "link":
		switch string(key) {
		case "href":
			return true, 1 << 9
		case "rel":
			return true, 1 << 10
		}
	case "meta":
		switch string(key) {
		case "name":
			return true, 1 << 11
		case "property":
			return true, 1 << 12
		case "http-equiv":
			return true, 1 << 13
		}
	case "html":
		switch string(key) {
		case "lang":
			return true, 1 << 14
		case "xml:lang":
			return true, 1 << 15
		}
	case "script", "input":
		if string(key) == "type" {
			return true, 1 << 16
		}
	case "annotation-xml":
		if string(key) == "encoding" {
			return true, 1 << 17
		}
	}
	return false, 0
}

func isASCIILetter(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z'
}

// indexFold finds needle in b ignoring ASCII case; needle is lower case.
func indexFold(b, needle []byte) int {
	// Look for the letters' first in both cases, or for what comes before
	// them ("</" of a closing tag) as is.
	lead := 0
	for lead < len(needle) && !isASCIILetter(needle[lead]) {
		lead++
	}
	var cases string // the first letter in both cases
	if lead == 0 {
		cases = string([]byte{needle[0], needle[0] - 'a' + 'A'})
	}
	for off := 0; off < len(b); {
		var i int
		if lead > 0 {
			i = bytes.Index(b[off:], needle[:lead])
		} else {
			i = bytes.IndexAny(b[off:], cases)
		}
		if i < 0 {
			return -1
		}
		i += off
		if len(b)-i < len(needle) {
			return -1
		}
		if equalFoldASCII(b[i+lead:i+len(needle)], needle[lead:]) {
			return i
		}
		off = i + 1
	}
	return -1
}
