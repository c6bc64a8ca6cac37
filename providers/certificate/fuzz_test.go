package certificate

import "testing"

// FuzzHostPattern checks that no pattern or host name makes parsing or
// matching panic, and that a valid exact pattern matches its own host.
func FuzzHostPattern(f *testing.F) {
	for _, s := range []string{"*", "[*.]a.b", "*.a.b", "a.b", "::1", "[::1]", "[*.]", "*.", "https://x/", "a..b", "[", "]"} {
		f.Add(s, "a.b")
	}
	f.Fuzz(func(t *testing.T, pattern, host string) {
		r, msg, start, end := parseHostPattern(pattern)
		if start < 0 || end < start || end > len(pattern) {
			t.Fatalf("bad range [%d,%d) for %q", start, end, pattern)
		}
		if msg != "" {
			return
		}
		_ = r.Matches(NormalizeHostname(host))
		if r.Match == MatchExact && !r.Matches(NormalizeHostname(pattern)) {
			t.Errorf("exact pattern %q does not match itself (host %q)", pattern, r.Host)
		}
		_ = Verify(&Table{Rules: []Rule{r}, DefaultCode: CodeChromium}, host)
	})
}
