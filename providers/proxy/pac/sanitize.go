package pac

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
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
	host := canonicalHost(u.Hostname())
	port := u.Port()
	if port == defaultPorts[u.Scheme] {
		port = ""
	}
	return splitResult{u: u, host: host, port: port}, true
}

// canonicalHost is the host as GURL prints it: IPv6 compressed in brackets,
// IPv4 in any of the URL forms ("0x7f.1", "2130706433") as a dotted quad,
// names lower-cased and non-ASCII labels in punycode.
func canonicalHost(h string) string {
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		if err != nil || a.Zone() != "" {
			return "[" + strings.ToLower(h) + "]"
		}
		return "[" + formatIPv6(a) + "]"
	}
	if a, err := parseURLIPv4(h); err == nil {
		return a.String()
	}
	h = strings.ToLower(h)
	if !isASCII(h) {
		if ascii, ok := idnToASCII(h); ok {
			return ascii
		}
	}
	return h
}

// formatIPv6 follows url_canon_ip.cc AppendIPv6Address: hexadecimal pieces
// without leading zeros, the longest run of two or more zero pieces (the
// first on a tie) written "::", and never a dotted IPv4 tail (so
// ::ffff:127.0.0.1 prints as ::ffff:7f00:1).
func formatIPv6(a netip.Addr) string {
	b := a.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	bestStart, bestLen := -1, 0
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > bestLen && j-i >= 2 {
			bestStart, bestLen = i, j-i
		}
		i = j
	}
	var sb strings.Builder
	for i := 0; i < 8; i++ {
		if i == bestStart {
			sb.WriteString("::")
			i += bestLen - 1
			continue
		}
		if sb.Len() > 0 && !strings.HasSuffix(sb.String(), ":") {
			sb.WriteByte(':')
		}
		sb.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
	}
	return sb.String()
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
// with GURL's for the common cases; exotic characters may differ). A string that is not an absolute URL with a
// host is returned unchanged, since Chromium never resolves proxies for one.
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
