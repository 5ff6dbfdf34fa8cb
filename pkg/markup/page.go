package markup

import (
	"bytes"

	"golang.org/x/net/html/charset"
)

// StripPage is Strip, appending to dst, for a page as fetched, whose
// bytes are not yet decoded: it strips only a page whose encoding leaves
// the bytes of '<', '>', quotes and ASCII letters meaning themselves
// (UTF-8, the single-byte encodings, and EUC, Shift_JIS, GBK, GB18030 and
// Big5, whose multi-byte characters never contain '<'). UTF-16,
// ISO-2022-JP (7-bit, shifted) and pages with NUL bytes near the start
// (UTF-16 or UTF-32 without a BOM) are returned as they are, not appended
// to dst, with ok false. The encoding is found as the cleaner finds it:
// the BOM, contentType's charset, then a <meta> in the first 1024 bytes.
func StripPage(dst, page []byte, contentType string) (out []byte, ok bool) {
	head := page[:min(len(page), 1024)]
	if bytes.IndexByte(head, 0) >= 0 {
		return page, false
	}
	switch _, name, _ := charset.DetermineEncoding(head, contentType); name {
	case "utf-16be", "utf-16le", "iso-2022-jp", "replacement":
		return page, false
	}
	return Strip(dst, page), true
}
