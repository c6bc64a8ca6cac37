package proxy

import "github.com/sessctl/sessctl/providers/internal/hostcanon"

// hostKind says what a canonical host is.
type hostKind = hostcanon.Kind

const (
	hostName = hostcanon.Name // a DNS name (possibly punycode)
	hostIPv4 = hostcanon.IPv4 // dotted quad
	hostIPv6 = hostcanon.IPv6 // bracketed, compressed, lower-case hex
)

// canonHost canonicalizes a URL host the way GURL does (hostcanon,
// url/url_canon_host.cc); ok is false for a host GURL rejects.
func canonHost(h string) (canon string, kind hostKind, ok bool) {
	c, ok := hostcanon.Canonicalize(h)
	return c.Text, c.Kind, ok
}
