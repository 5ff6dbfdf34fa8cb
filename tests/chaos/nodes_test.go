package chaos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/service/testkit"
)

// nodeEnv carries a nodeSpec to a child process that runs one node.
const nodeEnv = "NEWSFLOW_CHAOS_NATS_NODE"

// nodeSpec is one node of a process cluster.
type nodeSpec struct {
	Name        string   `json:"name"`
	Port        int      `json:"port"`
	ClusterPort int      `json:"cluster_port"`
	Routes      []string `json:"routes"`
	Dir         string   `json:"dir"`
}

// runNode runs a cluster node until SIGTERM (or SIGKILL, which is the
// point).
func runNode(spec string) int {
	var n nodeSpec
	if err := json.Unmarshal([]byte(spec), &n); err != nil {
		fmt.Fprintln(os.Stderr, "node:", err)
		return 1
	}
	var routes []*url.URL
	for _, r := range n.Routes {
		u, err := url.Parse(r)
		if err != nil {
			fmt.Fprintln(os.Stderr, "node:", err)
			return 1
		}
		routes = append(routes, u)
	}
	s, err := server.NewServer(&server.Options{
		ServerName: n.Name, Host: "127.0.0.1", Port: n.Port, NoSigs: true,
		JetStream: true, StoreDir: n.Dir,
		Cluster: server.ClusterOpts{Name: "newsflow-chaos", Host: "127.0.0.1", Port: n.ClusterPort},
		Routes:  routes,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "node:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		fmt.Fprintln(os.Stderr, "node: not ready")
		return 1
	}
	<-ctx.Done()
	s.Shutdown()
	s.WaitForShutdown()
	return 0
}

// procCluster is a JetStream cluster of node processes on loopback.
type procCluster struct {
	t     *testing.T
	specs []nodeSpec
	cmds  []*exec.Cmd
}

// startProcCluster starts n nodes and waits for a JetStream meta leader.
func startProcCluster(t *testing.T, n int) *procCluster {
	t.Helper()
	c := &procCluster{t: t}
	dir := t.TempDir()
	var routes []string
	ports := make([]int, 2*n)
	for i := range ports {
		ports[i] = testkit.FreePort(t)
	}
	for i := 0; i < n; i++ {
		routes = append(routes, "nats-route://127.0.0.1:"+strconv.Itoa(ports[n+i]))
	}
	for i := 0; i < n; i++ {
		name := "node-" + strconv.Itoa(i+1)
		c.specs = append(c.specs, nodeSpec{Name: name, Port: ports[i], ClusterPort: ports[n+i], Routes: routes, Dir: filepath.Join(dir, name)})
		c.cmds = append(c.cmds, nil)
	}
	for i := range c.specs {
		c.start(i)
	}
	t.Cleanup(func() {
		for i := range c.cmds {
			c.stop(i, syscall.SIGTERM)
		}
	})
	nc, err := nats.Connect(c.URLs())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := js.AccountInfo(ctx)
		cancel()
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("process cluster: no JetStream after 30s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// URLs is the client URL list of every node.
func (c *procCluster) URLs() string {
	var us []string
	for _, s := range c.specs {
		us = append(us, "nats://127.0.0.1:"+strconv.Itoa(s.Port))
	}
	return strings.Join(us, ",")
}

// index returns the node with the given server name.
func (c *procCluster) index(name string) int {
	c.t.Helper()
	for i, s := range c.specs {
		if s.Name == name {
			return i
		}
	}
	c.t.Fatalf("no node named %q", name)
	return -1
}

// start (re)starts node i on its ports and store, and waits for its
// client port.
func (c *procCluster) start(i int) {
	c.t.Helper()
	spec, err := json.Marshal(c.specs[i])
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), nodeEnv+"="+string(spec))
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.cmds[i] = cmd
	addr := "127.0.0.1:" + strconv.Itoa(c.specs[i].Port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = conn.Close()
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("node %s not listening: %v", c.specs[i].Name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends sig to node i and waits for it to exit.
func (c *procCluster) stop(i int, sig syscall.Signal) {
	if cmd := c.cmds[i]; cmd != nil {
		_ = cmd.Process.Signal(sig)
		_ = cmd.Wait()
		c.cmds[i] = nil
	}
}
