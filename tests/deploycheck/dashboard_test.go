package deploycheck

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	groupingRE   = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	matcherRE    = regexp.MustCompile(`\{[^}]*\}`)
	metricRE     = regexp.MustCompile(`\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{|\[|\)|$)`)
	registeredRE = regexp.MustCompile(`Name:\s*"(newsflow_[a-z0-9_]+)"`)
)

// metricNames returns the series a PromQL expression reads: identifiers
// followed by a matcher, a range or the end of an argument, once grouping
// clauses and label matchers are gone. It is no PromQL parser, but the dashboard's queries
// are plain.
func metricNames(expr string) []string {
	e := matcherRE.ReplaceAllString(groupingRE.ReplaceAllString(expr, ""), "{}")
	var out []string
	// A function call is followed by "(", which the pattern excludes; an
	// identifier before "{", "[", ")" or the end is a series.
	for _, m := range metricRE.FindAllStringSubmatch(e, -1) {
		out = append(out, m[1])
	}
	return out
}

// registeredMetrics scans the services' and the shared packages' Go code
// for the names of the metrics they register.
func registeredMetrics(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, dir := range []string{"pkg/service", "services"} {
		err := filepath.WalkDir(filepath.Join(root(t), dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range registeredRE.FindAllStringSubmatch(string(b), -1) {
				out[m[1]] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 5 {
		t.Fatalf("found %d registered newsflow_* metrics: the scan is broken", len(out))
	}
	return out
}

type dashboard struct {
	Title  string `json:"title"`
	UID    string `json:"uid"`
	Panels []struct {
		Type    string `json:"type"`
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// TestGrafanaDashboard checks that every newsflow_* series the dashboard
// queries is registered by the code (histograms through their _bucket,
// _sum and _count series), that other series come from the exporters the
// README names, and that the panels the issue asks for are there.
func TestGrafanaDashboard(t *testing.T) {
	var d dashboard
	if err := json.Unmarshal(read(t, "deploy/k8s/grafana-dashboard.json"), &d); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	if d.UID == "" || d.Title == "" {
		t.Errorf("dashboard needs a uid and a title")
	}
	registered := registeredMetrics(t)
	ops := string(read(t, "pkg/service/ops/ops.go"))
	external := map[string]bool{
		"jetstream_": true, // prometheus-nats-exporter (the NATS chart's promExporter)
		"kube_":      true, // kube-state-metrics
		// The Go process collector every service registers in pkg/service/ops.
		"process_": strings.Contains(ops, "NewProcessCollector"),
	}
	used := map[string]bool{}
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			names := metricNames(tg.Expr)
			if len(names) == 0 {
				t.Errorf("panel %q: no series in %q", p.Title, tg.Expr)
			}
			for _, name := range names {
				used[name] = true
				if strings.HasPrefix(name, "newsflow_") {
					base := name
					for _, suffix := range []string{"_bucket", "_sum", "_count"} {
						if b, ok := strings.CutSuffix(name, suffix); ok && registered[b] {
							base = b
						}
					}
					if !registered[base] {
						t.Errorf("panel %q queries %s, which no service registers", p.Title, name)
					}
					continue
				}
				ok := false
				for prefix, allowed := range external {
					if strings.HasPrefix(name, prefix) && allowed {
						ok = true
					}
				}
				if !ok {
					t.Errorf("panel %q queries %s, from no known exporter", p.Title, name)
				}
			}
		}
	}
	// What the issue asks the dashboard to show, by the series behind it.
	for what, series := range map[string]string{
		"throughput per stage": "newsflow_messages_total",
		"articles stored":      "newsflow_sink_articles_stored_total",
		"lag":                  "jetstream_consumer_num_pending",
		"dead letters":         "newsflow_dead_letters_total",
		"fetch errors":         "newsflow_fetcher_feed_polls_total",
		"latency":              "newsflow_process_seconds_bucket",
		"fetch latency":        "newsflow_fetcher_request_seconds_bucket",
	} {
		if !used[series] {
			t.Errorf("no panel shows %s (%s)", what, series)
		}
	}
}

func TestMetricRE(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`sum by (stage) (rate(newsflow_messages_total{result="ok"}[5m]))`, "newsflow_messages_total"},
		{`histogram_quantile(0.99, sum by (le, kind) (rate(newsflow_fetcher_request_seconds_bucket[5m])))`, "newsflow_fetcher_request_seconds_bucket"},
		{`max(jetstream_stream_total_messages{stream_name="NEWSFLOW_DLQ"})`, "jetstream_stream_total_messages"},
		{`sum by (stage) (rate(a_sum[1m])) / sum by (stage) (rate(a_count[1m]))`, "a_sum a_count"},
		{`max by (class) (newsflow_fetcher_feeds_failing)`, "newsflow_fetcher_feeds_failing"},
		{`process_resident_memory_bytes{pod=~"newsflow-.*"}`, "process_resident_memory_bytes"},
	}
	for _, tc := range tests {
		got := metricNames(tc.expr)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: got %v, want %s", tc.expr, got, tc.want)
		}
	}
}
