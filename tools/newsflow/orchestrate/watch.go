package orchestrate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/tools/newsflow/metricscrape"
)

type watcher struct {
	p    *Pipeline
	last map[*Proc]metricscrape.Sample
}

// wait returns when the recording is drained (replay) or ctx is done (live),
// or with an error when a service dies or the timeout passes.
func (w *watcher) wait(ctx context.Context, live bool) error {
	o := w.p.o
	nc, js, err := w.p.JetStream()
	if err != nil {
		return err
	}
	defer nc.Close()
	deadline := time.Now().Add(o.Timeout)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	lastPrint := time.Time{}
	drainedTicks := 0
	var jsDown time.Time // when the embedded server was found without JetStream
	for {
		select {
		case <-ctx.Done():
			if live {
				return nil
			}
			return fmt.Errorf("orchestrate: interrupted: %w", ctx.Err())
		case <-tick.C:
		}
		switch restarted, err := w.p.checkJetStream(); {
		case restarted:
			progressf(o, "\nNATS: the store took a write error (see %s); space is back, server restarted.\n", w.p.NATSLogPath())
			jsDown = time.Time{}
		case err != nil && jsDown.IsZero():
			progressf(o, "\n%v\n", err)
			jsDown = time.Now()
			continue
		case err != nil && time.Since(jsDown) > jetStreamGrace:
			return err
		case err != nil:
			continue
		}
		for _, name := range []string{"cleaner", "tagger", "sink"} {
			for _, pr := range w.p.Procs(name) {
				if pr.Exited() {
					return fmt.Errorf("orchestrate: %s exited unexpectedly: %v (see %s)", name, pr.Err(), w.p.LogPath(name))
				}
			}
		}
		fetcherDone := true
		for _, pr := range w.p.Procs("fetcher") {
			if !pr.Exited() {
				fetcherDone = false
				continue
			}
			if pr.Err() != nil {
				return fmt.Errorf("orchestrate: fetcher failed: %v (see %s)", pr.Err(), w.p.LogPath("fetcher"))
			}
			if live {
				return fmt.Errorf("orchestrate: fetcher exited (see %s)", w.p.LogPath("fetcher"))
			}
		}
		_, backlog, err := Backlog(ctx, js)
		if err != nil {
			if ctx.Err() != nil {
				// Stopped while asking: a live run's Ctrl-C is its
				// normal end, a replay's an interruption, as above.
				continue
			}
			return err
		}
		var s Summary
		w.sample(ctx, &s)
		if o.Terminal || time.Since(lastPrint) >= 5*time.Second {
			lastPrint = time.Now()
			line := fmt.Sprintf("fetched %d · cleaned %d · tagged %d · stored %d · dead letters %d · backlog %d",
				s.Fetched, s.Cleaned, s.Tagged, s.Stored, sumMap(s.DeadLetters), backlog)
			if o.Terminal {
				progressf(o, "\r\033[K%s", line)
			} else {
				progressf(o, "%s %s\n", time.Now().Format("15:04:05"), line)
			}
			// A stage that holds its work (the sink while a store refuses
			// writes) says why, rather than leave the backlog unexplained.
			for _, name := range []string{"cleaner", "tagger", "sink"} {
				for _, pr := range w.p.Procs(name) {
					if why := NotReady(ctx, pr); why != "" {
						progressf(o, "\n%s[%d] not ready: %s (see %s)\n", name, pr.Index, why, w.p.LogPath(name))
					}
				}
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
			return fmt.Errorf("orchestrate: not drained after %s (backlog %d); see the logs in %s", o.Timeout, backlog, logDir(o))
		}
	}
}

// NotReady returns the failing readiness checks of a replica, "" when it
// is ready or cannot be asked.
func NotReady(ctx context.Context, pr *Proc) string {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+pr.Addr+"/readyz", nil)
	if err != nil {
		return ""
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return ""
	}
	var body struct {
		Checks map[string]string `json:"checks"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body); err != nil {
		return resp.Status
	}
	var why []string
	for name, v := range body.Checks {
		if v != "ok" {
			why = append(why, name+": "+v)
		}
	}
	sort.Strings(why)
	return strings.Join(why, "; ")
}

// sample scrapes every live replica and fills the per-run counters, summed
// over replicas. A replica that has exited keeps its last sample.
func (w *watcher) sample(ctx context.Context, s *Summary) {
	if w.last == nil {
		w.last = map[*Proc]metricscrape.Sample{}
	}
	sum := func(name, metric string, labels ...string) int {
		total := 0
		for _, pr := range w.p.Procs(name) {
			if !pr.Exited() {
				if m, err := metricscrape.Scrape(ctx, pr.Addr); err == nil {
					w.last[pr] = m
				}
			}
			total += int(w.last[pr].Sum(metric, labels...))
		}
		return total
	}
	if s.DeadLetters == nil {
		s.DeadLetters = map[string]int{}
	}
	s.Feeds = sum("fetcher", "newsflow_fetcher_feed_polls_total")
	s.FeedErrors = sum("fetcher", "newsflow_fetcher_feed_polls_total", "result=error")
	s.Fetched = sum("fetcher", "newsflow_fetcher_articles_total", "result=published")
	s.FetchErrors = sum("fetcher", "newsflow_fetcher_articles_total", "result=error")
	if t, ok := w.fetcherFinal(); ok {
		s.Feeds, s.FeedErrors, s.Fetched, s.FetchErrors = t.FeedPolls, t.FeedErrors, t.Published, t.ArticleErrors
	}
	s.Cleaned = sum("cleaner", "newsflow_messages_total", "result=ok")
	s.Tagged = sum("tagger", "newsflow_messages_total", "result=ok")
	s.Stored = sum("sink", "newsflow_sink_articles_stored_total")
	for _, stage := range []string{"cleaner", "tagger", "sink"} {
		s.DeadLetters[stage] = sum(stage, "newsflow_dead_letters_total")
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

// fetcherFinal sums the totals of the fetchers once all have exited.
func (w *watcher) fetcherFinal() (FetcherTotals, bool) {
	var sum FetcherTotals
	procs := w.p.Procs("fetcher")
	if len(procs) == 0 {
		return sum, false
	}
	for _, pr := range procs {
		if !pr.Exited() {
			return sum, false
		}
		lines := strings.Split(strings.TrimSpace(pr.stdout.String()), "\n")
		var t FetcherTotals
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &t); err != nil {
			return sum, false
		}
		sum.FeedPolls += t.FeedPolls
		sum.FeedErrors += t.FeedErrors
		sum.Published += t.Published
		sum.ArticleErrors += t.ArticleErrors
	}
	return sum, true
}

func sumMap(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// countDeadLetters adds what the dead-letter stream holds in all, by stage.
func (p *Pipeline) countDeadLetters(ctx context.Context, s *Summary) error {
	nc, js, err := p.JetStream()
	if err != nil {
		return err
	}
	defer nc.Close()
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

// StoreStats asks the sink binary what the SQLite store holds.
func StoreStats(ctx context.Context, binDir, db string) (articles, relevant, claims int, err error) {
	return StoreStatsOf(ctx, binDir, "sqlite:"+db)
}

// StoreStatsOf asks the sink binary what the store spec holds.
func StoreStatsOf(ctx context.Context, binDir, spec string) (articles, relevant, claims int, err error) {
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "sink"), "stats", "--db", spec)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return 0, 0, 0, fmt.Errorf("orchestrate: sink stats: %w: %s", err, strings.TrimSpace(errb.String()))
	}
	var st struct {
		Articles int `json:"articles"`
		Relevant int `json:"relevant"`
		Claims   int `json:"claims"`
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		return 0, 0, 0, fmt.Errorf("orchestrate: sink stats output: %w", err)
	}
	return st.Articles, st.Relevant, st.Claims, nil
}

func storeStats(ctx context.Context, o Options, s *Summary) error {
	var err error
	db := o.DB
	if db == "" {
		db = "sqlite:" + s.DBPath
	}
	s.StoreArticles, s.StoreRelevant, s.StoreClaims, err = StoreStatsOf(ctx, o.BinDir, db)
	return err
}
