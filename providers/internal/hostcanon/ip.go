package hostcanon

import (
	"net/netip"
	"strings"
)

// EndsInNumber is the "ends in a number" check GURL applies before its
// IPv4 parser (url_canon_ip.cc, the URL Standard's "ends in a number
// checker"): the last label, ignoring one trailing dot, is all decimal
// digits or "0x"/"0X" followed by hex digits. Such a host must parse as
// IPv4 or is invalid ("foopy.111" is rejected,
// proxy_string_util_unittest.cc InvalidProxyUriToProxyServer).
func EndsInNumber(s string) bool {
	if strings.HasSuffix(s, ".") {
		s = s[:len(s)-1]
	}
	last := s[strings.LastIndexByte(s, '.')+1:]
	if last == "" || last[0] < '0' || last[0] > '9' {
		return false // the common case: a name ends in a letter
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		for i := 2; i < len(last); i++ {
			if _, ok := unhex(last[i]); !ok {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

// ParseIPv4 parses the IPv4 forms GURL accepts (url_canon_ip.cc
// IPv4AddressToNumber returning IPV4): one to four dot-separated numbers,
// each decimal, octal (leading 0) or hex (0x, where "0x" alone is 0); the
// last number fills the remaining bytes ("127.1" is 127.0.0.1, "0x7f000001"
// too); a single trailing dot is allowed; a number too large for its place
// makes the address invalid.
func ParseIPv4(s string) ([4]byte, bool) {
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
	if parts[n-1] >= 1<<(8*uint(5-n)) {
		return out, false
	}
	var v uint32
	for i := 0; i < n-1; i++ {
		v |= uint32(parts[i]) << (8 * uint(3-i))
	}
	v |= uint32(parts[n-1])
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
			return 0, false // too large for any place; stop before overflow
		}
	}
	return v, true
}

// isDottedQuad reports four decimal parts without leading zeros, the
// canonical IPv4 form (the caller has checked that the text parses).
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

// FormatIPv4 writes a dotted quad (url_canon_ip.cc AppendIPv4Address).
func FormatIPv4(a [4]byte) string {
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

// ParseIPv6 parses an unbracketed IPv6 literal as GURL's IPv6 parser does
// (url_canon_ip.cc IPv6AddressToNumber): no zone ('%' is a forbidden host
// code point), and an embedded IPv4 tail of exactly four parts, each in any
// numeric form ParseIPv4 accepts ("::ffff:0xC0.0Xa8.0x0.0x1" is valid,
// "::ffff:192.1.2" is not: url_canon_unittest.cc URLCanonTest.IPv6).
func ParseIPv6(s string) ([16]byte, bool) {
	if s == "" || strings.IndexByte(s, '%') >= 0 || strings.IndexByte(s, ':') < 0 {
		return [16]byte{}, false
	}
	if strings.IndexByte(s, '.') >= 0 {
		i := strings.LastIndexByte(s, ':')
		tail := s[i+1:]
		if strings.Count(tail, ".") != 3 || strings.HasSuffix(tail, ".") {
			return [16]byte{}, false
		}
		v4, ok := ParseIPv4(tail)
		if !ok {
			return [16]byte{}, false
		}
		// Rewrite the tail as two hex groups for netip.
		const hexd = "0123456789abcdef"
		s = s[:i+1] + string([]byte{
			hexd[v4[0]>>4], hexd[v4[0]&15], hexd[v4[1]>>4], hexd[v4[1]&15], ':',
			hexd[v4[2]>>4], hexd[v4[2]&15], hexd[v4[3]>>4], hexd[v4[3]&15]})
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return [16]byte{}, false
	}
	return a.As16(), true
}

// FormatIPv6 writes an IPv6 address, without brackets, as GURL does
// (url_canon_ip.cc AppendIPv6Address), which is RFC 5952 section 4 except
// for IPv4-mapped addresses: lower-case hex groups without leading zeros,
// the longest run of two or more zero groups (the first on a tie) written
// "::", and never a dotted IPv4 tail ("::ffff:c000:280", not
// "::ffff:192.0.2.128").
func FormatIPv6(a [16]byte) string {
	bestStart, bestLen := -1, 0
	for i := 0; i < 8; {
		if a[2*i] != 0 || a[2*i+1] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && a[2*j] == 0 && a[2*j+1] == 0 {
			j++
		}
		if j-i > bestLen && j-i >= 2 {
			bestStart, bestLen = i, j-i
		}
		i = j
	}
	const hexd = "0123456789abcdef"
	var buf [39]byte
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
			d := v >> uint(shift) & 0xf
			if d != 0 || started || shift == 0 {
				b = append(b, hexd[d])
				started = true
			}
		}
	}
	return string(b)
}

// FormatIP is net::IPAddress::ToString (net/base/ip_address.cc): a dotted
// quad for IPv4, FormatIPv6 for IPv6 (so an IPv4-mapped address prints in
// hex), "" for the zero Addr. A zone is dropped.
func FormatIP(a netip.Addr) string {
	switch {
	case a.Is4():
		return FormatIPv4(a.As4())
	case a.Is6():
		return FormatIPv6(a.As16())
	}
	return ""
}

// FormatIPHost is the URL host of an address: FormatIP, with IPv6 in
// brackets.
func FormatIPHost(a netip.Addr) string {
	if a.Is6() {
		return "[" + FormatIPv6(a.As16()) + "]"
	}
	return FormatIP(a)
}

// ParseIPLiteral is net::ParseIPLiteralToBytes (net/base/ip_address.cc,
// behind IPAddress::AssignFromIPLiteral): text containing ':' must be an
// unbracketed IPv6 literal, read by GURL's IPv6 parser; anything else is
// read by GURL's IPv4 parser, so "127.1" and "0x7f.0.0.1" are literals.
// An IPv6 result is a 16-byte address even when IPv4-mapped.
func ParseIPLiteral(s string) (netip.Addr, bool) {
	if strings.IndexByte(s, ':') >= 0 {
		a, ok := ParseIPv6(s)
		if !ok {
			return netip.Addr{}, false
		}
		return netip.AddrFrom16(a), true
	}
	v4, ok := ParseIPv4(s)
	if !ok {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(v4), true
}
