package embedded

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Cluster is a JetStream cluster of embedded servers on loopback, for tests
// and `make run-cluster`. Each node keeps its store under Dir/<name>, so a
// stopped node restarts with its data.
type Cluster struct {
	Dir     string
	Name    string
	Nodes   []*server.Server
	opts    []*server.Options
	clients []int
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	var ports []int
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("embedded: free port: %w", err)
		}
		ls = append(ls, l)
		p := l.Addr().(*net.TCPAddr).Port
		if p == 4222 || p == 6222 {
			continue
		}
		ports = append(ports, p)
	}
	return ports, nil
}

// StartCluster starts n routed JetStream servers.
func StartCluster(dir string, n int) (*Cluster, error) {
	ports, err := freePorts(2 * n)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, Name: "newsflow"}
	var routes []*url.URL
	for i := 0; i < n; i++ {
		routes = append(routes, &url.URL{Scheme: "nats-route", Host: "127.0.0.1:" + strconv.Itoa(ports[n+i])})
	}
	for i := 0; i < n; i++ {
		name := "nats-" + strconv.Itoa(i+1)
		c.opts = append(c.opts, &server.Options{
			ServerName: name, Host: "127.0.0.1", Port: ports[i],
			JetStream: true, StoreDir: filepath.Join(dir, name), NoSigs: true,
			Cluster: server.ClusterOpts{Name: c.Name, Host: "127.0.0.1", Port: ports[n+i]},
			Routes:  routes,
		})
		c.clients = append(c.clients, ports[i])
		c.Nodes = append(c.Nodes, nil)
	}
	for i := range c.opts {
		if err := c.StartNode(i); err != nil {
			c.Shutdown()
			return nil, err
		}
	}
	if err := c.waitMeta(30 * time.Second); err != nil {
		c.Shutdown()
		return nil, err
	}
	return c, nil
}

// StartNode (re)starts node i with its original options and store.
func (c *Cluster) StartNode(i int) error {
	o := *c.opts[i]
	s, err := server.NewServer(&o)
	if err != nil {
		return fmt.Errorf("embedded: node %s: %w", o.ServerName, err)
	}
	go s.Start()
	if !s.ReadyForConnections(15 * time.Second) {
		s.Shutdown()
		return fmt.Errorf("embedded: node %s not ready", o.ServerName)
	}
	c.Nodes[i] = s
	return nil
}

// StopNode shuts node i down (its store stays).
func (c *Cluster) StopNode(i int) {
	if c.Nodes[i] != nil {
		Stop(c.Nodes[i])
		c.Nodes[i] = nil
	}
}

// waitMeta waits until the JetStream meta group has a leader.
func (c *Cluster) waitMeta(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, s := range c.Nodes {
			if s != nil && s.JetStreamIsLeader() {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("embedded: no JetStream meta leader after %s", timeout)
}

// URLs is the comma-separated client URL list of every node.
func (c *Cluster) URLs() string {
	s := ""
	for i, p := range c.clients {
		if i > 0 {
			s += ","
		}
		s += "nats://127.0.0.1:" + strconv.Itoa(p)
	}
	return s
}

// Shutdown stops every node.
func (c *Cluster) Shutdown() {
	for i := range c.Nodes {
		c.StopNode(i)
	}
}
