package tagger

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
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

func TestTagLines(t *testing.T) {
	now := time.Now().UTC()
	var in strings.Builder
	for i, text := range []string{
		"The US-led coalition against ISIS carried out 29 strikes near Raqqa last week, Colonel Ryan Dillon said.",
		"The city council met on Tuesday to discuss parking.",
	} {
		data, err := schema.Encode(schema.ArticleCleanedV1{SchemaVersion: schema.Version, ID: fmt.Sprintf("id%d", i),
			URL: "https://ex.com/a", ContentHash: "h", Title: "T", Text: text, Stages: schema.Stages{FetchedAt: now, CleanedAt: &now}})
		if err != nil {
			t.Fatal(err)
		}
		in.Write(data)
		in.WriteString("\n")
		if i == 0 {
			in.WriteString(`{"schema_version":"9.0"}` + "\n\n")
		}
	}
	var out, errb bytes.Buffer
	err := Main(context.Background(), app.Env{Args: []string{"tag", "--format", "jsonl"}, Stdin: strings.NewReader(in.String()),
		Lookup: func(string) (string, bool) { return "", false }, Stdout: &out, Stderr: &errb})
	if err == nil || !strings.Contains(err.Error(), "1 of 4 input lines failed") {
		t.Errorf("err = %v, want one counting the failed line", err)
	}
	if !strings.Contains(errb.String(), "stdin:2:") {
		t.Errorf("stderr does not name line 2:\n%s", errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d output lines, want 2:\n%s", len(lines), out.String())
	}
	for i, wantClaims := range []bool{true, false} {
		a, err := schema.DecodeTagged([]byte(lines[i]))
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != fmt.Sprintf("id%d", i) || (len(a.Claims) > 0) != wantClaims || a.Stages.TaggedAt == nil {
			t.Errorf("line %d: id %s, %d claims", i+1, a.ID, len(a.Claims))
		}
	}
}
