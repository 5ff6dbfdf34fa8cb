package deploycheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// dockerfile is deploy/Dockerfile split into instructions (continuations
// joined, comments dropped).
type dockerfile []struct{ op, args string }

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	var out dockerfile
	var cur string
	for _, line := range strings.Split(string(read(t, "deploy/Dockerfile")), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if more, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur += more + " "
			continue
		}
		cur += trimmed
		op, args, _ := strings.Cut(cur, " ")
		out = append(out, struct{ op, args string }{strings.ToUpper(op), strings.TrimSpace(args)})
		cur = ""
	}
	return out
}

// finalStage returns the instructions after the last FROM, and that FROM.
func (d dockerfile) finalStage() (string, dockerfile) {
	last := -1
	for i, in := range d {
		if in.op == "FROM" {
			last = i
		}
	}
	if last < 0 {
		return "", nil
	}
	return d[last].args, d[last+1:]
}

// replaceRE matches a replace directive to a local directory, in the
// one-line form or inside a replace ( ... ) block.
var replaceRE = regexp.MustCompile(`(?m)^\s*(?:replace\s+)?(\S+)(?:\s+\S+)?\s+=>\s+(\.\.?/\S*)\s*$`)

type localReplace struct{ module, dir string }

func localReplaces(gomod string) []localReplace {
	var out []localReplace
	for _, m := range replaceRE.FindAllStringSubmatch(gomod, -1) {
		out = append(out, localReplace{module: m[1], dir: m[2]})
	}
	return out
}

var envPairRE = regexp.MustCompile(`([A-Z_][A-Z0-9_]*)=`)

func TestDockerfileBuildsEveryService(t *testing.T) {
	d := readDockerfile(t)
	text := string(read(t, "deploy/Dockerfile"))
	var argSVC, static, copiesService bool
	var copied []string // directories the build stage copies
	for _, in := range d {
		switch in.op {
		case "ARG":
			if in.args == "SVC" {
				argSVC = true
			}
		case "COPY":
			if strings.HasPrefix(in.args, "--from=") {
				continue
			}
			fields := strings.Fields(in.args)
			for _, src := range fields[:len(fields)-1] {
				copied = append(copied, src)
				if strings.HasPrefix(src, "services/${SVC}") {
					copiesService = true
				}
			}
		case "RUN":
			if strings.Contains(in.args, "go build") && strings.Contains(in.args, "CGO_ENABLED=0") {
				static = true
			}
		}
	}
	if !argSVC || !copiesService {
		t.Errorf("Dockerfile: want ARG SVC and COPY services/${SVC}/ (ARG %v, COPY %v)", argSVC, copiesService)
	}
	if !static {
		t.Errorf("Dockerfile: no RUN with CGO_ENABLED=0 go build")
	}
	from, final := d.finalStage()
	if !strings.Contains(from, "distroless/static") && !strings.HasPrefix(from, "busybox") {
		t.Errorf("Dockerfile: runtime image %q: want distroless/static or busybox", from)
	}
	user := ""
	for _, in := range final {
		if in.op == "USER" {
			user = in.args
		}
	}
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "0" || u == "root" {
		t.Errorf("Dockerfile: runtime USER %q: want a non-root user", user)
	}

	// Every service module builds alone from what the Dockerfile copies:
	// its own directory and the local modules its go.mod replaces.
	for _, svc := range services {
		t.Run(svc, func(t *testing.T) {
			dir := filepath.Join(root(t), "services", svc)
			if _, err := os.Stat(filepath.Join(dir, "main.go")); err != nil {
				t.Fatalf("services/%s/main.go: %v", svc, err)
			}
			gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range localReplaces(string(gomod)) {
				rel := filepath.ToSlash(filepath.Clean(filepath.Join("services", svc, r.dir)))
				found := false
				for _, c := range copied {
					if strings.TrimSuffix(strings.ReplaceAll(c, "${SVC}", svc), "/") == rel {
						found = true
					}
				}
				if !found {
					t.Errorf("services/%s/go.mod replaces %s => %s, which the Dockerfile does not copy", svc, r.module, rel)
				}
			}
		})
	}

	// The image's own environment: names from every table, and the
	// exposed port is the one NEWSFLOW_HTTP_ADDR listens on.
	tabs := configTables(t)
	httpPort := 0
	for _, in := range final {
		if in.op != "ENV" {
			continue
		}
		for _, m := range envPairRE.FindAllStringSubmatch(in.args, -1) {
			for _, svc := range services {
				if !tabs[svc].has(m[1]) {
					t.Errorf("Dockerfile ENV %s is not in the docs/configuration.md tables of %s", m[1], svc)
				}
			}
		}
		if _, v, ok := strings.Cut(in.args, "NEWSFLOW_HTTP_ADDR="); ok {
			httpPort = addrPort(t, strings.Fields(v)[0])
		}
	}
	if httpPort == 0 {
		t.Fatalf("Dockerfile sets no NEWSFLOW_HTTP_ADDR: the default listens on loopback only")
	}
	if !strings.Contains(text, "EXPOSE "+strconv.Itoa(httpPort)) {
		t.Errorf("Dockerfile does not EXPOSE %d, the port of NEWSFLOW_HTTP_ADDR", httpPort)
	}
}

func TestLocalReplaces(t *testing.T) {
	tests := []struct {
		name, gomod string
		want        []localReplace
	}{
		{"one line", "module x\n\nreplace github.com/a/b => ../../pkg/schema\n",
			[]localReplace{{"github.com/a/b", "../../pkg/schema"}}},
		{"versioned, block", "replace (\n\tgithub.com/a/b v1.0.0 => ../b\n\tgithub.com/c/d => github.com/e/d v1.2.0\n)\n",
			[]localReplace{{"github.com/a/b", "../b"}}},
		{"none", "module x\n\nrequire github.com/a/b v1.0.0\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := localReplaces(tc.gomod)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestServicesBuildOutsideWorkspace resolves every service's packages as
// the image build does (GOWORK=off: the service's own go.mod and go.sum,
// the local modules by replace). A dependency added to a shared module
// but missing from a service's go.sum passes every workspace build and
// breaks only that service's image.
func TestServicesBuildOutsideWorkspace(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("the go command is needed: %v", err)
	}
	for _, svc := range services {
		t.Run(svc, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("go", "list", "-deps", "-mod=readonly", ".")
			cmd.Dir = filepath.Join(root(t), "services", svc)
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOWORK=off go list in services/%s: %v\n%s", svc, err, out)
			}
		})
	}
}
