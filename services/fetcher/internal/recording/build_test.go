package recording

import (
	"bytes"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/warc"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

var update = flag.Bool("update", false, "rebuild testdata/recording from the fixtures")

var (
	srcRoot      = testkit.Testdata()
	recordingDir = testkit.Testdata("recording")
)

// TestBuildIsReproducible rebuilds the recording and checks it is byte-identical to the
// committed one: the generator is deterministic and the recording is current with its
// fixtures. Run with -update after changing the fixtures or the generator.
func TestBuildIsReproducible(t *testing.T) {
	if *update {
		if err := Build(recordingDir, srcRoot); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if err := Build(dir, srcRoot); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{WARCFile, FeedsFile} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(recordingDir, name))
		if err != nil {
			t.Fatalf("%v (run: go test ./services/fetcher/internal/recording -run TestBuildIsReproducible -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from a fresh build: regenerate with -update and review the diff", name)
		}
	}
}

// TestBundleContents opens the committed recording the way make run does and checks that it
// holds the five feeds, at least 56 pages, a robots.txt per page host, and every item link.
func TestBundleContents(t *testing.T) {
	feeds, err := feedlist.Load(filepath.Join(recordingDir, FeedsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(feeds) != 5 {
		t.Fatalf("feeds.yaml lists %d feeds, want 5", len(feeds))
	}
	rp, err := warc.OpenReplay(filepath.Join(recordingDir, WARCFile), warc.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	client := &http.Client{Transport: rp}

	wantTypes := map[string]bool{"rss": false, "atom": false, "json": false}
	links := map[string]bool{}
	for _, f := range feeds {
		body := get(t, client, f.URL)
		feed, err := gofeed.NewParser().ParseString(body)
		if err != nil {
			t.Fatalf("%s: %v", f.URL, err)
		}
		wantTypes[feed.FeedType] = true
		if feed.Title == "" || len(feed.Items) < 6 {
			t.Errorf("%s: title %q, %d items", f.URL, feed.Title, len(feed.Items))
		}
		for _, it := range feed.Items {
			if it.Title == "" || it.GUID == "" || it.PublishedParsed == nil || len(it.Authors) == 0 || it.Authors[0].Name == "" || len(it.Categories) == 0 {
				t.Errorf("%s: item %q lacks title, guid, date, author or categories: %+v", f.URL, it.Link, it)
			}
			links[it.Link] = true
		}
	}
	for typ, seen := range wantTypes {
		if !seen {
			t.Errorf("no %s feed in the recording", typ)
		}
	}
	if len(links) < 56 {
		t.Fatalf("%d distinct item links, want at least 56", len(links))
	}
	hosts := map[string]bool{}
	for link := range links {
		page := get(t, client, link)
		if !strings.Contains(strings.ToLower(page[:min(len(page), 2000)]), "<html") {
			t.Errorf("%s: not an HTML page", link)
		}
		u, _ := url.Parse(link)
		hosts[u.Scheme+"://"+u.Host] = true
	}
	for h := range hosts {
		get(t, client, h+"/robots.txt")
	}
	seedPages, err := loadSeeds(srcRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range seedPages {
		if !links[p.URL] {
			t.Errorf("seed page %s is in no feed", p.URL)
		}
	}
	if st := rp.Stats(); st.Misses != 0 || st.Responses < 4+50 {
		t.Errorf("stats %+v", st)
	}
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d, %v", u, resp.StatusCode, err)
	}
	return string(b)
}
