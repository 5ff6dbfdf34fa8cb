package warc

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplayWgetRecording records a local server with Debian's wget (WARC/1.0,
// <angle-bracketed> target URIs, chunked bodies kept raw) and replays the result.
func TestReplayWgetRecording(t *testing.T) {
	wget, err := exec.LookPath("wget")
	if err != nil {
		t.Fatalf("wget is needed for this interop test (apt-get install wget): %v", err)
	}
	line := "<p>Coalition forces said on Thursday that 95 percent of the territory was liberated.</p>\n"
	article := strings.Repeat(line, 40)
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", `"feed-1"`)
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><link>/article</link></item></channel></rss>`)
	})
	mux.HandleFunc("/article", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// Several flushes without a Content-Length: the server answers chunked.
		for _, part := range strings.SplitAfter(article, "\n")[:40] {
			io.WriteString(w, part)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/feed.xml", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone for good", http.StatusGone)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	urls := []string{srv.URL + "/feed.xml", srv.URL + "/article", srv.URL + "/moved", srv.URL + "/gone"}
	for _, variant := range []struct{ name, file string }{
		{"gzip", "wget.warc.gz"},
		{"plain", "wget.warc"},
	} {
		t.Run(variant.name, func(t *testing.T) {
			args := []string{"--no-config", "--no-verbose", "--tries=1", "--content-on-error", "-O", os.DevNull,
				"--warc-file=" + filepath.Join(dir, "wget-"+variant.name)}
			if variant.name == "plain" {
				args = append(args, "--no-warc-compression")
			}
			cmd := exec.Command(wget, append(args, urls...)...)
			cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "LC_ALL=C"}
			out, err := cmd.CombinedOutput()
			// wget exits 8 because of the 410; the WARC is complete regardless.
			if code := cmd.ProcessState.ExitCode(); code != 0 && code != 8 {
				t.Fatalf("wget: %v\n%s", err, out)
			}
			path := filepath.Join(dir, "wget-"+variant.name+strings.TrimPrefix(variant.file, "wget"))
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if variant.name == "gzip" {
				raw = plain(t, path)
			}
			// Make sure the file really has the features under test.
			for _, s := range []string{"WARC/1.0\r\n", "WARC-Target-URI: <" + srv.URL + "/article>", "Transfer-Encoding: chunked", fmt.Sprintf("\r\n\r\n%x\r\n<p>Coalition", len(line))} {
				if !bytes.Contains(raw, []byte(s)) {
					t.Fatalf("wget's WARC lacks %q", s)
				}
			}

			rp, err := OpenReplay(path, ReplayOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer rp.Close()
			c := &http.Client{Transport: rp}
			tests := []struct {
				path   string
				status int
				body   string
			}{
				{"/feed.xml", 200, "<title>t</title>"},
				{"/article", 200, article},
				{"/moved", 200, "<title>t</title>"}, // the client follows the recorded 301
				{"/gone", 410, "gone for good\n"},
			}
			for _, tc := range tests {
				resp, err := c.Get(srv.URL + tc.path)
				if err != nil {
					t.Fatalf("%s: %v", tc.path, err)
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.body) {
					t.Errorf("%s: got %d %q", tc.path, resp.StatusCode, b)
				}
				if tc.path == "/article" && (string(b) != article || len(resp.TransferEncoding) != 1) {
					t.Errorf("/article: chunked body not de-chunked exactly (%d bytes, TE %v)", len(b), resp.TransferEncoding)
				}
			}
			var ls bytes.Buffer
			if err := List(path, &ls); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"warcinfo", "request   GET", "response  410", "response  301", "metadata", fmt.Sprintf("%s/article", srv.URL)} {
				if !strings.Contains(ls.String(), s) {
					t.Errorf("ls output lacks %q:\n%s", s, ls.String())
				}
			}
		})
	}
}
