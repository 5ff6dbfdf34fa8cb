package deploycheck

import (
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"go.yaml.in/yaml/v3"
)

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build struct {
		Context    string            `yaml:"context"`
		Dockerfile string            `yaml:"dockerfile"`
		Args       map[string]string `yaml:"args"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	Expose      []string          `yaml:"expose"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Deploy struct {
		Replicas *int `yaml:"replicas"`
	} `yaml:"deploy"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	var c composeFile
	if err := yaml.Unmarshal(read(t, "deploy/compose.yaml"), &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return c
}

// natsNodes are the compose services running nats-server.
func (c composeFile) natsNodes() []string {
	var out []string
	for name, s := range c.Services {
		if strings.HasPrefix(s.Image, "nats:") {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func TestComposeServices(t *testing.T) {
	c := readCompose(t)
	tabs := configTables(t)
	nodes := c.natsNodes()
	if len(nodes) != 3 {
		t.Fatalf("compose: %d NATS nodes %v, want 3", len(nodes), nodes)
	}
	for _, svc := range services {
		t.Run(svc, func(t *testing.T) {
			s, ok := c.Services[svc]
			if !ok {
				t.Fatalf("compose has no service %s", svc)
			}
			if s.Build.Dockerfile != "deploy/Dockerfile" || s.Build.Args["SVC"] != svc {
				t.Errorf("build: dockerfile %q, SVC %q: want deploy/Dockerfile and SVC=%s", s.Build.Dockerfile, s.Build.Args["SVC"], svc)
			}
			if s.Deploy.Replicas == nil || *s.Deploy.Replicas < 1 {
				t.Errorf("no replica count (deploy.replicas)")
			}
			if len(s.Environment) == 0 {
				t.Fatalf("no environment")
			}
			for name := range s.Environment {
				if !strings.HasPrefix(name, "NEWSFLOW_") {
					t.Errorf("environment %s: services are configured only through NEWSFLOW_* variables", name)
				} else if !tabs[svc].has(name) {
					t.Errorf("environment %s is not in the docs/configuration.md tables of %s", name, svc)
				}
			}
			env := s.Environment
			var got []string
			for _, hp := range urlHosts(t, env["NEWSFLOW_NATS_URL"]) {
				host, port, _ := strings.Cut(hp, ":")
				if port != "4222" {
					t.Errorf("NEWSFLOW_NATS_URL %s: port %s, want 4222 (cluster.conf listen)", hp, port)
				}
				got = append(got, host)
			}
			slices.Sort(got)
			if !slices.Equal(got, nodes) {
				t.Errorf("NEWSFLOW_NATS_URL names %v, want every NATS node %v", got, nodes)
			}
			if env["NEWSFLOW_STREAM_REPLICAS"] != strconv.Itoa(len(nodes)) {
				t.Errorf("NEWSFLOW_STREAM_REPLICAS=%q, want %d (one copy per node)", env["NEWSFLOW_STREAM_REPLICAS"], len(nodes))
			}
			port := strconv.Itoa(addrPort(t, env["NEWSFLOW_HTTP_ADDR"]))
			if !slices.Contains(s.Expose, port) {
				t.Errorf("expose %v lacks %s, the port of NEWSFLOW_HTTP_ADDR", s.Expose, port)
			}
			for _, p := range s.Ports {
				if _, container, _ := strings.Cut(p, ":"); container != port {
					t.Errorf("port mapping %q: container side is not %s", p, port)
				}
			}
			for _, n := range nodes {
				if s.DependsOn[n].Condition != "service_healthy" {
					t.Errorf("does not wait for %s to be healthy", n)
				}
			}
		})
	}

	// The sink writes to the compose PostgreSQL with its user and database.
	pg, ok := c.Services["postgres"]
	if !ok {
		t.Fatal("compose has no postgres service")
	}
	dsn, err := url.Parse(interpolate(c.Services["sink"].Environment["NEWSFLOW_SINK_DB"]))
	if err != nil || dsn.Scheme != "postgres" {
		t.Fatalf("sink NEWSFLOW_SINK_DB: want a postgres:// URL (%v)", err)
	}
	if dsn.Hostname() != "postgres" || dsn.User.Username() != pg.Environment["POSTGRES_USER"] ||
		strings.TrimPrefix(dsn.Path, "/") != pg.Environment["POSTGRES_DB"] {
		t.Errorf("sink NEWSFLOW_SINK_DB %s does not match the postgres service (user %s, db %s)",
			dsn.Redacted(), pg.Environment["POSTGRES_USER"], pg.Environment["POSTGRES_DB"])
	}
	if c.Services["sink"].DependsOn["postgres"].Condition != "service_healthy" {
		t.Errorf("the sink does not wait for postgres")
	}
}

var interpolationRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}`)

// interpolate replaces compose's ${VAR:-default} with the default, as
// compose does with VAR unset.
func interpolate(s string) string {
	return interpolationRE.ReplaceAllString(s, "$2")
}

// TestComposeNATSCluster checks the three nodes against cluster.conf, parsed
// by the nats-server the project embeds: JetStream on, the server name from
// the node's environment, routes to exactly the compose nodes, and the
// ports the services and the health check use.
func TestComposeNATSCluster(t *testing.T) {
	c := readCompose(t)
	nodes := c.natsNodes()
	conf := filepath.Join(root(t), "deploy", "nats", "cluster.conf")
	for _, n := range nodes {
		t.Run(n, func(t *testing.T) {
			s := c.Services[n]
			if !slices.Contains(s.Volumes, "./nats/cluster.conf:/etc/nats/cluster.conf:ro") ||
				!slices.Equal(s.Command, []string{"-c", "/etc/nats/cluster.conf"}) {
				t.Errorf("does not run with nats/cluster.conf: command %v, volumes %v", s.Command, s.Volumes)
			}
			if !slices.Contains(s.Volumes, n+":/data") {
				t.Errorf("no volume of its own on /data (the JetStream store): %v", s.Volumes)
			}
			t.Setenv("NATS_SERVER_NAME", s.Environment["NATS_SERVER_NAME"])
			o, err := server.ProcessConfigFile(conf)
			if err != nil {
				t.Fatalf("cluster.conf: %v", err)
			}
			if o.ServerName != n {
				t.Errorf("server_name %q, want %q", o.ServerName, n)
			}
			if !o.JetStream || !strings.HasPrefix(o.StoreDir, "/data") {
				t.Errorf("JetStream %v, store %q: want JetStream on the /data volume", o.JetStream, o.StoreDir)
			}
			if o.Port != 4222 || o.HTTPPort != 8222 || o.Cluster.Port != 6222 {
				t.Errorf("ports client %d, monitor %d, cluster %d: want 4222, 8222, 6222", o.Port, o.HTTPPort, o.Cluster.Port)
			}
			var routes []string
			for _, r := range o.Routes {
				if r.Port() != strconv.Itoa(o.Cluster.Port) {
					t.Errorf("route %s: port is not the cluster port", r)
				}
				routes = append(routes, r.Hostname())
			}
			slices.Sort(routes)
			if !slices.Equal(routes, nodes) {
				t.Errorf("routes %v, want %v", routes, nodes)
			}
			if hc := strings.Join(s.Healthcheck.Test, " "); !strings.Contains(hc, ":"+strconv.Itoa(o.HTTPPort)+"/healthz") {
				t.Errorf("health check %q does not ask the monitor port %d", hc, o.HTTPPort)
			}
		})
	}
}
