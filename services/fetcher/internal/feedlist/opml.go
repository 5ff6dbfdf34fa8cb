package feedlist

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

type opmlDoc struct {
	XMLName xml.Name      `xml:"opml"`
	Body    []opmlOutline `xml:"body>outline"`
}

type opmlOutline struct {
	Text      string        `xml:"text,attr"`
	Title     string        `xml:"title,attr"`
	XMLURL    string        `xml:"xmlUrl,attr"`
	XMLURLAlt string        `xml:"xmlurl,attr"` // some exporters lower-case it
	Category  string        `xml:"category,attr"`
	IsComment string        `xml:"isComment,attr"`
	Children  []opmlOutline `xml:"outline"`
}

// ParseOPML reads the subscriptions of an OPML export. Folder outlines and
// the category attribute become tags; a feed listed in several folders is
// kept once with all their tags; commented-out outlines are disabled.
func ParseOPML(r io.Reader) ([]Feed, error) {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = charset.NewReaderLabel
	dec.Entity = xml.HTMLEntity // exports carry &nbsp; and friends in titles
	var doc opmlDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: opml: %w", ErrInvalid, err)
	}
	var feeds []Feed
	var walk func(outlines []opmlOutline, folders []string, disabled bool)
	walk = func(outlines []opmlOutline, folders []string, disabled bool) {
		for _, o := range outlines {
			off := disabled || strings.EqualFold(o.IsComment, "true")
			name := strings.TrimSpace(o.Title)
			if name == "" {
				name = strings.TrimSpace(o.Text)
			}
			u := o.XMLURL
			if u == "" {
				u = o.XMLURLAlt
			}
			if strings.TrimSpace(u) == "" {
				// A folder: its name tags everything below it.
				next := folders
				if name != "" {
					next = append(append([]string(nil), folders...), name)
				}
				walk(o.Children, next, off)
				continue
			}
			f := Feed{URL: u, Title: name, Tags: append(append([]string(nil), folders...), categories(o.Category)...)}
			if off {
				f.Enabled = new(bool)
			}
			feeds = append(feeds, f)
			walk(o.Children, folders, off)
		}
	}
	walk(doc.Body, nil, false)
	return validate(feeds, true)
}

// categories splits an OPML category attribute: comma-separated, each a
// slash-delimited path of which the last segment is the tag.
func categories(attr string) []string {
	var out []string
	for _, c := range strings.Split(attr, ",") {
		c = strings.Trim(strings.TrimSpace(c), "/")
		if i := strings.LastIndex(c, "/"); i >= 0 {
			c = c[i+1:]
		}
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}
