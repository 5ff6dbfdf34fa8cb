package markup

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

func TestStripPage(t *testing.T) {
	t.Parallel()
	const page = `<html><head><meta charset=utf-8><script>var a = 1;</script></head><body><p>x</p></body></html>`
	const stripped = `<html><head><meta charset=utf-8><script></script></head><body><p>x</p></body></html>`
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	// U+613C is "<a" in UTF-16LE: stripping those bytes would corrupt it.
	utf16NoBOM, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte("<p>\u613c</p><script>x</script>"))
	if err != nil {
		t.Fatal(err)
	}
	jis, err := japanese.ISO2022JP.NewEncoder().Bytes([]byte(`<meta charset="iso-2022-jp"><p>日本語</p><script>x</script>`))
	if err != nil {
		t.Fatal(err)
	}
	// 表 is 0x95 0x5C in Shift_JIS: a trail byte in the ASCII range.
	sjis, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(`<p>表示</p><script>x</script>`))
	if err != nil {
		t.Fatal(err)
	}
	sjisStripped, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(`<p>表示</p><script></script>`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, contentType string
		page, want        []byte
		ok                bool
	}{
		{"utf-8", "text/html; charset=utf-8", []byte(page), []byte(stripped), true},
		{"undeclared", "text/html", []byte(page), []byte(stripped), true},
		{"windows-1252 header", "text/html; charset=windows-1252", []byte(page), []byte(stripped), true},
		{"shift_jis", "text/html; charset=shift_jis", sjis, sjisStripped, true},
		{"utf-16 with a BOM", "text/html", utf16, utf16, false},
		{"utf-16 declared", "text/html; charset=utf-16le", utf16[2:], utf16[2:], false},
		{"utf-16 without a BOM", "text/html", utf16NoBOM, utf16NoBOM, false},
		{"iso-2022-jp meta", "text/html", jis, jis, false},
	}
	for _, tc := range tests {
		// Into a buffer that holds an earlier page, as the fetcher's do.
		dst := append(make([]byte, 0, 4096), "earlier page"...)
		got, ok := StripPage(dst[:0], bytes.Clone(tc.page), tc.contentType)
		if ok != tc.ok || !bytes.Equal(got, tc.want) {
			t.Errorf("%s: got %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
