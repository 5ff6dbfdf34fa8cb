package fetcher

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/schollz/progressbar/v3"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/services/fetcher/internal/warc"
)

// replayMetrics exports the replay's counters.
func replayMetrics(reg prometheus.Registerer, rp *warc.Replay) {
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "newsflow_fetcher_replay_served_total",
			Help: "Requests answered from the recording."}, func() float64 { return float64(rp.Stats().Served) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "newsflow_fetcher_replay_misses_total",
			Help: "Requests for URLs the recording does not hold (never sent to the network)."}, func() float64 { return float64(rp.Stats().Misses) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "newsflow_fetcher_replay_bytes_total",
			Help: "Response body bytes served from the recording."}, func() float64 { return float64(rp.Stats().Bytes) }),
	)
}

// reportReplay shows replay progress until ctx ends: a progress bar when w
// is a terminal, a log line every interval otherwise.
func reportReplay(ctx context.Context, rp *warc.Replay, w io.Writer, log *zap.Logger, interval time.Duration) {
	total := rp.Stats().Responses
	start := time.Now()
	if isTerminal(w) {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("replay"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rec"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			st := rp.Stats()
			_ = bar.Set(int(st.Served + st.Misses))
			if st.Misses > 0 {
				bar.Describe(fmt.Sprintf("replay (%d not in recording)", st.Misses))
			}
			select {
			case <-ctx.Done():
				_ = bar.Finish()
				return
			case <-t.C:
			}
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			logReplay(log, rp.Stats(), total, start, "Replay finished.")
			return
		case <-t.C:
			logReplay(log, rp.Stats(), total, start, "Replaying.")
		}
	}
}

func logReplay(log *zap.Logger, st warc.ReplayStats, total int, start time.Time, msg string) {
	done := int(st.Served + st.Misses)
	elapsed := time.Since(start)
	rate := float64(done) / max(elapsed.Seconds(), 1e-9)
	fields := []zap.Field{zap.Int("records", done), zap.Int("of", total), zap.Float64("per_second", rate),
		zap.Uint64("not_in_recording", st.Misses), zap.Uint64("bytes", st.Bytes)}
	if rate > 0 && done < total {
		fields = append(fields, zap.Duration("eta", time.Duration(float64(total-done)/rate*float64(time.Second)).Round(time.Second)))
	}
	log.Info(msg, fields...)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
