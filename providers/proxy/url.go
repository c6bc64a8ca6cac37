package proxy

import (
	"github.com/sessctl/sessctl/providers/internal/hostcanon"
	"github.com/sessctl/sessctl/providers/proxy/pac"

	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// target is a URL reduced to what proxy resolution looks at, canonicalized
// like GURL: lower-case scheme, canonical host, effective port.
type target struct {
	scheme string
	host   string // canonical; IPv6 bracketed
	kind   hostKind
	ip     netip.Addr // address of an IP host
	port   int        // explicit port, or -1
	eport  int        // effective port (scheme default when omitted), -1 if none
	rest   string     // path, query and fragment as written (for PAC)
	user   bool       // userinfo present (stripped before PAC)
}

// hostNoBrackets is GURL::HostNoBrackets.
func (t *target) hostNoBrackets() string {
	if t.kind == hostIPv6 {
		return t.host[1 : len(t.host)-1]
	}
	return t.host
}

// defaultPort is GURL's url::DefaultPortForScheme for the schemes proxy
// resolution deals with.
func defaultPort(scheme string) int {
	switch scheme {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	case "ftp":
		return 21
	}
	return -1
}

// isSpecial reports the URL Standard's special schemes, whose authority
// GURL parses leniently (any run of '/' or '\' after the colon).
func isSpecial(scheme string) bool {
	switch scheme {
	case "http", "https", "ws", "wss", "ftp", "file":
		return true
	}
	return false
}

// ErrInvalidURL is wrapped by the errors Resolve reports for URLs GURL
// would not accept; resolveProxy of such a URL does not resolve to a
// proxy list.
var ErrInvalidURL = errors.New("invalid URL")

// parseTarget parses a URL for proxy resolution. It allocates only when
// the URL needs rewriting (upper case, IDN, numeric IPv4 forms, ...).
func parseTarget(raw string) (target, error) {
	var t target
	t.port, t.eport = -1, -1
	// GURL trims leading/trailing C0 controls and spaces and removes tabs
	// and newlines anywhere.
	s := raw
	for len(s) > 0 && s[0] <= 0x20 {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] <= 0x20 {
		s = s[:len(s)-1]
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\t' || c == '\n' || c == '\r' {
			s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
			break
		}
	}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return t, fmt.Errorf("%w %q: no scheme", ErrInvalidURL, raw)
	}
	scheme := s[:colon]
	lowerScheme := true
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c >= 'A' && c <= 'Z':
			lowerScheme = false
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return t, fmt.Errorf("%w %q: bad scheme", ErrInvalidURL, raw)
		}
	}
	if !lowerScheme {
		scheme = strings.ToLower(scheme)
	}
	t.scheme = scheme
	s = s[colon+1:]
	var authority string
	if isSpecial(scheme) {
		i := 0
		for i < len(s) && (s[i] == '/' || s[i] == '\\') {
			i++
		}
		s = s[i:]
		end := 0
		for end < len(s) && s[end] != '/' && s[end] != '\\' && s[end] != '?' && s[end] != '#' {
			end++
		}
		authority, t.rest = s[:end], s[end:]
	} else if strings.HasPrefix(s, "//") {
		s = s[2:]
		end := strings.IndexAny(s, "/?#")
		if end < 0 {
			end = len(s)
		}
		authority, t.rest = s[:end], s[end:]
	} else {
		// Opaque URL (data:, about:, mailto:): no host.
		t.rest = s
		return t, nil
	}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		t.user = true
		authority = authority[at+1:]
	}
	host, port, hasPort := splitHostPort(authority)
	if hasPort {
		p, ok := parseURLPort(port)
		if !ok {
			return t, fmt.Errorf("%w %q: bad port %q", ErrInvalidURL, raw, port)
		}
		t.port = p
	}
	if host == "" {
		if scheme == "file" {
			return t, nil
		}
		return t, fmt.Errorf("%w %q: empty host", ErrInvalidURL, raw)
	}
	h, ok := hostcanon.Canonicalize(host)
	if !ok {
		return t, fmt.Errorf("%w %q: bad host %q", ErrInvalidURL, raw, host)
	}
	t.host, t.kind, t.ip = h.Text, h.Kind, h.Addr
	def := defaultPort(scheme)
	if t.port == def {
		t.port = -1 // GURL drops a default port
	}
	t.eport = t.port
	if t.eport < 0 {
		t.eport = def
	}
	return t, nil
}

// splitHostPort is url::ParseServerInfo: the port follows the last ':'
// that is after the last ']'. hasPort is true when a ':' was found, even
// with an empty port.
func splitHostPort(s string) (host, port string, hasPort bool) {
	term := -1
	if s != "" && s[0] == '[' {
		term = len(s)
	}
	colon := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ']':
			term = i
		case ':':
			colon = i
		}
	}
	if colon > term {
		return s[:colon], s[colon+1:], true
	}
	return s, "", false
}

// parseURLPort is url::ParsePort for a URL: empty means unspecified
// (GURL accepts "http://h:/"), digits only, leading zeros ignored, at most
// 65535.
func parseURLPort(p string) (int, bool) {
	if p == "" {
		return -1, true
	}
	return parsePortDigits(p)
}

// parsePortDigits accepts only ASCII digits (leading zeros allowed) with a
// value of at most 65535, as url::ParsePort does.
func parsePortDigits(p string) (int, bool) {
	if p == "" {
		return 0, false
	}
	v := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
		if v > 65535 {
			return 0, false
		}
	}
	return v, true
}

// pacURL returns the URL as handed to FindProxyForURL: Chromium strips the
// userinfo and fragment, and for https/wss also the path and query
// (proxy_resolution_url_sanitizer.cc SanitizeUrl). The result then goes
// through pac.SanitizeURL, which resolves dot segments and escapes the path
// and query as GURL does: the real-browser test showed Chromium hands
// scripts /b/c for /a/../b/./c and %20 for a space.
func (t *target) pacURL() string {
	var b strings.Builder
	b.WriteString(t.scheme)
	b.WriteString("://")
	b.WriteString(t.host)
	if t.port >= 0 {
		fmt.Fprintf(&b, ":%d", t.port)
	}
	rest := t.rest
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	if t.scheme == "https" || t.scheme == "wss" {
		rest = "/"
	}
	if rest == "" || rest[0] == '?' {
		rest = "/" + rest
	}
	rest = strings.ReplaceAll(rest, "\\", "/")
	b.WriteString(rest)
	return pac.SanitizeURL(b.String())
}
