package pac

import (
	"errors"
	"net/netip"
	"sort"
	"strings"

	"github.com/sessctl/sessctl/providers/internal/hostcanon"
)

var errNotIP = errors.New("not an IP literal")

// parseIPLiteral is net::IPAddress::AssignFromIPLiteral
// (hostcanon.ParseIPLiteral): a string containing ':' must be an unbracketed
// IPv6 address; anything else is read by the URL IPv4 parser, which also
// accepts "127.1", "0x7f.0.0.1" and "010.0.0.1" (octal).
func parseIPLiteral(s string) (netip.Addr, error) {
	a, ok := hostcanon.ParseIPLiteral(s)
	if !ok {
		return netip.Addr{}, errNotIP
	}
	return a, nil
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
