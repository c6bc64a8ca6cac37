package proxy

import (
	"strings"

	"github.com/sessctl/sessctl/internal/warning"
)

// Severity of an Issue.
type Severity uint8

const (
	// Warning: the input works, but differently than it reads.
	Warning Severity = iota
	// Error: the input can never do what it says.
	Error
)

// String returns "warning" or "error".
func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Issue is a diagnostic about one piece of a rules string: bytes
// [Start,End) of the input. Chromium silently drops what sessctl reports.
type Issue struct {
	Start, End int
	Severity   Severity
	// Code is the stable code of a warning (docs/warnings.md).
	Code    warning.Code
	Summary string
	Detail  string
}

// RulesType is ProxyConfig::ProxyRules::Type.
type RulesType uint8

const (
	// RulesEmpty: no rules, everything goes DIRECT.
	RulesEmpty RulesType = iota
	// RulesList: one list (Single) for every URL scheme.
	RulesList
	// RulesPerScheme: lists per URL scheme plus a fallback (socks=).
	RulesPerScheme
)

// String names the type as in Chromium's ProxyConfig::ToValue.
func (t RulesType) String() string {
	switch t {
	case RulesList:
		return "single_proxy"
	case RulesPerScheme:
		return "proxy_per_scheme"
	}
	return "empty"
}

// Rules is a parsed proxyRules string (net::ProxyConfig::ProxyRules
// without the bypass rules).
type Rules struct {
	Type                               RulesType
	Single, HTTP, HTTPS, FTP, Fallback List
}

// ParseRules parses a proxyRules string with Chromium's grammar
// (ProxyRules::ParseFromString, release build):
//
//	rules = entry *(";" entry)
//	entry = [key "="] uri *("," uri)     key = http | https | ftp | socks
//
// The first entry without a key makes the rules a single list for every
// scheme and ends parsing. Invalid pieces are dropped, as Chromium does;
// each one is reported as an Issue pointing at it.
func ParseRules(s string) (*Rules, []Issue) {
	r := &Rules{}
	var issues []Issue
	add := func(start, end int, code warning.Code, summary, detail string) {
		issues = append(issues, Issue{Start: start, End: end, Severity: Warning, Code: code, Summary: summary, Detail: detail})
	}
	segments := splitNonEmpty(s, ";")
	for _, seg := range segments {
		toks := splitNonEmpty(seg.text, "=")
		for i := 0; i < len(toks); {
			key := toks[i]
			keyStart := seg.start + key.start
			if i+1 >= len(toks) {
				if r.Type == RulesPerScheme {
					t, off := trimSpace(key.text)
					if t != "" {
						add(keyStart+off, keyStart+off+len(t), warning.RulesKeylessIgnored, "entry without a scheme key is ignored",
							"After a \"key=\" entry Chromium ignores entries without a key. Write \"socks="+t+"\" to use it for every other scheme, or put it first and remove the keyed entries.")
					}
					i++
					continue
				}
				if eq := strings.IndexByte(seg.text, '='); i == 0 && eq >= 0 {
					t, off := trimSpace(key.text)
					if eq >= key.start+len(key.text) {
						add(keyStart+off, keyStart+off+len(t), warning.RulesKeyWithoutProxy, "\""+t+"=\" has no proxy",
							"A key without a value is read as a key-less entry: Chromium uses \""+t+"\" as the proxy host for every scheme (PROXY "+t+":80). Write "+t+"=host[:port].")
					} else {
						add(keyStart+off, keyStart+off+len(t), warning.RulesEmptyKey, "'=' without a scheme key",
							"An empty key is skipped, so this entry is read as a proxy list for every scheme.")
					}
				}
				r.Type = RulesList
				issues = parseList(s, key.text, keyStart, SchemeHTTP, &r.Single, issues, "")
				if ts, te := tailRange(s, keyStart+len(key.text)); ts < te {
					add(ts, te, warning.RulesRestIgnored, "rest of the rules is ignored",
						"Chromium stops at the first entry without a scheme key (\""+strings.TrimSpace(key.text)+"\") and uses it for every URL scheme; everything after it is ignored. Do not mix key-less entries with http=, https=, ftp= or socks= entries.")
				}
				return finishRules(r, s, issues)
			}
			val := toks[i+1]
			i += 2
			k, koff := trimSpace(key.text)
			r.Type = RulesPerScheme
			ks, ke := keyStart+koff, keyStart+koff+len(k)
			if i > 2 {
				add(ks, ke, warning.RulesSeveralEquals, "several '=' in one entry",
					"Chromium reads \"a=b=c=d\" as the pairs a=b and c=d; separate entries with ';'.")
			}
			var dst *List
			def := SchemeHTTP
			switch k {
			case "http":
				dst = &r.HTTP
			case "https":
				dst = &r.HTTPS
			case "ftp":
				dst = &r.FTP
			case "socks":
				dst = &r.Fallback
				def = SchemeSOCKS4
			}
			if dst == nil {
				detail := "Keys are case-sensitive: http, https, ftp or socks (socks= is the fallback for every other scheme). Chromium discards this entry."
				switch strings.ToLower(k) {
				case "http", "https", "ftp", "socks":
					detail = "Keys are case-sensitive: write \"" + strings.ToLower(k) + "=\". Chromium discards this entry."
				case "ws", "wss":
					detail = "WebSocket URLs use the socks= list, else https=, else http= (RFC 6455 §4.1). Chromium discards this entry."
				}
				add(ks, ke, warning.RulesUnknownScheme, "unknown scheme key \""+k+"\"", detail)
				continue
			}
			issues = parseList(s, val.text, seg.start+val.start, def, dst, issues, k)
		}
	}
	return finishRules(r, s, issues)
}

// parseList splits a comma list of proxy URIs into dst, reporting dropped
// entries. key is the scheme key ("" for a key-less list).
func parseList(full, list string, base int, def ServerScheme, dst *List, issues []Issue, key string) []Issue {
	for _, u := range splitNonEmpty(list, ",") {
		t, off := trimSpace(u.text)
		start := base + u.start + off
		end := start + len(t)
		srv, bad := parseProxyURI(u.text, def)
		if bad != nil {
			if t == "" {
				continue
			}
			issues = append(issues, Issue{Start: start, End: end, Severity: Warning, Code: warning.RulesProxyDropped, Summary: "proxy \"" + t + "\" is dropped: " + bad.summary, Detail: bad.detail})
			continue
		}
		if key == "socks" && !strings.Contains(t, "://") {
			issues = append(issues, Issue{Start: start, End: end, Severity: Warning, Code: warning.RulesSocks4,
				Summary: "\"socks=" + t + "\" is a SOCKS4 proxy",
				Detail:  "Under the socks= key a proxy without a scheme is SOCKS4 (" + srv.PAC() + "), whereas socks:// means SOCKS5. Write socks=socks5://" + t + " for SOCKS5 or socks=socks4://" + t + " to make SOCKS4 explicit."})
		}
		if key != "socks" && srv.Scheme == SchemeHTTP && srv.Port == 443 && !strings.Contains(t, "://") {
			issues = append(issues, Issue{Start: start, End: end, Severity: Warning, Code: warning.RulesHTTPOn443,
				Summary: "\"" + t + "\" is a plain HTTP proxy on port 443",
				Detail:  "A proxy without a scheme is an HTTP proxy (" + srv.PAC() + "), even on port 443 or under https=. If the proxy itself speaks TLS, write https://" + t + "."})
		}
		*dst = append(*dst, srv)
	}
	_ = full
	return issues
}

// finishRules adds the whole-string errors: rules in which nothing usable
// remains.
func finishRules(r *Rules, s string, issues []Issue) (*Rules, []Issue) {
	t, off := trimSpace(s)
	start, end := off, off+len(t)
	if end <= start {
		start, end = 0, len(s)
	}
	switch r.Type {
	case RulesEmpty:
		if s != "" {
			issues = append(issues, Issue{Start: start, End: end, Severity: Error, Summary: "no proxy rule in the rules string",
				Detail: "Chromium finds no entry, so every request goes DIRECT. Write host[:port] or scheme=host[:port] entries, or use mode = \"direct\"."})
		}
	case RulesList:
		if len(r.Single) == 0 {
			issues = append(issues, Issue{Start: start, End: end, Severity: Error, Summary: "no valid proxy remains in the rules",
				Detail: "Every entry of the list was dropped, so Chromium has an empty proxy list and requests fail. Fix the entries reported above."})
		}
	case RulesPerScheme:
		if len(r.HTTP)+len(r.HTTPS)+len(r.FTP)+len(r.Fallback) == 0 {
			issues = append(issues, Issue{Start: start, End: end, Severity: Error, Summary: "no valid proxy remains in the rules",
				Detail: "No http=, https=, ftp= or socks= entry kept a valid proxy, so every request goes DIRECT. Fix the entries reported above."})
		}
	}
	return r, issues
}

// String renders the rules back in the proxyRules syntax with canonical
// URIs (used for --proxy-server).
func (r *Rules) String() string {
	join := func(l List) string {
		parts := make([]string, len(l))
		for i, s := range l {
			parts[i] = s.URI()
		}
		return strings.Join(parts, ",")
	}
	switch r.Type {
	case RulesList:
		return join(r.Single)
	case RulesPerScheme:
		var parts []string
		for _, kv := range []struct {
			k string
			l List
		}{{"http", r.HTTP}, {"https", r.HTTPS}, {"ftp", r.FTP}, {"socks", r.Fallback}} {
			if len(kv.l) > 0 {
				parts = append(parts, kv.k+"="+join(kv.l))
			}
		}
		return strings.Join(parts, ";")
	}
	return ""
}

// tailRange returns the range of s[from:] without leading separators and
// whitespace and without trailing ones; start == end when nothing is left.
func tailRange(s string, from int) (int, int) {
	isSep := func(c byte) bool { return c == ';' || c == '=' || isASCIISpace(c) }
	start, end := from, len(s)
	for start < end && isSep(s[start]) {
		start++
	}
	for end > start && isSep(s[end-1]) {
		end--
	}
	return start, end
}
