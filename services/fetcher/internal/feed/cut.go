package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"

	"github.com/mmcdole/gofeed"
)

// cutThreshold is the body size above which a capped feed is cut
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
	switch typ {
	case gofeed.FeedTypeAtom:
		item = "entry"
	case gofeed.FeedTypeJSON:
		return cutJSONItems(body, limit)
	case gofeed.FeedTypeRSS:
	default:
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

// cutJSONItems is cutAfterItems for a JSON Feed: the top-level "items"
// array ends after its limit-th item, and the rest of the object is kept.
func cutJSONItems(body []byte, limit int) (cut []byte, total int, ok bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, 0, false
	}
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return nil, 0, false
		}
		if key != "items" {
			if err := skipJSONValue(d); err != nil {
				return nil, 0, false
			}
			continue
		}
		if t, err := d.Token(); err != nil || t != json.Delim('[') {
			return nil, 0, false
		}
		for total < limit && d.More() {
			if err := skipJSONValue(d); err != nil {
				return nil, 0, false
			}
			total++
		}
		if !d.More() {
			return nil, 0, false // no more items than the cap
		}
		cutAt := int(d.InputOffset())
		// The rest of the array is only counted, by a byte scan that
		// keeps nothing.
		end, more, ok := arrayRest(body[cutAt:])
		if !ok {
			return nil, 0, false
		}
		end += cutAt
		out := make([]byte, 0, cutAt+len(body)-end)
		out = append(out, body[:cutAt]...)
		return append(out, body[end:]...), total + more, true
	}
	return nil, 0, false
}

// arrayRest reads the rest of a JSON array after one of its values: it
// returns the offset of the closing ']' and how many values follow (one
// per comma at the array's level).
func arrayRest(b []byte) (end, values int, ok bool) {
	depth, inString := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}':
			depth--
		case ']':
			if depth == 0 {
				return i, values, true
			}
			depth--
		case ',':
			if depth == 0 {
				values++
			}
		}
	}
	return 0, 0, false
}

// skipJSONValue reads past one value of d, keeping nothing.
func skipJSONValue(d *json.Decoder) error {
	depth := 0
	for {
		t, err := d.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
