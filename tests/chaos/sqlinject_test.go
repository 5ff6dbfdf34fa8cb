package chaos_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

// injections are strings that break a query built by pasting values into
// SQL, with quotes, comments, statement separators and LIKE wildcards.
var injections = []string{
	`Robert'); DROP TABLE articles;--`,
	`' OR '1'='1`,
	`"; DELETE FROM claims; --`,
	`1; UPDATE articles SET title='pwned' WHERE 1=1`,
	`x' UNION SELECT id, url FROM articles --`,
	`O'Brien said "no" \' \\`,
	`100%_ of _everything_ %`,
	`$1 ?2 :name @p1`,
	`/* open comment`,
	"tab\tand\nnewline, emoji \U0001F4A3, right-to-left \u202e",
}

// TestSQLInjectionStoredIntact sends the sink tagged articles whose ids,
// titles, authors, text, claims, speakers, places and tag evidence are SQL
// injection strings, then reads them back with `sink export` and `sink
// claims --speaker`: every value comes back byte for byte, a filter value
// matches only itself, and every table is still there.
func TestSQLInjectionStoredIntact(t *testing.T) {
	r := newRun(t, runOpts{articles: 1, feeds: 1})
	r.start("sink")
	conn, err := bus.Connect(context.Background(), config.NATS{URL: r.p.NATSURL, ConnectTO: 5 * time.Second}, "chaos-sql", zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	pub := bus.NewPublisher(conn, zaptest.NewLogger(t), nil)

	now := time.Now().UTC().Truncate(time.Second)
	sent := map[string]schema.ArticleTaggedV1{}
	for i, s := range injections {
		v := 42.0
		a := schema.ArticleTaggedV1{
			SchemaVersion: schema.Version,
			ID:            fmt.Sprintf("inj-%d-%s", i, s),
			URL:           fmt.Sprintf("http://news.example/%d?q=%s", i, s),
			CanonicalURL:  fmt.Sprintf("http://news.example/%d", i),
			ContentHash:   fmt.Sprintf("hash-%d", i),
			Item:          schema.FeedItem{FeedURL: "http://news.example/feed?x=" + s, Link: "http://news.example/", Title: s},
			Title:         s,
			Byline:        "By " + s,
			Authors:       []string{s, "Jane Roe"},
			SiteName:      s,
			Description:   s,
			Text:          "First paragraph: " + s + "\nSecond paragraph.",
			Relevant:      i%2 == 0,
			Tags:          []schema.Tag{{Name: "isis", Score: 0.9, Evidence: []string{s}}},
			Claims: []schema.Claim{{Text: "Officials said " + s, Speaker: s, Verb: "said", Places: []string{s},
				Quantities: []schema.Quantity{{Value: &v, Unit: "people", Qualifier: "about", Raw: "about 42 " + s}}}},
			PublishedAt: &now,
			Stages:      schema.Stages{FetchedAt: now, TaggedAt: &now},
		}
		data, err := schema.Encode(a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pub.Publish(context.Background(), bus.Output{Subject: schema.SubjectArticleTaggedV1, Data: data,
			MsgID: schema.MsgID(schema.StageTagger, a.ID, a.ContentHash)}); err != nil {
			t.Fatal(err)
		}
		sent[a.ID] = a
	}
	r.waitDrained(time.Minute)
	r.stopAll()
	if n := r.deadLetters(); n != 0 {
		t.Fatalf("%d articles dead-lettered, want none", n)
	}

	articles, _, claims, err := orchestrate.StoreStats(context.Background(), binDir, r.p.DBPath())
	if err != nil {
		t.Fatal(err)
	}
	if articles != len(injections) || claims != len(injections) {
		t.Errorf("store holds %d articles and %d claims, want %d of each", articles, claims, len(injections))
	}
	got := map[string]schema.ArticleTaggedV1{}
	for _, a := range exported(t, r.p.DBPath()) {
		got[a.ID] = a
	}
	for id, want := range sent {
		a, ok := got[id]
		if !ok {
			t.Errorf("article %q not read back", id)
			continue
		}
		for _, f := range []struct {
			name      string
			got, want any
		}{
			{"url", a.URL, want.URL}, {"title", a.Title, want.Title}, {"byline", a.Byline, want.Byline},
			{"authors", a.Authors, want.Authors}, {"site_name", a.SiteName, want.SiteName},
			{"description", a.Description, want.Description}, {"text", a.Text, want.Text},
			{"tags", a.Tags, want.Tags}, {"claims[0].text", claimField(a, "text"), claimField(want, "text")},
			{"claims[0].speaker", claimField(a, "speaker"), claimField(want, "speaker")},
			{"claims[0].places", claimField(a, "places"), claimField(want, "places")},
			{"claims[0].quantities[0].raw", claimField(a, "raw"), claimField(want, "raw")},
		} {
			if !reflect.DeepEqual(f.got, f.want) {
				t.Errorf("article %q: %s = %#v, want %#v", id, f.name, f.got, f.want)
			}
		}
	}
	// A filter value is a value: each speaker matches its own claim only.
	for _, s := range injections {
		cs := claimsBySpeaker(t, r.p.DBPath(), s)
		if len(cs) != 1 || cs[0] != s {
			t.Errorf("claims --speaker %q: speakers %q, want exactly that one", s, cs)
		}
	}
}

func claimField(a schema.ArticleTaggedV1, f string) any {
	if len(a.Claims) == 0 {
		return nil
	}
	c := a.Claims[0]
	switch f {
	case "text":
		return c.Text
	case "speaker":
		return c.Speaker
	case "places":
		return c.Places
	case "raw":
		if len(c.Quantities) == 0 {
			return nil
		}
		return c.Quantities[0].Raw
	}
	return nil
}

// claimsBySpeaker runs `sink claims --all --speaker s --format json` (half
// the articles are not relevant) and returns
// the speakers of the claims it printed.
func claimsBySpeaker(t *testing.T, db, s string) []string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "sink"), "claims", "--all", "--db", "sqlite:"+db, "--speaker", s, "--format", "json")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("sink claims --speaker %q: %v: %s", s, err, errb.String())
	}
	var speakers []string
	dec := json.NewDecoder(&out)
	for dec.More() {
		var c struct {
			Speaker string `json:"speaker"`
		}
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("sink claims output: %v: %s", err, out.String())
		}
		speakers = append(speakers, c.Speaker)
	}
	return speakers
}
