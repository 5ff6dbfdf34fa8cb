package feed

import (
	"bytes"
	"mime"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// xmlDeclEncoding finds the encoding pseudo-attribute of an XML declaration.
var xmlDeclEncoding = regexp.MustCompile(`^(\s*<\?xml\s[^>]*?encoding\s*=\s*)(["'])([A-Za-z0-9._:\-]+)(["'])`)

// toUTF8 returns body as UTF-8 and the name of the charset it was read as.
// Order: a byte-order mark (or the UTF-16 or UTF-32 bytes of a leading
// '<'); valid UTF-8 as is; the HTTP charset; the XML
// declaration; an HTML meta charset; windows-1252 as the last resort (what
// browsers assume, and right for most mislabelled Latin feeds).
//
// The XML declaration is rewritten to say utf-8 afterwards, since the XML
// parser would otherwise decode the already-decoded bytes a second time.
func toUTF8(body []byte, contentType string) ([]byte, string, error) {
	out, name, err := decodeCharset(body, contentType)
	if err != nil {
		return nil, "", err
	}
	return neutraliseDecl(out), name, nil
}

func decodeCharset(body []byte, contentType string) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return body[3:], "utf-8", nil
	// UTF-32 before UTF-16: FF FE 00 00 also starts like UTF-16's BOM.
	case bytes.HasPrefix(body, []byte{0, 0, 0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0xFF, 0xFE, 0, 0}):
		return decodeWith(utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM), body, "utf-32")
	case bytes.HasPrefix(body, []byte{0, 0, 0, '<'}):
		return decodeWith(utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), body, "utf-32be")
	case bytes.HasPrefix(body, []byte{'<', 0, 0, 0}):
		return decodeWith(utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), body, "utf-32le")
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), body, "utf-16")
	case bytes.HasPrefix(body, []byte{0, '<', 0}):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), body, "utf-16be")
	case bytes.HasPrefix(body, []byte{'<', 0, '?', 0}), bytes.HasPrefix(body, []byte{'<', 0, 'r', 0}):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), body, "utf-16le")
	}
	if utf8.Valid(body) {
		return body, "utf-8", nil
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if e, name := charset.Lookup(params["charset"]); e != nil && name != "utf-8" {
			return decodeWith(e, body, name)
		}
	}
	if m := xmlDeclEncoding.FindSubmatch(head(body, 1024)); m != nil {
		if e, name := charset.Lookup(string(m[3])); e != nil && name != "utf-8" && !strings.HasPrefix(name, "utf-16") {
			return decodeWith(e, body, name)
		}
	}
	// DetermineEncoding prescans for <meta charset>; with no declaration
	// anywhere it guesses windows-1252.
	e, name, _ := charset.DetermineEncoding(body, "")
	if name == "utf-8" {
		// Declared UTF-8 but invalid: keep the bytes; invalid sequences
		// become U+FFFD in the parser rather than failing the whole feed.
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), "utf-8", nil
	}
	return decodeWith(e, body, name)
}

func decodeWith(e encoding.Encoding, body []byte, name string) ([]byte, string, error) {
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return nil, "", &parseError{kind: ErrMalformedFeed, detail: "charset " + name, cause: err}
	}
	return out, name, nil
}

func neutraliseDecl(body []byte) []byte {
	loc := xmlDeclEncoding.FindSubmatchIndex(head(body, 1024))
	if loc == nil {
		return body
	}
	// loc[6]:loc[7] is the encoding name.
	if strings.EqualFold(string(body[loc[6]:loc[7]]), "utf-8") {
		return body
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:loc[6]]...)
	out = append(out, "utf-8"...)
	out = append(out, body[loc[7]:]...)
	return out
}

var charRef = regexp.MustCompile(`&#(?:[xX][0-9a-fA-F]{1,8}|[0-9]{1,10});`)

// fixCharRefs replaces character references to code points XML forbids
// (&#0;, lone surrogates, beyond U+10FFFF) with U+FFFD. The XML decoder
// rejects the whole document for one of them; a feed should not die for it.
func fixCharRefs(b []byte) []byte {
	if !bytes.Contains(b, []byte("&#")) {
		return b
	}
	return charRef.ReplaceAllFunc(b, func(ref []byte) []byte {
		digits := string(ref[2 : len(ref)-1])
		base := 10
		if digits[0] == 'x' || digits[0] == 'X' {
			digits, base = digits[1:], 16
		}
		n, err := strconv.ParseUint(digits, base, 32)
		if err != nil || !validXMLChar(rune(n)) {
			return []byte("&#xFFFD;")
		}
		return ref
	})
}

func validXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
