package permission

import (
	"net"
	"net/netip"
	"strings"

	"github.com/sessctl/sessctl/providers/internal/hostcanon"
)

// OriginPattern is one compiled origin pattern, in the shape the Electron
// adapter evaluates (docs/permissions.md, "Compiled table"). It mirrors the
// PatternParts of Chromium's ContentSettingsPattern
// (components/content_settings/core/common/content_settings_pattern.{h,cc}):
// a pattern string is split once, at compile time, so that matching is a
// handful of string comparisons.
type OriginPattern struct {
	// Source is the pattern as the user wrote it, for messages.
	Source string `json:"source"`
	// Scheme is the lower-case scheme, or "*" for any scheme.
	Scheme string `json:"scheme"`
	// Host is the canonical host (lower case, one trailing dot removed;
	// IPv6 literals keep their brackets, as URL hosts do). With Subdomains
	// and an empty Host the pattern matches every host.
	Host string `json:"host"`
	// Subdomains is Chromium's domain wildcard "[*.]": Host itself and every
	// name ending in "."+Host match.
	Subdomains bool `json:"subdomains"`
	// Port is the port as written (decimal digits), or "*" for any port;
	// "" for file patterns, which have no port.
	Port string `json:"port"`
	// Path is only used by file patterns: "*" for every file, otherwise the
	// exact path that must match.
	Path string `json:"path,omitempty"`
}

// problem is a diagnostic about a piece [Start,End) of a pattern string.
type problem struct {
	Warning    bool
	Start, End int
	Summary    string
	Detail     string
	// NeverMatches marks a warning saying the pattern can never match.
	NeverMatches bool
}

const patternSyntax = `Chromium content-settings pattern syntax: "*" (everything), "[*.]example.com" (the domain and its subdomains), "example.com" (that host), optionally with a scheme "https://" or "*://" and a port ":443" or ":*", or "file:///path/to/file.html" / "file:///*". Only http, https and file schemes are valid (content_settings_pattern.cc Validate).`

// ParseOrigin parses a Chromium content-settings pattern, following
// content_settings::PatternParser::Parse and ContentSettingsPattern::Builder
// (Canonicalize, Validate). ok is false when Chromium would build an invalid
// pattern; problems explain why (errors) or what works differently than it
// reads (warnings).
func ParseOrigin(spec string) (p OriginPattern, problems []problem, ok bool) {
	p.Source = spec
	bad := func(start, end int, summary, detail string) (OriginPattern, []problem, bool) {
		if detail == "" {
			detail = patternSyntax
		}
		return p, append(problems, problem{Start: start, End: end, Summary: summary, Detail: detail}), false
	}
	if spec == "*" {
		p.Scheme, p.Subdomains, p.Port = "*", true, "*"
		return p, nil, true
	}
	if spec == "" {
		return bad(0, 0, "empty origin pattern", "")
	}
	if strings.TrimSpace(spec) != spec {
		return bad(0, len(spec), "origin pattern has leading or trailing spaces", "")
	}

	var schemePiece, hostPiece, portPiece, pathPiece string
	hostStart, portStart, pathStart := 0, -1, -1
	start := 0
	if i := strings.Index(spec, "://"); i >= 0 {
		schemePiece = spec[:i]
		start = i + 3
	}
	if start >= len(spec) {
		return bad(0, len(spec), "origin pattern has no host", "")
	}
	cur := start
	if spec[cur] == '[' {
		j := strings.IndexByte(spec[start:], ']')
		if j < 0 {
			return bad(start, len(spec), "unclosed \"[\" in origin pattern", "")
		}
		cur = start + j
	}
	hostStart = start
	// PatternParser::Parse looks for the port separator ':' anywhere after
	// the host starts, before it looks for the path's '/': a ':' in a path
	// splits the pattern there ("file:///tmp/a:80/x" has the "port" 80).
	colon := strings.IndexByte(spec[cur:], ':')
	if colon < 0 {
		if j := strings.IndexByte(spec[start:], '/'); j < 0 {
			hostPiece = spec[start:]
			start = len(spec)
		} else {
			hostPiece = spec[start : start+j]
			start += j
		}
	} else {
		colon += cur
		hostPiece = spec[start:colon]
		if slash := strings.IndexByte(hostPiece, '/'); slash >= 0 {
			return bad(start+slash, colon+1, "\":\" in the path of an origin pattern",
				`Chromium's pattern parser looks for the port separator ":" before the path, so a ":" after the first "/" splits the pattern there, and the "host" then holds a "/": Chromium builds an invalid pattern or, for a file pattern, drops everything before the ":". Remove the ":" from the path.`)
		}
		start = colon + 1
		if start < len(spec) {
			end := strings.IndexByte(spec[start:], '/')
			if end < 0 {
				end = len(spec)
			} else {
				end += start
			}
			portPiece, portStart = spec[start:end], start
			start = end
		}
	}
	if start < len(spec) {
		pathPiece, pathStart = spec[start:], start
	}
	hostEnd := hostStart + len(hostPiece)

	// Scheme.
	switch schemePiece {
	case "", "*":
		p.Scheme = "*"
	default:
		p.Scheme = strings.ToLower(schemePiece)
	}
	if p.Scheme != "*" && p.Scheme != "http" && p.Scheme != "https" && p.Scheme != "file" {
		return bad(0, len(schemePiece), "unsupported scheme \""+schemePiece+"\" in origin pattern",
			`Chromium's content-settings patterns accept only http, https, file or "*" as scheme (content_settings_pattern.cc Validate; the unit test rejects "ftp://myhost.org"). To match a custom protocol such as app://host, leave the scheme out ("host" or "*://host"): a pattern without scheme matches every scheme.`)
	}

	// Host.
	hostIsWildcard := false
	switch {
	case hostPiece == "*":
		p.Subdomains, hostIsWildcard = true, true
	case strings.HasPrefix(hostPiece, "[*.]"):
		if strings.HasPrefix(hostPiece, "[*.].") {
			return bad(hostStart, hostStart+5, "superfluous dot after \"[*.]\"",
				`"[*.]" already includes the separating dot: write "[*.]example.com", not "[*.].example.com" (crbug.com/823706).`)
		}
		p.Subdomains = true
		p.Host = hostPiece[4:]
		if p.Host == "" {
			hostIsWildcard = true
		}
	default:
		if i := strings.IndexByte(hostPiece, '*'); i >= 0 {
			return bad(hostStart+i, hostStart+i+1, "wildcard inside a host",
				`A host may only be "*" or start with "[*.]"; "*example.com" and "example.*" are invalid (content_settings_pattern_unittest.cc InvalidPatterns). Write "[*.]example.com" for a domain and its subdomains.`)
		}
		p.Host = hostPiece
	}
	if !hostIsWildcard && p.Host != "" {
		h, msg := canonicalHost(p.Host)
		if msg != "" {
			return bad(hostEnd-len(p.Host), hostEnd, msg, "")
		}
		if p.Subdomains && isIPLiteral(h) {
			return bad(hostStart, hostEnd, "domain wildcard on an IP address",
				`"[*.]" applies to domain names only; Chromium rejects "[*.]127.0.0.1" (content_settings_pattern_unittest.cc FromString_WithIPAdresses). Write the address alone.`)
		}
		p.Host = h
		if len(h) > 1 && h[0] == '.' && !p.Subdomains {
			// net::CanonicalizeHost keeps a leading dot, and Matches compares
			// hosts exactly: only a URL whose host itself starts with the dot
			// matches.
			problems = append(problems, problem{Warning: true, Start: hostStart, End: hostEnd,
				Summary: "\"" + hostPiece + "\" is not a domain wildcard",
				Detail: "Chromium accepts a host with a leading dot and keeps the dot, so the pattern matches only URLs whose host is literally \"" + h + "\", " +
					"not \"" + h[1:] + "\" or its subdomains. Write \"[*.]" + h[1:] + "\" for the domain and its subdomains, or \"" + h[1:] + "\" for the host alone."})
		}
	}

	// File patterns: no host, no port, a path that is "/*" or exact.
	if p.Scheme == "file" {
		if hostPiece != "" || portPiece != "" || portStart >= 0 {
			return bad(hostStart, len(spec), "file pattern with a host or port",
				`File patterns have an empty host and no port: "file:///path/to/file.html" or "file:///*" (content_settings_pattern_unittest.cc FromString_FilePatterns; ContentSettingsPattern::Builder::Validate refuses a port).`)
		}
		if pathPiece == "/*" {
			p.Path = "*"
			return p, problems, true
		}
		// Builder::Canonicalize reads the path as GURL reads
		// "file://" + path, and the pattern keeps GURL's path.
		canon, dropped := canonicalFilePath(pathPiece)
		if dropped != "" {
			problems = append(problems, problem{Warning: true, Start: len(spec) - len(dropped), End: len(spec),
				Summary: "\"" + dropped + "\" is not part of the file path",
				Detail:  "Chromium reads a file pattern's path as a URL path: a \"?\" starts the query and a \"#\" the fragment, which the pattern drops (ContentSettingsPattern::Builder::Canonicalize keeps GURL's path()). The pattern matches the path without them; remove them."})
		}
		switch {
		case canon == "" || canon == "/":
			return bad(0, len(spec), "file pattern without a file path",
				`"file:///" is invalid (also once ".." and "." segments are resolved); name a file ("file:///tmp/test.html") or every file ("file:///*").`)
		case strings.Contains(canon, "*"):
			return bad(pathStart, len(spec), "wildcard inside a file path",
				`The only file path wildcard is "file:///*" (content_settings_pattern_unittest.cc FromString_FilePatterns).`)
		}
		p.Path = canon
		return p, problems, true
	}

	if hostPiece == "" {
		return bad(0, len(spec), "origin pattern has no host", "")
	}

	// Port.
	switch {
	case portPiece == "" || portPiece == "*":
		p.Port = "*"
	default:
		for i := 0; i < len(portPiece); i++ {
			if portPiece[i] < '0' || portPiece[i] > '9' {
				return bad(portStart, portStart+len(portPiece), "port \""+portPiece+"\" is not a number",
					`A port is decimal digits or "*" ("example.com:abc" is invalid, content_settings_pattern_unittest.cc InvalidPatterns).`)
			}
		}
		p.Port = portPiece
		if len(portPiece) > 1 && portPiece[0] == '0' || len(portPiece) > 5 || atoiSafe(portPiece) > 65535 {
			problems = append(problems, problem{Warning: true, NeverMatches: true, Start: portStart, End: portStart + len(portPiece),
				Summary: "port \"" + portPiece + "\" can never match",
				Detail:  "Chromium compares the port as text against the URL's canonical port (1-65535, no leading zeros), so this pattern matches no URL. Write the port without leading zeros, within 1-65535."})
		}
	}

	// Path: Chromium stores it but ContentSettingsPattern::Matches ignores it
	// for every scheme but file.
	if pathPiece != "" && pathPiece != "/" && pathPiece != "/*" {
		problems = append(problems, problem{Warning: true, Start: pathStart, End: len(spec),
			Summary: "path \"" + pathPiece + "\" is ignored",
			Detail:  "Chromium content-settings patterns match on scheme, host and port only; the path of an http(s) pattern is not compared (content_settings_pattern.cc Matches), so this pattern matches every path of the origin. Remove the path."})
	}
	return p, problems, true
}

// canonicalFilePath is the path GURL gives "file://" + path
// (url/url_canon_path.cc DoPartialPathInternal; the query and fragment
// are split off first, and returned as dropped): backslashes become
// slashes, "." and ".." segments (also written %2e) are resolved without
// climbing above the root, valid escapes are kept as written (current
// Chromium no longer decodes them: DontDecodeAsciiPercentEncodedURLPath),
// and the bytes of kPathCharLookup's ESCAPE class are percent-encoded
// (upper-case hex, non-ASCII as its UTF-8 bytes).
func canonicalFilePath(path string) (canon, dropped string) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path, dropped = path[:i], path[i:]
	}
	return canonicalPath(path, true), dropped
}

// pathEscapes are the printable ASCII bytes a canonical path
// percent-encodes: GURL's (kPathCharLookup) and WHATWG's path
// percent-encode set, which leaves "|" and "^" alone (Node's new URL()).
const (
	gurlPathEscapes   = "\"#<>?^`{|}"
	whatwgPathEscapes = "\"#<>?`{}"
)

// canonicalPath canonicalises a special URL's path: as GURL does (gurl),
// or as WHATWG's path state does (what the adapter's new URL() gives, and
// ParseURL mirrors). They differ only in pathEscapes.
func canonicalPath(path string, gurl bool) string {
	escapes := whatwgPathEscapes
	if gurl {
		escapes = gurlPathEscapes
	}
	out := make([]byte, 0, len(path)+8)
	if path == "" || !isURLSlash(path[0]) {
		out = append(out, '/')
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		if n := dotLen(path, i); n > 0 {
			// literal is what a dot that is not a segment of its own
			// becomes: GURL writes "." also for "%2e", WHATWG keeps "%2e".
			literal := "."
			if !gurl {
				literal = path[i : i+n]
			}
			if len(out) == 0 || out[len(out)-1] != '/' {
				out = append(out, literal...)
				i += n - 1
				continue
			}
			after := i + n
			switch {
			case after == len(path): // "." at the end
				i = after - 1
			case isURLSlash(path[after]): // "./"
				i = after
			default:
				if m := dotLen(path, after); m > 0 && (after+m == len(path) || isURLSlash(path[after+m])) {
					// "..": back up to the previous slash, not above the root.
					if k := strings.LastIndexByte(string(out[:len(out)-1]), '/'); k >= 0 {
						out = out[:k+1]
					}
					i = after + m - 1
					if after+m < len(path) {
						i++ // the slash after ".."
					}
				} else {
					out = append(out, literal...)
					i += n - 1
				}
			}
			continue
		}
		switch {
		case c == '\\':
			out = append(out, '/')
		case c == '%':
			out = append(out, '%') // a valid escape is kept as written, an invalid one too
		case c <= 0x20 || c >= 0x7f || strings.IndexByte(escapes, c) >= 0:
			out = append(out, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// needsPathCanon reports whether canonicalPath could change p: it holds a
// dot, a backslash, a percent sign or a byte to escape. Most paths hold
// none but dots in file names, so ParseURL's hot path stays a scan.
func needsPathCanon(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '.':
			if i > 0 && p[i-1] == '/' {
				return true
			}
		case c == '\\' || c == '%' || c <= 0x20 || c >= 0x7f || strings.IndexByte(whatwgPathEscapes, c) >= 0:
			return true
		}
	}
	return false
}

func isURLSlash(c byte) bool { return c == '/' || c == '\\' }

// dotLen is url_canon_internal's IsDot: the length of "." or an escaped
// "%2e" at s[i], or 0.
func dotLen(s string, i int) int {
	if s[i] == '.' {
		return 1
	}
	if s[i] == '%' && i+2 < len(s) && s[i+1] == '2' && (s[i+2] == 'e' || s[i+2] == 'E') {
		return 3
	}
	return 0
}

func atoiSafe(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<20 {
			return n
		}
	}
	return n
}

// canonicalHost lower-cases a host and removes one trailing dot, as
// ContentSettingsPattern::Builder::Canonicalize does. It returns a message
// when Chromium would reject the host. Unlike Chromium it does not convert
// Unicode to punycode: sessctl asks for the xn-- form instead.
func canonicalHost(h string) (string, string) {
	if strings.HasPrefix(h, "[") {
		if !strings.HasSuffix(h, "]") || net.ParseIP(h[1:len(h)-1]) == nil || !strings.Contains(h, ":") {
			return "", "invalid IPv6 literal \"" + h + "\""
		}
		c, ok := serializeIPv6Literal(strings.ToLower(h))
		if !ok {
			return "", "invalid IPv6 literal \"" + h + "\""
		}
		return c, ""
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 0x80:
			return "", "non-ASCII host \"" + h + "\": write its punycode (xn--) form"
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return "", "invalid character " + quoteByte(c) + " in host \"" + h + "\""
		}
	}
	h = strings.ToLower(h)
	if strings.HasSuffix(h, "..") {
		return "", "host \"" + h + "\" ends with two dots"
	}
	if len(h) >= 2 && strings.HasSuffix(h, ".") {
		h = h[:len(h)-1]
	}
	if hostcanon.EndsInNumber(h) {
		// Chromium's host canonicaliser reads a host ending in a number as
		// IPv4 ("127.1" is 127.0.0.1) and rejects it when that fails.
		ip, ok := canonicalIPv4(h)
		if !ok {
			return "", "host \"" + h + "\" ends in a number but is not an IPv4 address"
		}
		return ip, ""
	}
	return h, ""
}

func quoteByte(c byte) string {
	if c < 0x20 || c == 0x7f {
		return "\\x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
	}
	return "\"" + string(c) + "\""
}

// isIPLiteral reports whether a canonical host is an IPv4 or bracketed IPv6
// address.
func isIPLiteral(h string) bool {
	if strings.HasPrefix(h, "[") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.To4() != nil
}

// defaultPort is ContentSettingsPattern's GetDefaultPort: only http and
// https have one for matching purposes.
func defaultPort(scheme string) string {
	switch scheme {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// Match reports whether the pattern matches a parsed URL, following
// ContentSettingsPattern::Matches.
func (p *OriginPattern) Match(u *URL) bool {
	if u.Scheme == "filesystem" {
		// Matches compares a filesystem: URL's inner URL.
		inner := innerURL(u)
		u = &inner
	}
	if p.Scheme != "*" && p.Scheme != u.Scheme {
		return false
	}
	if p.Scheme != "*" && u.Scheme == "file" {
		return p.Path == "*" || p.Path == u.Path
	}
	if !hostMatches(p.Host, p.Subdomains, u.Host) {
		return false
	}
	if p.Port == "*" {
		return true
	}
	port := u.Port
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	return p.Port == port
}

// innerURL is GURL's inner_url() of a filesystem: URL, as far as
// Matches reads it: "filesystem:https://h/temporary/x" has the inner URL
// https://h/temporary/; the inner URL of a filesystem:file: URL has only
// the file system type as its path ("/temporary", crbug.com/568110). A
// URL without an inner URL is returned as it is.
func innerURL(u *URL) URL {
	in := ParseURL(u.Path)
	if in.Scheme == "" || in.Scheme == "filesystem" || !in.Hierarchical && in.Scheme != "file" {
		return *u
	}
	if in.Scheme == "file" {
		seg := strings.TrimPrefix(in.Path, "/")
		if i := strings.IndexByte(seg, '/'); i >= 0 {
			seg = seg[:i]
		}
		in.Path = "/" + seg
	}
	return in
}

// hostMatches applies a host pattern to a URL host (one trailing dot is
// ignored, net::TrimEndingDot; IsSubDomainOrEqual for domain wildcards).
func hostMatches(pattern string, subdomains bool, host string) bool {
	if n := len(host); n > 1 && host[n-1] == '.' {
		host = host[:n-1]
	}
	if !subdomains {
		return pattern == host
	}
	if pattern == "" || pattern == host {
		return true
	}
	return len(host) > len(pattern) && host[len(host)-len(pattern)-1] == '.' && host[len(host)-len(pattern):] == pattern
}

// URL is the part of a URL the evaluators compare: what WHATWG `new URL()`
// gives in JavaScript (protocol without ":", hostname, port, pathname),
// normalised the same way (lower-case scheme and host, default port
// removed, IPv6 host in brackets).
type URL struct {
	Scheme string
	Host   string
	Port   string
	Path   string
	// Hierarchical is true when the URL has an authority ("scheme://").
	Hierarchical bool
}

// specialDefaultPort lists the schemes whose default port URL parsers drop
// (WHATWG URL "special schemes"; GURL does the same).
func specialDefaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	case "ftp":
		return "21"
	}
	return ""
}

// DefaultPort is url::DefaultPortForScheme for the schemes that have one
// ("" otherwise); the web_request patterns use it too.
func DefaultPort(scheme string) string { return specialDefaultPort(scheme) }

func isSpecial(scheme string) bool {
	switch scheme {
	case "http", "https", "ws", "wss", "ftp", "file":
		return true
	}
	return false
}

// ParseURL splits a URL or origin string. It never fails: what it cannot
// read yields empty parts, which only the wildcard pattern "*" matches
// (as Chromium's Matches does for an invalid GURL).
func ParseURL(s string) URL {
	var u URL
	parseURL(&u, s)
	return u
}

// parseURL is ParseURL into *u (which must be zero), sparing the hot path
// a copy.
func parseURL(u *URL, s string) {
	var i int
	upper := false
	// Fast path for the schemes nearly every request has.
	switch {
	case len(s) > 8 && s[:8] == "https://":
		u.Scheme, i = "https", 5
		goto scheme
	case len(s) > 7 && s[:7] == "http://":
		u.Scheme, i = "http", 4
		goto scheme
	}
	// Scheme: letters first, then letters, digits, "+", "-", ".".
	for ; i < len(s); i++ {
		c := s[i]
		if c == ':' {
			break
		}
		switch cls := urlClass[c]; {
		case cls&clsSchemeFirst != 0:
			upper = upper || c <= 'Z'
		case cls&clsScheme != 0 && i > 0:
		default:
			return
		}
	}
	if i == 0 || i == len(s) {
		return
	}
	u.Scheme = s[:i]
	if upper {
		u.Scheme = strings.ToLower(u.Scheme)
	}
scheme:
	if !parseAfterScheme(u, s[i+1:]) {
		*u = URL{}
	}
}

// parseAfterScheme fills u from what follows "scheme:", following WHATWG
// URL parsing where it decides what the evaluators compare: an invalid URL
// (bad host or port) returns false, and the caller empties the URL, as
// `new URL()` throws.
func parseAfterScheme(u *URL, rest string) bool {
	special := isSpecial(u.Scheme)
	hasSlashes := len(rest) >= 2 && rest[0] == '/' && rest[1] == '/'
	if !hasSlashes && !(special && u.Scheme != "file") {
		// Opaque URL (mailto:, data:, about:): no host.
		u.Path = rest[:endOfPath(rest, 0)]
		return true
	}
	// "Hierarchical" is about the text, as the adapter tests it: the
	// string has "//" after "scheme:".
	u.Hierarchical = hasSlashes
	if hasSlashes {
		rest = rest[2:]
	}
	if special && u.Scheme != "file" {
		// WHATWG "special authority ignore slashes" state.
		for len(rest) > 0 && (rest[0] == '/' || rest[0] == '\\') {
			rest = rest[1:]
		}
	}
	// One pass over the authority: it ends at the first '/', '?' or '#'
	// (and '\\' for special schemes).
	end, at, colon, bracket := len(rest), -1, -1, -1
	var seen uint8
scan:
	for k := 0; k < len(rest); k++ {
		c := rest[k]
		cls := urlClass[c]
		seen |= cls
		if cls&clsPlain != 0 {
			continue
		}
		switch c {
		case '/', '?', '#':
			end = k
			break scan
		case '\\':
			if special {
				end = k
				break scan
			}
		case '@':
			at, colon, bracket, seen = k, -1, -1, 0
		case ':':
			if bracket < 0 || rest[bracket] == ']' {
				colon = k
			}
		case '[':
			if bracket < 0 {
				bracket = k
			}
		case ']':
			if bracket >= 0 {
				bracket = k
				colon = -1
			}
		}
	}
	if end < len(rest) {
		p := rest[end:]
		p = p[:endOfPath(p, 0)]
		if special && needsPathCanon(p) {
			// new URL() resolves dot segments, turns backslashes into
			// slashes and percent-encodes.
			p = canonicalPath(p, false)
		}
		u.Path = p
	}
	if u.Path == "" && special {
		u.Path = "/"
	}
	hostEnd := end
	if colon > at {
		hostEnd = colon
		u.Port = rest[colon+1 : end]
	}
	u.Host = rest[at+1 : hostEnd]
	if seen&clsBad != 0 || special && seen&clsPercent != 0 {
		// Forbidden host code points (space, controls, "<", ">", "^", "|",
		// and "%" in special hosts, where WHATWG would percent-decode and
		// usually fail): new URL() throws.
		if !validHostChars(u.Host, special) {
			return false
		}
	}
	if seen&clsUpper != 0 {
		u.Host = strings.ToLower(u.Host)
	}
	if len(u.Host) > 0 && u.Host[0] == '[' {
		h, ok := serializeIPv6Literal(u.Host)
		if !ok {
			return false
		}
		u.Host = h
	} else if special && hostcanon.EndsInNumber(u.Host) {
		h, ok := canonicalIPv4(u.Host)
		if !ok {
			return false
		}
		u.Host = h
	}
	if special && u.Scheme != "file" && u.Host == "" {
		return false
	}
	if u.Scheme == "file" && u.Host == "localhost" {
		// WHATWG empties a file URL's "localhost" host.
		u.Host = ""
	}
	if u.Port != "" {
		n := 0
		for k := 0; k < len(u.Port); k++ {
			c := u.Port[k]
			if c < '0' || c > '9' {
				return false
			}
			if n = n*10 + int(c-'0'); n > 65535 {
				return false
			}
		}
		// Leading zeros are dropped ("https://h:0443" is 443), and so is
		// the scheme's default port.
		for len(u.Port) > 1 && u.Port[0] == '0' {
			u.Port = u.Port[1:]
		}
		if u.Port == specialDefaultPort(u.Scheme) {
			u.Port = ""
		}
	}
	return true
}

// validHostChars reports whether a host has no forbidden host code point
// (WHATWG URL; "%" counts for special schemes).
func validHostChars(h string, special bool) bool {
	for k := 0; k < len(h); k++ {
		c := h[k]
		switch {
		case c <= ' ', c == 0x7f, c == '<', c == '>', c == '^', c == '|', c == '#', c == '?', c == '/', c == '\\', c == '@':
			return false
		case c == '%' && special:
			return false
		}
	}
	return true
}

// canonicalIPv4 is the IPv4 parser and serialiser WHATWG and Chromium
// share (hostcanon.ParseIPv4): "1.2.3" is 1.2.0.3, "0x7f.1" is 127.0.0.1.
// It is applied to hosts that end in a number (hostcanon.EndsInNumber).
func canonicalIPv4(h string) (string, bool) {
	a, ok := hostcanon.ParseIPv4(h)
	if !ok {
		return "", false
	}
	return hostcanon.FormatIPv4(a), true
}

// serializeIPv6Literal canonicalises "[...]" the way WHATWG serialises
// IPv6 hosts, which is GURL's way too (hostcanon.FormatIPv6): lower-case
// hex pieces, the first longest run of two or more zero pieces
// compressed, no embedded IPv4 ("[::ffff:102:304]"). The address is read
// with netip, which like WHATWG's IPv6 parser takes an embedded IPv4 tail
// in dotted decimal only.
func serializeIPv6Literal(h string) (string, bool) {
	if len(h) < 2 || h[len(h)-1] != ']' {
		return "", false
	}
	a, err := netip.ParseAddr(h[1 : len(h)-1])
	if err != nil || !a.Is6() || a.Zone() != "" {
		return "", false
	}
	return "[" + hostcanon.FormatIPv6(a.As16()) + "]", true
}

// Character classes for ParseURL.
const (
	clsSchemeFirst = 1 << iota // ASCII letter
	clsScheme                  // digit, '+', '-', '.'
	clsPlain                   // needs no attention inside an authority
	clsAuthEnd                 // '/', '?', '#'
	clsUpper                   // 'A'-'Z'
	clsBad                     // forbidden in any host
	clsPercent                 // '%': forbidden in special hosts (see validHostChars)
)

var urlClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z':
			t[c] = clsSchemeFirst | clsPlain
		case c >= 'A' && c <= 'Z':
			t[c] = clsSchemeFirst | clsPlain | clsUpper
		case c >= '0' && c <= '9', c == '+', c == '-', c == '.':
			t[c] = clsScheme | clsPlain
		case c == '/', c == '?', c == '#':
			t[c] = clsAuthEnd
		case c == '@', c == ':', c == '[', c == ']', c == '\\':
		case c <= ' ', c == 0x7f, c == '<', c == '>', c == '^', c == '|':
			t[c] = clsPlain | clsBad
		case c == '%':
			t[c] = clsPlain | clsPercent
		default:
			t[c] = clsPlain
		}
	}
	return t
}()

// endOfPath returns the index in s (from start) of the first '?' or '#'.
func endOfPath(s string, start int) int {
	for k := start; k < len(s); k++ {
		if s[k] == '?' || s[k] == '#' {
			return k
		}
	}
	return len(s)
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// lowerASCII lower-cases ASCII letters without allocating when s is
// already lower case (the common case on the hot path).
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
