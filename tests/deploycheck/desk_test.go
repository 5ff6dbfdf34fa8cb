package deploycheck

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// deskTable is the desk's configuration table, generated into
// docs/configuration.md from services/sink/internal/desk/config.go.
func deskTable(t *testing.T) envTable {
	t.Helper()
	text := string(read(t, "docs/configuration.md"))
	open, closing := "<!-- env:desk -->", "<!-- /env:desk -->"
	i, j := strings.Index(text, open), strings.Index(text, closing)
	if i < 0 || j < i {
		t.Fatalf("docs/configuration.md has no %s ... %s section", open, closing)
	}
	tab := envTable{names: map[string]bool{}, secrets: map[string]bool{}}
	for _, line := range strings.Split(text[i:j], "\n") {
		if m := rowRE.FindStringSubmatch(line); m != nil {
			tab.names[m[1]] = true
		}
	}
	if len(tab.names) < 5 {
		t.Fatalf("the desk's table has %d rows: not the generated table?", len(tab.names))
	}
	return tab
}

// TestK8sDesk: the claim desk runs as its own Deployment (`sink serve` from
// the sink's image), with probes and metrics on NEWSFLOW_DESK_ADDR, a
// PodDisruptionBudget, a Service for the page, and a dashboard panel.
func TestK8sDesk(t *testing.T) {
	c := readCluster(t)
	tab := deskTable(t)
	name, dep := c.deploymentFor(t, "desk")
	pod := dep.Spec.Template
	if !selects(dep.Spec.Selector.MatchLabels, pod.Metadata.Labels) {
		t.Fatalf("selector %v does not select the pod labels %v", dep.Spec.Selector.MatchLabels, pod.Metadata.Labels)
	}
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Spec.Containers))
	}
	ct := pod.Spec.Containers[0]
	if !strings.Contains(ct.Image, "sink") || !slices.Equal(ct.Args, []string{"serve"}) {
		t.Errorf("image %q args %v: want the sink's image run as `sink serve`", ct.Image, ct.Args)
	}
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas < 2 {
		t.Errorf("%s: want two replicas or more (no KEDA scales it; one would leave the page down in a drain)", name)
	}
	env := c.env(t, ct)
	for k := range env {
		if !tab.has(k) {
			t.Errorf("env %s is not in the desk's table (docs/configuration.md)", k)
		}
	}
	if env["NEWSFLOW_DESK_DB"] == "" {
		t.Errorf("NEWSFLOW_DESK_DB is not set: the desk would read a SQLite file of its own")
	}
	port := addrPort(t, env["NEWSFLOW_DESK_ADDR"])
	if len(ct.Ports) != 1 || ct.Ports[0].ContainerPort != port {
		t.Errorf("container ports %+v, want the one port of NEWSFLOW_DESK_ADDR (%d)", ct.Ports, port)
	}
	for _, p := range []struct {
		name, path string
		probe      *probe
	}{{"liveness", "/healthz", ct.LivenessProbe}, {"readiness", "/readyz", ct.ReadinessProbe}, {"startup", "/healthz", ct.StartupProbe}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("no HTTP %s probe", p.name)
			continue
		}
		if p.probe.HTTPGet.Path != p.path || portNumber(t, ct, p.probe.HTTPGet.Port) != port {
			t.Errorf("%s probe on %s port %v, want %s on %d", p.name, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port, p.path, port)
		}
	}
	ann := pod.Metadata.Annotations
	if ann["prometheus.io/scrape"] != "true" || ann["prometheus.io/port"] != strconv.Itoa(port) || ann["prometheus.io/path"] != "/metrics" {
		t.Errorf("prometheus annotations %v: want scrape of /metrics on %d", ann, port)
	}
	for _, kind := range []string{"cpu", "memory"} {
		if ct.Resources.Requests[kind] == "" || ct.Resources.Limits[kind] == "" {
			t.Errorf("resources: %s request or limit missing", kind)
		}
	}
	if !pod.Spec.SecurityContext.RunAsNonRoot || pod.Spec.SecurityContext.RunAsUser == 0 ||
		!ct.SecurityContext.ReadOnlyRootFilesystem || ct.SecurityContext.AllowPrivilegeEscalation {
		t.Errorf("security context: want non-root, read-only root file system, no privilege escalation")
	}
	if d, err := parseSeconds(env["NEWSFLOW_SHUTDOWN_TIMEOUT"]); err != nil || pod.Spec.TerminationGracePeriodSeconds <= d {
		t.Errorf("terminationGracePeriodSeconds %d must exceed NEWSFLOW_SHUTDOWN_TIMEOUT %q",
			pod.Spec.TerminationGracePeriodSeconds, env["NEWSFLOW_SHUTDOWN_TIMEOUT"])
	}
	for so, d := range c.docs["ScaledObject"] {
		var s scaledObject
		d.decode(t, &s)
		if s.Spec.ScaleTargetRef.Name == name {
			t.Errorf("ScaledObject %s scales the desk, which consumes no stream", so)
		}
	}

	var budgets []string
	for pname, d := range c.docs["PodDisruptionBudget"] {
		var b pdb
		d.decode(t, &b)
		if selects(b.Spec.Selector.MatchLabels, pod.Metadata.Labels) {
			budgets = append(budgets, pname)
			if b.Spec.MinAvailable == nil && b.Spec.MaxUnavailable == nil {
				t.Errorf("PodDisruptionBudget %s sets neither minAvailable nor maxUnavailable", pname)
			}
		}
	}
	if len(budgets) != 1 {
		t.Errorf("PodDisruptionBudgets selecting the desk's pods: %v, want one", budgets)
	}

	var services []string
	for sname, d := range c.docs["Service"] {
		var s struct {
			Spec struct {
				Selector map[string]string `yaml:"selector"`
				Ports    []struct {
					TargetPort any `yaml:"targetPort"`
				} `yaml:"ports"`
			} `yaml:"spec"`
		}
		d.decode(t, &s)
		if selects(s.Spec.Selector, pod.Metadata.Labels) {
			services = append(services, sname)
			if len(s.Spec.Ports) != 1 || portNumber(t, ct, s.Spec.Ports[0].TargetPort) != port {
				t.Errorf("Service %s does not target the desk's port %d", sname, port)
			}
		}
	}
	if len(services) != 1 {
		t.Errorf("Services selecting the desk's pods: %v, want one (the page)", services)
	}

	var d dashboard
	if err := json.Unmarshal(read(t, "deploy/k8s/grafana-dashboard.json"), &d); err != nil {
		t.Fatal(err)
	}
	shown := false
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			shown = shown || regexp.MustCompile(`\bnewsflow_desk_ledger_`).MatchString(tg.Expr)
		}
	}
	if !shown {
		t.Errorf("no dashboard panel shows the desk's ledger (newsflow_desk_ledger_*)")
	}
}

// TestComposeDesk: compose runs the desk beside the sink, as `sink serve`
// on the sink's database, with its page on the host.
func TestComposeDesk(t *testing.T) {
	c := readCompose(t)
	tab := deskTable(t)
	s, ok := c.Services["desk"]
	if !ok {
		t.Fatal("compose has no service desk")
	}
	if s.Build.Args["SVC"] != "sink" || !slices.Equal(s.Command, []string{"serve"}) {
		t.Errorf("desk: build SVC %q, command %v: want the sink's image run as serve", s.Build.Args["SVC"], s.Command)
	}
	for k := range s.Environment {
		if !tab.has(k) {
			t.Errorf("environment %s is not in the desk's table", k)
		}
	}
	if db, sinkDB := s.Environment["NEWSFLOW_DESK_DB"], c.Services["sink"].Environment["NEWSFLOW_SINK_DB"]; db == "" || db != sinkDB {
		t.Errorf("NEWSFLOW_DESK_DB %q, want the sink's database %q", db, sinkDB)
	}
	port := strconv.Itoa(addrPort(t, s.Environment["NEWSFLOW_DESK_ADDR"]))
	if !slices.ContainsFunc(s.Ports, func(p string) bool { return strings.HasSuffix(p, ":"+port) }) {
		t.Errorf("ports %v do not publish the desk's port %s", s.Ports, port)
	}
	for _, p := range c.Services["sink"].Ports {
		t.Errorf("the sink publishes %s: the page and the API are the desk's now", p)
	}
}
