package proxy

import (
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// hostKind says what a canonical host is.
type hostKind uint8

const (
	hostName hostKind = iota // a DNS name (possibly punycode)
	hostIPv4                 // dotted quad
	hostIPv6                 // bracketed, compressed, lower-case hex
)

// idnaProfile approximates the UTS #46 processing GURL uses
// (url/url_idna_icu.cc: UIDNA_NONTRANSITIONAL_TO_ASCII with
// CheckBidi and CheckJoiners, without STD3 rules). StrictDomainName(false)
// keeps '_' and other non-STD3 ASCII that Chromium accepts in hosts.
var idnaProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule(), idna.StrictDomainName(false))

// canonHost canonicalizes a URL host the way GURL does
// (url/url_canon_host.cc, url_canon_ip.cc): percent-decoding, IDN to
// punycode, ASCII lower-casing, IPv4 numeric forms (hex, octal, fewer than
// four parts) to a dotted quad, IPv6 to its compressed bracketed form.
// ok is false for a host GURL rejects. The common case (an already
// canonical lower-case name) returns the input without allocating.
func canonHost(h string) (canon string, kind hostKind, ok bool) {
	canon, kind, _, ok = canonHostAddr(h)
	return canon, kind, ok
}

// canonHostAddr is canonHost that also returns the address of an IP host.
func canonHostAddr(h string) (canon string, kind hostKind, ip netip.Addr, ok bool) {
	if h == "" {
		return "", hostName, ip, false
	}
	if h[0] == '[' {
		if len(h) < 2 || h[len(h)-1] != ']' {
			return "", hostName, ip, false
		}
		a, ok := parseIPv6(h[1 : len(h)-1])
		if !ok {
			return "", hostName, ip, false
		}
		return "[" + formatIPv6(a) + "]", hostIPv6, netip.AddrFrom16(a), true
	}
	simple, lower := true, true
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
		case c >= 'A' && c <= 'Z':
			lower = false
		default:
			simple = false
		}
	}
	s := h
	if !simple {
		if strings.IndexByte(s, '%') >= 0 {
			s = percentDecode(s)
		}
		ascii := true
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				ascii = false
				break
			}
		}
		if !ascii {
			out, err := idnaProfile.ToASCII(s)
			if err != nil || out == "" {
				return "", hostName, ip, false
			}
			s = out
		}
		for i := 0; i < len(s); i++ {
			if forbiddenHostByte(s[i]) {
				return "", hostName, ip, false
			}
		}
		s = strings.ToLower(s)
	} else if !lower {
		s = strings.ToLower(s)
	}
	if endsInNumber(s) {
		v4, ok := parseIPv4(s)
		if !ok {
			return "", hostName, ip, false
		}
		ip = netip.AddrFrom4(v4)
		if isDottedQuad(s) {
			return s, hostIPv4, ip, true // already canonical: no allocation
		}
		return formatIPv4(v4), hostIPv4, ip, true
	}
	return s, hostName, ip, true
}

// isDottedQuad reports four decimal parts without leading zeros, the
// canonical IPv4 form (the caller has checked that it parses).
func isDottedQuad(s string) bool {
	parts, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			n := i - start
			if n == 0 || n > 3 || n > 1 && s[start] == '0' {
				return false
			}
			for j := start; j < i; j++ {
				if s[j] < '0' || s[j] > '9' {
					return false
				}
			}
			parts++
			start = i + 1
		}
	}
	return parts == 4
}

// forbiddenHostByte reports the bytes GURL refuses in a host (the URL
// Standard's forbidden host code points plus controls).
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

// percentDecode decodes %XX escapes; malformed escapes are kept (and then
// rejected as a forbidden '%').
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

// endsInNumber implements the URL Standard's "ends in a number" check that
// GURL applies: when the last label (ignoring one trailing dot) is all
// digits or a 0x hex number, the host must parse as IPv4 ("foopy.111" is
// therefore invalid, proxy_string_util_unittest.cc InvalidProxyUriToProxyServer).
func endsInNumber(s string) bool {
	if strings.HasSuffix(s, ".") {
		s = s[:len(s)-1]
	}
	last := s
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		last = s[i+1:]
	}
	if last == "" {
		return false
	}
	allDigits := true
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			allDigits = false
			break
		}
	}
	if allDigits {
		return true
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		for i := 2; i < len(last); i++ {
			if _, ok := unhex(last[i]); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// parseIPv4 parses the numeric IPv4 forms GURL accepts (url_canon_ip.cc
// IPv4AddressToNumber): 1 to 4 dot-separated parts, each decimal, octal
// (leading 0) or hex (0x); the last part fills the remaining bytes. One
// trailing dot is allowed.
func parseIPv4(s string) ([4]byte, bool) {
	var out [4]byte
	if strings.HasSuffix(s, ".") {
		s = s[:len(s)-1]
	}
	if s == "" {
		return out, false
	}
	var parts [4]uint64
	n := 0
	for {
		i := strings.IndexByte(s, '.')
		part := s
		if i >= 0 {
			part = s[:i]
		}
		if n == 4 {
			return out, false
		}
		v, ok := parseIPv4Part(part)
		if !ok {
			return out, false
		}
		parts[n] = v
		n++
		if i < 0 {
			break
		}
		s = s[i+1:]
	}
	for i := 0; i < n-1; i++ {
		if parts[i] > 255 {
			return out, false
		}
	}
	last := parts[n-1]
	if last >= 1<<(8*uint(5-n)) {
		return out, false
	}
	var v uint32
	for i := 0; i < n-1; i++ {
		v |= uint32(parts[i]) << (8 * uint(3-i))
	}
	v |= uint32(last)
	out[0], out[1], out[2], out[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return out, true
}

func parseIPv4Part(p string) (uint64, bool) {
	if p == "" {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		base, p = 16, p[2:]
	case len(p) >= 2 && p[0] == '0':
		base, p = 8, p[1:]
	}
	var v uint64
	for i := 0; i < len(p); i++ {
		d, ok := unhex(p[i])
		if !ok || uint64(d) >= base {
			return 0, false
		}
		v = v*base + uint64(d)
		if v > 1<<32 {
			return 0, false // too large for any position; stop before overflow
		}
	}
	return v, true
}

func formatIPv4(a [4]byte) string {
	var buf [15]byte
	b := buf[:0]
	for i, x := range a {
		if i > 0 {
			b = append(b, '.')
		}
		if x >= 100 {
			b = append(b, '0'+x/100)
		}
		if x >= 10 {
			b = append(b, '0'+x/10%10)
		}
		b = append(b, '0'+x%10)
	}
	return string(b)
}

// parseIPv6 parses an unbracketed IPv6 literal (no zone: '%' is a
// forbidden host code point in GURL).
func parseIPv6(s string) ([16]byte, bool) {
	if s == "" || strings.IndexByte(s, '%') >= 0 || strings.IndexByte(s, ':') < 0 {
		return [16]byte{}, false
	}
	if strings.IndexByte(s, '.') >= 0 {
		// An embedded IPv4 tail must have exactly four parts, each in any
		// numeric form GURL accepts ("[::ffff:0xC0.0Xa8.0x0.0x1]" is valid,
		// "[::ffff:192.1.2]" is not: url_canon_unittest.cc URLCanonTest.IPv6).
		i := strings.LastIndexByte(s, ':')
		tail := s[i+1:]
		if strings.Count(tail, ".") != 3 || strings.HasSuffix(tail, ".") {
			return [16]byte{}, false
		}
		v4, ok := parseIPv4(tail)
		if !ok {
			return [16]byte{}, false
		}
		const hexd = "0123456789abcdef"
		s = s[:i+1] + string([]byte{hexd[v4[0]>>4], hexd[v4[0]&15], hexd[v4[1]>>4], hexd[v4[1]&15], ':', hexd[v4[2]>>4], hexd[v4[2]&15], hexd[v4[3]>>4], hexd[v4[3]&15]})
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return [16]byte{}, false
	}
	return a.As16(), true
}

// formatIPv6 writes an address the way GURL does (url_canon_ip.cc
// AppendIPv6Address): lower-case hex groups, the first longest run of at
// least two zero groups contracted to "::", and never a dotted IPv4 tail
// ("[::ffff:8190:3426]", proxy_string_util_unittest.cc).
func formatIPv6(a [16]byte) string {
	bestStart, bestLen := -1, 0
	for i := 0; i < 8; {
		if a[2*i] == 0 && a[2*i+1] == 0 {
			j := i
			for j < 8 && a[2*j] == 0 && a[2*j+1] == 0 {
				j++
			}
			if j-i > bestLen && j-i >= 2 {
				bestStart, bestLen = i, j-i
			}
			i = j
		} else {
			i++
		}
	}
	const hexd = "0123456789abcdef"
	var buf [41]byte
	b := buf[:0]
	for i := 0; i < 8; i++ {
		if i == bestStart {
			b = append(b, ':', ':')
			i += bestLen - 1
			continue
		}
		if len(b) > 0 && b[len(b)-1] != ':' {
			b = append(b, ':')
		}
		v := uint16(a[2*i])<<8 | uint16(a[2*i+1])
		started := false
		for shift := 12; shift >= 0; shift -= 4 {
			d := (v >> uint(shift)) & 0xf
			if d != 0 || started || shift == 0 {
				b = append(b, hexd[d])
				started = true
			}
		}
	}
	return string(b)
}
