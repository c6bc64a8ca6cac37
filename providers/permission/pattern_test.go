package permission

import "testing"

// Vectors from Chromium components/content_settings/core/common/
// content_settings_pattern_unittest.cc (chromium/chromium @ 0eb4a3ac21ef),
// test names in comments.
func TestParseOriginValidity(t *testing.T) {
	tests := []struct {
		spec  string
		valid bool
	}{
		// RealWorldPatterns, PatternSupport_Legacy
		{"[*.]ikea.com", true},
		{"[*.]example.com", true},
		{"example.com", true},
		{"192.168.0.1", true},
		{"[::1]", true},
		{"file:///tmp/test.html", true},
		{"*example.com", false},
		{"example.*", false},
		{"http://example.com", true},
		{"https://example.com", true},
		// TrimEndingDotFromHost
		{"www.example.com", true},
		{"www.example.com.", true},
		{".", true},
		{"a..b", true},
		{"a..b.", true},
		{"..", false},
		{"a..", false},
		// FromString_WithNoWildcards
		{"http://www.example.com:80", true},
		{"http://www.example.com:81", true},
		{"https://www.example.com:443", true},
		{"https://www.example.com:8080", true},
		// FromString_FilePatterns
		{"file:///", false},
		{"file://foo/", false},
		{"file://localhost/foo/bar/test.html", false},
		{"file://*", false},
		{"file://*/", false},
		{"file://*/*", false},
		{"file://*/foo/bar/test.html", false},
		{"file://[*.]/", false},
		{"file:///*", true},
		{"file:///f*o/bar/file.html", false},
		{"file:///*/bar/file.html", false},
		{"file:///foo/*", false},
		{"file:///foo/bar/*", false},
		{"file:///foo/*/file.html", false},
		{"file:///foo/bar/*.html", false},
		{"file:///foo/bar/file.*", false},
		// FromString_WithIPAdresses
		{"https://192.168.0.1:8080", true},
		{"[*.]127.0.0.1", false},
		{"https://[::1]:8080", true},
		// FromString_WithWildcards
		{"*", true},
		{"http://example.com:*", true},
		{"*://www.google.com.com:8080", true},
		{"www.example.com:8080", true},
		{"*://www.example.com:*", true},
		{"*://www.example.com", true},
		{"www.example.com:*", true},
		{"[*.]", true},
		{"http://*", true},
		{"http://[*.]", true},
		{"http://*:8080", true},
		{"*://*", true},
		{"chrome-extension://*", false},
		{"isolated-app://*", false},
		// InvalidPatterns
		{"", false},
		{"ftp://myhost.org", false},
		{"example.com:abc", false},
		{"file://", false},
		{"www.example.com..", false},
		// Compare: "google.com*" is invalid.
		{"google.com*", false},
		// crbug.com/823706 (content_settings_pattern_parser.cc)
		{"[*.].example.com", false},
		// FromString_Canonicalized
		{"file:///\xC4\x87ira.html", true},
		{"file:///tmp/bar/../test.html", true},
		// A leading dot is kept by net::CanonicalizeHost (valid, exact host).
		{".example.com", true},
		{"https://.example.com:443", true},
		// PatternParser::Parse splits at the first ':' even inside a path;
		// Builder::Validate refuses a port on a file pattern.
		{"file:///tmp/a:80/x.html", false},
		{"file://:80/x.html", false},
		{"https://example.com/a:b", false},
		// Canonicalize then Validate: a path that resolves to "/".
		{"file:///tmp/..", false},
	}
	for _, tt := range tests {
		_, probs, ok := ParseOrigin(tt.spec)
		if ok != tt.valid {
			t.Errorf("ParseOrigin(%q) valid = %v, want %v (problems %+v)", tt.spec, ok, tt.valid, probs)
		}
		if !ok && len(probs) == 0 {
			t.Errorf("ParseOrigin(%q) invalid without a problem", tt.spec)
		}
	}
}

// Documented deviations: Chromium accepts these, sessctl asks for another
// spelling (non-ASCII hosts must be punycode) or rejects schemes that only
// Chrome registers (chrome-extension is a "non-wildcard-domain non-port"
// scheme registered by Chrome's content client, not by Electron).
func TestParseOriginDeviations(t *testing.T) {
	for _, spec := range []string{"[*.]\xC4\x87ira.com", "chrome-extension://peoadpeiejnhkmpaakpnompolbglelel/"} {
		if _, _, ok := ParseOrigin(spec); ok {
			t.Errorf("ParseOrigin(%q) accepted; sessctl documents it as rejected", spec)
		}
	}
	// The punycode form Chromium produces is accepted.
	if p, _, ok := ParseOrigin("[*.]xn--ira-ppa.com"); !ok || p.Host != "xn--ira-ppa.com" || !p.Subdomains {
		t.Errorf("punycode pattern = %+v, %v", p, ok)
	}
}

func TestOriginMatch(t *testing.T) {
	tests := []struct {
		pattern, url string
		want         bool
	}{
		// TrimEndingDotFromHost
		{"www.example.com", "http://www.example.com", true},
		{"www.example.com", "http://www.example.com.", true},
		{"www.example.com.", "http://www.example.com", true},
		{"http://.", "http://.", true},
		{"a..b", "http://a..b", true},
		{"a..b.", "http://a..b.", true},
		// A leading dot: only that literal host.
		{".example.com", "http://.example.com/", true},
		{".example.com", "http://example.com/", false},
		{".example.com", "http://www.example.com/", false},
		// FromString_Canonicalized
		{"file:///tmp/bar/../test.html", "file:///tmp/test.html", true},
		// FilesystemUrls: the inner URL is matched.
		{"[*.]www.google.com", "filesystem:http://www.google.com/temporary/", true},
		{"[*.]www.google.com", "filesystem:http://foo.www.google.com/temporary/", true},
		{"[*.]www.google.com", "filesystem:http://www.google.com:81/temporary/", true},
		{"https://[*.]www.google.com:443", "filesystem:https://www.google.com/temporary/", true},
		{"https://[*.]www.google.com:443", "filesystem:https://foo.www.google.com/temporary/", true},
		{"https://[*.]www.google.com:443", "filesystem:https://www.google.com:81/temporary/", false},
		{"file:///temporary", "filesystem:file:///temporary/test.txt", true},
		{"file:///temporary", "filesystem:file:///persistent/test.txt", false},
		{"file:///temporary/test.txt", "filesystem:file:///temporary/test.txt", false},
		// FromString_FilePatterns
		{"file:///*", "file:///tmp/test.html", true},
		{"file:///*", "file://localhost/tmp/test.html", true},
		{"file:///foo/bar/file.html", "file://localhost/foo/bar/file.html", true},
		{"file:///foo/bar/file.html", "file://example.com/foo/bar/file.html", true},
		{"file:///foo/bar/file.html", "file://localhost/foo/bar/other.html", false},
		{"file:///foo/bar/file.html", "file://example.com/foo/bar/other.html", false},
		{"file:///tmp/test.html", "file:///tmp/test.html", true},
		{"file:///tmp/test.html", "file:///tmp/other.html", false},
		{"file:///tmp/test.html", "http://example.org/", false},
		// FromString_WithWildcards
		{"*://www.google.com:8080", "http://www.google.com:8080", true},
		{"*://www.google.com:8080", "https://www.google.com:8080", true},
		{"*://www.google.com", "file:///foo/bar.html", false},
		{"www.example.com", "http://www.example.com/", true},
		{"example.com", "http://example.org/", false},
		{"[*.]example.com", "http://example.com/", true},
		{"[*.]example.com", "http://foo.example.com/", true},
		{"[*.]example.com", "http://example.org/", false},
		{"[*.]google.com:80", "http://mail.google.com:80", true},
		{"[*.]google.com:80", "http://mail.google.com:81", false},
		{"[*.]google.com:80", "http://www.google.com", true},
		{"[*.]google.com:8080", "http://mail.google.com:8080", true},
		{"[*.]google.com:443", "https://mail.google.com:443", true},
		{"[*.]google.com:443", "https://www.google.com", true},
		{"[*.]google.com:4321", "https://mail.google.com:4321", true},
		{"[*.]example.com", "http://www.example.com/", true},
		// Wildcard
		{"*", "http://www.google.com", true},
		{"*", "https://www.google.com", true},
		{"*", "https://myhost:8080", true},
		{"*", "file:///foo/bar.txt", true},
		// PatternSupport_Legacy
		{"www.example.com", "http://www.example.com/", true},
		// IsSubDomainOrEqual: "evilhost.com" is not a subdomain of "host.com".
		{"[*.]host.com", "http://evilhost.com/", false},
		// The example pattern.
		{"https://[*.]example.com:443", "https://example.com/", true},
		{"https://[*.]example.com:443", "https://a.b.example.com/x?y", true},
		{"https://[*.]example.com:443", "http://example.com/", false},
		{"https://[*.]example.com:443", "https://example.com:8443/", false},
		{"https://[*.]example.com:443", "https://badexample.com/", false},
		// Host and scheme are case-insensitive in URLs (canonicalised).
		{"https://Example.COM", "HTTPS://EXAMPLE.com/", true},
		// A scheme-less pattern matches custom schemes (port wildcard).
		{"app.local", "app://app.local/index.html", true},
		// Only "*" matches what is not a URL (opaque origin "null").
		{"*", "null", true},
		{"[*.]example.com", "null", false},
		// IPv6
		{"https://[::1]:8080", "https://[::1]:8080/", true},
		{"[::1]", "http://[::1]/", true},
		{"[0:0::1]", "http://[::1]/", true},
		{"[::1]", "http://[0:0:0:0:0:0:0:1]/", true},
		{"[2001:DB8::1]", "https://[2001:db8:0::1]/", true},
		// Leading zeros in the URL port are canonicalised away.
		{"https://h:8443", "https://h:08443/", true},
		// Path of an http pattern is ignored (Matches compares no path).
		{"https://example.com/only/here", "https://example.com/elsewhere", true},
	}
	for _, tt := range tests {
		p, probs, ok := ParseOrigin(tt.pattern)
		if !ok {
			t.Fatalf("ParseOrigin(%q) invalid: %+v", tt.pattern, probs)
		}
		u := ParseURL(tt.url)
		if got := p.Match(&u); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v (pattern %+v, url %+v)", tt.pattern, tt.url, got, tt.want, p, u)
		}
	}
}

func TestParseOriginCompiled(t *testing.T) {
	tests := []struct {
		spec string
		want OriginPattern
	}{
		{"*", OriginPattern{Source: "*", Scheme: "*", Subdomains: true, Port: "*"}},
		{"https://[*.]Example.com:443", OriginPattern{Source: "https://[*.]Example.com:443", Scheme: "https", Host: "example.com", Subdomains: true, Port: "443"}},
		{"example.com.", OriginPattern{Source: "example.com.", Scheme: "*", Host: "example.com", Port: "*"}},
		{"file:///*", OriginPattern{Source: "file:///*", Scheme: "file", Path: "*"}},
		{"file:///tmp/a.html", OriginPattern{Source: "file:///tmp/a.html", Scheme: "file", Path: "/tmp/a.html"}},
		{"http://[*.]", OriginPattern{Source: "http://[*.]", Scheme: "http", Subdomains: true, Port: "*"}},
		{"[::1]:8080", OriginPattern{Source: "[::1]:8080", Scheme: "*", Host: "[::1]", Port: "8080"}},
		// Chromium's host canonicaliser: IPv4 shorthand, IPv6 compression.
		{"http://127.1", OriginPattern{Source: "http://127.1", Scheme: "http", Host: "127.0.0.1", Port: "*"}},
		{"[0:0::1]", OriginPattern{Source: "[0:0::1]", Scheme: "*", Host: "[::1]", Port: "*"}},
		// FromString_Canonicalized: the file path as GURL canonicalises it.
		{"file:///\xC4\x87ira.html", OriginPattern{Source: "file:///\xC4\x87ira.html", Scheme: "file", Path: "/%C4%87ira.html"}},
		{"file:///tmp/bar/../test.html", OriginPattern{Source: "file:///tmp/bar/../test.html", Scheme: "file", Path: "/tmp/test.html"}},
		// url_canon_path.cc by hand: "." segments, %2e as a dot, ".." not
		// above the root, backslashes, escapes kept, the ESCAPE class.
		{"file:///tmp/./a%2e/../b.html", OriginPattern{Source: "file:///tmp/./a%2e/../b.html", Scheme: "file", Path: "/tmp/b.html"}},
		{"file:///%2E%2e/../x", OriginPattern{Source: "file:///%2E%2e/../x", Scheme: "file", Path: "/x"}},
		{"file:///a\\b c.html", OriginPattern{Source: "file:///a\\b c.html", Scheme: "file", Path: "/a/b%20c.html"}},
		{"file:///a%41{|}^`<>\".html", OriginPattern{Source: "file:///a%41{|}^`<>\".html", Scheme: "file", Path: "/a%41%7B%7C%7D%5E%60%3C%3E%22.html"}},
		{"file:///a..b/.c/..", OriginPattern{Source: "file:///a..b/.c/..", Scheme: "file", Path: "/a..b/"}},
		{".example.com", OriginPattern{Source: ".example.com", Scheme: "*", Host: ".example.com", Port: "*"}},
	}
	for _, tt := range tests {
		got, _, ok := ParseOrigin(tt.spec)
		if !ok || got != tt.want {
			t.Errorf("ParseOrigin(%q) = %+v, %v; want %+v", tt.spec, got, ok, tt.want)
		}
	}
}

func TestParseOriginWarnings(t *testing.T) {
	tests := []struct {
		spec         string
		summary      string
		start, end   int
		neverMatches bool
	}{
		{"https://example.com/app", `path "/app" is ignored`, 19, 23, false},
		{"example.com:99999", `port "99999" can never match`, 12, 17, true},
		{"example.com:0443", `port "0443" can never match`, 12, 16, true},
		{".example.com", `".example.com" is not a domain wildcard`, 0, 12, false},
		{"file:///x.html?q=1#f", `"?q=1#f" is not part of the file path`, 14, 20, false},
	}
	for _, tt := range tests {
		_, probs, ok := ParseOrigin(tt.spec)
		if !ok || len(probs) != 1 {
			t.Fatalf("ParseOrigin(%q) = %v %+v, want one warning", tt.spec, ok, probs)
		}
		p := probs[0]
		if !p.Warning || p.Summary != tt.summary || p.Start != tt.start || p.End != tt.end || p.NeverMatches != tt.neverMatches {
			t.Errorf("ParseOrigin(%q) problem = %+v", tt.spec, p)
		}
	}
}

func TestParseOriginErrors(t *testing.T) {
	tests := []struct {
		spec       string
		summary    string
		start, end int
	}{
		{"ftp://myhost.org", `unsupported scheme "ftp" in origin pattern`, 0, 3},
		{"*example.com", "wildcard inside a host", 0, 1},
		{"https://example.*", "wildcard inside a host", 16, 17},
		{"[*.].example.com", `superfluous dot after "[*.]"`, 0, 5},
		{"example.com:abc", `port "abc" is not a number`, 12, 15},
		{"[*.]127.0.0.1", "domain wildcard on an IP address", 0, 13},
		{"exa mple.com", `invalid character " " in host "exa mple.com"`, 0, 12},
		{"https://", "origin pattern has no host", 0, 8},
		{"file:///", "file pattern without a file path", 0, 8},
		{"example.123", `host "example.123" ends in a number but is not an IPv4 address`, 0, 11},
		{"[*.]127.1", "domain wildcard on an IP address", 0, 9},
		{"file:///tmp/a:80/x.html", `":" in the path of an origin pattern`, 7, 14},
		{"https://example.com/a:b", `":" in the path of an origin pattern`, 19, 22},
		{"file://:80/x.html", "file pattern with a host or port", 7, 17},
		{"file:///tmp/..", "file pattern without a file path", 0, 14},
	}
	for _, tt := range tests {
		_, probs, ok := ParseOrigin(tt.spec)
		if ok || len(probs) != 1 {
			t.Fatalf("ParseOrigin(%q) = %v %+v, want one error", tt.spec, ok, probs)
		}
		p := probs[0]
		if p.Warning || p.Summary != tt.summary || p.Start != tt.start || p.End != tt.end {
			t.Errorf("ParseOrigin(%q) problem = %+v, want %q [%d,%d)", tt.spec, p, tt.summary, tt.start, tt.end)
		}
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want URL
	}{
		{"https://Example.com/", URL{Scheme: "https", Host: "example.com", Path: "/", Hierarchical: true}},
		{"https://example.com:443/a?b#c", URL{Scheme: "https", Host: "example.com", Path: "/a", Hierarchical: true}},
		{"http://u:p@example.com:8080", URL{Scheme: "http", Host: "example.com", Port: "8080", Path: "/", Hierarchical: true}},
		{"wss://h:443/", URL{Scheme: "wss", Host: "h", Path: "/", Hierarchical: true}},
		{"http://[::1]:80/", URL{Scheme: "http", Host: "[::1]", Path: "/", Hierarchical: true}},
		{"mailto:bob@example.com", URL{Scheme: "mailto", Path: "bob@example.com"}},
		{"file://localhost/tmp/a.html", URL{Scheme: "file", Path: "/tmp/a.html", Hierarchical: true}},
		{"file:///tmp/a.html", URL{Scheme: "file", Path: "/tmp/a.html", Hierarchical: true}},
		{"https://U@EXAMPLE.com/", URL{Scheme: "https", Host: "example.com", Path: "/", Hierarchical: true}},
		{"https://User@x.org/", URL{Scheme: "https", Host: "x.org", Path: "/", Hierarchical: true}},
		{"HTTP://X.ORG:0080/", URL{Scheme: "http", Host: "x.org", Path: "/", Hierarchical: true}},
		{"app://Local.App/index.html", URL{Scheme: "app", Host: "local.app", Path: "/index.html", Hierarchical: true}},
		{"null", URL{}},
		{"", URL{}},
		{"1http://x", URL{}},
	}
	for _, tt := range tests {
		if got := ParseURL(tt.in); got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestURLPattern(t *testing.T) {
	tests := []struct {
		pattern, url string
		want         bool
	}{
		{"mailto:*", "mailto:bob@example.com", true},
		{"mailto:*", "MAILTO:bob@example.com", true},
		{"mailto:*", "https://example.com/", false},
		{"https://[*.]zoom.us/j/*", "https://us02web.zoom.us/j/123?pwd=x", true},
		{"https://[*.]zoom.us/j/*", "https://zoom.us/j/", true},
		{"https://[*.]zoom.us/j/*", "https://zoom.us/k/1", false},
		{"https://[*.]zoom.us/j/*", "https://evilzoom.us/j/1", false},
		{"https://[*.]zoom.us/j/*", "http://zoom.us/j/1", false},
		{"https://docs.example.com", "https://docs.example.com/any/path", true},
		{"https://docs.example.com/", "https://docs.example.com/", true},
		{"https://docs.example.com/", "https://docs.example.com/x", false},
		{"https://h:443/*", "https://h/", true},
		{"https://h:8443/*", "https://h/", false},
		{"zoommtg://*", "zoommtg://zoom.us/join?x=1", true},
		{"zoommtg://*", "zoommtg:join", false},
		{"*:*", "x", false},
	}
	for _, tt := range tests {
		p, probs, ok := ParseURLPattern(tt.pattern)
		if !ok {
			if tt.pattern == "*:*" {
				continue // invalid scheme: rejected at compile time
			}
			t.Fatalf("ParseURLPattern(%q): %+v", tt.pattern, probs)
		}
		u := ParseURL(tt.url)
		if got := p.Match(&u); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.url, got, tt.want)
		}
	}
	for _, bad := range []string{"mailto:bob@example.com", "https://ex*ample.com/", "https:///x", "https://h:abc/", "https://h/a*b", "noscheme"} {
		if _, probs, ok := ParseURLPattern(bad); ok || len(probs) != 1 {
			t.Errorf("ParseURLPattern(%q) accepted or %d problems", bad, len(probs))
		}
	}
}
