// Package embedded runs a nats-server with JetStream inside the process: the
// default of `make run` and of most tests, so that nothing depends on an
// external server and nothing collides with a server on port 4222.
package embedded

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Options for the embedded server.
type Options struct {
	// StoreDir holds the JetStream store; it survives restarts.
	StoreDir string
	// Host defaults to 127.0.0.1; Port 0 or -1 picks a free port.
	Host string
	Port int
	// ServerName names the server in logs and cluster routes.
	ServerName string
	// MaxPayload overrides the 1 MB default when positive.
	MaxPayload int32
	// Logging sends the server's own log to stderr, or to LogFile when set
	// (then Logging is implied).
	Logging bool
	LogFile string
}

// Start launches the server and waits until it accepts clients.
func Start(o Options) (*server.Server, error) {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	port := o.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	if err := writableDir(o.StoreDir); err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName: o.ServerName,
		Host:       o.Host,
		Port:       port,
		JetStream:  true,
		StoreDir:   o.StoreDir,
		NoSigs:     true,
		MaxPayload: o.MaxPayload,
		LogFile:    o.LogFile,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded: new server: %w", err)
	}
	if o.Logging || o.LogFile != "" {
		s.ConfigureLogger()
	}
	go s.Start()
	if !s.ReadyForConnections(15 * time.Second) {
		s.Shutdown()
		where := "its log"
		if o.LogFile != "" {
			where = o.LogFile
		}
		return nil, fmt.Errorf("embedded: server not ready after 15s (store %s); see %s", o.StoreDir, where)
	}
	return s, nil
}

// writableDir makes sure JetStream can write its store: the server would
// otherwise fail to enable JetStream and only time out waiting to be ready.
func writableDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("embedded: store directory %s cannot be created: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		if errors.Is(err, syscall.EROFS) {
			return fmt.Errorf("embedded: store directory %s is on a read-only file system: %w", dir, err)
		}
		return fmt.Errorf("embedded: store directory %s is not writable (read-only?): %w", dir, err)
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return nil
}

// Stop shuts the server down and waits for it.
func Stop(s *server.Server) {
	if s == nil {
		return
	}
	s.Shutdown()
	s.WaitForShutdown()
}
