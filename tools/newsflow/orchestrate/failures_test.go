package orchestrate

import (
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"httpx: blocked address: 127.0.0.1 is loopback", "blocked address: 127.0.0.1 is loopback"},
		{"httpx: http status 404 Not Found: http://127.0.0.1:4567/page/3", "http status 404 Not Found"},
		{`httpx: get: Get "http://127.0.0.1:4567/feed": dial tcp 127.0.0.1:4567: connect: connection refused`,
			"dial tcp 127.0.0.1: connect: connection refused"},
		{"warc: not in recording: GET https://a.example/x?y=1", "warc: not in recording"},
		{"feed: not a feed: text/html page at https://a.example/ (want RSS, Atom or JSON Feed)",
			"feed: not a feed: text/html page at URL (want RSS, Atom or JSON Feed)"},
		{"httpx: body too large: content-length 20000000, limit 10485760", "body too large: content-length 20000000, limit 10485760"},
	} {
		if got := Normalise(c.in); got != c.want {
			t.Errorf("Normalise(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReadFailures(t *testing.T) {
	log := strings.Join([]string{
		`{"level":"info","msg":"Polling feeds.","feeds":3}`,
		`{"level":"warn","msg":"Feed poll failed.","feed_url":"http://127.0.0.1:8001/a.xml","class":"permanent","error":"httpx: blocked address: 127.0.0.1 is loopback"}`,
		`{"level":"warn","msg":"Feed poll failed.","feed_url":"http://127.0.0.1:8001/b.xml","class":"permanent","error":"httpx: blocked address: 127.0.0.1 is loopback"}`,
		`{"level":"warn","msg":"Feed poll failed.","feed_url":"http://127.0.0.1:8001/c.xml","class":"temporary","error":"httpx: http status 503 Service Unavailable: http://127.0.0.1:8001/c.xml"}`,
		`{"level":"warn","msg":"Claiming a feed.","feed_url":"http://127.0.0.1:8001/d.xml","error":"nats: timeout"}`,
		`{"level":"warn","msg":"Article fetch failed.","article_url":"http://127.0.0.1:8001/p/1","class":"permanent","error":"httpx: http status 404 Not Found: http://127.0.0.1:8001/p/1"}`,
		`{"level":"warn","msg":"Article fetch failed.","article_url":"http://127.0.0.1:8001/p/2","class":"permanent","error":"httpx: http status 404 Not Found: http://127.0.0.1:8001/p/2"}`,
		`{"level":"error","msg":"Publishing the article.","article_url":"http://127.0.0.1:8001/p/3","error":"nats: no response from stream"}`,
		`{"level":"info","msg":"Feed polled.","feed_url":"http://127.0.0.1:8001/e.xml","items":3}`,
		`panic: something not JSON`,
	}, "\n")
	got, err := ReadFailures(strings.NewReader(log), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := Failures{
		Feeds: []Reason{
			{"blocked address: 127.0.0.1 is loopback", "permanent", 2, "http://127.0.0.1:8001/a.xml"},
			{"http status 503 Service Unavailable", "temporary", 1, "http://127.0.0.1:8001/c.xml"},
		},
		Pages: []Reason{
			{"http status 404 Not Found", "permanent", 2, "http://127.0.0.1:8001/p/1"},
			{"nats: no response from stream", "", 1, "http://127.0.0.1:8001/p/3"},
		},
	}
	if !equalReasons(got.Feeds, want.Feeds) || !equalReasons(got.Pages, want.Pages) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if top1, _ := ReadFailures(strings.NewReader(log), 1); len(top1.Feeds) != 1 || top1.Feeds[0].Count != 2 {
		t.Errorf("top 1: %+v", top1.Feeds)
	}
}

func equalReasons(a, b []Reason) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
