package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

// A side of the diff runs in two parts. Fetching and cleaning run as the
// services do (embedded NATS, `fetcher --replay --once`, the cleaner
// consuming), because the cleaner's batch command takes bare pages and the
// feed items' metadata (dates, outlet, tags) would be lost; the cleaned
// articles are read off their stream. Tagging and storing then run as the
// stages' batch commands (`tagger tag --format jsonl | sink import`), which
// use the services' own processing code. Their output is the same, and when
// two builds have the same fetcher and cleaner (a tagger change, the usual
// case) the second side reuses the first one's cleaned articles and only
// tags and stores them again.

// binaryKey identifies a build's fetcher and cleaner by their contents.
func binaryKey(bin string) (string, error) {
	h := sha256.New()
	for _, b := range []string{"fetcher", "cleaner"} {
		f, err := os.Open(filepath.Join(bin, b))
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, f)
		_ = f.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cleanedRun is what fetching and cleaning one side gave.
type cleanedRun struct {
	lines       []byte // cleaned articles, one JSON per line
	articles    int
	deadLetters int
	elapsed     time.Duration
}

// replayCleaned replays the recording through a build's fetcher and
// cleaner and returns the cleaned articles. It reads them off the cleaned
// stream with a consumer of its own, acking each, so a large recording
// never fills the stream.
func replayCleaned(ctx context.Context, bin, data, replay, feeds string, timeout time.Duration) (cleanedRun, error) {
	start := time.Now()
	var run cleanedRun
	o := orchestrate.Options{BinDir: bin, DataDir: data, Replay: replay, ReplayFeeds: feeds, Timeout: timeout}
	p, err := orchestrate.StartNATS(o)
	if err != nil {
		return run, err
	}
	defer p.Close()
	cleaner, err := p.Start("cleaner", nil)
	if err != nil {
		return run, err
	}
	if err := orchestrate.WaitReady(ctx, cleaner, time.Minute); err != nil {
		return run, errors.Join(err, p.StopAll())
	}
	nc, js, err := p.JetStream()
	if err != nil {
		return run, errors.Join(err, p.StopAll())
	}
	defer nc.Close()
	cons, err := js.CreateOrUpdateConsumer(ctx, schema.StreamCleaned, jetstream.ConsumerConfig{
		Durable: "newsflow-diff", AckPolicy: jetstream.AckExplicitPolicy, FilterSubject: schema.SubjectArticleCleanedV1})
	if err != nil {
		return run, errors.Join(fmt.Errorf("consumer on %s: %w", schema.StreamCleaned, err), p.StopAll())
	}
	fetcher, err := p.Start("fetcher", nil, orchestrate.FetcherArgs(o)...)
	if err != nil {
		return run, errors.Join(err, p.StopAll())
	}
	var buf bytes.Buffer
	var lastSeq uint64
	deadline := time.Now().Add(timeout)
	for {
		batch, err := cons.Fetch(100, jetstream.FetchMaxWait(200*time.Millisecond))
		if err != nil {
			return run, errors.Join(fmt.Errorf("read cleaned articles: %w", err), p.StopAll())
		}
		for m := range batch.Messages() {
			buf.Write(bytes.TrimSpace(m.Data()))
			buf.WriteByte('\n')
			run.articles++
			if md, err := m.Metadata(); err == nil {
				lastSeq = max(lastSeq, md.Sequence.Stream)
			}
			if err := m.Ack(); err != nil {
				return run, errors.Join(fmt.Errorf("ack a cleaned article: %w", err), p.StopAll())
			}
		}
		if cleaner.Exited() {
			return run, fmt.Errorf("cleaner exited: %v (see %s)", cleaner.Err(), p.LogPath("cleaner"))
		}
		if fetcher.Exited() {
			if fetcher.Err() != nil {
				return run, errors.Join(fmt.Errorf("fetcher failed: %v (see %s)", fetcher.Err(), p.LogPath("fetcher")), p.StopAll())
			}
			// The cleaner acks a page only after its article was stored,
			// so an empty fetched stream means every article is in the
			// cleaned stream; done when all of it was read.
			done, err := drained(ctx, js, lastSeq)
			if err != nil {
				return run, errors.Join(err, p.StopAll())
			}
			if done {
				break
			}
		}
		if time.Now().After(deadline) {
			return run, errors.Join(fmt.Errorf("not drained after %s; see the logs in %s", timeout, filepath.Join(data, "logs")), p.StopAll())
		}
	}
	if err := p.StopAll(); err != nil {
		return run, err
	}
	if dlq, err := js.Stream(ctx, schema.StreamDeadLetter); err == nil {
		if info, err := dlq.Info(ctx); err == nil {
			run.deadLetters = int(info.State.Msgs)
		}
	}
	run.lines, run.elapsed = buf.Bytes(), time.Since(start)
	return run, nil
}

// drained reports whether the fetched stream is empty and every cleaned
// article up to the stream's last sequence has been read.
func drained(ctx context.Context, js jetstream.JetStream, lastRead uint64) (bool, error) {
	for _, name := range []string{schema.StreamFetched, schema.StreamCleaned} {
		st, err := js.Stream(ctx, name)
		if err != nil {
			return false, fmt.Errorf("stream %s: %w", name, err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			return false, fmt.Errorf("stream %s: %w", name, err)
		}
		if name == schema.StreamFetched && info.State.Msgs > 0 {
			return false, nil
		}
		if name == schema.StreamCleaned && info.State.LastSeq > lastRead {
			return false, nil
		}
	}
	return true, nil
}

// tagAndStore runs a build's tagger and sink as batch jobs over cleaned
// articles: `tagger tag --format jsonl | sink import --db sqlite:DB`.
func tagAndStore(ctx context.Context, bin string, cleaned []byte, db string) error {
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
		return err
	}
	tag := exec.CommandContext(ctx, filepath.Join(bin, "tagger"), "tag", "--format", "jsonl")
	imp := exec.CommandContext(ctx, filepath.Join(bin, "sink"), "import", "--db", "sqlite:"+db)
	var tagErr, impErr bytes.Buffer
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	tag.Stdin, tag.Stdout, tag.Stderr = bytes.NewReader(cleaned), w, &tagErr
	imp.Stdin, imp.Stderr = r, &impErr
	if err := imp.Start(); err != nil {
		_, _ = r.Close(), w.Close()
		return fmt.Errorf("sink import: %w", err)
	}
	tagStarted := tag.Start()
	// The children hold their ends now: the sink sees the end of its input
	// when the tagger exits.
	_, _ = r.Close(), w.Close()
	if tagStarted != nil {
		_ = imp.Wait()
		return fmt.Errorf("tagger tag: %w", tagStarted)
	}
	tagDone, impDone := tag.Wait(), imp.Wait()
	if tagDone != nil {
		return fmt.Errorf("tagger tag: %w: %s", tagDone, strings.TrimSpace(tagErr.String()))
	}
	if impDone != nil {
		return fmt.Errorf("sink import: %w: %s", impDone, strings.TrimSpace(impErr.String()))
	}
	return nil
}
