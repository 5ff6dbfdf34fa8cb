package orchestrate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// Reason is one way feeds or pages failed in a run: how often, with the
// fetcher's error class and one feed or page it happened to.
type Reason struct {
	Reason  string `json:"reason"`
	Class   string `json:"class,omitempty"`
	Count   int    `json:"count"`
	Example string `json:"example"`
}

// Failures are a run's most common feed and page failure reasons, most
// frequent first.
type Failures struct {
	Feeds []Reason `json:"feeds,omitempty"`
	Pages []Reason `json:"pages,omitempty"`
}

// The reasons come from the fetcher's log (JSON lines, as the pipeline
// starts it): it is the one place that has both feed and page failures
// with their error text and URL, in a replay as in a live run, from every
// replica, including one that was killed. The metrics carry only the
// error class (the text would be an unbounded label), the feed state
// bucket no page errors (and a replay's is deleted at exit), and the
// totals line of `fetcher --once` exists in replays only.
//
// A feed failure is a warning or error that names a feed_url and an error
// class and no article_url (the fetcher's "Feed poll failed."); a page
// failure is one that names an article_url and an error.

// LogOffset is the size of a log file now (0 if it does not exist yet), so
// that ReadFailures can read only what a run appended.
func LogOffset(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// FailuresFromLog reads the failures logged to path from offset on.
func FailuresFromLog(path string, offset int64, top int) (Failures, error) {
	f, err := os.Open(path)
	if err != nil {
		return Failures{}, fmt.Errorf("orchestrate: fetcher log: %w", err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return Failures{}, fmt.Errorf("orchestrate: fetcher log: %w", err)
	}
	return ReadFailures(f, top)
}

// ReadFailures groups the failures of a fetcher log by reason and keeps the
// top most common of feeds and of pages. Lines that are not JSON (a panic,
// a service started with the console format) are skipped.
func ReadFailures(r io.Reader, top int) (Failures, error) {
	feeds, pages := map[string]*Reason{}, map[string]*Reason{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var l struct {
			Level   string `json:"level"`
			Feed    string `json:"feed_url"`
			Article string `json:"article_url"`
			Class   string `json:"class"`
			Error   string `json:"error"`
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Error == "" || (l.Level != "warn" && l.Level != "error") {
			continue
		}
		switch {
		case l.Article != "":
			count(pages, l.Error, l.Class, l.Article)
		case l.Feed != "" && l.Class != "":
			count(feeds, l.Error, l.Class, l.Feed)
		}
	}
	if err := sc.Err(); err != nil {
		return Failures{}, fmt.Errorf("orchestrate: fetcher log: %w", err)
	}
	return Failures{Feeds: topOf(feeds, top), Pages: topOf(pages, top)}, nil
}

func count(m map[string]*Reason, msg, class, url string) {
	reason := Normalise(msg)
	key := class + "\x00" + reason
	if r, ok := m[key]; ok {
		r.Count++
		return
	}
	m[key] = &Reason{Reason: reason, Class: class, Count: 1, Example: url}
}

func topOf(m map[string]*Reason, top int) []Reason {
	out := make([]Reason, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Reason < out[j].Reason
	})
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out
}

var (
	// `Get "https://a.example/x": ` as net/http's url.Error puts it.
	opURL = regexp.MustCompile(`\b[A-Za-z]+ "[a-z]+://[^"]*": `)
	// A URL ending the message (after its method, as the replay puts it),
	// as httpx's status errors do.
	trailingURL = regexp.MustCompile(`:? *(?:[A-Z]+ )?"?[a-z]+://\S*$`)
	anyURL      = regexp.MustCompile(`"?[a-z]+://[^\s"]*"?`)
	// host:port pairs differ per feed; the port says nothing of the reason.
	hostPort = regexp.MustCompile(`\b(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d+\b`)
)

// Normalise turns an error message into a reason that feeds failing the
// same way share: without the URL (the example carries one), ports or the
// packages' wrapping prefixes.
func Normalise(msg string) string {
	s := opURL.ReplaceAllString(msg, "")
	s = trailingURL.ReplaceAllString(s, "")
	s = anyURL.ReplaceAllString(s, "URL")
	s = hostPort.ReplaceAllString(s, "$1")
	for _, p := range []string{"httpx: get: ", "httpx: ", "fetcher: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return strings.TrimSpace(msg)
	}
	return s
}
