package pac

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"time"
)

// DefaultDNSTimeout bounds each DNS look-up a PAC helper makes with the
// default resolver. PAC scripts that call dnsResolve on every request are
// slow in Chrome too; a short bound keeps bulk predictions usable.
const DefaultDNSTimeout = 2 * time.Second

// HostResolver looks up host names for dnsResolve, dnsResolveEx,
// isResolvable, isResolvableEx and isInNet. network is "ip4" (dnsResolve
// asks for A records only) or "ip" (the Ex variants ask for both families).
// *net.Resolver implements it.
type HostResolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// StaticResolver is a HostResolver backed by a map from host name to
// addresses; names not in the map do not resolve. The key "*" answers for
// any non-empty name not listed (no resolver resolves ""). Tests and the end-to-end harness use it so that PAC
// evaluation never touches the network.
type StaticResolver map[string][]netip.Addr

// LookupNetIP implements HostResolver.
func (m StaticResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	addrs, ok := m[host]
	if !ok && host != "" {
		addrs, ok = m["*"]
	}
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, a := range addrs {
		if network == "ip4" && !a.Is4() {
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no address of the requested family", Name: host, IsNotFound: true}
	}
	return out, nil
}

// IPProbes are the candidate addresses Chromium's myIpAddress() and
// myIpAddressEx() choose from, gathered in the order of
// net/proxy_resolution/pac_library.cc (MyIpAddressImpl::Run).
type IPProbes struct {
	// PublicRoutes: the local address the OS would use to reach 8.8.8.8 and
	// 2001:4860:4860::8888 (a UDP "connect", which sends nothing).
	PublicRoutes []netip.Addr
	// Hostname: the addresses the machine's own host name resolves to.
	Hostname []netip.Addr
	// PrivateRoutes: the local addresses used to reach 10.0.0.0,
	// 172.16.0.0, 192.168.0.0 and fc00::.
	PrivateRoutes []netip.Addr
}

// Env is what a PAC script can observe of the world. The zero value uses
// the system resolver, the machine's addresses and the wall clock.
type Env struct {
	// Resolver answers dnsResolve and friends; nil means net.DefaultResolver,
	// each look-up bounded by DNSTimeout.
	Resolver HostResolver
	// DNSTimeout bounds each look-up; 0 means DefaultDNSTimeout. The call's
	// own deadline applies as well.
	DNSTimeout time.Duration
	// MyIP gathers the candidates for myIpAddress()/myIpAddressEx(); nil
	// probes the machine (see IPProbes).
	MyIP func(ctx context.Context) IPProbes
	// Now is the clock for weekdayRange, dateRange and timeRange; nil means
	// time.Now. Local time is the process's time zone (time.Local), as
	// Chrome uses the machine's.
	Now func() time.Time
	// Alert receives the argument of alert(); nil discards it (Chrome
	// writes it to the net log).
	Alert func(msg string)
}

func (e *Env) resolver() HostResolver {
	if e.Resolver != nil {
		return e.Resolver
	}
	return net.DefaultResolver
}

func (e *Env) dnsTimeout() time.Duration {
	if e.DNSTimeout > 0 {
		return e.DNSTimeout
	}
	return DefaultDNSTimeout
}

// lookup resolves host with the family restriction of op: literals are
// answered without a look-up (Chromium's host resolver does the same), and a
// literal of the wrong family fails like ERR_NAME_NOT_RESOLVED.
func (e *Env) lookup(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if a, err := parseIPLiteral(host); err == nil {
		if network == "ip4" && !a.Is4() {
			return nil, errors.New("IPv6 literal in an IPv4-only look-up")
		}
		return []netip.Addr{a}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.dnsTimeout())
	defer cancel()
	addrs, err := e.resolver().LookupNetIP(ctx, network, host)
	if err != nil {
		return nil, err
	}
	out := addrs[:0:0]
	for _, a := range addrs {
		a = a.WithZone("")
		if a.Is4In6() {
			a = a.Unmap()
		}
		if network == "ip4" && !a.Is4() {
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errors.New("no address")
	}
	return out, nil
}

func (e *Env) myIPProbes(ctx context.Context) IPProbes {
	if e.MyIP != nil {
		return e.MyIP(ctx)
	}
	return systemIPProbes(ctx, e)
}

// systemIPProbes gathers IPProbes from this machine. UDP "connect" only asks
// the kernel for a route; no packet leaves the machine.
func systemIPProbes(ctx context.Context, e *Env) IPProbes {
	route := func(dst string) []netip.Addr {
		c, err := net.Dial("udp", net.JoinHostPort(dst, "80"))
		if err != nil {
			return nil
		}
		defer c.Close()
		if ua, ok := c.LocalAddr().(*net.UDPAddr); ok {
			if a, ok := netip.AddrFromSlice(ua.IP); ok {
				return []netip.Addr{a.Unmap()}
			}
		}
		return nil
	}
	var p IPProbes
	for _, d := range []string{"8.8.8.8", "2001:4860:4860::8888"} {
		p.PublicRoutes = append(p.PublicRoutes, route(d)...)
	}
	if h, err := os.Hostname(); err == nil {
		p.Hostname, _ = e.lookup(ctx, "ip", h)
	}
	for _, d := range []string{"10.0.0.0", "172.16.0.0", "192.168.0.0", "fc00::"} {
		p.PrivateRoutes = append(p.PrivateRoutes, route(d)...)
	}
	return p
}

// selectMyIP applies MyIpAddressImpl's choice (pac_library.cc): loopback
// addresses are ignored, duplicates dropped, link-local addresses kept only
// as a last resort; the stages are tried in order and the search stops after
// the first stage that found a candidate (for myIpAddress, as soon as an IPv4
// candidate is seen). myIpAddress returns one address favouring IPv4;
// myIpAddressEx returns every candidate of the stage, or a single link-local
// address.
func selectMyIP(p IPProbes, ex bool) []netip.Addr {
	seen := map[netip.Addr]bool{}
	var candidates, linkLocal []netip.Addr
	done := false
	add := func(a netip.Addr) {
		if done || a.IsLoopback() || !a.IsValid() {
			return
		}
		if seen[a] {
			return
		}
		seen[a] = true
		if a.IsLinkLocalUnicast() {
			linkLocal = append(linkLocal, a)
			return
		}
		if !ex && a.Is4() {
			done = true
		}
		candidates = append(candidates, a)
	}
	for _, stage := range [][]netip.Addr{p.PublicRoutes, p.Hostname, p.PrivateRoutes} {
		if done {
			break
		}
		for _, a := range stage {
			add(a.Unmap())
		}
		if len(candidates) > 0 {
			done = true
		}
	}
	favourIPv4 := func(l []netip.Addr) []netip.Addr {
		for _, a := range l {
			if a.Is4() {
				return []netip.Addr{a}
			}
		}
		if len(l) > 0 {
			return l[:1]
		}
		return nil
	}
	if len(candidates) > 0 {
		if ex {
			return candidates
		}
		return favourIPv4(candidates)
	}
	return favourIPv4(linkLocal)
}
