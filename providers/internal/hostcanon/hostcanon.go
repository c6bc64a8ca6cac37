// Package hostcanon is sessctl's one definition of host canonicalisation:
// how Chromium's URL library (url/url_canon_host.cc, url_canon_ip.cc,
// url_idna_icu.cc) and net/base/ip_address.cc turn the host of a URL, a
// proxy server or an IP literal into the text the browser compares. The
// proxy, PAC, permission and certificate providers all call it; nothing
// else in the tree formats IPv6 addresses or converts names to punycode.
//
// Every function accepts any input, including invalid UTF-8, and reports
// failure instead of panicking: hosts come from untrusted configuration.
package hostcanon

import (
	"net/netip"
	"strings"
)

// Kind says what a canonical host is (url::CanonHostInfo::Family without
// NEUTRAL/BROKEN: a failure is reported separately).
type Kind uint8

const (
	Name Kind = iota // a DNS name, possibly with punycode labels
	IPv4             // a dotted quad
	IPv6             // a bracketed, compressed, lower-case hex address
)

func (k Kind) String() string {
	switch k {
	case IPv4:
		return "IPv4"
	case IPv6:
		return "IPv6"
	}
	return "name"
}

// Host is a canonical URL host.
type Host struct {
	// Text is the host as GURL prints it: lower-case ASCII, punycode for
	// non-ASCII labels, a dotted quad for IPv4, "[...]" for IPv6.
	Text string
	Kind Kind
	// Addr is the address of an IPv4 or IPv6 host (IPv4 as a 4-byte
	// address); the zero Addr for a name.
	Addr netip.Addr
}

// Canonicalize canonicalises a URL host as url::CanonicalizeHost does
// (url/url_canon_host.cc DoHost): percent-escapes are decoded, a name with
// non-ASCII characters goes through IDNA (ToASCII), ASCII letters are
// lower-cased, a host whose last label is a number must be an IPv4 address
// in any of the numeric forms GURL accepts and is rewritten as a dotted
// quad, and a bracketed IPv6 literal is rewritten in its compressed form.
// ok is false for a host GURL rejects (a BROKEN host).
//
// The common case, an already canonical lower-case name, returns the input
// without allocating.
//
// Two GURL behaviours are deliberately not reproduced: a space (or a
// character that maps to one) makes the host invalid, as the URL Standard
// and Chromium's kDisallowSpaceCharacterInURLHostParsing feature say,
// whereas Chromium 156 without that feature escapes it as "%20"; and
// Unicode data are those of golang.org/x/net/idna (see ToASCII).
func Canonicalize(h string) (Host, bool) {
	if h == "" {
		return Host{}, false
	}
	if h[0] == '[' {
		if len(h) < 2 || h[len(h)-1] != ']' {
			return Host{}, false
		}
		a, ok := ParseIPv6(h[1 : len(h)-1])
		if !ok {
			return Host{}, false
		}
		return Host{Text: "[" + FormatIPv6(a) + "]", Kind: IPv6, Addr: netip.AddrFrom16(a)}, true
	}
	simple, lower := true, true
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
		case c >= 'A' && c <= 'Z':
			lower = false
		default:
			simple = false
		}
	}
	s := h
	if !simple {
		var ok bool
		if s, ok = complexHost(s); !ok {
			return Host{}, false
		}
	} else if !lower {
		s = strings.ToLower(s)
	}
	if EndsInNumber(s) {
		v4, ok := ParseIPv4(s)
		if !ok {
			return Host{}, false
		}
		a := netip.AddrFrom4(v4)
		if isDottedQuad(s) {
			return Host{Text: s, Kind: IPv4, Addr: a}, true // already canonical
		}
		return Host{Text: FormatIPv4(v4), Kind: IPv4, Addr: a}, true
	}
	return Host{Text: s, Kind: Name}, true
}

// complexHost is DoComplexHost: percent-decoding, IDNA for non-ASCII, then
// the per-character check and lower-casing of DoSimpleHost.
func complexHost(s string) (string, bool) {
	if strings.IndexByte(s, '%') >= 0 {
		s = percentDecode(s)
	}
	if !isASCII(s) {
		out, ok := ToASCII(s)
		if !ok {
			return "", false
		}
		s = out
		if strings.IndexByte(s, '%') >= 0 {
			// IDNA can map characters to '%' (U+FE6A SMALL PERCENT SIGN,
			// U+FF05): DoSimpleHost then decodes the escape it spells
			// ("\ufe6a41.com" is "a.com", url_canon_unittest.cc
			// URLCanonHostTest.Host), and a non-ASCII result is invalid.
			s = percentDecode(s)
			if !isASCII(s) {
				return "", false
			}
		}
	}
	escape := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case forbiddenHostByte(c):
			return "", false
		case c == '*':
			escape = true
		}
	}
	s = strings.ToLower(s)
	if escape {
		// kHostCharLookup marks '*' as valid but escaped ("a*b" is
		// "a%2Ab"; url_canon_unittest.cc "Goo%2a*goo.com").
		s = strings.ReplaceAll(s, "*", "%2A")
	}
	return s, true
}

// forbiddenHostByte reports the bytes GURL refuses in a host: the URL
// Standard's forbidden host code points ('%' included, since escapes have
// been decoded by then) plus controls and space.
func forbiddenHostByte(c byte) bool {
	if c <= 0x20 || c == 0x7f {
		return true
	}
	switch c {
	case '#', '%', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|':
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// percentDecode decodes %XX escapes once; a malformed escape is kept (and
// then rejected as a forbidden '%').
func percentDecode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b.WriteByte(h<<4 | l)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
