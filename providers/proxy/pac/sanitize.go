package pac

import (
	"net/url"
	"strings"

	"github.com/sessctl/sessctl/providers/internal/hostcanon"
)

// defaultPorts are the ports GURL drops from standard URLs.
var defaultPorts = map[string]string{
	"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21",
}

type splitResult struct {
	u    *url.URL
	host string // lower-case, IPv6 in brackets, without port
	port string // "" when absent or the scheme's default
}

func splitURL(raw string) (splitResult, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Opaque != "" || u.Host == "" {
		return splitResult{}, false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, ok := canonicalHost(u.Hostname())
	if !ok {
		return splitResult{}, false
	}
	port := u.Port()
	if port == defaultPorts[u.Scheme] {
		port = ""
	}
	return splitResult{u: u, host: host, port: port}, true
}

// canonicalHost is the host as GURL prints it (hostcanon.Canonicalize);
// ok is false for a host GURL rejects. h is net/url's Hostname(), already
// percent-decoded: a '%' left in it came from "%25", which GURL rejects
// after its one decoding, so h is not decoded again.
func canonicalHost(h string) (string, bool) {
	if strings.IndexByte(h, '%') >= 0 {
		return "", false
	}
	if strings.IndexByte(h, ':') >= 0 {
		h = "[" + h + "]"
	}
	c, ok := hostcanon.Canonicalize(h)
	return c.Text, ok
}

// SanitizeURL returns the URL Chromium hands to FindProxyForURL
// (net/proxy_resolution/proxy_resolution_url_sanitizer.cc
// SanitizeUrlForProxyResolution): user name, password and fragment are
// removed from every URL, and for cryptographic schemes (https, wss) the
// path and query too, so that a PAC script never sees what TLS protects.
//
// The URL is also brought to the canonical form GURL prints for the parts
// that matter to PAC scripts: lower-case scheme and host, no default port,
// "/" for an empty path, "." and ".." segments resolved (also when written
// %2e), and characters such as spaces %-escaped (Go's escaping, which agrees
// with GURL's for the common cases; exotic characters may differ). A string
// that is not an absolute URL with a valid host is returned unchanged, since
// Chromium never resolves proxies for one.
func SanitizeURL(raw string) string {
	s, ok := splitURL(raw)
	if !ok {
		return raw
	}
	u := s.u
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(s.host)
	if s.port != "" {
		b.WriteString(":")
		b.WriteString(s.port)
	}
	if u.Scheme == "https" || u.Scheme == "wss" {
		b.WriteString("/")
		return b.String()
	}
	path := removeDotSegments(u.EscapedPath())
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteString("?")
		b.WriteString(escapeQuery(u.RawQuery, defaultPorts[u.Scheme] != ""))
	}
	return b.String()
}

// removeDotSegments is RFC 3986 section 5.2.4 as GURL applies it to an
// escaped path: "." and ".." segments (case-insensitive "%2e" counts as a
// dot) are resolved, ".." never climbs above the root, and a path ending in
// a dot segment keeps its trailing slash ("/a/b/.." → "/a/").
func removeDotSegments(p string) string {
	if !strings.HasPrefix(p, "/") {
		return p
	}
	isDot := func(seg string) bool { return seg == "." || strings.EqualFold(seg, "%2e") }
	isDotDot := func(seg string) bool {
		l := strings.ToLower(seg)
		return l == ".." || l == ".%2e" || l == "%2e." || l == "%2e%2e"
	}
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, seg := range segs {
		last := i == len(segs)-1
		switch {
		case isDot(seg):
			if last {
				out = append(out, "")
			}
		case isDotDot(seg):
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}

// escapeQuery %-escapes what GURL's query canonicaliser escapes: controls,
// space, non-ASCII bytes (UTF-8), double quote, '<', '>' and, for special
// schemes, the single quote. Existing escapes are kept.
func escapeQuery(q string, special bool) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || (special && c == '\'') {
			b.WriteString("%")
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
