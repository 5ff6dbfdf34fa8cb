package deploycheck

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/config/configtest"
	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// services are the four services, in flow order.
var services = []string{schema.StageFetcher, schema.StageCleaner, schema.StageTagger, schema.StageSink}

// consumers maps each consuming stage to its durable consumer.
func consumers() map[string]string {
	return map[string]string{
		schema.StageCleaner: schema.ConsumerCleaner,
		schema.StageTagger:  schema.ConsumerTagger,
		schema.StageSink:    schema.ConsumerSink,
	}
}

// hopOf returns the hop a consumer reads.
func hopOf(t *testing.T, consumer string) schema.Hop {
	t.Helper()
	for _, h := range schema.Hops() {
		if h.Consumer == consumer {
			return h
		}
	}
	t.Fatalf("pkg/schema has no hop consumed by %q", consumer)
	return schema.Hop{}
}

// root is the repository root.
func root(t *testing.T) string { return testkit.RepoRoot(t) }

func read(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// envTable is one service's configuration from docs/configuration.md: its
// own table and the rows of the common table it reads.
type envTable struct {
	names   map[string]bool
	secrets map[string]bool
}

// has reports whether name is a row, or NAME_FILE of a secret row.
func (e envTable) has(name string) bool {
	if e.names[name] {
		return true
	}
	base, ok := strings.CutSuffix(name, "_FILE")
	return ok && e.secrets[base]
}

var rowRE = regexp.MustCompile("^\\| `(NEWSFLOW_[A-Z0-9_]+)` \\|")

// configSection is the generated table between <!-- env:name --> and
// <!-- /env:name -->.
func configSection(t *testing.T, text, name string) []string {
	t.Helper()
	open, closing := "<!-- env:"+name+" -->", "<!-- /env:"+name+" -->"
	i, j := strings.Index(text, open), strings.Index(text, closing)
	if i < 0 || j < i {
		t.Fatalf("%s has no %s ... %s section", configtest.Page, open, closing)
	}
	return strings.Split(text[i:j], "\n")
}

func (e envTable) add(line string) {
	m := rowRE.FindStringSubmatch(line)
	if m == nil {
		return
	}
	e.names[m[1]] = true
	if strings.Contains(line, "Secret:") {
		e.secrets[m[1]] = true
	}
}

// configTables reads the configuration of every service from
// docs/configuration.md: the common table's rows read by the service (its
// "Read by" column) and the service's own table.
func configTables(t *testing.T) map[string]envTable {
	t.Helper()
	text := string(read(t, configtest.Page))
	common := configSection(t, text, "common")
	out := map[string]envTable{}
	for _, svc := range services {
		tab := envTable{names: map[string]bool{}, secrets: map[string]bool{}}
		for _, line := range common {
			cells := strings.Split(line, " | ")
			if len(cells) < 5 {
				continue
			}
			if who := cells[3]; who == "every service" || slices.Contains(strings.Split(who, ", "), svc) {
				tab.add(line)
			}
		}
		for _, line := range configSection(t, text, svc) {
			tab.add(line)
		}
		if len(tab.names) < 10 {
			t.Fatalf("%s: %s reads %d settings: not the generated tables?", configtest.Page, svc, len(tab.names))
		}
		out[svc] = tab
	}
	return out
}

// k8sDoc is one document of a Kubernetes manifest, decoded lazily.
type k8sDoc struct {
	file     string
	Kind     string `yaml:"kind"`
	Metadata meta   `yaml:"metadata"`
	node     yaml.Node
}

type meta struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func (d k8sDoc) decode(t *testing.T, v any) {
	t.Helper()
	if err := d.node.Decode(v); err != nil {
		t.Fatalf("%s: %s %s: %v", d.file, d.Kind, d.Metadata.Name, err)
	}
}

// manifests reads every YAML document of deploy/k8s (Helm values and the
// kustomization excluded), keyed by kind and name.
func manifests(t *testing.T) map[string]map[string]k8sDoc {
	t.Helper()
	dir := filepath.Join(root(t), "deploy", "k8s")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	out := map[string]map[string]k8sDoc{}
	for _, f := range files {
		base := filepath.Base(f)
		if base == "nats-values.yaml" || base == "kustomization.yaml" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var d k8sDoc
			if err := dec.Decode(&d.node); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				t.Fatalf("%s: %v", base, err)
			}
			if err := d.node.Decode(&d); err != nil {
				t.Fatalf("%s: %v", base, err)
			}
			d.file = base
			if d.Kind == "" || d.Metadata.Name == "" {
				t.Fatalf("%s: a document without kind or name", base)
			}
			if out[d.Kind] == nil {
				out[d.Kind] = map[string]k8sDoc{}
			}
			if _, dup := out[d.Kind][d.Metadata.Name]; dup {
				t.Fatalf("%s: %s %s defined twice", base, d.Kind, d.Metadata.Name)
			}
			out[d.Kind][d.Metadata.Name] = d
		}
	}
	return out
}

// addrPort is the port of a listen address such as ":8080".
func addrPort(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("listen address %q: %v", addr, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("listen address %q: %v", addr, err)
	}
	return n
}

// urlPorts returns host:port of each URL in a comma-separated list.
func urlHosts(t *testing.T, list string) []string {
	t.Helper()
	var out []string
	for _, u := range strings.Split(list, ",") {
		_, hostPort, ok := strings.Cut(strings.TrimSpace(u), "://")
		if !ok {
			t.Fatalf("URL %q has no scheme", u)
		}
		out = append(out, hostPort)
	}
	return out
}

func TestConfigTablesParse(t *testing.T) {
	tabs := configTables(t)
	for _, svc := range services {
		for _, common := range []string{"NEWSFLOW_NATS_URL", "NEWSFLOW_HTTP_ADDR", "NEWSFLOW_STREAM_REPLICAS"} {
			if !tabs[svc].names[common] {
				t.Errorf("%s: %s lacks %s", configtest.Page, svc, common)
			}
		}
		if !tabs[svc].has("NEWSFLOW_NATS_TOKEN_FILE") {
			t.Errorf("%s: %s: NEWSFLOW_NATS_TOKEN is not marked secret", configtest.Page, svc)
		}
	}
	if tabs[schema.StageFetcher].names["NEWSFLOW_CONCURRENCY"] {
		t.Errorf("the fetcher has no NEWSFLOW_CONCURRENCY; the table parser mixes sections")
	}
}
