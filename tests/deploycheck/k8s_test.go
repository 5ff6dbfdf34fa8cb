package deploycheck

import (
	"cmp"
	"fmt"
	"maps"
	"path"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type deployment struct {
	Spec struct {
		Replicas *int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata meta `yaml:"metadata"`
			Spec     struct {
				TerminationGracePeriodSeconds int `yaml:"terminationGracePeriodSeconds"`
				SecurityContext               struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
					RunAsUser    int  `yaml:"runAsUser"`
				} `yaml:"securityContext"`
				Containers []container `yaml:"containers"`
				Volumes    []struct {
					Name      string `yaml:"name"`
					ConfigMap *struct {
						Name string `yaml:"name"`
					} `yaml:"configMap"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef    *keyRef `yaml:"secretKeyRef"`
			ConfigMapKeyRef *keyRef `yaml:"configMapKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	StartupProbe   *probe `yaml:"startupProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   bool `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation bool `yaml:"allowPrivilegeEscalation"`
	} `yaml:"securityContext"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type keyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

type configData struct {
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
}

type pdb struct {
	Spec struct {
		MinAvailable   any `yaml:"minAvailable"`
		MaxUnavailable any `yaml:"maxUnavailable"`
		Selector       struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
	} `yaml:"spec"`
}

type scaledObject struct {
	Spec struct {
		ScaleTargetRef struct {
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		MinReplicaCount int `yaml:"minReplicaCount"`
		MaxReplicaCount int `yaml:"maxReplicaCount"`
		Triggers        []struct {
			Type     string            `yaml:"type"`
			Metadata map[string]string `yaml:"metadata"`
		} `yaml:"triggers"`
	} `yaml:"spec"`
}

// cluster is deploy/k8s, decoded.
type cluster struct {
	docs    map[string]map[string]k8sDoc
	configs map[string]map[string]string // ConfigMaps
	secrets map[string]map[string]string
}

func readCluster(t *testing.T) cluster {
	t.Helper()
	c := cluster{docs: manifests(t), configs: map[string]map[string]string{}, secrets: map[string]map[string]string{}}
	for name, d := range c.docs["ConfigMap"] {
		var cd configData
		d.decode(t, &cd)
		c.configs[name] = cd.Data
	}
	for name, d := range c.docs["Secret"] {
		var cd configData
		d.decode(t, &cd)
		c.secrets[name] = map[string]string{}
		maps.Copy(c.secrets[name], cd.Data)
		maps.Copy(c.secrets[name], cd.StringData)
	}
	return c
}

// env resolves a container's environment: envFrom ConfigMaps and Secrets,
// then env entries. It fails on a reference to something missing.
func (c cluster) env(t *testing.T, ct container) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, ef := range ct.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			data, ok := c.configs[ef.ConfigMapRef.Name]
			if !ok {
				t.Fatalf("envFrom ConfigMap %s does not exist", ef.ConfigMapRef.Name)
			}
			maps.Copy(out, data)
		case ef.SecretRef != nil:
			data, ok := c.secrets[ef.SecretRef.Name]
			if !ok {
				t.Fatalf("envFrom Secret %s does not exist", ef.SecretRef.Name)
			}
			maps.Copy(out, data)
		}
	}
	for _, e := range ct.Env {
		switch {
		case e.ValueFrom == nil:
			out[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			r := e.ValueFrom.SecretKeyRef
			v, ok := c.secrets[r.Name][r.Key]
			if !ok {
				t.Fatalf("env %s: Secret %s has no key %s", e.Name, r.Name, r.Key)
			}
			out[e.Name] = v
		case e.ValueFrom.ConfigMapKeyRef != nil:
			r := e.ValueFrom.ConfigMapKeyRef
			v, ok := c.configs[r.Name][r.Key]
			if !ok {
				t.Fatalf("env %s: ConfigMap %s has no key %s", e.Name, r.Name, r.Key)
			}
			out[e.Name] = v
		default:
			t.Fatalf("env %s: unsupported valueFrom", e.Name)
		}
	}
	return out
}

// deploymentFor returns the Deployment of a service, by its component label.
func (c cluster) deploymentFor(t *testing.T, svc string) (string, deployment) {
	t.Helper()
	var found []string
	var dep deployment
	for name, d := range c.docs["Deployment"] {
		if d.Metadata.Labels["app.kubernetes.io/component"] == svc {
			found = append(found, name)
			d.decode(t, &dep)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one Deployment with component %s, got %v", svc, found)
	}
	return found[0], dep
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// portNumber resolves a probe or target port (a number or a port name).
func portNumber(t *testing.T, ct container, p any) int {
	t.Helper()
	switch v := p.(type) {
	case int:
		return v
	case string:
		for _, cp := range ct.Ports {
			if cp.Name == v {
				return cp.ContainerPort
			}
		}
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	t.Fatalf("port %v is neither a number nor a named container port", p)
	return 0
}

func TestK8sDeployments(t *testing.T) {
	c := readCluster(t)
	tabs := configTables(t)
	for _, svc := range services {
		t.Run(svc, func(t *testing.T) {
			name, dep := c.deploymentFor(t, svc)
			pod := dep.Spec.Template
			if !selects(dep.Spec.Selector.MatchLabels, pod.Metadata.Labels) {
				t.Fatalf("selector %v does not select the pod labels %v", dep.Spec.Selector.MatchLabels, pod.Metadata.Labels)
			}
			if len(pod.Spec.Containers) != 1 {
				t.Fatalf("%d containers, want 1", len(pod.Spec.Containers))
			}
			ct := pod.Spec.Containers[0]
			if !strings.Contains(ct.Image, svc) {
				t.Errorf("image %q is not the %s image", ct.Image, svc)
			}
			env := c.env(t, ct)
			for k := range env {
				if !strings.HasPrefix(k, "NEWSFLOW_") {
					t.Errorf("env %s: services are configured only through NEWSFLOW_* variables", k)
				} else if !tabs[svc].has(k) {
					t.Errorf("env %s is not in the docs/configuration.md tables of %s", k, svc)
				}
			}

			// Probes and metrics on the port the service listens on.
			port := addrPort(t, env["NEWSFLOW_HTTP_ADDR"])
			if len(ct.Ports) != 1 || ct.Ports[0].ContainerPort != port {
				t.Errorf("container ports %+v, want the one port of NEWSFLOW_HTTP_ADDR (%d)", ct.Ports, port)
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
			shutdown := env["NEWSFLOW_SHUTDOWN_TIMEOUT"]
			if d, err := parseSeconds(shutdown); err != nil || pod.Spec.TerminationGracePeriodSeconds <= d {
				t.Errorf("terminationGracePeriodSeconds %d must exceed NEWSFLOW_SHUTDOWN_TIMEOUT %q, or SIGKILL cuts the drain",
					pod.Spec.TerminationGracePeriodSeconds, shutdown)
			}
			if _, consuming := consumers()[svc]; consuming && dep.Spec.Replicas != nil {
				t.Errorf("replicas is set on %s, which KEDA scales: every apply would reset it", name)
			}

			// Files the service reads come from mounted ConfigMaps.
			if feeds := env["NEWSFLOW_FETCHER_FEEDS"]; feeds != "" {
				checkMounted(t, c, pod.Spec.Volumes, ct, feeds)
			}

			// A PodDisruptionBudget covers the pods.
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
				t.Errorf("PodDisruptionBudgets selecting the pods: %v, want one", budgets)
			}
		})
	}
}

func parseSeconds(d string) (int, error) {
	s, ok := strings.CutSuffix(d, "s")
	if !ok {
		return 0, fmt.Errorf("duration %q: want seconds", d)
	}
	return strconv.Atoi(s)
}

func checkMounted(t *testing.T, c cluster, volumes []struct {
	Name      string `yaml:"name"`
	ConfigMap *struct {
		Name string `yaml:"name"`
	} `yaml:"configMap"`
}, ct container, file string) {
	t.Helper()
	for _, m := range ct.VolumeMounts {
		if path.Dir(file) != path.Clean(m.MountPath) {
			continue
		}
		for _, v := range volumes {
			if v.Name != m.Name || v.ConfigMap == nil {
				continue
			}
			if _, ok := c.configs[v.ConfigMap.Name][path.Base(file)]; !ok {
				t.Errorf("%s: ConfigMap %s has no key %s", file, v.ConfigMap.Name, path.Base(file))
			}
			return
		}
	}
	t.Errorf("%s is not in a mounted ConfigMap", file)
}

// TestK8sKEDA checks one ScaledObject per consuming stage, scaling that
// stage's Deployment on the pending messages of its consumer, with the
// stream and consumer names of pkg/schema, against the NATS monitoring
// endpoint of the Helm release the services connect to.
func TestK8sKEDA(t *testing.T) {
	c := readCluster(t)
	vals := natsValues(t)
	byTarget := map[string]scaledObject{}
	for name, d := range c.docs["ScaledObject"] {
		var so scaledObject
		d.decode(t, &so)
		if _, dup := byTarget[so.Spec.ScaleTargetRef.Name]; dup {
			t.Errorf("two ScaledObjects scale %s", so.Spec.ScaleTargetRef.Name)
		}
		byTarget[so.Spec.ScaleTargetRef.Name] = so
		if _, ok := c.docs["Deployment"][so.Spec.ScaleTargetRef.Name]; !ok {
			t.Errorf("ScaledObject %s scales %s, which is no Deployment", name, so.Spec.ScaleTargetRef.Name)
		}
	}
	common := c.configs["newsflow-common"]
	natsHost := strings.Split(urlHosts(t, common["NEWSFLOW_NATS_URL"])[0], ":")[0]
	release, domain, _ := strings.Cut(natsHost, ".")
	for svc, consumer := range consumers() {
		t.Run(svc, func(t *testing.T) {
			name, dep := c.deploymentFor(t, svc)
			so, ok := byTarget[name]
			if !ok {
				t.Fatalf("no ScaledObject scales %s", name)
			}
			if len(so.Spec.Triggers) != 1 || so.Spec.Triggers[0].Type != "nats-jetstream" {
				t.Fatalf("triggers %+v: want one nats-jetstream trigger", so.Spec.Triggers)
			}
			md := so.Spec.Triggers[0].Metadata
			hop := hopOf(t, consumer)
			if md["stream"] != hop.Stream || md["consumer"] != hop.Consumer {
				t.Errorf("trigger on %s/%s, want %s/%s (pkg/schema)", md["stream"], md["consumer"], hop.Stream, hop.Consumer)
			}
			if n, err := strconv.Atoi(md["lagThreshold"]); err != nil || n <= 0 {
				t.Errorf("lagThreshold %q: want a positive number", md["lagThreshold"])
			}
			wantEndpoint := fmt.Sprintf("%s-headless.%s:%d", release, domain, vals.Config.Monitor.Port)
			if md["natsServerMonitoringEndpoint"] != wantEndpoint {
				t.Errorf("natsServerMonitoringEndpoint %q, want %q (the release's headless service, monitor port)",
					md["natsServerMonitoringEndpoint"], wantEndpoint)
			}
			if so.Spec.MinReplicaCount < 1 || so.Spec.MaxReplicaCount < so.Spec.MinReplicaCount {
				t.Errorf("replicas %d..%d", so.Spec.MinReplicaCount, so.Spec.MaxReplicaCount)
			}
			// MaxAckPending caps the messages in flight for the whole stage.
			env := c.env(t, dep.Spec.Template.Spec.Containers[0])
			conc, _ := strconv.Atoi(env["NEWSFLOW_CONCURRENCY"])
			pending, _ := strconv.Atoi(env["NEWSFLOW_MAX_ACK_PENDING"])
			if batch, _ := strconv.Atoi(env["NEWSFLOW_BATCH"]); batch > conc {
				conc = batch // a replica holds a whole pulled batch
			}
			if conc == 0 || pending == 0 || so.Spec.MaxReplicaCount*conc > pending {
				t.Errorf("maxReplicaCount %d x %d messages held per replica exceeds NEWSFLOW_MAX_ACK_PENDING %d: the last replicas would get nothing",
					so.Spec.MaxReplicaCount, conc, pending)
			}
		})
	}
	if len(byTarget) != len(consumers()) {
		t.Errorf("%d ScaledObjects, want one per consuming stage (%d)", len(byTarget), len(consumers()))
	}
}

type helmValues struct {
	Config struct {
		Cluster struct {
			Enabled  bool `yaml:"enabled"`
			Replicas int  `yaml:"replicas"`
		} `yaml:"cluster"`
		JetStream struct {
			Enabled   bool `yaml:"enabled"`
			FileStore struct {
				Enabled bool `yaml:"enabled"`
				PVC     struct {
					Enabled bool   `yaml:"enabled"`
					Size    string `yaml:"size"`
				} `yaml:"pvc"`
			} `yaml:"fileStore"`
			MemoryStore struct {
				Enabled bool `yaml:"enabled"`
			} `yaml:"memoryStore"`
		} `yaml:"jetstream"`
		NATS struct {
			Port int `yaml:"port"`
		} `yaml:"nats"`
		Monitor struct {
			Enabled bool `yaml:"enabled"`
			Port    int  `yaml:"port"`
		} `yaml:"monitor"`
		Merge map[string]any `yaml:"merge"`
	} `yaml:"config"`
	Container struct {
		// A plain value or {valueFrom: ...}.
		Env map[string]yaml.Node `yaml:"env"`
	} `yaml:"container"`
}

func natsValues(t *testing.T) helmValues {
	t.Helper()
	var v helmValues
	if err := yaml.Unmarshal(read(t, "deploy/k8s/nats-values.yaml"), &v); err != nil {
		t.Fatalf("nats-values.yaml: %v", err)
	}
	return v
}

// TestK8sNATSValues checks the Helm values against what the services
// expect: three nodes with JetStream on file storage, streams declared
// with three replicas, the client port in NEWSFLOW_NATS_URL, and the token
// the services send from the Secret they read it from.
func TestK8sNATSValues(t *testing.T) {
	v := natsValues(t)
	c := readCluster(t)
	cfg := v.Config
	if !cfg.Cluster.Enabled || cfg.Cluster.Replicas != 3 {
		t.Errorf("cluster enabled %v, replicas %d: want a cluster of 3", cfg.Cluster.Enabled, cfg.Cluster.Replicas)
	}
	js := cfg.JetStream
	if !js.Enabled || !js.FileStore.Enabled || !js.FileStore.PVC.Enabled || js.FileStore.PVC.Size == "" || js.MemoryStore.Enabled {
		t.Errorf("jetstream %+v: want JetStream on file storage with a PVC, no memory store", js)
	}
	if !cfg.Monitor.Enabled || cfg.Monitor.Port == 0 {
		t.Errorf("monitor %+v: KEDA needs the monitoring endpoint", cfg.Monitor)
	}
	common := c.configs["newsflow-common"]
	if r, _ := strconv.Atoi(common["NEWSFLOW_STREAM_REPLICAS"]); r != cfg.Cluster.Replicas {
		t.Errorf("NEWSFLOW_STREAM_REPLICAS %q, want %d (one copy per node)", common["NEWSFLOW_STREAM_REPLICAS"], cfg.Cluster.Replicas)
	}
	for _, hp := range urlHosts(t, common["NEWSFLOW_NATS_URL"]) {
		if _, port, _ := strings.Cut(hp, ":"); port != strconv.Itoa(cmp.Or(cfg.NATS.Port, 4222)) {
			t.Errorf("NEWSFLOW_NATS_URL %s: port is not the chart's client port %d", hp, cmp.Or(cfg.NATS.Port, 4222))
		}
	}
	auth, _ := cfg.Merge["authorization"].(map[string]any)
	token, _ := auth["token"].(string)
	variable := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(token, "<< $"), ">>"))
	var ev struct {
		ValueFrom *struct {
			SecretKeyRef *keyRef `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	}
	node, ok := v.Container.Env[variable]
	if ok {
		ok = node.Decode(&ev) == nil && ev.ValueFrom != nil && ev.ValueFrom.SecretKeyRef != nil
	}
	if !ok {
		t.Fatalf("authorization token %q: want << $VAR >> with VAR from a secretKeyRef in container.env", token)
	}
	ref := ev.ValueFrom.SecretKeyRef
	if _, ok := c.secrets[ref.Name][ref.Key]; !ok {
		t.Fatalf("the NATS token comes from Secret %s key %s, which does not exist", ref.Name, ref.Key)
	}
	for _, svc := range services {
		_, dep := c.deploymentFor(t, svc)
		found := false
		for _, e := range dep.Spec.Template.Spec.Containers[0].Env {
			if e.Name == "NEWSFLOW_NATS_TOKEN" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && *e.ValueFrom.SecretKeyRef == *ref {
				found = true
			}
		}
		if !found {
			t.Errorf("%s does not send the token the servers check (NEWSFLOW_NATS_TOKEN from %s/%s)", svc, ref.Name, ref.Key)
		}
	}
}
