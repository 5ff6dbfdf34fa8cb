package httpx

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// guard decides which addresses the client may connect to. It runs in the
// dialer's Control hook, after DNS resolution, so a name that resolves (or
// re-resolves) to an internal address is refused at the socket it would use.
type guard struct {
	allowLoopback bool
	allowPrivate  bool
}

var (
	// Always refused: cloud metadata endpoints, whatever else is allowed.
	metadataAddrs = []netip.Addr{
		netip.MustParseAddr("169.254.169.254"),
		netip.MustParseAddr("fd00:ec2::254"),
	}
	loopbackPrefixes = []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("::1/128"),
	}
	privatePrefixes = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("100.64.0.0/10"), // CGNAT
		netip.MustParsePrefix("fc00::/7"),      // unique local
	}
	// Never reachable on the public internet, or link-scoped.
	reservedPrefixes = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("169.254.0.0/16"), // link-local
		netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
		netip.MustParsePrefix("192.0.2.0/24"),   // documentation
		netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("224.0.0.0/4"), // multicast
		netip.MustParsePrefix("240.0.0.0/4"), // reserved and broadcast
		netip.MustParsePrefix("::/128"),
		netip.MustParsePrefix("fe80::/10"), // link-local
		netip.MustParsePrefix("ff00::/8"),  // multicast
		netip.MustParsePrefix("2001:db8::/32"),
	}
	// IPv6 ranges that embed an IPv4 address, checked again as IPv4.
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// check returns an error wrapping ErrBlockedAddress if ip may not be dialled.
func (g guard) check(ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrBlockedAddress)
	}
	for _, m := range metadataAddrs {
		if ip == m {
			return fmt.Errorf("%w: %s is a metadata endpoint", ErrBlockedAddress, ip)
		}
	}
	if ip.Is6() {
		raw := ip.As16()
		switch {
		case nat64Prefix.Contains(ip):
			return g.check(netip.AddrFrom4([4]byte(raw[12:16])))
		case sixToFour.Contains(ip):
			return g.check(netip.AddrFrom4([4]byte(raw[2:6])))
		}
	}
	for _, p := range reservedPrefixes {
		if p.Contains(ip) {
			return fmt.Errorf("%w: %s is reserved", ErrBlockedAddress, ip)
		}
	}
	for _, p := range loopbackPrefixes {
		if p.Contains(ip) {
			if g.allowLoopback {
				return nil
			}
			return fmt.Errorf("%w: %s is loopback", ErrBlockedAddress, ip)
		}
	}
	for _, p := range privatePrefixes {
		if p.Contains(ip) {
			if g.allowPrivate {
				return nil
			}
			return fmt.Errorf("%w: %s is private", ErrBlockedAddress, ip)
		}
	}
	return nil
}

// control is a net.Dialer.Control hook: address is the resolved ip:port the
// socket is about to connect to.
func (g guard) control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q: %w", ErrBlockedAddress, address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an ip address", ErrBlockedAddress, host)
	}
	return g.check(ip)
}

// checkLiteral refuses a URL host that is itself a blocked IP literal. It runs
// before any request so that a Base round tripper (replay, recording) that
// never dials still gets the guard for literal addresses.
func (g guard) checkLiteral(host string) error {
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return nil // a name: checked at dial time
	}
	return g.check(ip)
}
