package certificate

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/sessctl/sessctl/providers/internal/hostcanon"
)

// FormatVersion is the version of the compiled "certificateRules" table.
// A table whose rules use conditions (pins, issuer, known_root, errors)
// is FormatVersionConditions, so that an adapter that does not know
// conditions refuses it rather than applying its rules unconditionally.
const (
	FormatVersion           = 1
	FormatVersionConditions = 2
)

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
	// Conditions (format 2): the rule applies only when every one that is
	// set holds; otherwise the next rule is tried.
	// Pins are base64 SHA-256 SPKI hashes; one certificate of the chain
	// must have one of them.
	Pins []string `json:"pins,omitempty"`
	// Issuers are the accepted issuer common names of the leaf.
	Issuers []string `json:"issuers,omitempty"`
	// KnownRoot is the required request.isIssuedByKnownRoot.
	KnownRoot *bool `json:"knownRoot,omitempty"`
	// ErrorCodes are the accepted request.errorCode values (Chromium's own
	// result: 0 or a certificate error).
	ErrorCodes []int `json:"errorCodes,omitempty"`
}

// conditional reports whether the rule has conditions.
func (r *Rule) conditional() bool {
	return r.Pins != nil || r.Issuers != nil || r.KnownRoot != nil || r.ErrorCodes != nil
}

// Request is what setCertificateVerifyProc's request gives the
// conditions: the SPKI hashes of the chain (base64 SHA-256 of each
// certificate's DER SubjectPublicKeyInfo, leaf first), the leaf's
// issuerName, isIssuedByKnownRoot and errorCode.
type Request struct {
	Hostname   string   `json:"hostname"`
	SPKI       []string `json:"spki,omitempty"`
	IssuerName string   `json:"issuerName,omitempty"`
	KnownRoot  bool     `json:"isIssuedByKnownRoot,omitempty"`
	ErrorCode  int      `json:"errorCode,omitempty"`
}

// unmet returns why a rule's conditions do not hold for req ("" when they
// all hold).
func (r *Rule) unmet(req *Request) string {
	if r.Pins != nil && !anyIn(req.SPKI, r.Pins) {
		return "no certificate of the chain has a pinned key"
	}
	if r.Issuers != nil && !anyIn([]string{req.IssuerName}, r.Issuers) {
		return fmt.Sprintf("the issuer %q is not listed", req.IssuerName)
	}
	if r.KnownRoot != nil && *r.KnownRoot != req.KnownRoot {
		return fmt.Sprintf("isIssuedByKnownRoot is %v", req.KnownRoot)
	}
	if r.ErrorCodes != nil && !slices.Contains(r.ErrorCodes, req.ErrorCode) {
		return fmt.Sprintf("Chromium's result is %s", NameOf(req.ErrorCode))
	}
	return ""
}

func anyIn(have, want []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
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
	// Skipped are the rules whose host pattern matched but whose
	// conditions did not hold, in order, with why.
	Skipped []Skip `json:"skipped,omitempty"`
}

// Skip is a rule passed over because a condition did not hold.
type Skip struct {
	Rule      string `json:"rule"`
	RuleIndex int    `json:"ruleIndex"`
	Why       string `json:"why"`
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
	return VerifyRequest(t, &Request{Hostname: hostname})
}

// VerifyRequest is Verify with the request's other fields, which rule
// conditions test: the first rule whose host pattern matches and whose
// conditions all hold decides.
func VerifyRequest(t *Table, req *Request) Result {
	if t == nil {
		return Result{Code: CodeChromium, Name: NameOf(CodeChromium), Verify: "chromium", RuleIndex: -1, Source: "no-proc"}
	}
	h := NormalizeHostname(req.Hostname)
	var skipped []Skip
	for i := range t.Rules {
		r := &t.Rules[i]
		if !r.Matches(h) {
			continue
		}
		if why := r.unmet(req); why != "" {
			skipped = append(skipped, Skip{Rule: r.Pattern, RuleIndex: i, Why: why})
			continue
		}
		return Result{Code: r.Code, Name: NameOf(r.Code), Verify: r.Verify, Rule: r.Pattern, RuleIndex: i, Source: "rule", Skipped: skipped}
	}
	return Result{Code: t.DefaultCode, Name: NameOf(t.DefaultCode), Verify: "chromium", RuleIndex: -1, Source: "default", Skipped: skipped}
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

// SPKIHash is a certificate's pin without its "sha256/" prefix: the base64
// SHA-256 of its DER SubjectPublicKeyInfo.
func SPKIHash(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// ChainSPKI is the SPKI hashes pins are checked against, as the adapter
// computes them: the whole chain (leaf first) when Chromium's own result
// is OK (errorCode 0: the chain was verified), otherwise only the leaf's,
// since the server proved it holds the leaf's key in the handshake while
// the intermediates it sent are unauthenticated, and anyone can send a
// copy of a public certificate.
func ChainSPKI(chain []*x509.Certificate, errorCode int) []string {
	if errorCode != 0 && len(chain) > 1 {
		chain = chain[:1]
	}
	out := make([]string, 0, len(chain))
	for _, c := range chain {
		out = append(out, SPKIHash(c))
	}
	return out
}

// ParsePEMChain reads the certificates of a PEM file, in order (leaf
// first); blocks other than CERTIFICATE are skipped.
func ParsePEMChain(data []byte) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(chain)+1, err)
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("no PEM CERTIFICATE block")
	}
	return chain, nil
}
