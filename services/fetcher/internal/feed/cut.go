package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"

	"github.com/mmcdole/gofeed"
)

// cutThreshold is the body size above which a capped RSS or Atom feed is cut
// after its last kept item before it is parsed: gofeed builds every item
// before the cap applies, and a 10 MiB feed of 110,000 short items took
// 197 MiB of live heap for one poll (BenchmarkParseHugeFeed).
const cutThreshold = 256 << 10

// cutAfterItems returns body ended after its limit-th item (RSS <item>,
// Atom <entry>), with the elements still open closed, and an estimate of
// the items in the whole body; ok is false when the body needs no cut or
// cannot be read far enough (then it is parsed whole, as before). The scan
// only tokenizes: nothing of the items is kept.
func cutAfterItems(body []byte, typ gofeed.FeedType, limit int) (cut []byte, total int, ok bool) {
	if limit <= 0 || len(body) <= cutThreshold {
		return nil, 0, false
	}
	item := "item"
	if typ == gofeed.FeedTypeAtom {
		item = "entry"
	} else if typ != gofeed.FeedTypeRSS {
		return nil, 0, false
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var open []xml.Name
	itemDepth, items := -1, 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil, 0, false // fewer items than the cap
		}
		if err != nil {
			return nil, 0, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			open = append(open, t.Name)
		case xml.EndElement:
			if len(open) == 0 {
				return nil, 0, false
			}
			depth := len(open)
			open = open[:depth-1]
			if t.Name.Local != item || (itemDepth >= 0 && depth != itemDepth) {
				continue
			}
			itemDepth = depth
			if items++; items < limit {
				continue
			}
			end := int(d.InputOffset())
			out := make([]byte, 0, end+64)
			out = append(out, body[:end]...)
			for i := len(open) - 1; i >= 0; i-- {
				out = append(out, "</"...)
				if open[i].Space != "" {
					out = append(out, open[i].Space...)
					out = append(out, ':')
				}
				out = append(out, open[i].Local...)
				out = append(out, '>')
			}
			// What follows is only counted, roughly: start tags of items.
			rest := bytes.Count(body[end:], []byte("<"+item+">")) + bytes.Count(body[end:], []byte("<"+item+" "))
			return out, items + rest, true
		}
	}
}
