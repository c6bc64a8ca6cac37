package webrequest

import (
	"strconv"
	"strings"

	"github.com/sessctl/sessctl/providers/displaymedia"
	"github.com/sessctl/sessctl/providers/internal/hostcanon"
	"github.com/sessctl/sessctl/providers/permission"
)

// Pattern is one compiled URL pattern (Chromium's URLPattern after Parse
// with SCHEME_ALL, the only mode Electron uses).
type Pattern struct {
	// Source is the pattern as written.
	Source string `json:"source"`
	// All is "<all_urls>": every valid URL of every scheme.
	All bool `json:"all,omitempty"`
	// Scheme is the scheme as written, or "*" for http and https only
	// (URLPattern::SetScheme masks SCHEME_ALL down to SCHEME_HTTP|HTTPS).
	Scheme string `json:"scheme,omitempty"`
	// Host is the canonical host ("" with Subdomains: every host; "" for
	// file and non-standard schemes, where the host is not compared).
	Host       string `json:"host,omitempty"`
	Subdomains bool   `json:"subdomains,omitempty"`
	// Port is "*" or the port as written, compared as text with the URL's
	// effective port (so "080" never matches).
	Port string `json:"port,omitempty"`
	// Path is the path glob: '*' matches any run of characters, every
	// other character itself. It is matched against path plus "?query".
	Path string `json:"path,omitempty"`
}

// Parse results of URLPattern::Parse, with Chromium's messages
// (kParseResultMessages); Electron throws
// "Invalid url pattern PATTERN: MESSAGE".
const (
	errMissingSchemeSeparator = "Missing scheme separator."
	errInvalidScheme          = "Invalid scheme."
	errWrongSchemeSeparator   = "Wrong scheme type."
	errEmptyHost              = "Host can not be empty."
	errInvalidHostWildcard    = "Invalid host wildcard."
	errEmptyPath              = "Empty path."
	errInvalidPort            = "Invalid port."
	errInvalidHost            = "Invalid host."
)

// builtinStandard lists the schemes GURL treats as standard ("scheme://")
// in Electron without app registration: url/url_util.cc's standard schemes
// (http, https, file, ftp, ws, wss, filesystem) and those the content layer
// and Electron register (chrome, chrome-untrusted, devtools,
// chrome-extension). An app may register more with
// protocol.registerSchemesAsPrivileged([{scheme, privileges: {standard: true}}]).
var builtinStandard = map[string]bool{
	"http": true, "https": true, "file": true, "ftp": true, "ws": true, "wss": true, "filesystem": true,
	"chrome": true, "chrome-untrusted": true, "devtools": true, "chrome-extension": true,
}

// neverStandard are schemes GURL knows as non-standard (url/url_util.cc
// and the URL Standard: no authority), which an app cannot make standard.
var neverStandard = map[string]bool{"about": true, "data": true, "javascript": true, "blob": true, "mailto": true, "uuid-in-package": true}

// defaultPort is url::DefaultPortForScheme ("" for PORT_UNSPECIFIED).
var defaultPort = permission.DefaultPort

// ParseProblem is why a pattern does not parse, or what it warns about.
type ParseProblem struct {
	// Message is Chromium's parse result message ("Empty path.").
	Message string
	// NonStandard is set (with no Message) when a pattern writes
	// "scheme://" for a scheme that is standard only if the app registers
	// it so; Electron throws "Wrong scheme type." otherwise.
	NonStandard bool
	// OddPort is set when the port is valid but written in a form that
	// never equals a URL's port ("080", "+80").
	OddPort bool
}

// ParsePattern parses a URL filter pattern as URLPattern::Parse does with
// SCHEME_ALL. ok is false when Electron would throw.
func ParsePattern(spec string) (p Pattern, prob ParseProblem, ok bool) {
	p = Pattern{Source: spec, Port: "*"}
	fail := func(msg string) (Pattern, ParseProblem, bool) { return p, ParseProblem{Message: msg}, false }
	if spec == "<all_urls>" {
		p.All, p.Scheme, p.Subdomains, p.Path = true, "*", true, "/*"
		return p, prob, true
	}
	end := strings.Index(spec, "://")
	stdSep := true
	if end < 0 {
		end = strings.IndexByte(spec, ':')
		stdSep = false
	}
	if end < 0 {
		return fail(errMissingSchemeSeparator)
	}
	// SCHEME_ALL accepts any scheme text (IsValidScheme); "*" narrows the
	// valid schemes to http and https.
	p.Scheme = spec[:end]
	standard := p.Scheme == "*" || builtinStandard[p.Scheme]
	if stdSep && !standard && validSchemeName(p.Scheme) && !neverStandard[p.Scheme] {
		// Standard only when the app registered it so.
		standard, prob.NonStandard = true, true
	}
	if standard != stdSep {
		return fail(errWrongSchemeSeparator)
	}
	pos := end + 1
	if standard {
		pos = end + 3
	}
	if pos >= len(spec) {
		return fail(errEmptyHost)
	}
	var path string
	switch {
	case !standard:
		path = spec[pos:]
	case p.Scheme == "file":
		// The host of a file pattern is ignored; "file://foo*" is
		// "file:///foo*".
		if slash := strings.IndexByte(spec[pos:], '/'); slash < 0 {
			path = spec[pos-1:]
		} else {
			path = spec[pos+slash:]
		}
	default:
		slash := strings.IndexByte(spec[pos:], '/')
		if slash == 0 {
			return fail(errEmptyHost)
		}
		if slash < 0 {
			return fail(errEmptyPath)
		}
		hostPort := spec[pos : pos+slash]
		sep := -1
		if hostPort[0] != '[' {
			sep = strings.IndexByte(hostPort, ':')
		} else {
			close := strings.IndexByte(hostPort, ']')
			if close < 0 {
				return fail(errInvalidHost)
			}
			if close == 1 {
				return fail(errEmptyHost)
			}
			if close < len(hostPort)-1 {
				if hostPort[close+1] != ':' {
					return fail(errInvalidHost)
				}
				sep = close + 1
			}
		}
		host := hostPort
		if sep >= 0 {
			port := hostPort[sep+1:]
			if !validPort(p.Scheme, port) {
				return fail(errInvalidPort)
			}
			p.Port = port
			if port != "*" && port != strconv.Itoa(atoi(port)) {
				prob.OddPort = true
			}
			host = hostPort[:sep]
		}
		if host == "" {
			return fail(errEmptyHost)
		}
		if host == "*" {
			p.Subdomains, host = true, ""
		} else if strings.HasPrefix(host, "*.") {
			if len(host) == 2 {
				return fail(errEmptyHost)
			}
			p.Subdomains, host = true, host[2:]
		}
		if strings.IndexByte(host, '*') >= 0 {
			return fail(errInvalidHostWildcard)
		}
		if host != "" {
			if strings.IndexByte(host, 0) >= 0 {
				return fail(errInvalidHost)
			}
			h, ok := hostcanon.Canonicalize(host)
			if !ok {
				return fail(errInvalidHost)
			}
			host = h.Text
		}
		p.Host = host
		path = spec[pos+slash:]
	}
	p.Path = path
	return p, prob, true
}

func validSchemeName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// validPort is IsValidPortForScheme: "*", or, for a scheme with a default
// port, what base::StringToInt reads (an optional sign and digits) in
// 0-65535.
func validPort(scheme, port string) bool {
	if port == "*" {
		return true
	}
	if defaultPort(scheme) == "" {
		return false
	}
	digits := port
	if strings.HasPrefix(digits, "-") || strings.HasPrefix(digits, "+") {
		digits = digits[1:]
	}
	if digits == "" || len(digits) > 6 {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	n := atoi(digits)
	return !(strings.HasPrefix(port, "-") && n != 0) && n < 65536
}

func atoi(s string) int {
	s = strings.TrimLeft(s, "+-")
	n := 0
	for i := 0; i < len(s) && i < 7; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// URL is a request URL as URLPattern::MatchesURL reads it.
type URL struct {
	// Valid is false for a URL GURL rejects: nothing matches it.
	Valid  bool
	Scheme string
	// Host is the canonical host without a trailing dot.
	Host string
	IP   bool
	// Port is the effective port (the default of the scheme when none is
	// written, "-1" when the scheme has none).
	Port string
	// PathQuery is PathForRequest: the path, plus "?" and the query when
	// the URL has one.
	PathQuery string
	HasPath   bool
}

// ParseRequestURL reads a request URL (details.url) the way GURL
// canonicalises it, as far as pattern matching looks at it.
func ParseRequestURL(s string) URL {
	u := permission.ParseURL(s)
	if u.Scheme == "" {
		return URL{}
	}
	out := URL{Valid: true, Scheme: u.Scheme, Port: u.Port}
	if strings.HasPrefix(u.Host, "[") {
		out.IP = true
	} else if u.Host != "" {
		h, ok := hostcanon.Canonicalize(u.Host)
		if !ok {
			return URL{}
		}
		out.Host, out.IP = h.Text, h.Kind != hostcanon.Name
	}
	if out.IP {
		out.Host = u.Host
	}
	out.Host = strings.TrimSuffix(out.Host, ".")
	if out.Port == "" {
		out.Port = defaultPort(u.Scheme)
		if out.Port == "" {
			out.Port = "-1"
		}
	}
	out.PathQuery = u.Path
	if out.PathQuery == "" && builtinStandard[u.Scheme] && u.Hierarchical {
		// A standard URL always has a path ("chrome-extension://ftw" is
		// "chrome-extension://ftw/").
		out.PathQuery = "/"
	}
	out.HasPath = out.PathQuery != ""
	if q, ok := query(s); ok {
		out.PathQuery += "?" + q
	}
	return out
}

// query returns the query of a URL string (between the first '?' and '#'),
// with the characters GURL escapes in a query percent-encoded.
func query(s string) (string, bool) {
	if h := strings.IndexByte(s, '#'); h >= 0 {
		s = s[:h]
	}
	i := strings.IndexByte(s, '?')
	if i < 0 {
		return "", false
	}
	q := s[i+1:]
	var b strings.Builder
	for k := 0; k < len(q); k++ {
		c := q[k]
		if c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\'' {
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// Matches is URLPattern::MatchesURL (filesystem: inner URLs aside).
func (p *Pattern) Matches(u *URL) bool {
	if !u.Valid {
		return false
	}
	if p.Scheme == "*" && !p.All {
		if u.Scheme != "http" && u.Scheme != "https" {
			return false
		}
	} else if !p.All && p.Scheme != u.Scheme {
		return false
	}
	if p.All {
		return true
	}
	if !u.HasPath {
		return false
	}
	if p.Scheme != "file" && !p.matchesHost(u) {
		return false
	}
	if p.Port != "*" && p.Port != u.Port {
		return false
	}
	// "X/*" also matches "X" (MatchesPath).
	if len(p.Path) == len(u.PathQuery)+2 && strings.HasSuffix(p.Path, "/*") && strings.HasPrefix(p.Path, u.PathQuery) {
		return true
	}
	return displaymedia.Glob(p.Path, u.PathQuery)
}

// matchesHost is URLPattern::MatchesHost(GURL).
func (p *Pattern) matchesHost(u *URL) bool {
	ph := strings.TrimSuffix(p.Host, ".")
	switch {
	case u.Host == ph:
		return true
	case !p.Subdomains:
		return false
	case ph == "":
		return true
	case u.IP:
		return false
	}
	return len(u.Host) > len(ph)+1 && strings.HasSuffix(u.Host, ph) && u.Host[len(u.Host)-len(ph)-1] == '.'
}
