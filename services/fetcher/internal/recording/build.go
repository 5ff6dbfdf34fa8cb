package recording

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/klauspost/compress/gzip"

	"github.com/newsflow/newsflow/services/fetcher/internal/warc"
)

// File names under outDir.
const (
	WARCFile  = "bundle.warc.gz"
	FeedsFile = "feeds.yaml"
)

// genTime is the recording's clock start; every exchange is one second later than the last.
var genTime = time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)

// idName names the UUIDv5 namespace of the recording's record ids (UUIDv5 of a counter).
const idName = "https://github.com/newsflow/newsflow/testdata/recording"

// resource is one URL the fixture server answers.
type resource struct {
	body         []byte
	contentType  string
	lastModified time.Time
}

// Build writes outDir/bundle.warc.gz and outDir/feeds.yaml from the fixtures under
// srcRoot (the repository's testdata/). Same inputs, same bytes: the clock, the record
// ids and every response header are fixed.
func Build(outDir, srcRoot string) error {
	seeds, err := loadSeeds(srcRoot)
	if err != nil {
		return err
	}
	followups, err := loadFollowups(srcRoot)
	if err != nil {
		return err
	}
	seeds = append(seeds, followups...)
	corpus, err := loadCorpus(srcRoot)
	if err != nil {
		return err
	}
	defs := feedDefs()
	items, err := assign(defs, seeds, corpus, genTime)
	if err != nil {
		return err
	}

	site := map[string]resource{} // host + request URI
	var order []string            // URLs in fetch order: feeds, then robots.txt and page per host
	add := func(rawURL string, r resource) error {
		u, err := url.Parse(rawURL)
		if err != nil {
			return fmt.Errorf("recording: %q: %w", rawURL, err)
		}
		key := u.Host + u.RequestURI()
		if _, dup := site[key]; dup {
			return nil
		}
		site[key] = r
		order = append(order, rawURL)
		return nil
	}
	for i, d := range defs {
		body, ctype, err := render(d, items[i])
		if err != nil {
			return err
		}
		if err := add(d.URL, resource{body: body, contentType: ctype, lastModified: items[i][0].Published}); err != nil {
			return err
		}
	}
	for i := range defs {
		for _, it := range items[i] {
			u, _ := url.Parse(it.URL)
			robots := u.Scheme + "://" + u.Host + "/robots.txt"
			if err := add(robots, resource{body: []byte("User-agent: *\nAllow: /\n"), contentType: "text/plain; charset=utf-8", lastModified: genTime.Add(-24 * time.Hour)}); err != nil {
				return err
			}
			if err := add(it.URL, resource{body: it.Body, contentType: "text/html; charset=utf-8", lastModified: it.Published}); err != nil {
				return err
			}
		}
	}

	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	if err := record(outDir, site, order); err != nil {
		return err
	}
	y, err := feedsYAML(defs)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, FeedsFile), y, 0o644); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	return nil
}

// record fetches every URL in order from the fixture server and records the exchanges.
func record(outDir string, site map[string]resource, order []string) error {
	srv := httptest.NewServer(fixtureHandler(site))
	defer srv.Close()
	target, _ := url.Parse(srv.URL)

	tmp, err := os.MkdirTemp(outDir, ".recording-*")
	if err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	defer os.RemoveAll(tmp)
	idSpace := uuid.NewSHA1(uuid.NameSpaceURL, []byte(idName))
	var tick, ids atomic.Int64
	var recErr error
	rec, err := warc.NewRecorder(warc.RecorderOptions{
		Dir: tmp,
		// The package's old name, kept: the committed recording is byte-identical to a rebuild.
		Software: "newsflow bundle generator (services/fetcher/internal/bundle)",
		Config: map[string]string{
			"description": "Fixture pages served under their real URLs from a local server; see testdata/recording/README.md",
			"sources":     "testdata/seeds/html, testdata/followups/html, testdata/corpus/article-extraction-benchmark (MIT, Scrapinghub)",
		},
		Now:         func() time.Time { return genTime.Add(time.Duration(tick.Add(1)) * time.Second) },
		NewRecordID: func() string { return uuid.NewSHA1(idSpace, []byte(strconv.FormatInt(ids.Add(1), 10))).String() },
		FileName:    func(int) string { return WARCFile },
		QueueSize:   len(order) + 1,
		OnError:     func(err error) { recErr = errors.Join(recErr, err) },
	})
	if err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	client := &http.Client{
		Transport:     rec.Wrap(toLocal(target)),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for _, u := range order {
		if err := fetch(client, u); err != nil {
			rec.Close()
			return err
		}
	}
	if err := rec.Close(); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	if recErr != nil || rec.Errors() > 0 {
		return fmt.Errorf("recording: recording: %w", recErr)
	}
	if err := os.Rename(filepath.Join(tmp, WARCFile), filepath.Join(outDir, WARCFile)); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	return nil
}

func fetch(c *http.Client, rawURL string) error {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	req.Header.Set("User-Agent", "newsflow-fetcher/0.1 (+https://github.com/newsflow/newsflow)")
	req.Header.Set("Accept-Encoding", "gzip")
	if strings.HasSuffix(req.URL.Path, "/robots.txt") {
		req.Header.Set("Accept", "text/plain")
	} else {
		req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, text/html;q=0.9, */*;q=0.8")
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("recording: %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if _, err := bytes.NewBuffer(nil).ReadFrom(resp.Body); err != nil {
		return fmt.Errorf("recording: %s: %w", rawURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("recording: %s: status %d", rawURL, resp.StatusCode)
	}
	return nil
}

// toLocal sends every request to the fixture server, keeping the original Host, so the
// recorder above it records the real-looking URL.
func toLocal(target *url.URL) http.RoundTripper {
	base := &http.Transport{DisableCompression: true, Proxy: nil}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host = target.Scheme, target.Host
		out.Host = req.URL.Host
		resp, err := base.RoundTrip(out)
		if resp != nil {
			resp.Request = req
		}
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fixtureHandler answers like a plain web server: fixed Date, validators, gzip on request.
func fixtureHandler(site map[string]resource) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := site[r.Host+r.URL.RequestURI()]
		h := w.Header()
		h.Set("Date", genTime.Format(http.TimeFormat))
		if !ok {
			http.NotFound(w, r)
			return
		}
		sum := sha1.Sum(res.body)
		h.Set("Content-Type", res.contentType)
		h.Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
		h.Set("Last-Modified", res.lastModified.UTC().Format(http.TimeFormat))
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("Vary", "Accept-Encoding")
		body := res.body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			_, _ = zw.Write(body)
			_ = zw.Close()
			body = b.Bytes()
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
}
