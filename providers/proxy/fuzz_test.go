package proxy

import (
	"strings"
	"testing"
	"time"
)

func checkIssueBounds(t *testing.T, s string, issues []Issue) {
	t.Helper()
	for _, is := range issues {
		if is.Start < 0 || is.End < is.Start || is.End > len(s) {
			t.Fatalf("%q: issue %+v out of bounds", s, is)
		}
		if is.Summary == "" || is.Detail == "" {
			t.Fatalf("%q: issue without text %+v", s, is)
		}
	}
}

var fuzzURLs = []string{"http://a.example/", "https://localhost:8443/", "ws://[::1]/", "ftp://10.1.2.3/", "unknown://x/", "http://intranet/"}

// FuzzParseRules: any rules string parses without panic, issues stay in
// bounds, and every list entry prints as a valid PAC element.
func FuzzParseRules(f *testing.F) {
	for _, s := range []string{"myproxy:80", "http=a:1;https=b;ftp=c;socks=d", "a:1;b:2", " ;http=foo", "http=", "HTTP=x",
		"http=[https://p1 https://p2]", "quic://q:443", "socks=https://x", "foopy.111", "[::1]:80", "http://[::192.9.5.5]", "f\u00fcpy", "direct://,x", "=;=;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, issues := ParseRules(s)
		checkIssueBounds(t, s, issues)
		for _, l := range []List{r.Single, r.HTTP, r.HTTPS, r.FTP, r.Fallback} {
			for _, srv := range l {
				if srv.Scheme == SchemeInvalid || srv.Scheme != SchemeDirect && (srv.Host == "" || srv.Port < 0 || srv.Port > 65535) {
					t.Fatalf("%q: bad entry %+v", s, srv)
				}
				if srv.Scheme != SchemeDirect {
					// Round trip: the canonical URI parses back to itself.
					back, bad := parseProxyURI(srv.URI(), SchemeHTTP)
					if bad != nil || back != srv {
						t.Fatalf("%q: %+v -> %q -> %+v %v", s, srv, srv.URI(), back, bad)
					}
				}
			}
		}
		cfg, err := Compile(ElectronConfig{ProxyRules: s})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range fuzzURLs {
			Resolve(cfg, u)
		}
		ParsePACResult(s)
	})
}

// FuzzParseBypass: any bypass string parses and matches without panic or
// blow-up (hostile glob patterns are memoized), issues stay in bounds.
func FuzzParseBypass(f *testing.F) {
	for _, s := range []string{"<local>", "<-loopback>;localhost", "*.google.com:80", ".foo", "192.168.1.1/16", "a:b:c:d::/48", "[a:b::]/48",
		"http://*www.google.com", "*.com:+443", "foo?.com", "???????????????????????????a", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "\\*x", "://", "[::1]:33"} {
		f.Add(s, "http://www.google.com/")
	}
	f.Add("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "http://"+strings.Repeat("a", 200)+"/")
	f.Fuzz(func(t *testing.T, s, url string) {
		b, issues := ParseBypass(s)
		checkIssueBounds(t, s, issues)
		for i := range b.Rules {
			r := &b.Rules[i]
			if s[r.Start:r.End] != r.Text {
				t.Fatalf("%q: rule %d text %q at [%d,%d)", s, i, r.Text, r.Start, r.End)
			}
			_ = r.String()
		}
		cfg, _ := Compile(ElectronConfig{ProxyRules: "p:1", ProxyBypassRules: s})
		Resolve(cfg, url)
		for _, u := range fuzzURLs {
			Resolve(cfg, u)
		}
	})
}

// TestHostilePatterns: glob patterns that are exponential for a
// backtracking matcher finish quickly (Chromium's matcher does not
// backtrack).
func TestHostilePatterns(t *testing.T) {
	host := strings.Repeat("a", 250)
	for _, p := range []string{
		strings.Repeat("*a", 40) + "b",
		strings.Repeat("?", 300) + "b",
		strings.Repeat("*?", 100) + "b",
		strings.Repeat("a*", 100) + "b",
	} {
		start := time.Now()
		if matchPattern(host, p) {
			t.Errorf("%q matched", p)
		}
		if d := time.Since(start); d > 30*time.Second { // exponential backtracking would never end
			t.Errorf("pattern %q took %v", p[:20], d)
		}
	}
}

// TestMatchPattern: base::MatchPattern semantics read from
// base/strings/pattern.cc @0e492393 (EatWildcards, SearchForChars).
func TestMatchPattern(t *testing.T) {
	for _, c := range []struct {
		eval, pat string
		want      bool
	}{
		{"www.google.com", "*.google.com", true},
		{"google.com", "*.google.com", false},
		{"foo.com", "foo?.com", true},    // '?' matches zero characters
		{"foo1.com", "foo?.com", true},   // or one
		{"foo12.com", "foo?.com", false}, // not two
		{"foo12.com", "foo??.com", true},
		{"aa", "?a", true},
		{"a", "?a", true},
		{strings.Repeat("x", 20), strings.Repeat("?", 20), true}, // no depth limit
		{"abxabc", "*ab?c", false},                               // no backtracking into an earlier segment
		{"abxabc", "*ab*c", true},
		{"abab", "*ab", true}, // the final segment must end at the end
		{"a*b", "a\\*b", true},
		{"axb", "a\\*b", false},
		{"a?b", "a\\?b", true},
		{"", "", true},
		{"a", "", false},
		{"", "*", true},
		{"", "?", true},
		{"ab", "a*", true},
		{"ba", "a*", false},
		{"74.125.19.147", "7*", true},
	} {
		if got := matchPattern(c.eval, c.pat); got != c.want {
			t.Errorf("MatchPattern(%q, %q) = %v, want %v", c.eval, c.pat, got, c.want)
		}
		// The compiled fast paths agree with the general matcher.
		k, lit := compilePattern(c.pat)
		if got := matchCompiled(k, lit, c.eval); got != c.want {
			t.Errorf("compiled MatchPattern(%q, %q) = %v, want %v", c.eval, c.pat, got, c.want)
		}
	}
}
