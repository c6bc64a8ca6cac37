package webrequest

import "testing"

// Vectors from Chromium's extensions/common/url_pattern_unittest.cc
// @1a4f344c5089c67994178495c48c1eba84d37c6e (chromium/chromium), the
// cases that parse with URLPattern::SCHEME_ALL as Electron does.

func TestParseInvalid(t *testing.T) {
	// ExtensionURLPatternTest.ParseInvalid, Ports and IPv6Patterns.
	for _, c := range []struct{ in, want string }{
		{"http", errMissingSchemeSeparator},
		{"http:", errWrongSchemeSeparator},
		{"http:/", errWrongSchemeSeparator},
		{"about://", errWrongSchemeSeparator},
		{"http://", errEmptyHost},
		{"http:///", errEmptyHost},
		{"http://:1234/", errEmptyHost},
		{"http://*./", errEmptyHost},
		{"http://*foo/bar", errInvalidHostWildcard},
		{"http://foo.*.bar/baz", errInvalidHostWildcard},
		{"http://fo.*.ba:123/baz", errInvalidHostWildcard},
		{"http:/bar", errWrongSchemeSeparator},
		{"http://bar", errEmptyPath},
		{"http://foo.*/bar", errInvalidHostWildcard},
		{"http://\x00www/", errInvalidHost},
		{"http://foo:/", errInvalidPort},
		{"http://*.foo:/", errInvalidPort},
		{"http://foo:com/", errInvalidPort},
		{"http://foo:123456/", errInvalidPort},
		{"http://foo:80:80/monkey", errInvalidPort},
		{"chrome://foo:1234/bar", errInvalidPort},
		{"http://[2607:f8b0:4005:805::200e]:/*", errInvalidPort},
		{"http://[]:8888/*", errEmptyHost},
		{"http://[2607:f8b0:4005:805::200e/*", errInvalidHost},
		{"http://[2607:f8b0:4005:805::200e]]/*", errInvalidHost},
		{"http://[[2607:f8b0:4005:805::200e]/*", errInvalidHost},
		{"http://[2607:f8b0:4005:805:200e]/*", errInvalidHost},
		{"http://[2607:f8b0:4005:805:200e:12:bogus]/*", errInvalidHost},
		{"http://[[2607:f8b0:4005:805::200e]:abc/*", errInvalidPort},
	} {
		_, prob, ok := ParsePattern(c.in)
		if ok || prob.Message != c.want {
			t.Errorf("ParsePattern(%q) = ok %v %q, want %q", c.in, ok, prob.Message, c.want)
		}
	}
}

func TestParseValid(t *testing.T) {
	// Ports, IPv6Patterns, PercentEncoded*, Match1-19.
	for _, c := range []struct {
		in         string
		host, port string
		sub        bool
		path       string
	}{
		{"http://foo:1234/", "foo", "1234", false, "/"},
		{"http://*.foo:1234/bar", "foo", "1234", true, "/bar"},
		{"http://*:1234/", "", "1234", true, "/"},
		{"http://*:*/", "", "*", true, "/"},
		{"file://foo:1234/bar", "", "*", false, "/bar"},
		{"http://*/:1234", "", "*", true, "/:1234"},
		{"http://foo/bar:1234/path", "foo", "*", false, "/bar:1234/path"},
		{"http://[2607:f8b0:4005:805::200e]:8888/*", "[2607:f8b0:4005:805::200e]", "8888", false, "/*"},
		{"http://*/%40*", "", "*", true, "/%40*"},
		{"http://*/🐱*", "", "*", true, "/🐱*"},
		{"http://*.0.0.1/*", "0.0.0.1", "*", true, "/*"},
		{"http://*.xn--gkd/a%C2%81%E1*", "xn--gkd", "*", true, "/a%C2%81%E1*"},
		{"file:///foo*", "", "*", false, "/foo*"},
		{"file://foo*", "", "*", false, "/foo*"},
		{"file://localhost/foo*", "", "*", false, "/foo*"},
		{"http://www.example.com:80/foo", "www.example.com", "80", false, "/foo"},
		{"chrome://favicon/*", "favicon", "*", false, "/*"},
		{"about:blank", "", "*", false, "blank"},
		{"data:*", "", "*", false, "*"},
	} {
		p, prob, ok := ParsePattern(c.in)
		if !ok || prob.NonStandard || p.Host != c.host || p.Port != c.port || p.Subdomains != c.sub || p.Path != c.path {
			t.Errorf("ParsePattern(%q) = %+v %+v %v, want host %q port %q sub %v path %q", c.in, p, prob, ok, c.host, c.port, c.sub, c.path)
		}
	}
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		pattern string
		url     string
		want    bool
	}{
		// Match1: all pages for a given scheme.
		{"http://*/*", "http://google.com", true},
		{"http://*/*", "http://google.com/foo", true},
		{"http://*/*", "https://google.com", false},
		{"http://*/*", "http://74.125.127.100/search", true},
		// Match2.
		{"https://*/foo*", "https://www.google.com/foo", true},
		{"https://*/foo*", "https://www.google.com/foobar", true},
		{"https://*/foo*", "http://www.google.com/foo", false},
		{"https://*/foo*", "https://www.google.com/", false},
		// Match3: subdomains; the query is part of the path.
		{"http://*.google.com/foo*bar", "http://google.com/foobar", true},
		{"http://*.google.com/foo*bar", "http://www.google.com/foobar", true},
		{"http://*.google.com/foo*bar", "http://www.google.com/foo?bar", true},
		{"http://*.google.com/foo*bar", "http://wwwgoogle.com/foobar", false},
		{"http://*.google.com/foo*bar", "http://monkey.images.google.com/foooobar", true},
		{"http://*.google.com/foo*bar", "http://yahoo.com/foobar", false},
		// Match5: glob escaping ('?' and '\' are literal).
		{`file:///foo?bar\*baz`, `file:///foo?bar\hellobaz`, true},
		{`file:///foo?bar\*baz`, `file:///fooXbar\hellobaz`, false},
		// Match6, Match7: IP addresses; no subdomain matching on them.
		{"http://127.0.0.1/*", "http://127.0.0.1", true},
		{"http://*.0.0.1/*", "http://127.0.0.1", false},
		// Match9.
		{"chrome://favicon/*", "chrome://favicon/http://google.com", true},
		{"chrome://favicon/*", "chrome://history", false},
		// Match10: "*" is http and https only.
		{"*://*/*", "http://127.0.0.1", true},
		{"*://*/*", "chrome://favicon/http://google.com", false},
		{"*://*/*", "file:///foo/bar", false},
		{"*://*/*", "file://localhost/foo/bar", false},
		// Match12: <all_urls> with SCHEME_ALL.
		{"<all_urls>", "chrome://favicon/http://google.com", true},
		{"<all_urls>", "http://127.0.0.1", true},
		{"<all_urls>", "file:///foo/bar", true},
		{"<all_urls>", "about:blank", true},
		{"<all_urls>", "data:text/html;charset=utf-8,<html>asdf</html>", true},
		// DoesntMatchInvalid, WildcardMatchesPathlessUrl,
		// NonwildcardDoesntMatchPathlessUrl.
		{"<all_urls>", "http:", false},
		{"<all_urls>", "javascript:", true},
		{"*://*/*", "javascript:", false},
		// Match13.
		{"about:*", "about:blank", true},
		{"about:blank", "about:blank", true},
		{"about:*", "about:version", true},
		{"chrome-extension://*/*", "chrome-extension://FTW", true},
		{"data:*", "data:monkey", true},
		{"javascript:*", "javascript:atemyhomework", true},
		{"data:*", "about:blank", false},
		// Match14-16: file ignores the host.
		{"file:///foo*", "file://foo", false},
		{"file:///foo*", "file://foobar", false},
		{"file:///foo*", "file:///foo", true},
		{"file:///foo*", "file:///foobar", true},
		{"file:///foo*", "file://localhost/foo", true},
		{"file://foo*", "file://localhost/foo", true},
		{"file://localhost/foo*", "file:///foobar", true},
		// Match17, Match18: ports.
		{"http://www.example.com:80/foo", "http://www.example.com:80/foo", true},
		{"http://www.example.com:80/foo", "http://www.example.com/foo", true},
		{"http://www.example.com:80/foo", "http://www.example.com:8080/foo", false},
		{"http://www.example.com:*/foo", "http://www.example.com:8080/foo", true},
		// IgnorePorts, IgnoreMissingBackslashes.
		{"http://www.example.com:8080/foo", "http://www.example.com:1234/foo", false},
		{"http://www.example.com/example", "http://www.example.com/example", true},
		{"http://www.example.com/example/*", "http://www.example.com/example/", true},
		{"http://www.example.com/example/*", "http://www.example.com/example", true},
		{"http://www.example.com/example", "http://www.example.com/example/", false},
	} {
		p, prob, ok := ParsePattern(c.pattern)
		if !ok {
			t.Fatalf("ParsePattern(%q): %s", c.pattern, prob.Message)
		}
		u := ParseRequestURL(c.url)
		if got := p.Matches(&u); got != c.want {
			t.Errorf("%q matches %q = %v, want %v (url %+v)", c.pattern, c.url, got, c.want, u)
		}
	}
}

func TestParseWarnings(t *testing.T) {
	// Electron throws "Wrong scheme type." for app://… unless the app
	// registered the scheme as standard: parsed, with a warning.
	if _, prob, ok := ParsePattern("app://bundle/*"); !ok || !prob.NonStandard {
		t.Errorf("app://bundle/*: ok %v %+v", ok, prob)
	}
	// base::StringToInt reads "+80" and "080"; MatchesPortPattern
	// compares text, so neither matches port 80.
	for _, s := range []string{"http://a.example:080/*", "http://a.example:+80/*"} {
		p, prob, ok := ParsePattern(s)
		u := ParseRequestURL("http://a.example/x")
		if !ok || !prob.OddPort || p.Matches(&u) {
			t.Errorf("%s: ok %v %+v matches %v", s, ok, prob, p.Matches(&u))
		}
	}
	if _, _, ok := ParsePattern("http://a.example:-1/*"); ok {
		t.Errorf("a negative port parsed")
	}
}

// FuzzParsePattern: any pattern and URL text, including invalid UTF-8,
// parses or is refused without panicking, and a parsed pattern's match is
// decided.
func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{"<all_urls>", "*://*.example.com/*", "http://[::1]:8080/*", "file://foo*", "data:*", "http://*./", "http://[", "a:", "://x/", "http://\xff/*"} {
		f.Add(s, "https://a.example.com/x?y")
	}
	f.Fuzz(func(t *testing.T, pattern, url string) {
		p, prob, ok := ParsePattern(pattern)
		if !ok && prob.Message == "" {
			t.Fatalf("%q refused without a message", pattern)
		}
		u := ParseRequestURL(url)
		if ok {
			p.Matches(&u)
		}
		Decide(&Table{FormatVersion: 1, Rules: []Rule{{Name: "r", URLs: []Pattern{p}, Action: ActionHeaders, SetHeaders: []Header{{Name: "A", Value: "1"}}}}},
			Request{URL: url, Method: pattern, ResourceType: "script"})
	})
}

// IsValidPortForScheme asks url::DefaultPortForScheme, which has no port
// for "*" or a scheme without one: a written port is refused there.
func TestPortNeedsSchemeWithDefault(t *testing.T) {
	for _, s := range []string{"*://*:8080/*", "app://host:1/*", "file://h:1/x:2"} {
		_, prob, ok := ParsePattern(s)
		if s == "file://h:1/x:2" {
			if !ok {
				t.Errorf("%s: file ignores the host and port, got %q", s, prob.Message)
			}
			continue
		}
		if ok || prob.Message != errInvalidPort {
			t.Errorf("%s: ok %v %q, want %q", s, ok, prob.Message, errInvalidPort)
		}
	}
}
