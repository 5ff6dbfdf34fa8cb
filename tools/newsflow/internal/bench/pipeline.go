package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/markup"
	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/bus"
	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/tools/newsflow/cluster"
	"github.com/newsflow/newsflow/tools/newsflow/metricscrape"
	"github.com/newsflow/newsflow/tools/newsflow/orchestrate"
)

// PipelineOptions says what Pipeline replays and with which binaries.
type PipelineOptions struct {
	Bin      string   // the four services and the newsflow tool (make build)
	Corpus   string   // a directory with bundle.warc.gz and feeds.yaml (fetcher warc build)
	Testdata string   // the repository's testdata folder, for the benchmark pages
	Paces    []string // max, or pages per second
}

// pipelineRun is what one replay through the whole pipeline measured.
type pipelineRun struct {
	Pace     string
	Articles int
	Wall     time.Duration // fetcher start → last article stored
	Span     time.Duration // first fetched_at → last stored_at
	P50, P99 time.Duration // stored_at − fetched_at
	Max      time.Duration
	Usage    map[string]cluster.Usage // by service, summed over replicas; "nats" for the server
	SinkWork time.Duration            // the sink's newsflow_process_seconds_sum: decode and store (wall)
	Dead     uint64
	// Messaging work replayed in this process for the run's articles.
	Serial time.Duration // JSON encode and decode of every hop, compression of the page
	Client time.Duration // nats.go: publish with ack, pull, ack
	// Serial by the service that does it: fetcher, cleaner, tagger, sink.
	SerialBy map[string]time.Duration
	// Alone is the CPU of the cleaner, tagger and sink over the same
	// articles without NATS.
	Alone map[string]time.Duration
}

// messaging is the CPU the run spent on NATS and serialisation.
func (r pipelineRun) messaging() time.Duration { return r.Usage["nats"].CPU + r.Serial + r.Client }

func (r pipelineRun) totalCPU() time.Duration {
	var t time.Duration
	for _, u := range r.Usage {
		t += u.CPU
	}
	return t
}

// Pipeline replays a recording through embedded NATS (its own
// process, file storage), the four services (one replica each, default
// settings) and SQLite, once per pace, and prints articles per second end
// to end, latency from fetch to store, CPU seconds and peak RSS per
// process, and the share of CPU that messaging takes. `newsflow bench-pipeline`
// (make bench-pipeline) runs it and prints the table to w.
//
// Messaging share, the method. The services cannot run their stages
// without NATS, and nothing was added to them for this benchmark, so the
// messaging work is measured on its own and divided by the run's total
// CPU (every service process plus the NATS server, from /proc and the
// kernel's accounting of the reaped server):
//
//   - the NATS server: its own process, measured exactly;
//   - serialisation: for every stored article, this process redoes what
//     the hops do to it (stripping the page's scripts, compressing it and
//     encoding in the fetcher, decoding, decompressing and encoding in the cleaner, decoding and
//     encoding in the tagger, decoding in the sink), timed with getrusage;
//   - the client library: this process publishes the same encoded
//     messages with acks to a fresh server, pulls them in the stages'
//     batch sizes and acks them, timed the same way.
//
// Left out: the fetcher's seen-item and feed-state KV calls, in-progress
// acks (one per AckWait/3, none in a run this short) and the services'
// logging.
//
// The same stages without NATS: `cleaner clean --list`, `tagger tag
// --format jsonl` and `sink import` run the stages' own code over the same
// articles (the pages stripped of scripts, as the fetcher publishes them), each in one process, chained through files (the page read from
// disk, JSON lines between the stages, SQLite at the end). Their CPU next
// to the pipeline's shows the messaging overhead as a ratio, a second
// measure beside the one above.
func Pipeline(ctx context.Context, o PipelineOptions, w io.Writer) (err error) {
	if o.Corpus == "" || o.Bin == "" {
		return errors.New("bench: pipeline: a corpus (fetcher warc build) and the binaries' directory are needed")
	}
	b, err := newRunner()
	if err != nil {
		return err
	}
	defer b.cleanup()
	defer b.recover(&err)
	corpus, err := filepath.Abs(o.Corpus)
	if err != nil {
		return fmt.Errorf("bench: pipeline: %w", err)
	}
	bin, err := filepath.Abs(o.Bin)
	if err != nil {
		return fmt.Errorf("bench: pipeline: %w", err)
	}
	pages := loadBenchmark(b, o.Testdata, 0)
	var runs []pipelineRun
	ids := pageIDs(b, pages, 20)
	for _, pace := range o.Paces {
		pace = strings.TrimSpace(pace)
		fmt.Fprintf(w, "pace %s: replaying %s\n", pace, corpus)
		r, arts := replay(ctx, b, bin, corpus, pace)
		r.Serial, r.SerialBy, r.Client = messagingWork(b, bin, arts, pages, ids)
		r.Alone = stagesAlone(b, bin, pages, r.Articles)
		runs = append(runs, r)
	}
	printRuns(w, runs)
	return nil
}

// replay runs the pipeline once over the corpus at a pace.
func replay(ctx context.Context, b *runner, bin, corpus, pace string) (pipelineRun, []schema.ArticleTaggedV1) {
	dir := b.TempDir()
	srv := startNATS(b, bin, dir)
	p, err := orchestrate.StartNATS(orchestrate.Options{BinDir: bin, DataDir: dir, NATSURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = p.StopAll() }()
	if err := p.StartConsumers(ctx); err != nil {
		b.Fatal(err)
	}
	nc, js, err := p.JetStream()
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()

	speed := "max"
	if pace != "max" {
		speed = pace + "x" // the corpus records one page per second
	}
	run := pipelineRun{Pace: pace, Usage: map[string]cluster.Usage{}}
	last := map[*orchestrate.Proc]cluster.Usage{}
	sample := func() {
		for _, name := range orchestrate.Services {
			for _, pr := range p.Procs(name) {
				if pr.Exited() {
					continue
				}
				if u, err := cluster.ReadUsage(pr.Pid()); err == nil {
					last[pr] = u
				}
			}
		}
	}
	t0 := time.Now()
	if _, err := p.Start(schema.StageFetcher, nil, "--replay", filepath.Join(corpus, "bundle.warc.gz"), "--once",
		"--feeds", filepath.Join(corpus, "feeds.yaml"), "--replay-speed", speed); err != nil {
		b.Fatal(err)
	}
	var drainedAt time.Time
	for deadline := t0.Add(10 * time.Minute); ; {
		// Often enough that the fetcher's last sample is close to its end.
		time.Sleep(50 * time.Millisecond)
		if time.Now().After(deadline) {
			b.Fatalf("pace %s: not drained after 10 minutes", pace)
		}
		sample()
		fetched := true
		for _, pr := range p.Procs(schema.StageFetcher) {
			if !pr.Exited() {
				fetched = false
			} else if pr.Err() != nil {
				b.Fatalf("fetcher failed: %v (see %s)", pr.Err(), p.LogPath(schema.StageFetcher))
			}
		}
		if err := cluster.CheckAlive(p); err != nil {
			b.Fatal(err)
		}
		if !fetched {
			// The backlog is asked for only once the fetcher is done: six
			// stream-info requests 20 times a second are work for the
			// server that is the harness's, not the pipeline's.
			drainedAt = time.Time{}
			continue
		}
		_, backlog, err := orchestrate.Backlog(ctx, js)
		if err != nil {
			b.Fatal(err)
		}
		if fetched && backlog == 0 {
			if drainedAt.IsZero() {
				drainedAt = time.Now()
			} else if time.Since(drainedAt) > 300*time.Millisecond {
				break
			}
		} else {
			drainedAt = time.Time{}
		}
	}
	sample()
	for _, pr := range p.Procs(schema.StageSink) {
		m, err := metricscrape.Scrape(ctx, pr.Addr)
		if err != nil {
			b.Fatal(err)
		}
		run.SinkWork += time.Duration(processSecondsSum(m) * float64(time.Second))
	}
	run.Dead = deadLettersOf(b, ctx, p)
	if err := p.StopAll(); err != nil {
		b.Fatal(err)
	}
	if err := srv.stop(); err != nil {
		b.Fatalf("nats-server: %v", err)
	}
	for pr, u := range last {
		agg := run.Usage[pr.Name]
		agg.CPU += u.CPU
		agg.PeakRSS = max(agg.PeakRSS, u.PeakRSS)
		run.Usage[pr.Name] = agg
	}
	run.Usage["nats"] = srv.usage()

	arts := exported(b, bin, p.DBPath())
	run.Articles = len(arts)
	var lat []time.Duration
	var first, lastStored time.Time
	for _, a := range arts {
		if a.Stages.StoredAt == nil {
			b.Fatalf("article %s has no stored_at", a.ID)
		}
		lat = append(lat, a.Stages.StoredAt.Sub(a.Stages.FetchedAt))
		if first.IsZero() || a.Stages.FetchedAt.Before(first) {
			first = a.Stages.FetchedAt
		}
		if a.Stages.StoredAt.After(lastStored) {
			lastStored = *a.Stages.StoredAt
		}
	}
	run.Span = lastStored.Sub(first)
	// End to end: from starting the fetcher to the last article stored
	// (not to the drained backlog, which trails it by the stages' held
	// acks).
	run.Wall = lastStored.Sub(t0)
	run.P50, run.P99, run.Max = cluster.Percentile(lat, 50), cluster.Percentile(lat, 99), cluster.Percentile(lat, 100)
	return run, arts
}

func processSecondsSum(m metricscrape.Sample) float64 {
	fam, ok := m["newsflow_process_seconds"]
	if !ok {
		return 0
	}
	var s float64
	for _, x := range fam.GetMetric() {
		s += x.GetHistogram().GetSampleSum()
	}
	return s
}

func deadLettersOf(b *runner, ctx context.Context, p *orchestrate.Pipeline) uint64 {
	b.Helper()
	nc, js, err := p.JetStream()
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	st, err := js.Stream(ctx, schema.StreamDeadLetter)
	if err != nil {
		b.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return info.State.Msgs
}

// pageIDs maps the article id of every copy (up to copies) of every
// benchmark page to the page's index.
func pageIDs(b *runner, pages []benchPage, copies int) map[string]int {
	b.Helper()
	out := map[string]int{}
	for k := 0; k <= copies; k++ {
		for i, pg := range pages {
			id, _, err := schema.ArticleID(copyURL(b, pg.URL, k))
			if err != nil {
				b.Fatal(err)
			}
			out[id] = i
		}
	}
	return out
}

// selfCPU is this process's CPU time so far.
func selfCPU(b *runner) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// messagingWork redoes, in this process, the serialisation and the NATS
// client work that the run's articles caused, and returns the CPU of each.
func messagingWork(b *runner, bin string, arts []schema.ArticleTaggedV1, pages []benchPage, ids map[string]int) (serial time.Duration, by map[string]time.Duration, client time.Duration) {
	b.Helper()
	type hopData struct{ fetched, cleaned, tagged []byte }
	msgs := make([]hopData, len(arts))
	by = map[string]time.Duration{}
	runtime.GC()
	cpu0 := selfCPU(b)
	mark := cpu0
	charge := func(svc string) {
		now := selfCPU(b)
		by[svc] += now - mark
		mark = now
	}
	var stripped, body, wire, page []byte
	for i, a := range arts {
		pi, ok := ids[a.ID]
		if !ok {
			b.Fatalf("stored article %s (%s) is no copy of a benchmark page", a.ID, a.URL)
		}
		html := pages[pi].HTML
		// fetcher: strip the page's scripts, compress it, encode the message.
		f := schema.ArticleFetchedV1{SchemaVersion: schema.Version, ID: a.ID, URL: a.URL, CanonicalURL: a.CanonicalURL,
			ContentHash: a.ContentHash, Item: a.Item, Stages: schema.Stages{FetchedAt: a.Stages.FetchedAt},
			Response: schema.Response{Status: 200, ContentType: "text/html; charset=utf-8", FetchedAt: a.Stages.FetchedAt, Size: len(html)}}
		// Into buffers reused from page to page, as the fetcher's are.
		if s, ok := markup.StripPage(stripped[:0], html, f.Response.ContentType); ok {
			html, f.BodyFilter, stripped = s, schema.FilterStripped, s
		}
		if err := f.SetHTMLBuffer(body, html, schema.EncodingS2); err != nil {
			b.Fatal(err)
		}
		body = f.Body
		fd, err := schema.AppendFetched(wire[:0], f)
		if err != nil {
			b.Fatal(err)
		}
		wire = fd
		charge(schema.StageFetcher)
		fd = bytes.Clone(fd) // kept for the client library's part
		mark = selfCPU(b)
		// cleaner: decode, decompress; encode its output (the stored
		// article's cleaned fields; the chrome list is not stored).
		f2, err := schema.DecodeFetched(fd)
		if err != nil {
			b.Fatal(err)
		}
		if page, err = f2.HTMLBuffer(page); err != nil { // reused, as the cleaner's is
			b.Fatal(err)
		}
		charge(schema.StageCleaner)
		c := cleanedOf(b, a)
		mark = selfCPU(b) // building the stand-in is no one's work
		cd, err := schema.Encode(c)
		if err != nil {
			b.Fatal(err)
		}
		charge(schema.StageCleaner)
		// tagger: decode, encode its output; sink: decode.
		if _, err := schema.DecodeCleaned(cd); err != nil {
			b.Fatal(err)
		}
		t := a
		t.Stages.StoredAt = nil
		td, err := schema.Encode(t)
		if err != nil {
			b.Fatal(err)
		}
		charge(schema.StageTagger)
		if _, err := schema.DecodeTagged(td); err != nil {
			b.Fatal(err)
		}
		charge(schema.StageSink)
		msgs[i] = hopData{fd, cd, td}
	}
	for _, d := range by {
		serial += d
	}

	// The client library, against a server in its own process.
	srv := startNATS(b, bin, b.TempDir())
	defer func() { _ = srv.stop() }()
	nc, err := nats.Connect(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		b.Fatal(err)
	}
	ensureStreams(b, js)
	ctx := context.Background()
	worker := defaultWorker(b)
	batches := map[string]int{schema.ConsumerCleaner: 16, schema.ConsumerTagger: 32, schema.ConsumerSink: 100}
	runtime.GC()
	cpu0 = selfCPU(b)
	for _, h := range schema.Hops() {
		if h.Consumer == "" {
			continue
		}
		for i, m := range msgs {
			data := map[string][]byte{schema.StreamFetched: m.fetched, schema.StreamCleaned: m.cleaned, schema.StreamTagged: m.tagged}[h.Stream]
			msg := &nats.Msg{Subject: h.Subject, Data: data, Header: nats.Header{}}
			msg.Header.Set(nats.MsgIdHdr, fmt.Sprintf("%s:%d", h.Consumer, i))
			if _, err := js.PublishMsgAsync(msg); err != nil {
				b.Fatal(err)
			}
		}
		<-js.PublishAsyncComplete()
		cons, err := js.CreateOrUpdateConsumer(ctx, h.Stream, bus.ConsumerConfig(h, worker))
		if err != nil {
			b.Fatal(err)
		}
		for got := 0; got < len(msgs); {
			batch, err := cons.Fetch(batches[h.Consumer], jetstream.FetchMaxWait(2*time.Second))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for m := range batch.Messages() {
				if err := m.Ack(); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n == 0 {
				b.Fatalf("%s: %d of %d messages pulled", h.Consumer, got, len(msgs))
			}
			got += n
		}
	}
	client = selfCPU(b) - cpu0
	return serial, by, client
}

// cleanedOf is the cleaned article a stored article came from, as near as
// the store keeps it: the fields the two types share.
func cleanedOf(b *runner, a schema.ArticleTaggedV1) schema.ArticleCleanedV1 {
	b.Helper()
	raw, err := json.Marshal(a)
	if err != nil {
		b.Fatal(err)
	}
	var c schema.ArticleCleanedV1
	if err := json.Unmarshal(raw, &c); err != nil {
		b.Fatal(err)
	}
	c.Stages.TaggedAt, c.Stages.StoredAt = nil, nil
	return c
}

// defaultWorker is the worker configuration of a stage with nothing set.
func defaultWorker(b *runner) config.Worker {
	b.Helper()
	var w config.Worker
	s := config.New("bench")
	config.AddWorker(s, &w, 1, 1, 100*time.Millisecond)
	if _, err := s.Parse(nil, func(string) (string, bool) { return "", false }, io.Discard); err != nil {
		b.Fatal(err)
	}
	return w
}

// stagesAlone runs the cleaner, the tagger and the sink over the first n
// articles of the corpus (article i is copy i/len(pages) of page i mod
// len(pages), as the corpus builder lays them out) without NATS, each stage
// in one process, and returns each one's CPU from the kernel's accounting.
func stagesAlone(b *runner, bin string, pages []benchPage, n int) map[string]time.Duration {
	b.Helper()
	dir := b.TempDir()
	var list bytes.Buffer
	for i, pg := range pages {
		// The pages as the fetcher publishes them, so that the cleaner
		// alone does the work it does in the pipeline.
		page, _ := markup.StripPage(nil, pg.HTML, "text/html; charset=utf-8")
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.html", i)), page, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for i := range n {
		line, err := json.Marshal(map[string]string{"url": copyURL(b, pages[i%len(pages)].URL, i/len(pages)),
			"path": fmt.Sprintf("%d.html", i%len(pages)), "content_type": "text/html; charset=utf-8"})
		if err != nil {
			b.Fatal(err)
		}
		list.Write(append(line, '\n'))
	}
	listPath := filepath.Join(dir, "pages.jsonl")
	if err := os.WriteFile(listPath, list.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	cpu := map[string]time.Duration{}
	var cleaned, tagged []byte
	cleaned, cpu[schema.StageCleaner] = cpuOf(b, filepath.Join(bin, "cleaner"), []string{"clean", "--list", listPath}, nil)
	tagged, cpu[schema.StageTagger] = cpuOf(b, filepath.Join(bin, "tagger"), []string{"tag", "--format", "jsonl"}, cleaned)
	out, sinkCPU := cpuOf(b, filepath.Join(bin, "sink"), []string{"import", "--db", "sqlite:" + filepath.Join(dir, "alone.db"), "--jsonl-dir", ""}, tagged)
	cpu[schema.StageSink] = sinkCPU
	if want := fmt.Sprintf("imported %d articles, 0 failed", n); !strings.Contains(string(out), want) {
		b.Fatalf("sink import: %q, want %q", out, want)
	}
	return cpu
}

func cpuOf(b *runner, name string, args []string, in []byte) ([]byte, time.Duration) {
	b.Helper()
	cmd := exec.Command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %v: %v: %s", filepath.Base(name), args, err, errb.String())
	}
	return out.Bytes(), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func printRuns(w io.Writer, runs []pipelineRun) {
	fmt.Fprintf(w, "\nPipeline benchmark (%d CPUs)\n\n", runtime.NumCPU())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pace\tarticles\twall s\tarticles/s\tfetch→store span s\tp50 ms\tp99 ms\tmax ms\tdead letters\t")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.0f\t%.1f\t%d\t%d\t%d\t%d\t\n", r.Pace, r.Articles, r.Wall.Seconds(),
			float64(r.Articles)/r.Wall.Seconds(), r.Span.Seconds(), r.P50.Milliseconds(), r.P99.Milliseconds(), r.Max.Milliseconds(), r.Dead)
	}
	_ = tw.Flush()
	names := []string{schema.StageFetcher, schema.StageCleaner, schema.StageTagger, schema.StageSink, "nats"}
	for _, r := range runs {
		fmt.Fprintf(w, "\npace %s: CPU seconds and peak RSS per process (%d articles)\n", r.Pace, r.Articles)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "process\tCPU s\tms/article\tshare\tpeak RSS MiB\twithout NATS CPU s\t")
		total := r.totalCPU()
		var inPipe, alone time.Duration
		for _, n := range names {
			u := r.Usage[n]
			a, ok := r.Alone[n]
			aloneCol := ""
			if ok {
				aloneCol = fmt.Sprintf("%.2f", a.Seconds())
				inPipe += u.CPU
				alone += a
			}
			fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.0f%%\t%.0f\t%s\t\n", n, u.CPU.Seconds(), ms(u.CPU)/float64(max(r.Articles, 1)),
				100*u.CPU.Seconds()/total.Seconds(), float64(u.PeakRSS)/(1<<20), aloneCol)
		}
		fmt.Fprintf(tw, "all\t%.2f\t%.2f\t\t\t\t\n", total.Seconds(), ms(total)/float64(max(r.Articles, 1)))
		_ = tw.Flush()
		fmt.Fprintf(w, "NATS + serialisation: %.2f s of %.2f s = %.0f%% of CPU (server %.2f s, serialisation %.2f s, client library %.2f s)\n",
			r.messaging().Seconds(), total.Seconds(), 100*r.messaging().Seconds()/total.Seconds(),
			r.Usage["nats"].CPU.Seconds(), r.Serial.Seconds(), r.Client.Seconds())
		fmt.Fprintf(w, "  serialisation by service: fetcher %.2f s (strip scripts + compress + encode), cleaner %.2f s (decode + decompress + encode), tagger %.2f s, sink %.2f s\n",
			r.SerialBy[schema.StageFetcher].Seconds(), r.SerialBy[schema.StageCleaner].Seconds(),
			r.SerialBy[schema.StageTagger].Seconds(), r.SerialBy[schema.StageSink].Seconds())
		if alone > 0 {
			withServer := inPipe + r.Usage["nats"].CPU
			fmt.Fprintf(w, "Cleaner, tagger and sink without NATS: %.2f s; in the pipeline %.2f s, %.2f s with the NATS server: %.2f× the work alone\n",
				alone.Seconds(), inPipe.Seconds(), withServer.Seconds(), withServer.Seconds()/alone.Seconds())
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// natsProc is a nats-server in a process of its own (`newsflow nats`), so
// that its CPU is measured apart from the test's, and a race-instrumented
// test binary does not slow the server down.
type natsProc struct {
	URL string
	cmd *exec.Cmd
}

func startNATS(b *runner, bin, dir string) *natsProc {
	b.Helper()
	port := freePort(b)
	cmd := exec.Command(filepath.Join(bin, "newsflow"), "nats", "--data", dir, "--port", strconv.Itoa(port))
	cmd.Env = orchestrate.ShareCores(os.Environ()) // like the services beside it
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	n := &natsProc{URL: "nats://127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
	b.Cleanup(func() { _ = n.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		nc, err := nats.Connect(n.URL)
		if err == nil {
			nc.Close()
			return n
		}
		if time.Now().After(deadline) {
			b.Fatalf("nats-server at %s not up: %v", n.URL, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server with SIGTERM and returns what it used, from the
// kernel's accounting of the reaped process.
func (n *natsProc) stop() error {
	if n.cmd.ProcessState != nil {
		return nil
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	return n.cmd.Wait()
}

// usage is the server's CPU and peak RSS once stopped.
func (n *natsProc) usage() cluster.Usage {
	st := n.cmd.ProcessState
	if st == nil {
		return cluster.Usage{}
	}
	u := cluster.Usage{CPU: st.UserTime() + st.SystemTime()}
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		u.PeakRSS = ru.Maxrss << 10 // kilobytes on Linux
	}
	return u
}

// defaultStreams is the stream configuration the services declare when
// nothing is set, so that declaring the streams first changes nothing.
func defaultStreams(b *runner) config.Streams {
	b.Helper()
	var c config.Common
	s := config.New("test")
	config.AddCommon(s, &c, "127.0.0.1:0")
	if _, err := s.Parse(nil, func(string) (string, bool) { return "", false }, io.Discard); err != nil {
		b.Fatal(err)
	}
	return c.Streams
}

// benchPage is an article page of the extraction benchmark.
type benchPage struct {
	URL  string
	HTML []byte
}

// loadBenchmark reads the benchmark pages in file-name order, one per URL,
// as the corpus builder does; at most limit of them when limit > 0.
func loadBenchmark(b *runner, testdata string, limit int) []benchPage {
	b.Helper()
	dir := filepath.Join(testdata, "corpus", "article-extraction-benchmark")
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		b.Fatal(err)
	}
	var truth map[string]struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		b.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no benchmark pages in %s: %v", dir, err)
	}
	sort.Strings(files)
	seen := map[string]bool{}
	var out []benchPage
	for _, f := range files {
		if limit > 0 && len(out) == limit {
			break
		}
		u := truth[strings.TrimSuffix(filepath.Base(f), ".html.gz")].URL
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		out = append(out, benchPage{URL: u, HTML: gunzip(b, f)})
	}
	return out
}

// copyURL is the URL of copy k of a page, as the corpus builder makes it:
// the page's own URL for k = 0, else with copy=k in the query.
func copyURL(b *runner, u string, k int) string {
	b.Helper()
	if k == 0 {
		return u
	}
	pu, err := url.Parse(u)
	if err != nil {
		b.Fatal(err)
	}
	q := pu.Query()
	q.Set("copy", strconv.Itoa(k))
	pu.RawQuery, pu.Fragment, pu.RawFragment = q.Encode(), "", ""
	return pu.String()
}

// exported runs `sink export` and returns every stored article.
func exported(b *runner, bin, db string) []schema.ArticleTaggedV1 {
	b.Helper()
	arts, err := orchestrate.Export(context.Background(), bin, db)
	if err != nil {
		b.Fatal(err)
	}
	return arts
}

// ensureStreams declares the pipeline's streams as the services would.
func ensureStreams(b *runner, js jetstream.JetStream) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bus.EnsureStreams(ctx, js, defaultStreams(b)); err != nil {
		b.Fatal(err)
	}
}
