package proxy

import (
	"strconv"
	"strings"

	"github.com/sessctl/sessctl/providers/internal/hostcanon"
)

// ServerScheme is the kind of one proxy list entry (net::ProxyServer::Scheme).
type ServerScheme uint8

const (
	// SchemeInvalid marks an entry Chromium drops.
	SchemeInvalid ServerScheme = iota
	// SchemeDirect is "DIRECT" (direct:// in rules).
	SchemeDirect
	// SchemeHTTP is an HTTP proxy: "PROXY h:p".
	SchemeHTTP
	// SchemeHTTPS is an HTTPS proxy: "HTTPS h:p".
	SchemeHTTPS
	// SchemeSOCKS4 is a SOCKS4 proxy: "SOCKS h:p".
	SchemeSOCKS4
	// SchemeSOCKS5 is a SOCKS5 proxy: "SOCKS5 h:p".
	SchemeSOCKS5
	// SchemeQUIC is a QUIC proxy, only valid in Chromium debug builds.
	SchemeQUIC
)

// String returns the PAC keyword of the scheme.
func (s ServerScheme) String() string {
	switch s {
	case SchemeDirect:
		return "DIRECT"
	case SchemeHTTP:
		return "PROXY"
	case SchemeHTTPS:
		return "HTTPS"
	case SchemeSOCKS4:
		return "SOCKS"
	case SchemeSOCKS5:
		return "SOCKS5"
	case SchemeQUIC:
		return "QUIC"
	}
	return "INVALID"
}

// defaultServerPort is ProxyServer::GetDefaultPortForScheme.
func defaultServerPort(s ServerScheme) int {
	switch s {
	case SchemeHTTP:
		return 80
	case SchemeSOCKS4, SchemeSOCKS5:
		return 1080
	case SchemeHTTPS, SchemeQUIC:
		return 443
	}
	return -1
}

// Server is one entry of a proxy list.
type Server struct {
	Scheme ServerScheme
	// Host is canonical (lower-case, punycode, dotted IPv4, bracketed IPv6).
	Host string
	Port int
}

// PAC returns the entry as ProxyServerToPacResultElement prints it.
func (s Server) PAC() string {
	if s.Scheme == SchemeDirect {
		return "DIRECT"
	}
	return s.Scheme.String() + " " + s.Host + ":" + strconv.Itoa(s.Port)
}

// URI returns the entry as ProxyServerToProxyUri prints it (the
// --proxy-server syntax).
func (s Server) URI() string {
	hp := s.Host + ":" + strconv.Itoa(s.Port)
	switch s.Scheme {
	case SchemeDirect:
		return "direct://"
	case SchemeHTTP:
		return hp
	case SchemeHTTPS:
		return "https://" + hp
	case SchemeSOCKS4:
		return "socks4://" + hp
	case SchemeSOCKS5:
		return "socks5://" + hp
	case SchemeQUIC:
		return "quic://" + hp
	}
	return ""
}

// List is an ordered proxy list (net::ProxyList).
type List []Server

// PAC joins the entries with ";" and no space, as ProxyList::ToPacString
// does; an empty list is "".
func (l List) PAC() string {
	var b strings.Builder
	for i, s := range l {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(s.PAC())
	}
	return b.String()
}

// badEntry says why an entry was dropped.
type badEntry struct {
	summary string
	detail  string
}

const allowedURISchemes = "Allowed: http:// (the default), https://, socks4://, socks5:// (socks:// is SOCKS5) and direct://."

// isLWS is HttpUtil::IsLWS.
func isLWS(c byte) bool { return c == ' ' || c == '\t' }

// trimLWS is HttpUtil::TrimLWS; it returns the offset of the kept part.
func trimLWS(s string) (string, int) {
	i, j := 0, len(s)
	for i < j && isLWS(s[i]) {
		i++
	}
	for j > i && isLWS(s[j-1]) {
		j--
	}
	return s[i:j], i
}

// isASCIISpace is base::IsAsciiWhitespace (TrimWhitespaceASCII).
func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func trimSpace(s string) (string, int) {
	i, j := 0, len(s)
	for i < j && isASCIISpace(s[i]) {
		i++
	}
	for j > i && isASCIISpace(s[j-1]) {
		j--
	}
	return s[i:j], i
}

// uriScheme is GetSchemeFromUriScheme (case-insensitive).
func uriScheme(s string) ServerScheme {
	switch strings.ToLower(s) {
	case "http":
		return SchemeHTTP
	case "socks4":
		return SchemeSOCKS4
	case "socks", "socks5":
		return SchemeSOCKS5
	case "direct":
		return SchemeDirect
	case "https":
		return SchemeHTTPS
	case "quic":
		return SchemeQUIC
	}
	return SchemeInvalid
}

// parseProxyURI is ProxyUriToProxyChain for a release build (no QUIC, no
// bracketed multi-proxy chains): [scheme "://"] host [":" port].
func parseProxyURI(uri string, def ServerScheme) (Server, *badEntry) {
	s, _ := trimLWS(uri)
	scheme := def
	if c := strings.IndexByte(s, ':'); c >= 0 && len(s)-c >= 3 && s[c+1] == '/' && s[c+2] == '/' {
		name := s[:c]
		scheme = uriScheme(name)
		s = s[c+3:]
		if scheme == SchemeInvalid {
			if strings.HasPrefix(name, "[") {
				return Server{}, &badEntry{"multi-proxy chains (\"[a b]\") are not supported", "Bracketed proxy chains are only parsed by debug builds of Chromium (enable_bracketed_proxy_uris = is_debug); Electron release builds drop the entry."}
			}
			return Server{}, &badEntry{"unknown proxy scheme \"" + name + "://\"", allowedURISchemes}
		}
		if scheme == SchemeQUIC {
			return Server{}, &badEntry{"quic:// proxies are not supported", "QUIC proxies are only enabled in debug builds of Chromium (enable_quic_proxy_support = is_debug); Electron release builds drop the entry."}
		}
	}
	return hostAndPortToServer(scheme, s)
}

// hostAndPortToServer is ProxySchemeHostAndPortToProxyServer.
func hostAndPortToServer(scheme ServerScheme, hp string) (Server, *badEntry) {
	hp, _ = trimLWS(hp)
	if scheme == SchemeDirect {
		if hp != "" {
			return Server{}, &badEntry{"DIRECT cannot have a host or port", "Write direct:// alone (DIRECT in a PAC result)."}
		}
		return Server{Scheme: SchemeDirect}, nil
	}
	if strings.IndexByte(hp, '@') >= 0 {
		return Server{}, &badEntry{"credentials are not allowed in a proxy address", "Chromium drops proxy entries with user:password@. Supply credentials when Electron emits the 'login' event instead."}
	}
	host, port, hasPort := splitHostPort(hp)
	if host == "" {
		return Server{}, &badEntry{"missing proxy host", "Write host[:port], for example proxy.example:3128."}
	}
	if hasPort && port == "" {
		return Server{}, &badEntry{"empty port after ':'", "Chromium rejects \"host:\" in proxy specifications; remove the ':' or add a port."}
	}
	p := defaultServerPort(scheme)
	if hasPort {
		v, ok := parsePortDigits(port)
		if !ok {
			return Server{}, &badEntry{"invalid port \"" + port + "\"", "A port is decimal digits from 0 to 65535 (default " + strconv.Itoa(defaultServerPort(scheme)) + " for this proxy type)."}
		}
		p = v
	}
	host, _ = trimSpace(host)
	if host != "" && host[0] != '[' && strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	ch, _, ok := canonHost(host)
	if !ok {
		detail := "The host must be a valid host name or IP literal (IPv6 in brackets); paths are not allowed."
		if strings.ContainsAny(host, "/\\?#") {
			detail = "A proxy address has no path: write host[:port] only."
		} else if hostcanon.EndsInNumber(host) {
			detail = "A host whose last label is numeric must be a valid IPv4 address (\"foopy.111\" is rejected)."
		}
		return Server{}, &badEntry{"invalid proxy host \"" + host + "\"", detail}
	}
	return Server{Scheme: scheme, Host: ch, Port: p}, nil
}

// pacType is GetSchemeFromPacTypeInternal (release build: QUIC invalid).
func pacType(s string) ServerScheme {
	switch strings.ToLower(s) {
	case "proxy":
		return SchemeHTTP
	case "socks", "socks4":
		return SchemeSOCKS4
	case "socks5":
		return SchemeSOCKS5
	case "direct":
		return SchemeDirect
	case "https":
		return SchemeHTTPS
	}
	return SchemeInvalid
}

// ParsePACResult parses a FindProxyForURL return value with
// ProxyList::SetFromPacString: entries split on ";", each
// "DIRECT" or "<TYPE> host[:port]" with a case-insensitive type (PROXY,
// HTTPS, SOCKS = SOCKS4, SOCKS4, SOCKS5); invalid entries are dropped and
// a result with no valid entry means DIRECT.
func ParsePACResult(s string) List {
	var l List
	for _, tok := range splitNonEmpty(s, ";") {
		e, _ := trimLWS(tok.text)
		sp := 0
		for sp < len(e) && !isLWS(e[sp]) {
			sp++
		}
		scheme := pacType(e[:sp])
		if scheme == SchemeInvalid {
			continue
		}
		srv, bad := hostAndPortToServer(scheme, e[sp:])
		if bad != nil {
			continue
		}
		l = append(l, srv)
	}
	if len(l) == 0 {
		l = List{{Scheme: SchemeDirect}}
	}
	return l
}

// token is a piece of a string with its byte offset.
type token struct {
	text  string
	start int
}

// splitNonEmpty is base::StringTokenizer with the given delimiters: empty
// tokens are skipped, whitespace is kept.
func splitNonEmpty(s, delims string) []token {
	var out []token
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || strings.IndexByte(delims, s[i]) >= 0 {
			if i > start {
				out = append(out, token{s[start:i], start})
			}
			start = i + 1
		}
	}
	return out
}
