package recording

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/warc"
)

// TestBuildCorpus builds a corpus larger than the benchmark (so pages are
// served again as copies) and reads it back the way the fetcher does: every
// item has its own link, GUID and title, every link is served, every page
// host has a robots.txt, and a second build is byte-identical.
func TestBuildCorpus(t *testing.T) {
	const pages = 420 // 181 benchmark pages: originals, two copies of most
	dir := t.TempDir()
	if err := BuildCorpus(dir, srcRoot, pages); err != nil {
		t.Fatal(err)
	}
	feeds, err := feedlist.Load(filepath.Join(dir, FeedsFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := (pages + corpusFeedItems - 1) / corpusFeedItems; len(feeds) != want {
		t.Fatalf("%d feeds, want %d", len(feeds), want)
	}
	rp, err := warc.OpenReplay(filepath.Join(dir, WARCFile), warc.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	client := &http.Client{Transport: rp}

	links, guids, titles := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, f := range feeds {
		fd, err := gofeed.NewParser().ParseString(get(t, client, f.URL))
		if err != nil {
			t.Fatalf("%s: %v", f.URL, err)
		}
		for _, it := range fd.Items {
			unique(t, links, "link", it.Link)
			unique(t, guids, "guid", it.GUID)
			unique(t, titles, "title", it.Title)
		}
	}
	if len(links) != pages {
		t.Fatalf("%d distinct item links, want %d", len(links), pages)
	}
	hosts := map[string]bool{}
	for link := range links {
		if page := get(t, client, link); !bytes.Contains(bytes.ToLower([]byte(page[:min(len(page), 4000)])), []byte("<html")) {
			t.Errorf("%s: not an HTML page", link)
		}
		u, _ := url.Parse(link)
		hosts[u.Scheme+"://"+u.Host] = true
	}
	for h := range hosts {
		get(t, client, h+"/robots.txt")
	}
	if st := rp.Stats(); st.Misses != 0 {
		t.Errorf("replay misses: %+v", st)
	}

	again := t.TempDir()
	if err := BuildCorpus(again, srcRoot, pages); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{WARCFile, FeedsFile} {
		a, errA := os.ReadFile(filepath.Join(dir, name))
		b, errB := os.ReadFile(filepath.Join(again, name))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two builds (%v, %v)", name, errA, errB)
		}
	}
}

// unique records v in set and fails on an empty or repeated value.
func unique(t *testing.T, set map[string]bool, what, v string) {
	t.Helper()
	if v == "" || set[v] {
		t.Errorf("item %s %q is empty or repeated", what, v)
	}
	set[v] = true
}

func TestBuildCorpusRejectsNoPages(t *testing.T) {
	if err := BuildCorpus(t.TempDir(), srcRoot, 0); err == nil {
		t.Fatal("BuildCorpus(0 pages) = nil error")
	}
}
