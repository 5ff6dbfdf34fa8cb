package feed

import (
	"bytes"
	"mime"
)

// challengeMarkers are strings found in the interstitial pages of common
// bot-protection services. Such a page is answered instead of the feed; it is
// worth telling apart from an ordinary HTML page because the fix is different
// (talk to the publisher, not fix the URL).
var challengeMarkers = [][]byte{
	[]byte("cf-browser-verification"),
	[]byte("/cdn-cgi/challenge-platform"),
	[]byte("cf_chl_opt"),
	[]byte("<title>just a moment...</title>"),
	[]byte("attention required! | cloudflare"),
	[]byte("checking your browser before accessing"),
	[]byte("ddos-guard"),
	[]byte("sucuri website firewall"),
	[]byte("_incapsula_resource"),
	[]byte("captcha-delivery.com"),
	[]byte("px-captcha"),
	[]byte("awswafintegration"),
}

// notAFeed builds the ErrNotAFeed error, naming what the body looks like.
func notAFeed(body []byte, contentType string) error {
	h := bytes.ToLower(head(body, 64<<10))
	for _, m := range challengeMarkers {
		if bytes.Contains(h, m) {
			return &parseError{kind: ErrNotAFeed, also: ErrBotChallenge, detail: "bot-challenge page (" + string(m) + ")"}
		}
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimLeft(h, " \t\r\n")
	switch {
	case bytes.HasPrefix(trimmed, []byte("<!doctype html")), bytes.Contains(head(h, 2048), []byte("<html")), mt == "text/html":
		return &parseError{kind: ErrNotAFeed, detail: "html page"}
	case bytes.HasPrefix(trimmed, []byte("<")):
		return &parseError{kind: ErrNotAFeed, detail: "xml without a feed root"}
	case bytes.HasPrefix(trimmed, []byte("{")), bytes.HasPrefix(trimmed, []byte("[")):
		return &parseError{kind: ErrNotAFeed, detail: "json that is not a json feed"}
	}
	return &parseError{kind: ErrNotAFeed, detail: "unrecognised content"}
}
