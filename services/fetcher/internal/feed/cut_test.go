package feed

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// hugeFeed is an RSS or Atom feed of n short items, about 90 bytes each.
func hugeFeed(atom bool, n int) []byte {
	var b strings.Builder
	if atom {
		b.WriteString(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>many</title>`)
	} else {
		b.WriteString(`<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>many</title>`)
	}
	for i := range n {
		if atom {
			fmt.Fprintf(&b, `<entry><title>t%d</title><link href="https://e.example/%d"/><id>e%d</id></entry>`, i, i, i)
		} else {
			fmt.Fprintf(&b, "<item><title>t%d &amp; co</title><link>https://e.example/%d</link><dc:creator>A</dc:creator></item>", i, i)
		}
	}
	if atom {
		b.WriteString("</feed>")
	} else {
		b.WriteString("</channel></rss>")
	}
	return []byte(b.String())
}

// hugeJSONFeed is a JSON Feed of n short items, with a top-level key
// after the items (which the cut must keep).
func hugeJSONFeed(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"version":"https://jsonfeed.org/version/1.1","items":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":"e%d","url":"https://e.example/%d","title":"t%d","tags":["a","b"],"content_text":"x"}`, i, i, i)
	}
	b.WriteString(`],"title":"many"}`)
	return []byte(b.String())
}

// TestHugeFeedIsCutAtMaxItems: a feed over the cut threshold is parsed
// only up to its cap, and gives the same items as a whole parse.
func TestHugeFeedIsCutAtMaxItems(t *testing.T) {
	for _, kind := range []string{"rss", "atom", "json"} {
		atom := kind == "atom"
		body := hugeFeed(atom, 20_000)
		if kind == "json" {
			body = hugeJSONFeed(20_000)
		}
		allocs := func(o Options) (*Feed, uint64) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			f, err := Parse("https://e.example/feed", body, "", o)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			return f, after.TotalAlloc - before.TotalAlloc
		}
		cut, cutAlloc := allocs(Options{MaxItems: 300})
		whole, wholeAlloc := allocs(Options{MaxItems: -1})
		// Cut at 300 of 20,000 items, the parse allocates a small part of
		// what the whole parse does (allocation is counted, not timed: it
		// does not depend on the machine).
		if cutAlloc*3 > wholeAlloc {
			t.Errorf("%s: parsing %d KiB with a cap of 300 allocated %d KiB, the whole parse %d KiB: not cut at the cap",
				kind, len(body)>>10, cutAlloc>>10, wholeAlloc>>10)
		}
		if len(cut.Items) != 300 || !cut.Truncated || cut.TotalItems != 20_000 {
			t.Errorf("%s: %d items, truncated %v, total %d; want 300 of 20000", kind, len(cut.Items), cut.Truncated, cut.TotalItems)
		}
		if !reflect.DeepEqual(cut.Items, whole.Items[:300]) || cut.Title != whole.Title || cut.Title != "many" {
			t.Errorf("%s: the cut feed (title %q) differs from the whole parse (title %q)", kind, cut.Title, whole.Title)
		}
	}
}

// TestUTF32Feeds: UTF-32 feeds, with or without a byte-order mark, are read.
func TestUTF32Feeds(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0" encoding="utf-32"?><rss version="2.0"><channel><title>Zoë</title>` +
		`<item><title>Café ☕ 𝄞</title><link>https://e.example/1</link></item></channel></rss>`
	for _, enc := range []struct {
		name string
		e    func() ([]byte, error)
	}{
		{"be bom", func() ([]byte, error) {
			return utf32.UTF32(utf32.BigEndian, utf32.UseBOM).NewEncoder().Bytes([]byte(doc))
		}},
		{"le bom", func() ([]byte, error) {
			return utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewEncoder().Bytes([]byte(doc))
		}},
		{"be", func() ([]byte, error) {
			return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM).NewEncoder().Bytes([]byte(doc))
		}},
		{"le", func() ([]byte, error) {
			return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM).NewEncoder().Bytes([]byte(doc))
		}},
	} {
		body, err := enc.e()
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse("https://e.example/feed", body, "application/rss+xml", Options{})
		if err != nil {
			t.Errorf("%s: %v", enc.name, err)
			continue
		}
		if f.Title != "Zoë" || len(f.Items) != 1 || f.Items[0].Title != "Café ☕ 𝄞" || !strings.HasPrefix(f.Charset, "utf-32") {
			t.Errorf("%s: title %q, items %+v, charset %q", enc.name, f.Title, f.Items, f.Charset)
		}
	}
}

// BenchmarkParseHugeFeed parses a feed of 110,000 items (under the 10 MiB
// cap) with the default MaxItems and prints the peak live heap of one poll.
func BenchmarkParseHugeFeed(b *testing.B) {
	var w strings.Builder
	w.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>many</title>`)
	for i := range 110_000 {
		fmt.Fprintf(&w, "<item><title>t%d</title><link>https://e.example/%d</link></item>", i, i)
	}
	w.WriteString("</channel></rss>")
	body := []byte(w.String())
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		runtime.GC()
		stop := testkit.PeakHeap()
		f, err := Parse("https://e.example/feed", body, "", Options{})
		peak := stop()
		if err != nil || len(f.Items) != DefaultMaxItems {
			b.Fatalf("%v, %d items", err, len(f.Items))
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
	b.ReportMetric(float64(len(body))/(1<<20), "feed-MiB")
}
