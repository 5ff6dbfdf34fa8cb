package orchestrate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tools/newsflow/internal/metricscrape"
)

type watcher struct {
	o       Options
	procs   map[string]*proc
	natsURL string
	last    map[string]metricscrape.Sample
}

// wait returns when the recording is drained (replay) or ctx is done (live),
// or with an error when a service dies or the timeout passes.
func (w *watcher) wait(ctx context.Context, live bool) error {
	nc, err := nats.Connect(w.natsURL, nats.Name("newsflow-run"))
	if err != nil {
		return fmt.Errorf("orchestrate: connect %s: %w", w.natsURL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("orchestrate: jetstream: %w", err)
	}
	deadline := time.Now().Add(w.o.Timeout)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	lastPrint := time.Time{}
	drainedTicks := 0
	for {
		select {
		case <-ctx.Done():
			if live {
				return nil
			}
			return fmt.Errorf("orchestrate: interrupted: %w", ctx.Err())
		case <-tick.C:
		}
		for _, name := range []string{"cleaner", "tagger", "sink"} {
			select {
			case <-w.procs[name].done:
				return fmt.Errorf("orchestrate: %s exited unexpectedly: %v (see %s)", name, w.procs[name].err, logPath(w.o, name))
			default:
			}
		}
		fetcherDone := false
		select {
		case <-w.procs["fetcher"].done:
			if err := w.procs["fetcher"].err; err != nil {
				return fmt.Errorf("orchestrate: fetcher failed: %v (see %s)", err, logPath(w.o, "fetcher"))
			}
			if live {
				return fmt.Errorf("orchestrate: fetcher exited (see %s)", logPath(w.o, "fetcher"))
			}
			fetcherDone = true
		default:
		}
		backlog, err := backlog(ctx, js)
		if err != nil {
			return err
		}
		var s Summary
		w.sample(ctx, &s)
		if w.o.Terminal || time.Since(lastPrint) >= 5*time.Second {
			lastPrint = time.Now()
			line := fmt.Sprintf("fetched %d · cleaned %d · tagged %d · stored %d · dead letters %d · backlog %d",
				s.Fetched, s.Cleaned, s.Tagged, s.Stored, sumMap(s.DeadLetters), backlog)
			if w.o.Terminal {
				progressf(w.o, "\r\033[K%s", line)
			} else {
				progressf(w.o, "%s %s\n", time.Now().Format("15:04:05"), line)
			}
		}
		if fetcherDone && backlog == 0 {
			drainedTicks++
			if drainedTicks >= 2 {
				return nil
			}
		} else {
			drainedTicks = 0
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("orchestrate: not drained after %s (backlog %d); see the logs in %s", w.o.Timeout, backlog, filepath.Join(w.o.DataDir, "logs"))
		}
	}
}

// backlog counts messages still in the hop streams. They are work queues,
// so a message leaves only once its stage acked (or dead-lettered) it.
func backlog(ctx context.Context, js jetstream.JetStream) (uint64, error) {
	var n uint64
	for _, h := range schema.Hops() {
		if h.Consumer == "" {
			continue
		}
		s, err := js.Stream(ctx, h.Stream)
		if err != nil {
			return 0, fmt.Errorf("orchestrate: stream %s: %w", h.Stream, err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			return 0, fmt.Errorf("orchestrate: stream %s: %w", h.Stream, err)
		}
		n += info.State.Msgs
	}
	return n, nil
}

// sample scrapes every live service and fills the per-run counters.
// A service that has exited keeps its last sample.
func (w *watcher) sample(ctx context.Context, s *Summary) {
	if w.last == nil {
		w.last = map[string]metricscrape.Sample{}
	}
	for name, p := range w.procs {
		select {
		case <-p.done:
			continue
		default:
		}
		if m, err := metricscrape.Scrape(ctx, p.addr); err == nil {
			w.last[name] = m
		}
	}
	if s.DeadLetters == nil {
		s.DeadLetters = map[string]int{}
	}
	f := w.last["fetcher"]
	s.Feeds = int(f.Sum("newsflow_fetcher_feed_polls_total"))
	s.FeedErrors = int(f.Sum("newsflow_fetcher_feed_polls_total", "result=error"))
	s.Fetched = int(f.Sum("newsflow_fetcher_articles_total", "result=published"))
	s.FetchErrors = int(f.Sum("newsflow_fetcher_articles_total", "result=error"))
	if fs, ok := w.fetcherFinal(); ok {
		s.Feeds, s.FeedErrors, s.Fetched, s.FetchErrors = fs.FeedPolls, fs.FeedErrors, fs.Published, fs.ArticleErrors
	}
	s.Cleaned = int(w.last["cleaner"].Sum("newsflow_messages_total", "result=ok"))
	s.Tagged = int(w.last["tagger"].Sum("newsflow_messages_total", "result=ok"))
	s.Stored = int(w.last["sink"].Sum("newsflow_sink_articles_stored_total"))
	for _, stage := range []string{"cleaner", "tagger", "sink"} {
		s.DeadLetters[stage] = int(w.last[stage].Sum("newsflow_dead_letters_total"))
	}
}

// FetcherTotals is the JSON line `fetcher --once` prints on exit: its
// metrics are gone with the process, so the run reads its totals here.
type FetcherTotals struct {
	FeedPolls     int `json:"feed_polls"`
	FeedErrors    int `json:"feed_errors"`
	Published     int `json:"articles_published"`
	ArticleErrors int `json:"article_errors"`
}

func (w *watcher) fetcherFinal() (FetcherTotals, bool) {
	p := w.procs["fetcher"]
	select {
	case <-p.done:
	default:
		return FetcherTotals{}, false
	}
	lines := strings.Split(strings.TrimSpace(p.stdout.String()), "\n")
	var t FetcherTotals
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &t); err != nil {
		return t, false
	}
	return t, true
}

func sumMap(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// countDeadLetters adds what the dead-letter stream holds in all, by stage.
func countDeadLetters(ctx context.Context, url string, s *Summary) error {
	nc, err := nats.Connect(url, nats.Name("newsflow-run"))
	if err != nil {
		return fmt.Errorf("orchestrate: connect %s: %w", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("orchestrate: jetstream: %w", err)
	}
	st, err := js.Stream(ctx, schema.StreamDeadLetter)
	if err != nil {
		return fmt.Errorf("orchestrate: dead-letter stream: %w", err)
	}
	info, err := st.Info(ctx, jetstream.WithSubjectFilter(schema.SubjectDeadLetterPrefix+".>"))
	if err != nil {
		return fmt.Errorf("orchestrate: dead-letter stream: %w", err)
	}
	for subj, n := range info.State.Subjects {
		stage := strings.TrimPrefix(subj, schema.SubjectDeadLetterPrefix+".")
		s.DeadLetters["total:"+stage] = int(n)
	}
	return nil
}

// storeStats asks the sink binary what the store holds.
func storeStats(ctx context.Context, o Options, s *Summary) error {
	cmd := exec.CommandContext(ctx, filepath.Join(o.BinDir, "sink"), "stats", "--db", "sqlite:"+s.DBPath)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("orchestrate: sink stats: %w: %s", err, strings.TrimSpace(errb.String()))
	}
	var st struct {
		Articles int `json:"articles"`
		Relevant int `json:"relevant"`
		Claims   int `json:"claims"`
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		return fmt.Errorf("orchestrate: sink stats output: %w", err)
	}
	s.StoreArticles, s.StoreRelevant, s.StoreClaims = st.Articles, st.Relevant, st.Claims
	return nil
}
