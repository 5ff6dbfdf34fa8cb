package orchestrate

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/newsflow/newsflow/pkg/service/embedded"
)

// RestartNATS shuts the embedded server down, waits down, and starts it
// again on the same port with the same store, as after a crash of the
// machine's NATS: the services lose their connection, retry, and carry on
// from what the store kept.
func (p *Pipeline) RestartNATS(down time.Duration) error {
	if p.Server == nil {
		return errors.New("orchestrate: restart NATS: no embedded server (external or cluster)")
	}
	addr, ok := p.Server.Addr().(*net.TCPAddr)
	if !ok {
		return errors.New("orchestrate: restart NATS: the server has no TCP address")
	}
	embedded.Stop(p.Server)
	p.Server = nil
	time.Sleep(down)
	// The same options as StartNATS, so the store is found again.
	p.markNATSLog()
	s, err := embedded.Start(p.embeddedOptions(addr.Port))
	if err != nil {
		return fmt.Errorf("orchestrate: restart NATS: %w", err)
	}
	p.Server = s
	return nil
}
