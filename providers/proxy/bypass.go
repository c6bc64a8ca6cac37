package proxy

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers/internal/hostcanon"
)

type bypassKind uint8

const (
	bypassHostname         bypassKind = iota // hostname pattern [:port]
	bypassIPHost                             // IP literal [:port]
	bypassCIDR                               // ip/prefix
	bypassLocal                              // <local>
	bypassSubtractImplicit                   // <-loopback>
)

// BypassRule is one parsed proxyBypassRules entry.
type BypassRule struct {
	kind   bypassKind
	scheme string // lower-case, "" for any
	// hostname: pattern (lower-case, ".x" -> "*.x"); IP host: canonical host
	pattern string
	pkind   patKind
	plit    string
	port    int // hostname: -1 any; IP host: 0 any
	prefix  netip.Prefix
	prefix6 netip.Prefix // prefix as IPv6 (IPv4 mapped), masked
	desc    string       // CIDR: as written
	// Text is the rule as written (trimmed); Start/End its bytes in the
	// parsed string.
	Text       string
	Start, End int
}

// String is the rule as Chromium prints it (SchemeHostPortMatcherRule::ToString).
func (r *BypassRule) String() string {
	switch r.kind {
	case bypassLocal:
		return "<local>"
	case bypassSubtractImplicit:
		return "<-loopback>"
	case bypassCIDR:
		return r.desc
	}
	s := ""
	if r.scheme != "" {
		s = r.scheme + "://"
	}
	s += r.pattern
	if r.kind == bypassHostname && r.port != -1 || r.kind == bypassIPHost && r.port != 0 {
		s += ":" + strconv.Itoa(r.port)
	}
	return s
}

// Bypass is a parsed bypass list (net::ProxyBypassRules).
type Bypass struct {
	Rules []BypassRule
}

// suffixMatching rewrites hostname rules the way Chromium treats no_proxy
// (GenerateSuffixMatchingRule): a pattern not starting with '*' gets one,
// so "google.com" matches "*google.com".
func (b *Bypass) suffixMatching() {
	for i := range b.Rules {
		r := &b.Rules[i]
		if r.kind == bypassHostname && !strings.HasPrefix(r.pattern, "*") {
			r.pattern = "*" + r.pattern
			r.pkind, r.plit = compilePattern(r.pattern)
		}
	}
}

// ParseBypass parses a proxyBypassRules string with Chromium's grammar
// (ProxyBypassRules::ParseFromString): rules separated by ',' or ';',
// each <local>, <-loopback>, [scheme://]ip/prefix,
// [scheme://]ip-literal[:port] or [scheme://]hostname-pattern[:port].
// Unparseable rules are dropped, as Chromium does, and reported.
func ParseBypass(s string) (*Bypass, []Issue) {
	b := &Bypass{}
	var issues []Issue
	for _, tok := range splitNonEmpty(s, ",;") {
		t, off := trimSpace(tok.text)
		start, end := tok.start+off, tok.start+off+len(t)
		if t == "" {
			continue
		}
		r, bad := parseBypassRule(t)
		if bad != nil {
			issues = append(issues, Issue{Start: start, End: end, Severity: Warning, Code: warning.BypassRuleDropped, Summary: "bypass rule \"" + t + "\" is dropped: " + bad.summary, Detail: bad.detail})
			continue
		}
		r.Text, r.Start, r.End = t, start, end
		issues = append(issues, bypassWarnings(&r)...)
		b.Rules = append(b.Rules, r)
	}
	issues = append(issues, shadowWarnings(b)...)
	return b, issues
}

// parseBypassRule is ParseRule / SchemeHostPortMatcherRule::FromUntrimmedRawString.
func parseBypassRule(raw string) (BypassRule, *badEntry) {
	if strings.EqualFold(raw, "<local>") {
		return BypassRule{kind: bypassLocal}, nil
	}
	if strings.EqualFold(raw, "<-loopback>") {
		return BypassRule{kind: bypassSubtractImplicit}, nil
	}
	scheme := ""
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme = raw[:i]
		raw = raw[i+3:]
		if scheme == "" {
			return BypassRule{}, &badEntry{"empty scheme before \"://\"", "Write scheme://host (for example https://*.example.com) or just the host pattern."}
		}
	}
	if raw == "" {
		return BypassRule{}, &badEntry{"nothing after the scheme", "Write a host pattern, an IP literal or a CIDR block after \"://\"."}
	}
	if strings.IndexByte(raw, '/') >= 0 {
		p, bad := parseCIDR(raw)
		if bad != nil {
			return BypassRule{}, bad
		}
		return BypassRule{kind: bypassCIDR, scheme: strings.ToLower(scheme), prefix: p, prefix6: mappedPrefix(p), desc: raw}, nil
	}
	if host, port, ok := parseHostAndPort(raw); ok {
		if a, ok := hostcanon.ParseIPLiteral(host); ok {
			if port < 0 {
				port = 0
			}
			h := hostcanon.FormatIPHost(a)
			return BypassRule{kind: bypassIPHost, scheme: strings.ToLower(scheme), pattern: h, port: port}, nil
		}
	}
	port := -1
	if i := strings.LastIndexByte(raw, ':'); i >= 0 {
		ps := raw[i+1:]
		v, ok := parsePortDigits(ps)
		if !ok {
			return BypassRule{}, &badEntry{"invalid port \"" + ps + "\"", "A port is decimal digits from 0 to 65535 (no sign). An IPv6 address must be written in brackets: [::1]:8080."}
		}
		port = v
		raw = raw[:i]
	}
	pat := raw
	if strings.HasPrefix(pat, ".") {
		pat = "*" + pat
	}
	pat = strings.ToLower(pat)
	k, lit := compilePattern(pat)
	return BypassRule{kind: bypassHostname, scheme: strings.ToLower(scheme), pattern: pat, pkind: k, plit: lit, port: port}, nil
}

// parseHostAndPort is net::ParseHostAndPort: host[:port] with a bracketed
// IPv6 literal; brackets are removed.
func parseHostAndPort(s string) (string, int, bool) {
	if s == "" || strings.IndexByte(s, '@') >= 0 {
		return "", 0, false
	}
	host, port, hasPort := splitHostPort(s)
	if host == "" {
		return "", 0, false
	}
	p := -1
	if hasPort {
		if port == "" {
			return "", 0, false
		}
		v, ok := parsePortDigits(port)
		if !ok {
			return "", 0, false
		}
		p = v
	}
	if host[0] == '[' {
		if host[len(host)-1] != ']' {
			return "", 0, false
		}
		if _, ok := hostcanon.ParseIPv6(host[1 : len(host)-1]); !ok {
			return "", 0, false
		}
		host = host[1 : len(host)-1]
	}
	return host, p, true
}

// parseCIDR is net::ParseCIDRBlock: exactly one '/', an unbracketed IP
// literal and a decimal prefix length no larger than the address.
func parseCIDR(s string) (netip.Prefix, *badEntry) {
	// base::SplitStringPiece(..., TRIM_WHITESPACE, SPLIT_WANT_ALL)
	parts := strings.Split(s, "/")
	for i := range parts {
		parts[i], _ = trimSpace(parts[i])
	}
	if len(parts) != 2 {
		return netip.Prefix{}, &badEntry{"not a CIDR block", "A rule containing '/' must be ip/prefix (192.168.0.0/16, fe80::/10); bypass rules have no path."}
	}
	if strings.HasPrefix(parts[0], "[") {
		return netip.Prefix{}, &badEntry{"bracketed IPv6 in a CIDR block", "Chromium expects CIDR blocks unbracketed: write " + strings.Trim(parts[0], "[]") + "/" + parts[1] + " (ProxyBypassRulesTest.ParseBracketedIPv6Range)."}
	}
	a, ok := hostcanon.ParseIPLiteral(parts[0])
	if !ok && strings.ContainsAny(s, " \t") {
		// "<local> 10.0.0.0/8": rules written with spaces between them.
		return netip.Prefix{}, &badEntry{"several bypass rules separated by spaces", spaceSeparatedDetail(s)}
	}
	if !ok {
		return netip.Prefix{}, &badEntry{"\"" + parts[0] + "\" is not an IP address", "A rule containing '/' must be ip/prefix (192.168.0.0/16, fe80::/10); bypass rules have no path."}
	}
	bits, ok := parsePortDigits(parts[1])
	if !ok || bits > a.BitLen() {
		return netip.Prefix{}, &badEntry{"invalid prefix length \"" + parts[1] + "\"", "The prefix length is 0-" + strconv.Itoa(a.BitLen()) + " for this address."}
	}
	return netip.PrefixFrom(a, bits), nil
}

// ipMatchesPrefix is net::IPAddressMatchesPrefix: IPv4 addresses and
// IPv4-mapped IPv6 prefixes (and vice versa) compare as mapped addresses.
func ipMatchesPrefix(ip netip.Addr, p netip.Prefix) bool {
	pa, bits := p.Addr(), p.Bits()
	if ip.Is4() != pa.Is4() {
		if ip.Is4() {
			ip = netip.AddrFrom16(ip.As16())
		} else {
			pa = netip.AddrFrom16(pa.As16())
			bits += 96
		}
	}
	q, err := pa.Prefix(bits)
	if err != nil {
		return false
	}
	return q.Contains(ip)
}

// mappedPrefix returns p in 16-byte form, masked: an IPv4 prefix becomes
// the IPv4-mapped IPv6 prefix with 96 more bits, which is how
// IPAddressMatchesPrefix compares mixed families.
func mappedPrefix(p netip.Prefix) netip.Prefix {
	a, bits := p.Addr(), p.Bits()
	if a.Is4() {
		bits += 96
	}
	q, _ := netip.AddrFrom16(a.As16()).Prefix(bits)
	return q
}

// matchResult is SchemeHostPortMatcherResult.
type matchResult uint8

const (
	noMatch matchResult = iota
	include
	exclude
)

// evaluate is one rule's Evaluate.
func (r *BypassRule) evaluate(t *target) matchResult {
	switch r.kind {
	case bypassLocal:
		if t.kind == hostName && strings.IndexByte(t.host, '.') < 0 {
			return include
		}
		return noMatch
	case bypassSubtractImplicit:
		if matchesImplicit(t) {
			return exclude
		}
		return noMatch
	case bypassCIDR:
		// Chromium source compares the rule's scheme, but a real Chromium
		// 156 ignores it on CIDR rules (chromium-proxy-semantics.md §5):
		// the browser is the reference, so the scheme is not checked.
		if t.kind == hostName {
			return noMatch
		}
		if r.prefix6.Contains(netip.AddrFrom16(t.ip.As16())) {
			return include
		}
		return noMatch
	case bypassIPHost:
		if r.port != 0 && t.eport != r.port {
			return noMatch
		}
		if r.scheme != "" && t.scheme != r.scheme {
			return noMatch
		}
		if t.host == r.pattern {
			return include
		}
		return noMatch
	}
	if r.port != -1 && t.eport != r.port {
		return noMatch
	}
	if r.scheme != "" && t.scheme != r.scheme {
		return noMatch
	}
	if matchCompiled(r.pkind, r.plit, t.host) {
		return include
	}
	return noMatch
}

// match walks the rules last to first (SchemeHostPortMatcher::Evaluate)
// and returns the index of the deciding rule (-1 when none) and whether
// it includes (bypass) or excludes (<-loopback>).
func (b *Bypass) match(t *target) (int, matchResult) {
	if b == nil {
		return -1, noMatch
	}
	for i := len(b.Rules) - 1; i >= 0; i-- {
		if res := b.Rules[i].evaluate(t); res != noMatch {
			return i, res
		}
	}
	return -1, noMatch
}

// matchesImplicit is ProxyHostMatchingRules::MatchesImplicitRules on
// Linux/macOS: localhost names, loopback IPs, IPv4-mapped loopback and
// link-local addresses.
func matchesImplicit(t *target) bool {
	switch t.kind {
	case hostName:
		h := strings.TrimSuffix(t.host, ".")
		return h == "localhost" || strings.HasSuffix(h, ".localhost")
	case hostIPv4:
		if strings.HasPrefix(t.host, "127.") || strings.HasPrefix(t.host, "169.254.") {
			return true
		}
		return false
	case hostIPv6:
		ip := t.ip
		a := ip.As16()
		if ip == netip.IPv6Loopback() {
			return true
		}
		if a[0] == 0xfe && a[1]&0xc0 == 0x80 {
			return true // fe80::/10
		}
		if ip.Is4In6() {
			v4 := ip.Unmap().As4()
			return v4[0] == 127 || v4[0] == 169 && v4[1] == 254
		}
	}
	return false
}

// spaceSeparatedDetail explains a rule that is several rules separated by
// spaces and suggests the list form with those rules.
func spaceSeparatedDetail(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = strconv.Quote(p)
	}
	return "Space is not a separator in bypass rules, so this is one rule that matches no host. Write one rule per list element: bypass_rules = [" +
		strings.Join(q, ", ") + "] (or separate them with ',' or ';' in a string)."
}

// bypassWarnings reports rules that parse but behave differently than
// they read.
func bypassWarnings(r *BypassRule) []Issue {
	var out []Issue
	w := func(code warning.Code, summary, detail string) {
		out = append(out, Issue{Start: r.Start, End: r.End, Severity: Warning, Code: code, Summary: summary, Detail: detail})
	}
	if r.kind == bypassCIDR && r.scheme != "" {
		w(warning.BypassCIDRScheme, "the scheme of a CIDR bypass rule is ignored",
			"Chromium 156 bypasses every URL scheme for \""+r.desc+"\" (observed in a real browser; the source suggests otherwise). Use host or IP rules to restrict by scheme.")
	}
	if (r.kind == bypassHostname || r.kind == bypassIPHost) && r.scheme != "" {
		switch r.scheme {
		case "http", "https", "ws", "wss", "ftp":
		default:
			w(warning.BypassSchemeNeverMatch, "bypass rule scheme \""+r.scheme+"\" never matches",
				"The scheme is compared with the URL scheme (http, https, ws, wss, ftp); this rule can never apply.")
		}
	}
	if r.kind == bypassHostname {
		p := r.pattern
		switch {
		case strings.ContainsAny(p, " \t"):
			w(warning.BypassSpace, "bypass rule contains a space", spaceSeparatedDetail(p))
		case hasNonASCII(p):
			w(warning.BypassNonASCII, "bypass rule with non-ASCII characters never matches",
				"URL hosts are compared in punycode (xn--...); write the pattern in its ASCII form.")
		case strings.IndexByte(p, ':') >= 0:
			w(warning.BypassIPv6NoBrackets, "IPv6 address without brackets",
				"Write IPv6 host rules in brackets ([::1]:8080) or as a CIDR block (fe80::/10); as written the rule is a host pattern that matches nothing.")
		case p == "":
			w(warning.BypassEmptyHost, "bypass rule with an empty host never matches", "Write a host pattern before the port.")
		case strings.IndexByte(p, '?') >= 0:
			w(warning.BypassQuestionMark, "'?' in a bypass rule matches zero or one character",
				"base::MatchPattern treats '?' as an optional character, so \""+p+"\" also matches hosts one character shorter.")
		}
	}
	return out
}

// shadowWarnings reports host rules for implicitly bypassed hosts that a
// later <-loopback> cancels (rules are evaluated last to first,
// ProxyBypassRulesTest.AddLocalhostThenRemoveImplicit).
func shadowWarnings(b *Bypass) []Issue {
	last := -1
	for i := range b.Rules {
		if b.Rules[i].kind == bypassSubtractImplicit {
			last = i
		}
	}
	var out []Issue
	for i := 0; i < last; i++ {
		r := &b.Rules[i]
		if r.kind != bypassHostname && r.kind != bypassIPHost {
			continue
		}
		host := r.pattern
		if r.kind == bypassHostname && r.pkind != patExact {
			continue
		}
		t, err := parseTarget("http://" + host + "/")
		if err != nil || !matchesImplicit(&t) {
			continue
		}
		out = append(out, Issue{Start: r.Start, End: r.End, Severity: Warning, Code: warning.BypassCancelledLoopback,
			Summary: "bypass rule \"" + r.Text + "\" is cancelled by a later <-loopback>",
			Detail:  "Chromium evaluates bypass rules from last to first, so <-loopback> decides first and sends " + host + " through the proxy. Put this rule after <-loopback>."})
	}
	return out
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// String joins the rules as Chromium prints them, separated by ";".
func (b *Bypass) String() string {
	if b == nil {
		return ""
	}
	parts := make([]string, len(b.Rules))
	for i := range b.Rules {
		parts[i] = b.Rules[i].String()
	}
	return strings.Join(parts, ";")
}
