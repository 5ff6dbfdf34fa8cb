package tag

import (
	"errors"
	"strings"
	"testing"
)

func TestRoleIndex(t *testing.T) {
	t.Parallel()
	ri := newRoleIndex()
	ri.add("IS", "group-media")
	ri.add("Islamic State", "group-media")
	ri.add("coalition", "coalition")
	ri.add("UN", "monitor")
	ri.add("US-led coalition", "coalition")
	for text, want := range map[string]string{
		"IS":                         "group-media",
		"what is said":               "",
		"un-named sources":           "",
		"the UN team":                "monitor",
		"US-led coalition in Syria":  "coalition",
		"Islamic State media outlet": "group-media",
	} {
		if got := ri.of(text); got != want {
			t.Errorf("of(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestTopicSources(t *testing.T) {
	t.Parallel()
	const base = "name: t\ntags: [{name: a, aliases: [{text: Alpha Group}]}]\n"
	for _, bad := range []string{"sources: [{role: monitor}]", "sources: [{names: [Airwars]}]"} {
		if _, err := ParseTopic(strings.NewReader(base + bad)); !errors.Is(err, ErrInvalidTopic) {
			t.Errorf("%s: err = %v, want ErrInvalidTopic", bad, err)
		}
	}
	top, err := ParseTopic(strings.NewReader(base + "sources: [{role: watchdog, names: [Alpha Monitor]}]"))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := New(top)
	if err != nil {
		t.Fatal(err)
	}
	r := tg.Tag(Document{Text: "The Alpha Monitor said 40 people were killed."})
	if len(r.Claims) != 1 || r.Claims[0].SpeakerRole != "watchdog" {
		t.Errorf("claims = %+v, want one by a watchdog", r.Claims)
	}
}
