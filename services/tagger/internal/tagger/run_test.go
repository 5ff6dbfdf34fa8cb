package tagger

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
)

func TestProcessTagsAndKeepsChromeOut(t *testing.T) {
	tg, err := newTagger(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &processor{tagger: tg, now: time.Now}
	now := time.Now().UTC()
	chrome := "ALSO READ: Coalition says 500 ISIS fighters killed in Raqqa"
	in := schema.ArticleCleanedV1{SchemaVersion: schema.Version, ID: "id1", URL: "https://ex.com/a", ContentHash: "h1",
		Title: "Coalition strikes hit ISIS positions near Raqqa",
		Text: "The US-led coalition against ISIS carried out 29 strikes near Raqqa last week, Colonel Ryan Dillon said.\n" +
			"Dillon said the Syrian Democratic Forces had liberated more than 40 villages from Islamic State fighters.\n" + chrome,
		Chrome: []string{chrome},
		Stages: schema.Stages{FetchedAt: now, CleanedAt: &now}}
	data, _ := schema.Encode(in)
	outs, err := p.process(context.Background(), &bus.Message{Data: data})
	if err != nil {
		t.Fatal(err)
	}
	got, err := schema.DecodeTagged(outs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Relevant || len(got.Tags) == 0 || len(got.Claims) == 0 {
		t.Fatalf("relevant %v tags %v claims %v", got.Relevant, got.Tags, got.Claims)
	}
	for _, c := range got.Claims {
		if strings.Contains(c.Text, "500 ISIS fighters") {
			t.Errorf("a chrome line yielded claim %q", c.Text)
		}
	}
	if got.Stages.TaggedAt == nil || outs[0].MsgID != schema.MsgID(schema.StageTagger, "id1", "h1") {
		t.Errorf("stages %+v msg id %q", got.Stages, outs[0].MsgID)
	}
}

func TestProcessRejectsPoison(t *testing.T) {
	tg, err := newTagger(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &processor{tagger: tg, now: time.Now}
	for _, data := range []string{"", "[]", `{"schema_version":"3.1"}`, `{"schema_version":"1.0","id":"x","url":"u"}`} {
		if _, err := p.process(context.Background(), &bus.Message{Data: []byte(data)}); !bus.IsPermanent(err) {
			t.Errorf("%q: err = %v, want permanent", data, err)
		}
	}
}

func TestReadInputText(t *testing.T) {
	in, err := readInput(strings.NewReader("Title line\r\nFirst paragraph.\nSecond."), "text")
	if err != nil {
		t.Fatal(err)
	}
	if in.Title != "Title line" || in.Text != "First paragraph.\nSecond." {
		t.Fatalf("%q / %q", in.Title, in.Text)
	}
	if _, err := readInput(strings.NewReader("x"), "xml"); err == nil {
		t.Fatal("unknown format accepted")
	}
}
