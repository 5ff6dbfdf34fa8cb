package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// golden is what a case's .golden.json holds: the normalised feed, or the
// error class and message.
type golden struct {
	Feed         *goldenFeed `json:"feed,omitempty"`
	ErrorClass   string      `json:"error_class,omitempty"`
	BotChallenge bool        `json:"bot_challenge,omitempty"`
	Error        string      `json:"error,omitempty"`
}

func errorClass(t *testing.T, err error) string {
	t.Helper()
	notFeed, malformed := errors.Is(err, ErrNotAFeed), errors.Is(err, ErrMalformedFeed)
	switch {
	case notFeed && !malformed:
		return "not_a_feed"
	case malformed && !notFeed:
		return "malformed_feed"
	}
	t.Fatalf("error %v has %v not-a-feed and %v malformed: want exactly one class", err, notFeed, malformed)
	return ""
}

// goldenFeed shows TTL as "15m0s" rather than nanoseconds.
type goldenFeed struct {
	*Feed
	TTL string `json:"ttl,omitempty"`
}

// inputs lists the cases: every testdata file that is not a golden file, a
// content-type sidecar or the README.
func inputs(t *testing.T) []string {
	t.Helper()
	all, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range all {
		base := filepath.Base(p)
		if strings.HasSuffix(base, ".golden.json") || strings.HasSuffix(base, ".content-type") || base == "README.md" {
			continue
		}
		out = append(out, p)
	}
	if len(out) < 50 {
		t.Fatalf("only %d inputs in testdata", len(out))
	}
	return out
}

func caseName(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func contentType(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(strings.TrimSuffix(path, filepath.Ext(path)) + ".content-type")
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestGolden(t *testing.T) {
	for _, path := range inputs(t) {
		name := caseName(path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse("https://feeds.example.com/"+filepath.Base(path), body, contentType(t, path), Options{})
			var got golden
			if err != nil {
				if f != nil {
					t.Errorf("Parse returned a feed and an error")
				}
				got.ErrorClass = errorClass(t, err)
				got.BotChallenge = errors.Is(err, ErrBotChallenge)
				got.Error = err.Error()
			} else {
				got.Feed = &goldenFeed{Feed: f}
				if f.TTL != 0 {
					got.Feed.TTL = f.TTL.String()
				}
			}
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, '\n')
			goldenPath := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(goldenPath, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("%s differs from Parse output:\n%s", goldenPath, out)
			}
		})
	}
}

// TestCorpusTruncations feeds every prefix-truncated corpus file to
// Parse: cut feeds are the commonest real breakage. Each must parse or fail
// with one class.
func TestCorpusTruncations(t *testing.T) {
	for _, path := range inputs(t) {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, len(body) / 3, len(body) / 2, len(body) - 1} {
			if n <= 0 || n > len(body) {
				continue
			}
			f, err := Parse("https://feeds.example.com/x", body[:n], contentType(t, path), Options{})
			if err != nil {
				errorClass(t, err)
			} else if f == nil {
				t.Errorf("%s[:%d]: nil feed and nil error", path, n)
			}
		}
	}
}

func TestMaxItems(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>many</title>`)
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "<item><title>%d</title><link>https://e.example/%d</link></item>", i, i)
	}
	b.WriteString("</channel></rss>")
	tests := []struct {
		max       int
		want      int
		truncated bool
	}{
		{max: 10, want: 10, truncated: true},
		{max: 30, want: 30},
		{max: 0, want: 30}, // default cap is larger
		{max: -1, want: 30},
		{max: 1, want: 1, truncated: true},
	}
	for _, tc := range tests {
		f, err := Parse("https://e.example/feed", []byte(b.String()), "", Options{MaxItems: tc.max})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != tc.want || f.Truncated != tc.truncated || f.TotalItems != 30 {
			t.Errorf("MaxItems %d: %d items, truncated %v, total %d", tc.max, len(f.Items), f.Truncated, f.TotalItems)
		}
		if f.Items[0].Title != "0" {
			t.Errorf("MaxItems %d: first kept item %q, want document order", tc.max, f.Items[0].Title)
		}
	}
}

func TestEntityExpansionIsBounded(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"ent_billion_laughs.xml", "ent_quadratic_blowup.xml", "ent_external_system.xml"} {
		body, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		f, err := Parse("https://e.example/feed", body, "", Options{})
		// Expanded entities would take minutes and gigabytes; ten
		// seconds only rules that out, not a busy machine.
		if el := time.Since(start); el > 10*time.Second {
			t.Errorf("%s: took %v", name, el)
		}
		if err != nil {
			errorClass(t, err)
			continue
		}
		out, _ := json.Marshal(f)
		if len(out) > 4*len(body) {
			t.Errorf("%s: %d bytes of input became %d bytes of output: entities expanded", name, len(body), len(out))
		}
		if bytes.Contains(out, []byte("root:")) {
			t.Errorf("%s: external entity was read", name)
		}
	}
}

func TestContentHash(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	base := Item{GUID: "1", Link: "https://e.example/1", Title: "T", Description: "D", Updated: &at}
	same := base
	same.Authors = []string{"someone"} // not part of what changes an article
	tests := []struct {
		name    string
		item    Item
		changed bool
	}{
		{name: "same", item: same},
		{name: "title", item: Item{GUID: "1", Link: base.Link, Title: "T2", Description: "D", Updated: &at}, changed: true},
		{name: "description", item: Item{GUID: "1", Link: base.Link, Title: "T", Description: "D2", Updated: &at}, changed: true},
		{name: "updated", item: Item{GUID: "1", Link: base.Link, Title: "T", Description: "D", Updated: &later}, changed: true},
	}
	for _, tc := range tests {
		if got := tc.item.ContentHash() != base.ContentHash(); got != tc.changed {
			t.Errorf("%s: changed = %v, want %v", tc.name, got, tc.changed)
		}
	}
}

func FuzzParse(f *testing.F) {
	paths, err := filepath.Glob("testdata/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		if strings.HasSuffix(p, ".golden.json") || strings.HasSuffix(p, ".content-type") || strings.HasSuffix(p, "README.md") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	f.Add([]byte("<rss><channel><item><title>&"), "text/xml; charset=koi8-r")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		feed, err := Parse("https://e.example/feed", body, ct, Options{MaxItems: 50})
		if err != nil {
			if errors.Is(err, ErrNotAFeed) == errors.Is(err, ErrMalformedFeed) {
				t.Fatalf("error %v has no single class", err)
			}
			return
		}
		if feed == nil || len(feed.Items) > 50 {
			t.Fatalf("feed = %+v", feed)
		}
	})
}
