package certificate

import (
	"net"
	"net/netip"
	"strings"

	"github.com/sessctl/sessctl/providers/internal/hostcanon"
)

// FormatVersion is the version of the compiled "certificateRules" table.
const FormatVersion = 1

// Table is the compiled "certificateRules" profile field, evaluated by the
// adapter's setCertificateVerifyProc callback (docs/certificates.md).
type Table struct {
	FormatVersion int `json:"formatVersion"`
	// DefaultCode is the callback code when no rule matches: -3, Chromium's
	// own verification result.
	DefaultCode int `json:"defaultCode"`
	// Rules in source order; the first matching rule decides.
	Rules []Rule `json:"rules"`
}

// Match kinds of a compiled host pattern.
const (
	MatchAny        = "any"        // "*": every hostname
	MatchExact      = "exact"      // "host.example": that hostname
	MatchDomain     = "domain"     // "[*.]example.com": the domain and its subdomains
	MatchSubdomains = "subdomains" // "*.example.com": strict subdomains only
)

// Rule is one compiled `certificate "PATTERN" {}` block.
type Rule struct {
	// Pattern is the host pattern as written.
	Pattern string `json:"pattern"`
	// Match is one of "any", "exact", "domain", "subdomains".
	Match string `json:"match"`
	// Host is the canonical host (lower case, no trailing dot, IPv6 without
	// brackets); "" for "any".
	Host string `json:"host"`
	// Verify is the verify value as normalised: "accept", "reject",
	// "chromium" or a "net::ERR_CERT_*" name.
	Verify string `json:"verify"`
	// Code is the value passed to the verify callback.
	Code int `json:"code"`
}

// Result is the outcome of Verify.
type Result struct {
	// Code is what the verify proc passes to its callback.
	Code int `json:"code"`
	// Name is the net:: name of Code.
	Name string `json:"name"`
	// Verify is the deciding rule's verify value, or "chromium" by default.
	Verify string `json:"verify"`
	// Rule is the deciding rule's pattern; "" when no rule matched.
	Rule string `json:"rule,omitempty"`
	// RuleIndex is the 0-based index of the deciding rule, -1 by default.
	RuleIndex int `json:"ruleIndex"`
	// Source is "rule", "default" (no rule matched) or "no-proc" (the
	// partition has no certificate blocks: no verify proc is installed and
	// Chromium verifies as usual).
	Source string `json:"source"`
}

// NormalizeHostname prepares request.hostname for matching: ASCII lower
// case, one trailing dot removed, IPv6 brackets removed (Chromium passes
// hostnames canonical and IPv6 literals without brackets; the extra steps
// make the offline tool forgiving).
func NormalizeHostname(h string) string {
	// ASCII only, as the adapter does (docs/certificates.md): Chromium
	// hands the verify proc canonical hosts, where non-ASCII is punycode.
	h = lowerASCII(h)
	if len(h) > 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	if len(h) > 1 && h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	return canonicalIP(h)
}

// canonicalIP rewrites an IPv6 literal in the form Chromium's
// IPAddress::ToString and GURL give (hostcanon.FormatIPv6: "::1" for
// "0:0:0:0:0:0:0:1"); anything else is returned unchanged. The literal is
// read with netip, as the adapter reads it with WHATWG's parser.
// IPv4-mapped addresses are left as written, as the adapter's
// normalizeHostname leaves them, although Chromium prints them in hex
// ("::ffff:102:304"); changing that needs both sides changed together.
func canonicalIP(h string) string {
	if !strings.Contains(h, ":") {
		return h
	}
	a, err := netip.ParseAddr(h)
	if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
		return h
	}
	return hostcanon.FormatIPv6(a.As16())
}

// Matches reports whether the rule's pattern matches a normalised hostname.
func (r *Rule) Matches(host string) bool {
	switch r.Match {
	case MatchAny:
		return true
	case MatchExact:
		return host == r.Host
	case MatchDomain:
		return host == r.Host || strings.HasSuffix(host, "."+r.Host)
	case MatchSubdomains:
		return strings.HasSuffix(host, "."+r.Host)
	}
	return false
}

// Verify is the reference evaluation of a compiled table: the first rule
// matching the hostname decides; otherwise the table default (-3). A nil
// table means no verify proc: Chromium decides (reported as -3 too, the
// code that means "Chromium's result").
func Verify(t *Table, hostname string) Result {
	if t == nil {
		return Result{Code: CodeChromium, Name: NameOf(CodeChromium), Verify: "chromium", RuleIndex: -1, Source: "no-proc"}
	}
	h := NormalizeHostname(hostname)
	for i := range t.Rules {
		r := &t.Rules[i]
		if r.Matches(h) {
			return Result{Code: r.Code, Name: NameOf(r.Code), Verify: r.Verify, Rule: r.Pattern, RuleIndex: i, Source: "rule"}
		}
	}
	return Result{Code: t.DefaultCode, Name: NameOf(t.DefaultCode), Verify: "chromium", RuleIndex: -1, Source: "default"}
}

// covers reports whether every hostname b matches is matched by a.
func covers(a, b *Rule) bool {
	switch a.Match {
	case MatchAny:
		return true
	case MatchExact:
		return b.Match == MatchExact && b.Host == a.Host
	case MatchDomain:
		if b.Match == MatchAny {
			return false
		}
		return b.Host == a.Host || strings.HasSuffix(b.Host, "."+a.Host)
	case MatchSubdomains:
		switch b.Match {
		case MatchExact, MatchDomain:
			return strings.HasSuffix(b.Host, "."+a.Host)
		case MatchSubdomains:
			return b.Host == a.Host || strings.HasSuffix(b.Host, "."+a.Host)
		}
	}
	return false
}

// parseHostPattern compiles a certificate host pattern. It returns a
// message (and the byte range it is about) when the pattern is invalid.
func parseHostPattern(s string) (r Rule, msg string, start, end int) {
	r.Pattern = s
	if i := strings.Index(s, "://"); i >= 0 {
		return r, "a certificate pattern is a host name, not a URL (write \"" + hostOfURL(s[i+3:]) + "\")", 0, len(s)
	}
	switch {
	case s == "*":
		r.Match = MatchAny
		return r, "", 0, 0
	case strings.HasPrefix(s, "[*.]"):
		r.Match, r.Host, start = MatchDomain, s[4:], 4
	case strings.HasPrefix(s, "*."):
		r.Match, r.Host, start = MatchSubdomains, s[2:], 2
	default:
		r.Match, r.Host = MatchExact, s
	}
	end = len(s)
	if r.Host == "" {
		return r, "no host after the wildcard", 0, len(s)
	}
	if i := strings.IndexByte(r.Host, '*'); i >= 0 {
		return r, "wildcard inside a host", start + i, start + i + 1
	}
	h := strings.ToLower(r.Host)
	if len(h) > 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	if ip := net.ParseIP(h); ip != nil {
		if r.Match != MatchExact {
			return r, "wildcard on an IP address", 0, len(s)
		}
		r.Host = canonicalIP(h)
		return r, "", 0, 0
	}
	if strings.ContainsAny(h, "[]:") {
		return r, "invalid IP address", start, end
	}
	if strings.HasSuffix(h, ".") {
		h = h[:len(h)-1]
	}
	if h == "" || len(h) > 253 {
		return r, "invalid host name length", start, end
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" {
			return r, "empty label in host name", start, end
		}
		if len(label) > 63 {
			return r, "label longer than 63 characters", start, end
		}
		for k := 0; k < len(label); k++ {
			c := label[k]
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			case c >= 0x80:
				return r, "non-ASCII host name: write its punycode (xn--) form", start, end
			default:
				return r, "invalid character " + quote(c) + " in host name", start, end
			}
		}
	}
	r.Host = h
	return r, "", 0, 0
}

func quote(c byte) string {
	if c < 0x20 || c == 0x7f {
		const hex = "0123456789abcdef"
		return "\\x" + string(hex[c>>4]) + string(hex[c&15])
	}
	return "\"" + string(c) + "\""
}

// hostOfURL returns the host part of the text after "scheme://", for the
// suggestion in a diagnostic.
func hostOfURL(s string) string {
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if !strings.HasPrefix(s, "[") {
		if i := strings.LastIndexByte(s, ':'); i >= 0 {
			s = s[:i]
		}
	}
	return s
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
