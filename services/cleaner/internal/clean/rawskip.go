package clean

import (
	"bufio"
	"bytes"
)

// rawSkipper streams the page to the parser without the contents of
// <script> (other than JSON-LD) and <style> elements: over half the bytes
// of a news page, never article text, and costly to tokenize and keep as
// strings. The tags stay, so the tree keeps its shape. It follows the
// tokenizer states that matter here: comments, and the raw text of title,
// textarea, noscript and the like, where "<script" is only text.
type rawSkipper struct {
	br      *bufio.Reader
	state   int
	end     []byte // lower-case closing tag ending raw or skipped text
	pending int    // bytes of markup to copy before entering next
	next    int
	err     error
}

const (
	stNormal  = iota
	stComment // inside <!-- -->
	stRaw     // copying raw text up to end
	stSkip    // dropping raw text up to end
	stPlain   // after <plaintext>: all text
)

// maxTag bounds how far a tag's end is looked for; after a longer tag the
// rest of the page passes unfiltered. The reader's buffer must hold it.
const maxTag = 16 << 10

func newRawSkipper(br *bufio.Reader) *rawSkipper {
	return &rawSkipper{br: br}
}

// avail returns the buffered bytes, reading more if none are buffered.
func (s *rawSkipper) avail() []byte {
	if s.br.Buffered() == 0 {
		if _, err := s.br.Peek(1); err != nil {
			s.err = err
			return nil
		}
	}
	b, _ := s.br.Peek(s.br.Buffered())
	return b
}

// emit copies up to k bytes of b to p[n:] and consumes them.
func (s *rawSkipper) emit(p []byte, n int, b []byte, k int) int {
	w := copy(p[n:], b[:k])
	s.br.Discard(w)
	return n + w
}

func (s *rawSkipper) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && s.err == nil {
		b := s.avail()
		if b == nil {
			break
		}
		if s.pending > 0 {
			before := n
			n = s.emit(p, n, b, min(s.pending, len(b)))
			if s.pending -= n - before; s.pending == 0 {
				s.state = s.next
			}
			continue
		}
		switch s.state {
		case stPlain:
			n = s.emit(p, n, b, len(b))
		case stComment:
			if i := bytes.Index(b, []byte("-->")); i >= 0 {
				s.pending, s.next = i+3, stNormal
				continue
			}
			n = s.emitHolding(p, n, b, 2)
		case stRaw, stSkip:
			if i := indexFold(b, s.end); i >= 0 {
				if s.state == stSkip {
					s.br.Discard(i)
					s.state = stNormal
					continue
				}
				s.pending, s.next = i, stNormal
				if i == 0 {
					s.state = stNormal
				}
				continue
			}
			if s.state == stSkip {
				if k := s.holdBack(b, len(s.end)-1); k > 0 {
					s.br.Discard(k)
				}
				continue
			}
			n = s.emitHolding(p, n, b, len(s.end)-1)
		default:
			i := bytes.IndexByte(b, '<')
			if i < 0 {
				i = len(b)
			}
			if i > 0 {
				n = s.emit(p, n, b, i)
				continue
			}
			s.markup()
		}
	}
	if n > 0 {
		return n, nil
	}
	return 0, s.err
}

// holdBack returns how many bytes of b can be consumed while keeping the
// last keep bytes, which may start a closing marker cut by the buffer end;
// at the end of input it lets everything go.
func (s *rawSkipper) holdBack(b []byte, keep int) int {
	if len(b) > keep {
		return len(b) - keep
	}
	if la, _ := s.br.Peek(keep + 1); len(la) > len(b) {
		return 0 // more arrived; look again
	}
	return len(b)
}

func (s *rawSkipper) emitHolding(p []byte, n int, b []byte, keep int) int {
	if k := s.holdBack(b, keep); k > 0 {
		return s.emit(p, n, b, k)
	}
	return n
}

// markup looks at the '<' at the head of the buffer and schedules how much
// to copy verbatim and which state follows. Whole tags are copied at once
// so that attribute values ("<script>" in a data attribute) are never
// mistaken for markup.
func (s *rawSkipper) markup() {
	la, _ := s.br.Peek(16)
	switch {
	case bytes.HasPrefix(la, []byte("<!--")):
		s.pending, s.next = 4, stComment
		return
	case len(la) >= 2 && isASCIILetter(la[1]),
		len(la) >= 3 && la[1] == '/' && isASCIILetter(la[2]):
		// A start or end tag: through its '>'.
	case len(la) >= 2 && (la[1] == '!' || la[1] == '?' || la[1] == '/'):
		// A bogus comment, such as <!DOCTYPE> or </ x>: through the '>'.
		la, _ = s.br.Peek(maxTag)
		if i := bytes.IndexByte(la, '>'); i >= 0 {
			s.pending, s.next = i+1, stNormal
			return
		}
		s.state = stPlain
		return
	default:
		s.pending, s.next = 1, stNormal
		return
	}
	name := rawTagName(la)
	// Look in what is buffered first: asking for more slides the buffer.
	la, _ = s.br.Peek(s.br.Buffered())
	end := tagEnd(la)
	if end < 0 && len(la) < maxTag {
		la, _ = s.br.Peek(maxTag)
		end = tagEnd(la)
	}
	if end < 0 {
		// A tag too long to see whole (a data: URI, say): stop filtering
		// rather than risk reading its attributes as markup.
		s.state = stPlain
		return
	}
	s.pending, s.next = end, stNormal
	switch name {
	case "":
	case "plaintext":
		s.next = stPlain
	case "script":
		s.next, s.end = stSkip, []byte("</script")
		if indexFold(la[:end], []byte("ld+json")) >= 0 {
			s.next = stRaw
		}
	case "style":
		s.next, s.end = stSkip, []byte("</style")
	default:
		s.next, s.end = stRaw, []byte("</"+name)
	}
}

func isASCIILetter(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z'
}

// tagEnd returns the length of the tag at the head of b, through its '>',
// reading attribute values as the tokenizer does (a quote opens a value
// only right after '='), or -1.
func tagEnd(b []byte) int {
	for pos := 0; pos < len(b); {
		i := bytes.IndexAny(b[pos:], "\"'>")
		if i < 0 {
			return -1
		}
		i += pos
		if b[i] == '>' {
			return i + 1
		}
		if !afterEquals(b[:i]) {
			pos = i + 1 // a stray quote in a name or unquoted value
			continue
		}
		j := bytes.IndexByte(b[i+1:], b[i])
		if j < 0 {
			return -1
		}
		pos = i + 1 + j + 1
	}
	return -1
}

// afterEquals reports whether b ends with '=' and optional spaces.
func afterEquals(b []byte) bool {
	for i := len(b) - 1; i >= 0; i-- {
		switch b[i] {
		case ' ', '\t', '\n', '\f', '\r':
			continue
		case '=':
			return true
		}
		return false
	}
	return false
}

// rawTagName returns the lower-case name of the start tag at the head of b
// when its content is raw text to the tokenizer, else "".
func rawTagName(b []byte) string {
	i := 1
	for i < len(b) && b[i]|0x20 >= 'a' && b[i]|0x20 <= 'z' {
		i++
	}
	if i == 1 || i >= len(b) {
		return ""
	}
	switch b[i] {
	case ' ', '\t', '\n', '\f', '\r', '/', '>':
	default:
		return ""
	}
	var buf [16]byte
	name := buf[:0]
	for _, c := range b[1:i] {
		name = append(name, c|0x20)
	}
	switch string(name) {
	case "script", "style", "plaintext", "title", "textarea", "noscript",
		"iframe", "noembed", "noframes", "xmp":
		return string(name)
	}
	return ""
}

// indexFold finds needle in b ignoring ASCII case; needle is lower case.
// A match cut off by the end of b is not reported.
func indexFold(b, needle []byte) int {
	first := needle[0]
	for off := 0; off < len(b); {
		var i int
		if first >= 'a' && first <= 'z' {
			i = bytes.IndexAny(b[off:], string([]byte{first, first - 32}))
		} else {
			i = bytes.IndexByte(b[off:], first)
		}
		if i < 0 {
			return -1
		}
		i += off
		if len(b)-i < len(needle) {
			return -1
		}
		match := true
		for j := 1; j < len(needle); j++ {
			c := b[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 32
			}
			if c != needle[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
		off = i + 1
	}
	return -1
}
