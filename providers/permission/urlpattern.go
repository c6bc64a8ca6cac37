package permission

import "strings"

// URLPattern is one compiled `external_urls` pattern, matched against the
// URL of an openExternal request (details.externalURL).
type URLPattern struct {
	// Source is the pattern as written.
	Source string `json:"source"`
	// Scheme is the lower-case scheme the URL must have.
	Scheme string `json:"scheme"`
	// AnyURL is true for "scheme:*": every URL of the scheme matches and the
	// fields below are unused.
	AnyURL bool `json:"anyUrl,omitempty"`
	// Host and Subdomains work as in OriginPattern; Subdomains with an
	// empty Host matches every host.
	Host       string `json:"host,omitempty"`
	Subdomains bool   `json:"subdomains,omitempty"`
	// Port is the port as written, or "*" for any port.
	Port string `json:"port,omitempty"`
	// Path is "" for any path; otherwise the URL path must equal it, or
	// start with it when PathPrefix is set (the pattern ended with "*").
	Path       string `json:"path,omitempty"`
	PathPrefix bool   `json:"pathPrefix,omitempty"`
}

const urlPatternSyntax = `External URL patterns are "SCHEME:*" (every URL of a scheme, e.g. "mailto:*", "zoommtg:*") or "SCHEME://HOST[:PORT][/PATH]" where HOST is "*", "[*.]example.com" or an exact host, PORT is digits or "*", and PATH is exact or ends with "*" for a prefix (e.g. "https://[*.]example.com/docs/*"). Query and fragment are not compared.`

// ParseURLPattern parses an external URL pattern.
func ParseURLPattern(spec string) (URLPattern, []problem, bool) {
	p := URLPattern{Source: spec}
	bad := func(start, end int, summary string) (URLPattern, []problem, bool) {
		return p, []problem{{Start: start, End: end, Summary: summary, Detail: urlPatternSyntax}}, false
	}
	i := strings.IndexByte(spec, ':')
	if i <= 0 || !validScheme(spec[:i]) {
		return bad(0, len(spec), "external URL pattern has no scheme")
	}
	p.Scheme = lowerASCII(spec[:i])
	rest := spec[i+1:]
	if rest == "*" {
		p.AnyURL = true
		return p, nil, true
	}
	if !strings.HasPrefix(rest, "//") {
		return bad(i+1, len(spec), "only \""+p.Scheme+":*\" is allowed for a URL without \"//\"")
	}
	hs := i + 3
	rest = rest[2:]
	end := strings.IndexByte(rest, '/')
	if end < 0 {
		end = len(rest)
	}
	auth, path := rest[:end], rest[end:]
	host, port := auth, "*"
	if strings.HasPrefix(auth, "[") && !strings.HasPrefix(auth, "[*.]") {
		j := strings.IndexByte(auth, ']')
		if j < 0 {
			return bad(hs, hs+len(auth), "unclosed \"[\" in host")
		}
		host = auth[:j+1]
		if r := auth[j+1:]; r != "" {
			if r[0] != ':' {
				return bad(hs, hs+len(auth), "unexpected text after IPv6 literal")
			}
			port = r[1:]
		}
	} else if j := strings.LastIndexByte(auth, ':'); j >= 0 {
		host, port = auth[:j], auth[j+1:]
	}
	switch {
	case host == "*":
		p.Subdomains = true
	case strings.HasPrefix(host, "[*.]"):
		p.Subdomains = true
		p.Host = host[4:]
	default:
		p.Host = host
	}
	if strings.Contains(p.Host, "*") {
		return bad(hs, hs+len(host), "wildcard inside a host")
	}
	if p.Host == "" && !p.Subdomains {
		return bad(hs, hs+len(auth), "external URL pattern has no host")
	}
	if p.Host != "" {
		h, msg := canonicalHost(p.Host)
		if msg != "" {
			return bad(hs, hs+len(host), msg)
		}
		p.Host = h
	}
	if port == "" {
		port = "*"
	}
	if port != "*" {
		for k := 0; k < len(port); k++ {
			if port[k] < '0' || port[k] > '9' {
				return bad(hs+len(host)+1, hs+len(auth), "port \""+port+"\" is not a number")
			}
		}
		for len(port) > 1 && port[0] == '0' {
			port = port[1:]
		}
		if atoiSafe(port) > 65535 {
			return bad(hs+len(host)+1, hs+len(auth), "port \""+port+"\" is out of range (1-65535)")
		}
		if port == specialDefaultPort(p.Scheme) {
			// URL parsers drop the default port; compare against the
			// default instead (see Match).
			port = defaultPort(p.Scheme)
		}
	}
	p.Port = port
	if strings.Contains(path, "*") {
		star := strings.IndexByte(path, '*')
		if star != len(path)-1 {
			return bad(hs+len(auth)+star, len(spec), "\"*\" is only allowed at the end of the path")
		}
		p.Path, p.PathPrefix = path[:star], true
		if p.Path == "/" {
			p.Path, p.PathPrefix = "", false
		}
	} else if path != "" && path != "/" {
		p.Path = path
	} else if path == "/" {
		p.Path = "/"
	}
	if strings.ContainsAny(p.Path, "?#") {
		return bad(hs+len(auth), len(spec), "query or fragment in an external URL pattern")
	}
	return p, nil, true
}

// Match reports whether the pattern matches a parsed URL.
func (p *URLPattern) Match(u *URL) bool {
	if p.Scheme != u.Scheme {
		return false
	}
	if p.AnyURL {
		return true
	}
	if !u.Hierarchical || !hostMatches(p.Host, p.Subdomains, u.Host) {
		return false
	}
	if p.Port != "*" {
		port := u.Port
		if port == "" {
			port = defaultPort(u.Scheme)
		}
		if port != p.Port {
			return false
		}
	}
	switch {
	case p.Path == "":
		return true
	case p.PathPrefix:
		return strings.HasPrefix(u.Path, p.Path)
	default:
		return u.Path == p.Path
	}
}
