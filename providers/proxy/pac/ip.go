package pac

import (
	"errors"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

var errNotIP = errors.New("not an IP literal")

// parseIPLiteral follows net::IPAddress::AssignFromIPLiteral
// (net/base/ip_address.cc ParseIPLiteralToBytes): a string containing ':'
// must be an IPv6 address (without brackets or zone); anything else is parsed
// with the URL standard's IPv4 parser, which also accepts "127.1",
// "0x7f.0.0.1" and "010.0.0.1" (octal).
func parseIPLiteral(s string) (netip.Addr, error) {
	if strings.Contains(s, ":") {
		if strings.ContainsAny(s, "%[]") {
			return netip.Addr{}, errNotIP
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return netip.Addr{}, errNotIP
		}
		return a, nil
	}
	return parseURLIPv4(s)
}

// parseURLIPv4 is the IPv4 host parser of url/url_canon_ip.cc
// (IPv4AddressToNumber): up to four dot-separated numbers, each decimal,
// octal (leading 0) or hexadecimal (0x); a single trailing dot is allowed;
// the last number fills the remaining bytes.
func parseURLIPv4(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, errNotIP
	}
	parts := strings.Split(s, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return netip.Addr{}, errNotIP
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, errNotIP
		}
		base := 10
		digits := p
		switch {
		case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
			base, digits = 16, p[2:]
		case len(p) > 1 && p[0] == '0':
			base, digits = 8, p[1:]
		}
		if digits == "" {
			nums[i] = 0 // "0x" alone is zero
			continue
		}
		for _, c := range digits {
			ok := false
			switch base {
			case 10:
				ok = '0' <= c && c <= '9'
			case 8:
				ok = '0' <= c && c <= '7'
			case 16:
				ok = '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
			}
			if !ok {
				return netip.Addr{}, errNotIP
			}
		}
		if len(digits) > 16 {
			return netip.Addr{}, errNotIP // certainly out of range
		}
		n, err := strconv.ParseUint(digits, base, 64)
		if err != nil {
			return netip.Addr{}, errNotIP
		}
		nums[i] = n
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, errNotIP
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, errNotIP
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), nil
}

// sortIPAddressList implements sortIpAddressList (proxy_resolver_v8.cc
// SortIpAddressList): spaces and tabs are removed, the list is split on ';'
// (empty items skipped), every item must be an IP literal, and the items are
// stably sorted IPv6 first, then by numeric value; the original spellings are
// kept. ok is false for an empty list or any invalid item.
func sortIPAddressList(list string) (string, bool) {
	cleaned := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, list)
	type entry struct {
		text string
		addr netip.Addr
	}
	var entries []entry
	for _, tok := range strings.Split(cleaned, ";") {
		if tok == "" {
			continue
		}
		a, err := parseIPLiteral(tok)
		if err != nil {
			return "", false
		}
		entries = append(entries, entry{tok, a})
	}
	if len(entries) == 0 {
		return "", false
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i].addr, entries[j].addr
		if a.Is6() != b.Is6() {
			return a.Is6()
		}
		return a.Less(b)
	})
	texts := make([]string, len(entries))
	for i, e := range entries {
		texts[i] = e.text
	}
	return strings.Join(texts, ";"), true
}

// isInNetEx implements isInNetEx (proxy_resolver_v8.cc IsInNetEx with
// net::ParseCIDRBlock and IPAddressMatchesPrefix): the prefix must be
// "ip/bits" with bits within the address size; host bits in the prefix are
// ignored; an IPv4 address and an IPv6 prefix (or the reverse) are compared
// after mapping the IPv4 one to ::ffff:a.b.c.d.
func isInNetEx(ip, prefix string) bool {
	a, err := parseIPLiteral(ip)
	if err != nil {
		return false
	}
	p, bits, ok := parseCIDRBlock(prefix)
	if !ok {
		return false
	}
	if a.Is4() != p.Is4() {
		if a.Is4() {
			a = netip.AddrFrom16(a.As16())
		} else {
			p = netip.AddrFrom16(p.As16())
			bits += 96
		}
	}
	pfx, err := p.Prefix(bits)
	if err != nil {
		return false
	}
	return pfx.Contains(a)
}

// parseCIDRBlock follows net/base/ip_address.cc ParseCIDRBlock: the
// literal is split on '/' into exactly two parts, each trimmed of ASCII
// whitespace (TRIM_WHITESPACE, so "1.2.3.4 / 32" is fine); the first must be
// an IP literal and the second a decimal number (ParseUint32 NON_NEGATIVE:
// digits only, leading zeros allowed, no sign) no larger than the address's
// bit length.
func parseCIDRBlock(s string) (netip.Addr, int, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 2 {
		return netip.Addr{}, 0, false
	}
	const ws = " \t\n\v\f\r"
	ipPart, bitsPart := strings.Trim(parts[0], ws), strings.Trim(parts[1], ws)
	a, err := parseIPLiteral(ipPart)
	if err != nil || bitsPart == "" {
		return netip.Addr{}, 0, false
	}
	bits := 0
	for _, c := range bitsPart {
		if c < '0' || c > '9' {
			return netip.Addr{}, 0, false
		}
		bits = bits*10 + int(c-'0')
		if bits > a.BitLen() {
			// Also covers uint32 overflow: any longer number is too big.
			return netip.Addr{}, 0, false
		}
	}
	return a, bits, true
}

// isPlainHostName is Chromium's native IsPlainHostName: no '.' and not an
// IP literal (so "::1" is not plain, but "[::1]" and "foo:112" are).
func isPlainHostName(host string) bool {
	if strings.Contains(host, ".") {
		return false
	}
	_, err := parseIPLiteral(host)
	return err != nil
}
