// Package tagger is the tagger service: it consumes cleaned articles, tags
// them with package tag and publishes the tagged article.
package tagger

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/services/tagger/internal/tag"
)

// Main dispatches the command line: `tagger run` (or no command) runs the
// service, `tagger tag` tag one article from stdin (or jsonl, or text) and print it tagged as JSON; anything else is a usage error.
func Main(ctx context.Context, env app.Env) error {
	return app.Dispatch(ctx, env, "tagger", "tagger tags cleaned articles about ISIS and the coalition and extracts claims with their speakers and numbers.", []app.Cmd{
		{Name: "run", Summary: "run the service (the default)", Run: runCommand},
		{Name: "tag", Summary: "tag one article from stdin (or jsonl, or text) and print it tagged as JSON", Run: func(_ context.Context, env app.Env) error {
			env.Args = append([]string{"tag"}, env.Args...)
			return tagCommand(env)
		}},
	})
}

func runCommand(ctx context.Context, env app.Env) error {
	var cfg Config
	rest, handled, err := app.ParseConfig(Table(&cfg), env)
	if err != nil {
		return fmt.Errorf("%w: %v", app.ErrUsage, err)
	}
	if handled {
		return nil
	}
	if len(rest) > 0 {
		fmt.Fprintln(env.Stderr, "Usage: tagger [run] [flags]   (`tagger --help` lists the commands, `tagger run --help` the settings)")
		return fmt.Errorf("%w: tagger run takes no argument, got %q", app.ErrUsage, rest[0])
	}
	log, err := app.Logger(schema.StageTagger, cfg.Common)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return Run(ctx, cfg, log)
}

// Run consumes NEWSFLOW_CLEANED until ctx is done. Each article is acked
// only after its tagged form was stored by JetStream (at-least-once; the
// Nats-Msg-Id makes a re-publish a no-op). Every article is published,
// relevant or not, so the sink can count and query both.
func Run(ctx context.Context, cfg Config, log *zap.Logger) error {
	t, err := newTagger(cfg.Topics)
	if err != nil {
		return err
	}
	base, err := app.Start(ctx, schema.StageTagger, cfg.Common, log)
	if err != nil {
		return err
	}
	w, err := base.Worker(schema.ConsumerTagger, cfg.Worker)
	if err != nil {
		return err
	}
	p := &processor{tagger: t, now: time.Now}
	w.Process = p.process
	return base.Run(ctx, w.Run)
}

func newTagger(files []string) (*tag.Tagger, error) {
	var topics []tag.Topic
	for _, f := range files {
		t, err := tag.LoadTopic(f)
		if err != nil {
			return nil, fmt.Errorf("tagger: topic %s: %w", f, err)
		}
		topics = append(topics, t)
	}
	if len(topics) == 0 {
		ts, err := tag.DefaultTopics()
		if err != nil {
			return nil, fmt.Errorf("tagger: default topic: %w", err)
		}
		topics = ts
	}
	return tag.New(topics...)
}

type processor struct {
	tagger *tag.Tagger
	now    func() time.Time
}

func (p *processor) process(_ context.Context, m *bus.Message) ([]bus.Output, error) {
	in, err := schema.DecodeCleaned(m.Data)
	if err != nil {
		return nil, err
	}
	out := p.tag(in)
	data, err := schema.Encode(out)
	if err != nil {
		return nil, bus.Permanent(err)
	}
	return []bus.Output{{Subject: schema.SubjectArticleTaggedV1, Data: data,
		MsgID: schema.MsgID(schema.StageTagger, out.ID, out.ContentHash)}}, nil
}

func (p *processor) tag(in schema.ArticleCleanedV1) schema.ArticleTaggedV1 {
	res := p.tagger.Tag(tag.Document{Title: in.Title, Text: in.Text, Chrome: in.Chrome, Lang: in.Language})
	out := in.Tagged()
	out.Relevant = res.Relevant
	if res.Tags != nil {
		out.Tags = res.Tags
	}
	if res.Claims != nil {
		out.Claims = res.Claims
	}
	out.Entities = res.Entities
	now := p.now().UTC()
	out.Stages.TaggedAt = &now
	return out
}

// tagCommand tags one input from stdin: a cleaned article as JSON, or plain
// text whose first line is the title.
func tagCommand(env app.Env) error {
	fs := app.FlagSet("tagger", "tag", "tag one article from stdin (or jsonl, or text) and print it tagged as JSON", env)
	format := fs.String("format", "json", "input format: json (a cleaned article), jsonl (cleaned articles, one per line, as the stage receives them; one tagged article per output line) or text (first line the title, then the body)")
	topics := fs.String("topics", "", "topic files, comma-separated (default: the built-in ISIS/coalition topic)")
	if handled, err := app.ParseFlags(fs, env.Args[1:], env.Stdout); err != nil || handled {
		return err
	}
	var files []string
	if *topics != "" {
		files = strings.Split(*topics, ",")
	}
	t, err := newTagger(files)
	if err != nil {
		return err
	}
	p := &processor{tagger: t, now: time.Now}
	if *format == "jsonl" {
		return tagLines(p, env)
	}
	in, err := readInput(env.Stdin, *format)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p.tag(in))
}

// tagLines tags cleaned articles read one per line, as the service does
// with the messages it receives but without NATS: the pipeline benchmark
// compares the two, and it serves batch jobs. A line that fails is
// reported on stderr and the rest go on; the command fails at the end if
// any did.
func tagLines(p *processor, env app.Env) error {
	out := bufio.NewWriter(env.Stdout)
	lines, failed := 0, 0
	err := app.EachLine(env.Stdin, func(n int, line []byte) {
		lines = n
		outs, err := p.process(context.Background(), &bus.Message{Data: line})
		if err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "tagger: stdin:%d: %v\n", n, err)
			return
		}
		for _, o := range outs {
			_, _ = out.Write(o.Data)
			_ = out.WriteByte('\n')
		}
	})
	if err != nil {
		return fmt.Errorf("tagger: read stdin: %w", err)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("tagger: write: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("tagger: %d of %d input lines failed", failed, lines)
	}
	return nil
}

func readInput(r io.Reader, format string) (schema.ArticleCleanedV1, error) {
	now := time.Now().UTC()
	switch format {
	case "json":
		var in schema.ArticleCleanedV1
		if err := json.NewDecoder(r).Decode(&in); err != nil {
			return in, fmt.Errorf("tagger: stdin is not a cleaned article: %w", err)
		}
		if in.SchemaVersion == "" {
			in.SchemaVersion = schema.Version
		}
		if in.Stages.FetchedAt.IsZero() {
			in.Stages.FetchedAt = now
		}
		return in, nil
	case "text":
		br := bufio.NewReader(r)
		b, err := io.ReadAll(br)
		if err != nil {
			return schema.ArticleCleanedV1{}, fmt.Errorf("tagger: read stdin: %w", err)
		}
		title, body, _ := strings.Cut(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
		return schema.ArticleCleanedV1{SchemaVersion: schema.Version, ID: "stdin", URL: "stdin:",
			ContentHash: schema.ContentHash(b), Title: strings.TrimSpace(title), Text: strings.TrimSpace(body),
			Stages: schema.Stages{FetchedAt: now, CleanedAt: &now}}, nil
	default:
		return schema.ArticleCleanedV1{}, fmt.Errorf("tagger: --format %q: want json or text", format)
	}
}
