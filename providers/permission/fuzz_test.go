package permission

import (
	"testing"
)

// FuzzPatterns checks that no pattern or URL makes the parsers or the
// evaluator panic.
func FuzzPatterns(f *testing.F) {
	for _, s := range []string{"*", "[*.]example.com", "https://[*.]a.b:443", "file:///*", "[::1]:80", "http://*:8080/x", "[", "[*.].", "a..", "https://", "mailto:*", "https://[*.]zoom.us/j/*", "x:", "://", "@:[]", "file:///tmp/bar/../%2e%2ex/a b?q", "file:///a\\b"} {
		f.Add(s, "https://a.example.com:443/p?q#f")
	}
	f.Fuzz(func(t *testing.T, pattern, url string) {
		o, _, okO := ParseOrigin(pattern)
		u, _, okU := ParseURLPattern(pattern)
		pu := ParseURL(url)
		if okO {
			_ = o.Match(&pu)
			// Builder::Canonicalize is idempotent: a canonical file path
			// parses to itself.
			if o.Scheme == "file" && o.Path != "*" {
				if again, _, ok := ParseOrigin("file://" + o.Path); !ok || again.Path != o.Path {
					t.Errorf("file path %q (from %q) re-parses as %q, %v", o.Path, pattern, again.Path, ok)
				}
			}
		}
		if okU {
			_ = u.Match(&pu)
		}
		tab := &Table{FormatVersion: 1, Default: "deny"}
		if okO {
			tab.Rules = append(tab.Rules, Rule{Name: "o", Decision: "allow", Handlers: []string{"request", "check"}, Origins: []OriginPattern{o}})
		}
		if okU {
			tab.Rules = append(tab.Rules, Rule{Name: "u", Decision: "allow", Handlers: []string{"request"}, Permissions: []string{"openExternal"}, ExternalURLs: []URLPattern{u}})
		}
		e := NewEvaluator(tab)
		_ = e.Decide(Request{Handler: "request", Permission: "openExternal", Origin: url, ExternalURL: url, MediaTypes: []string{pattern}})
		_ = e.Decide(Request{Handler: "check", Permission: pattern, Origin: url})
	})
}
