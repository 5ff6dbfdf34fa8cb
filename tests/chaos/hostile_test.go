package chaos_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/tests/chaos"
)

// executable matches markup that a browser would run if the stored text
// were rendered as HTML: script, style and embedding elements, event
// handler attributes, javascript: URLs.
var executable = regexp.MustCompile(`(?i)<\s*(script|iframe|object|embed|svg|style|img|a|p|link|meta)[\s>/]|\bon[a-z]+\s*=|javascript\s*:|document\.(cookie|location)|@import`)

// TestHostileMarkupNotStored serves pages carrying script, event-handler,
// javascript:, style and embedding payloads in the head, the chrome and
// between the article's paragraphs, runs them through fetcher, cleaner,
// tagger and sink, and checks that none of that markup reaches a stored
// text field. The stored text is plain text: an attack string the page
// shows as text (escaped in its HTML) is the article's content and is kept
// verbatim, so whoever renders the text as HTML must escape it.
func TestHostileMarkupNotStored(t *testing.T) {
	// The detector sees every payload as the page carries it.
	for _, p := range chaos.HostilePayloads {
		if !executable.MatchString(p) {
			t.Fatalf("the detector misses %q", p)
		}
	}
	r := newRun(t, runOpts{articles: 30, feeds: 2, hostile: true})
	r.startAll()
	r.waitDrained(2 * time.Minute)
	r.stopAll()
	arts := exported(t, r.p.DBPath())
	if len(arts) != r.site.Articles {
		t.Fatalf("%d articles stored, want %d", len(arts), r.site.Articles)
	}
	quoted := 0
	for _, a := range arts {
		fields := map[string]string{"title": a.Title, "text": a.Text, "byline": a.Byline, "description": a.Description,
			"site_name": a.SiteName, "image": a.Image}
		for i, c := range a.Claims {
			fields[fmt.Sprintf("claims[%d].text", i)] = c.Text
			fields[fmt.Sprintf("claims[%d].speaker", i)] = c.Speaker
		}
		for _, tg := range a.Tags {
			fields["tags["+tg.Name+"].evidence"] = strings.Join(tg.Evidence, " ")
		}
		if strings.Contains(a.Text, chaos.QuotedAttack) {
			quoted++
		}
		for name, v := range fields {
			if m := executable.FindString(strings.ReplaceAll(v, chaos.QuotedAttack, "")); m != "" {
				t.Errorf("article %s: %s holds %q: %.300q", a.ID, name, m, v)
			}
		}
		if !strings.Contains(a.Text, "according to") {
			t.Errorf("article %s: the article text itself is missing: %.200q", a.ID, a.Text)
		}
	}
	if quoted != len(arts) {
		t.Errorf("%d of %d articles keep the quoted attack string as text, want all", quoted, len(arts))
	}
}
