package markup

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

func TestStrip(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"script dropped", `<p>a</p><script>var x = "<b>";</script><p>b</p>`, `<p>a</p><script></script><p>b</p>`},
		{"style dropped, case kept", `<STYLE type="text/css">p{}</STYLE>x`, `<STYLE type="text/css"></STYLE>x`},
		{"json-ld kept", `<script type="application/ld+json">{"a":"<p>"}</script>`, `<script type="application/ld+json">{"a":"<p>"}</script>`},
		{"comment", `<!-- <script> --><p>kept</p>`, `<!-- <script> --><p>kept</p>`},
		{"comment ended by --!>", `<!-- a --!><script>x</script>`, `<!-- a --!><script></script>`},
		{"empty comment", `<!--><script>x</script>`, `<!--><script></script>`},
		{"title text", `<title>Using <script> tags</title><p>kept</p>`, `<title>Using <script> tags</title><p>kept</p>`},
		{"textarea text", `<textarea><style></textarea><p>kept</p>`, `<textarea><style></textarea><p>kept</p>`},
		{"noscript text", `<noscript><script></noscript><p>kept</p>`, `<noscript><script></noscript><p>kept</p>`},
		{"attribute value", `<div data-x="<script>" title='<style>'><p>kept</p></div>`, `<div data-x="<script>" title='<style>'><p>kept</p></div>`},
		{"quote inside unquoted value", `<div title=a"b><p>kept</p></div><script>x</script>`, `<div title=a"b><p>kept</p></div><script></script>`},
		{"quote in a key", `<div =">"><script>x</script>">`, `<div =">"><script></script>">`},
		{"bogus comment", `</ <script>><p>kept</p>`, `</ <script>><p>kept</p>`},
		{"unclosed script", `<p>a</p><script>var x;`, `<p>a</p><script>`},
		{"unclosed comment", `<p>a</p><!-- tail`, `<p>a</p><!-- tail`},
		{"unclosed tag", `<p>a</p><div class="x`, `<p>a</p><div class="x`},
		{"script end with spaces", "<script>1</SCRIPT >2", "<script></SCRIPT >2"},
		{"noframes markup dropped", `<p>a</p><noframes><script>alert(1)</script></noframes><p>b</p>`, `<p>a</p><noframes></noframes><p>b</p>`},
		{"noembed markup dropped", `<p>a</p><NOEMBED><b>x</b></NOEMBED><p>b</p>`, `<p>a</p><NOEMBED></NOEMBED><p>b</p>`},
		{"plaintext", `<plaintext><script>x</script>`, `<plaintext><script>x</script>`},
		{"lone angle", `a < b and c <3 d`, `a < b and c <3 d`},
	}
	for _, tc := range tests {
		if got := string(filter(nil, []byte(tc.in), false, nil)); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestTrim(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"comment text", `a<!-- <p>x</p> -->b<!---->c<!-->d`, `a<!---->b<!---->c<!-->d`},
		{"unused attributes", `<div data-x="1" class="c" onclick='f()' ID=i>`, `<div class="c" ID=i>`},
		{"nothing to drop", `<div class = "c"  id=x>`, `<div class = "c"  id=x>`},
		{"formatting element", `<a href="/x" target=_blank rel=author>`, `<a href="/x" target=_blank rel=author>`},
		{"link element", `<link rel="canonical" href="https://x/" title=t>`, `<link rel="canonical" href="https://x/">`},
		{"meta", `<meta property="og:title" content="T" data-x>`, `<meta property="og:title" content="T">`},
		{"repeated key", `<div class=a id=b class=c src=d>`, `<div class=a id=b>`},
		{"other formatting element", `<b data-x="1" class=c>`, `<b data-x="1" class=c>`},
		{"no key", `<br/><br / data-x=1><br data-x=1 />`, `<br/><br><br />`},
		{"slash in the last value", `<path d="M0 0" class=x/>`, `<path class=x/ >`},
		{"self-closing after a value", `<path class=x d="M0"/>`, `<path class=x />`},
		{"slash ends a value", `<div class=x/ src=y>`, `<div class=x/ >`},
		{"input type", `<input type=hidden value=x>`, `<input type=hidden>`},
		{"script type", `<script type="application/ld+json" id=x data-y=z>{}</script>`, `<script type="application/ld+json" id=x>{}</script>`},
	}
	for _, tc := range tests {
		if got := string(filter(nil, []byte(tc.in), true, nil)); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestTrimKeepsTree parses every benchmark and seed page stripped and
// trimmed: apart from the dropped attributes and comment text, the trees
// must be identical.
func TestTrimKeepsTree(t *testing.T) {
	t.Parallel()
	for name, page := range realPages(t) {
		if err := sameTrimmedTree(page); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzTrim(f *testing.F) {
	for _, s := range []string{
		`<div class=a id=b data-x="<script>">x</div><script>y</script>`,
		`<p class=x/ title=y>a<br/ class=z><img src=x/>`,
		`<svg viewBox="0 0 1 1"><path d="M0"/><a xlink:href=x>y</a></svg>`,
		`<a href=1 title=a><div><a href=2 title=b>x</a></div></a>`,
		`<div><b data-x=1><b data-x=2><b data-x=3><b data-x=4></div>x`,
		`<!-- a --!><!--><p =">" CLASS=x Class=y>`,
		`<input type=hidden name=x><table><input type=text value=y></table>`,
		`<math><annotation-xml encoding="text/html" other=x><p>in</p></annotation-xml></math>`,
	} {
		f.Add([]byte(s))
	}
	// Links left open around eight levels of blocks: the parser ends up
	// comparing the attributes of several <a>.
	var nested strings.Builder
	for i := range 4 {
		fmt.Fprintf(&nested, `<a href=%d title=t%d class=c>%sx</p>`, i, i, strings.Repeat("<section>", 8))
	}
	f.Add([]byte("<div>" + nested.String() + "</div>tail"))
	f.Fuzz(func(t *testing.T, page []byte) {
		if err := sameTrimmedTree(page); err != nil {
			t.Fatal(err)
		}
	})
}

// sameTrimmedTree checks that trimming the page changes its parse tree
// only as intended.
func sameTrimmedTree(page []byte) error {
	trimmed, err := html.Parse(bytes.NewReader(filter(nil, page, true, nil)))
	if err != nil {
		return err
	}
	full, err := html.Parse(bytes.NewReader(filter(nil, page, false, nil)))
	if err != nil {
		return err
	}
	trimTree(full)
	var a, b bytes.Buffer
	dumpTree(&a, trimmed, 0)
	dumpTree(&b, full, 0)
	if a.String() != b.String() {
		al, bl := strings.Split(a.String(), "\n"), strings.Split(b.String(), "\n")
		for i := range min(len(al), len(bl)) {
			if al[i] != bl[i] {
				return fmt.Errorf("trees differ at line %d:\n trimmed %q\n    full %q", i, al[i], bl[i])
			}
		}
		return fmt.Errorf("trees differ in length: %d and %d lines", len(al), len(bl))
	}
	return nil
}

// trimTree drops from a tree parsed in full the attributes filterMarkup
// drops.
func trimTree(n *html.Node) {
	if name := lowerAll([]byte(n.Data)); n.Type == html.ElementNode && !formattingTag(name) {
		var kept []html.Attribute
		for _, a := range n.Attr {
			key := a.Key
			if a.Namespace != "" {
				key = a.Namespace + ":" + key
			}
			if keep, _ := keptAttr(name, lowerAll([]byte(key))); keep {
				kept = append(kept, a)
			}
		}
		n.Attr = kept
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		trimTree(c)
	}
}

func dumpTree(w *bytes.Buffer, n *html.Node, depth int) {
	data := n.Data
	if n.Type == html.CommentNode {
		data = "" // trimmed when the filter can
	}
	fmt.Fprintf(w, "%*s%d %q %q %q\n", depth, "", n.Type, n.Namespace, data, n.Attr)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		dumpTree(w, c, depth+1)
	}
}

// FuzzScanTag checks that scanTag reads a tag as the tokenizer does.
func FuzzScanTag(f *testing.F) {
	for _, s := range []string{
		`<div class="a" id=b>`, `<p a=/>`, `<br/>`, `<a b/ c>`, `<x =">" y>`, `</div foo="x>">`,
		`<img src=x/>`, `<div class = 'x' hidden>`, `<p CLASS=a class=b>`, `<div a="x`, `<b a=>`,
		"<div\x00 cl\x00ass=\"\x00\">", `<A HREF=x TITLE='y'/>`, `<p a= ">"/>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 || b[0] != '<' || !(isASCIILetter(b[1]) || len(b) > 2 && b[1] == '/' && isASCIILetter(b[2])) {
			return
		}
		z := html.NewTokenizer(bytes.NewReader(b))
		tt := z.Next()
		span, ok := scanTag(b, nil)
		if !ok {
			if tt != html.ErrorToken {
				t.Fatalf("%q: scanTag found no end, the tokenizer a %v", b, tt)
			}
			return
		}
		if raw := z.Raw(); len(raw) != span.end {
			t.Fatalf("%q: tag ends at %d, the tokenizer says %d (%v)", b, span.end, len(raw), tt)
		}
		name, _ := z.TagName()
		if want := lowerAll(b[1:span.nameEnd]); b[1] == '/' {
			want = lowerAll(b[2:span.nameEnd])
			if !bytes.Equal(name, bytes.ReplaceAll(want, []byte("\x00"), []byte("\ufffd"))) {
				t.Fatalf("%q: name %q, tokenizer %q", b, want, name)
			}
			return
		} else if !bytes.Equal(name, bytes.ReplaceAll(want, []byte("\x00"), []byte("\ufffd"))) {
			t.Fatalf("%q: name %q, tokenizer %q", b, want, name)
		}
		var got, want []string
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			if k != nil {
				want = append(want, string(k)+"="+string(v))
			}
		}
		seen := map[string]bool{}
		for _, a := range span.attrs {
			k := string(lowerAll(b[a.key0:a.key1]))
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			// The tokenizer also turns CR LF and CR into LF.
			v := strings.ReplaceAll(strings.ReplaceAll(string(b[a.val0:a.val1]), "\r\n", "\n"), "\r", "\n")
			got = append(got, strings.ReplaceAll(k, "\x00", "\ufffd")+"="+strings.ReplaceAll(v, "\x00", "\ufffd"))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%q: attributes %q, tokenizer %q", b, got, want)
		}
		if closing := span.selfClosing(b); closing != (tt == html.SelfClosingTagToken) {
			t.Fatalf("%q: self-closing %v, tokenizer %v", b, closing, tt)
		}
	})
}

func lowerAll(b []byte) []byte {
	l := make([]byte, len(b))
	for i, c := range b {
		l[i] = lowerASCII(c)
	}
	return l
}

// realPages are the benchmark corpus's pages and the seed pages, by name.
func realPages(t testing.TB) map[string][]byte {
	t.Helper()
	pages := map[string][]byte{}
	gz, _ := filepath.Glob(testkit.Testdata("corpus", "article-extraction-benchmark", "html", "*.html.gz"))
	for _, p := range gz {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		page, err := io.ReadAll(zr)
		_ = f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		pages[filepath.Base(p)] = page
	}
	seeds, _ := filepath.Glob(testkit.Testdata("seeds", "html", "*.html"))
	for _, p := range seeds {
		page, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		pages[filepath.Base(p)] = page
	}
	if len(gz) < 100 || len(seeds) == 0 {
		t.Fatalf("found %d benchmark and %d seed pages under testdata/", len(gz), len(seeds))
	}
	return pages
}

// TestIdempotent: the fetcher strips, the cleaner trims what it gets; that
// must be what trimming the page as fetched gives.
func TestIdempotent(t *testing.T) {
	t.Parallel()
	for name, page := range realPages(t) {
		s := Strip(nil, page)
		if !bytes.Equal(Strip(nil, s), s) {
			t.Errorf("%s: Strip of a stripped page changed it", name)
		}
		if !bytes.Equal(Trim(nil, s), Trim(nil, page)) {
			t.Errorf("%s: Trim of the stripped page differs from Trim of the page", name)
		}
	}
}

// TestTagsAreTold: TrimTags tells every start and end tag, in order and in
// lower case, as the tokenizer reads them (not the "<b>" in a script, an
// attribute or a comment).
func TestTagsAreTold(t *testing.T) {
	t.Parallel()
	page := `<DIV class="<p>"><script>var x = "<b>";</script><!-- <i> --><P>a</p><br/><x-very-long-custom-element-name></Div>`
	var got []string
	TrimTags(nil, []byte(page), func(end bool, name []byte) {
		s := string(name)
		if name == nil {
			s = "(long)"
		}
		if end {
			s = "/" + s
		}
		got = append(got, s)
	})
	want := "div script /script p /p br (long) /div"
	if strings.Join(got, " ") != want {
		t.Errorf("tags %q, want %q", strings.Join(got, " "), want)
	}
}
