// Package cleaner is the cleaner service: it consumes fetched pages,
// extracts the article with package clean and publishes it.
package cleaner

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/markup"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/services/cleaner/internal/clean"
)

// Main dispatches the command line: `cleaner run` (or no command) runs the
// service, `cleaner clean` clean one page from stdin (or --list many) and print the article as JSON; anything else is a usage error.
func Main(ctx context.Context, env app.Env) error {
	return app.Dispatch(ctx, env, "cleaner", "cleaner strips site chrome from fetched pages and publishes the article: text, title, byline, date, language.", []app.Cmd{
		{Name: "run", Summary: "run the service (the default)", Run: runCommand},
		{Name: "clean", Summary: "clean one page from stdin (or --list many) and print the article as JSON", Run: func(_ context.Context, env app.Env) error {
			env.Args = append([]string{"clean"}, env.Args...)
			return cleanCommand(env)
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
		fmt.Fprintln(env.Stderr, "Usage: cleaner [run] [flags]   (`cleaner --help` lists the commands, `cleaner run --help` the settings)")
		return fmt.Errorf("%w: cleaner run takes no argument, got %q", app.ErrUsage, rest[0])
	}
	log, err := app.Logger(schema.StageCleaner, cfg.Common)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return Run(ctx, cfg, log)
}

// Run consumes NEWSFLOW_FETCHED until ctx is done. Each page is acked only
// after its cleaned article was stored by JetStream (at-least-once; the
// Nats-Msg-Id makes a re-publish a no-op); a page that cannot be cleaned
// goes to the dead-letter stream.
func Run(ctx context.Context, cfg Config, log *zap.Logger) error {
	p, err := newProcessor(cfg)
	if err != nil {
		return err
	}
	base, err := app.Start(ctx, schema.StageCleaner, cfg.Common, log)
	if err != nil {
		return err
	}
	w, err := base.Worker(schema.ConsumerCleaner, cfg.Worker)
	if err != nil {
		return err
	}
	w.Process = p.process
	return base.Run(ctx, w.Run)
}

type processor struct {
	opts clean.Options
	now  func() time.Time
}

func newProcessor(cfg Config) (*processor, error) {
	opts := clean.Options{MaxBytes: cfg.MaxBytes}
	if cfg.Rules != "" {
		rules, err := clean.LoadRules(cfg.Rules)
		if err != nil {
			return nil, fmt.Errorf("cleaner: rules: %w", err)
		}
		opts.Rules = rules
	}
	return &processor{opts: opts, now: time.Now}, nil
}

func (p *processor) process(_ context.Context, m *bus.Message) ([]bus.Output, error) {
	in, err := schema.DecodeFetched(m.Data)
	if err != nil {
		return nil, err
	}
	out, err := p.clean(in)
	if err != nil {
		return nil, err
	}
	data, err := schema.Encode(out)
	if err != nil {
		return nil, bus.Permanent(err)
	}
	return []bus.Output{{Subject: schema.SubjectArticleCleanedV1, Data: data,
		MsgID: schema.MsgID(schema.StageCleaner, out.ID, out.ContentHash)}}, nil
}

// clean turns a fetched page into a cleaned article. Extraction failures are
// permanent: the same bytes will fail the same way.
func (p *processor) clean(in schema.ArticleFetchedV1) (schema.ArticleCleanedV1, error) {
	buf := markup.GetPageBuffer()
	defer markup.PutPageBuffer(buf)
	html, err := in.HTMLBuffer(*buf)
	if err != nil {
		return schema.ArticleCleanedV1{}, bus.Permanent(err)
	}
	if in.BodyEncoding != schema.EncodingIdentity && in.BodyEncoding != "" {
		*buf = html // Extract copies what it reads: the page is not kept
	}
	opts := p.opts
	opts.FallbackPublished = in.Item.PublishedAt
	pageURL := in.FinalURL
	if pageURL == "" {
		pageURL = in.URL
	}
	art, err := clean.Extract(pageURL, bytes.NewReader(html), in.Response.ContentType, opts)
	if err != nil {
		return schema.ArticleCleanedV1{}, bus.Permanent(fmt.Errorf("cleaner: %s: %w", in.URL, err))
	}
	now := p.now().UTC()
	out := schema.ArticleCleanedV1{
		SchemaVersion: schema.Version,
		ID:            in.ID,
		URL:           in.URL,
		CanonicalURL:  in.CanonicalURL,
		ContentHash:   in.ContentHash,
		Item:          in.Item,
		Title:         firstNonEmpty(art.Title, in.Item.Title),
		Byline:        art.Byline,
		Authors:       art.Authors,
		PublishedAt:   art.Published,
		ModifiedAt:    art.Modified,
		SiteName:      firstNonEmpty(art.SiteName, in.Item.FeedTitle),
		Language:      art.Language,
		Description:   firstNonEmpty(art.Description, in.Item.Description),
		Image:         art.Image,
		Text:          art.Text,
		Chrome:        art.Chrome,
		Stages:        in.Stages,
	}
	if len(out.Authors) == 0 {
		out.Authors = in.Item.Authors
	}
	out.PublishedSource, out.ModifiedSource = art.PublishedSource, art.ModifiedSource
	if out.PublishedAt == nil && in.Item.PublishedAt != nil {
		out.PublishedAt, out.PublishedSource = in.Item.PublishedAt, clean.DateFeed
	}
	if art.Method != "" {
		out.Extraction = &schema.Extraction{Confidence: art.Confidence, Method: art.Method}
	}
	out.Stages.CleanedAt = &now
	return out, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// cleanCommand runs the extractor on one page from stdin and prints the
// cleaned article as JSON.
func cleanCommand(env app.Env) error {
	fs := app.FlagSet("cleaner", "clean", "clean one page from stdin (or --list many) and print the article as JSON", env)
	pageURL := fs.String("url", "https://example.invalid/article", "URL the page was fetched from (for ids, relative links and the date in the URL)")
	contentType := fs.String("content-type", "text/html", "Content-Type the page was served with (for its charset)")
	rules := fs.String("rules", "", "site rules file")
	maxBytes := fs.Int64("max-page-bytes", 10<<20, "largest page accepted")
	list := fs.String("list", "", "clean many pages: a JSON lines file of {\"url\", \"path\", \"content_type\"} (paths relative to the file); one cleaned article per output line")
	if handled, err := app.ParseFlags(fs, env.Args[1:], env.Stdout); err != nil || handled {
		return err
	}
	p, err := newProcessor(Config{MaxBytes: *maxBytes, Rules: *rules})
	if err != nil {
		return err
	}
	if *list != "" {
		return cleanList(p, *list, env)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(env.Stdin); err != nil {
		return fmt.Errorf("cleaner: read stdin: %w", err)
	}
	in, err := pageInput(*pageURL, *contentType, buf.Bytes())
	if err != nil {
		return err
	}
	out, err := p.clean(in)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// pageInput is a fetched article for a page given on the command line.
func pageInput(pageURL, contentType string, page []byte) (schema.ArticleFetchedV1, error) {
	id, canonical, err := schema.ArticleID(pageURL)
	if err != nil {
		return schema.ArticleFetchedV1{}, err
	}
	now := time.Now().UTC()
	return schema.ArticleFetchedV1{SchemaVersion: schema.Version, ID: id, URL: pageURL, CanonicalURL: canonical,
		ContentHash: schema.ContentHash(page), BodyEncoding: schema.EncodingIdentity, Body: page,
		Response: schema.Response{Status: 200, ContentType: contentType, FetchedAt: now, Size: len(page)},
		Item:     schema.FeedItem{FeedURL: "file:", Link: pageURL}, Stages: schema.Stages{FetchedAt: now}}, nil
}

// listEntry is one page of `cleaner clean --list`.
type listEntry struct {
	URL         string `json:"url"`
	Path        string `json:"path"`
	ContentType string `json:"content_type"`
}

// cleanList cleans every page a list names, in one process: the stage
// without NATS (the pipeline benchmark compares the two), or a batch job.
// A page that fails is reported on stderr and the rest go on; the command
// fails at the end if any did.
func cleanList(p *processor, list string, env app.Env) error {
	f, err := os.Open(list)
	if err != nil {
		return fmt.Errorf("cleaner: --list: %w", err)
	}
	defer f.Close()
	out := bufio.NewWriter(env.Stdout)
	failed := 0
	err = app.EachLine(f, func(n int, line []byte) {
		if err := p.cleanEntry(line, filepath.Dir(list), out); err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "cleaner: %s:%d: %v\n", list, n, err)
		}
	})
	if err != nil {
		return fmt.Errorf("cleaner: --list %s: %w", list, err)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("cleaner: write: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("cleaner: %d of the pages in %s failed", failed, list)
	}
	return nil
}

// cleanEntry cleans the page one line of a list names (paths relative to
// dir) and writes the cleaned article to out as one line.
func (p *processor) cleanEntry(line []byte, dir string, out *bufio.Writer) error {
	var e listEntry
	if err := json.Unmarshal(line, &e); err != nil {
		return err
	}
	path := e.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	in, err := pageInput(e.URL, cmp.Or(e.ContentType, "text/html"), page)
	if err != nil {
		return err
	}
	art, err := p.clean(in)
	if err != nil {
		return err
	}
	data, err := schema.Encode(art)
	if err != nil {
		return err
	}
	_, _ = out.Write(data)
	return out.WriteByte('\n')
}
