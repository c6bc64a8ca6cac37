package cookies

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/schema"
)

// FuzzCheck: any cookie block is checked without a panic, and when its
// value is sensitive no diagnostic shows it.
func FuzzCheck(f *testing.F) {
	f.Add("sid", "https://a.example/", "SECRETVALUE", "a.example", "/", "lax", "1798675200", true, false)
	f.Add("__Host-x", "wss://[::1]:8/p", "SECRET=;\x00", ".", "", "no_restriction", "2026-01-01T00:00:00Z", false, true)
	f.Add("", "http://", "__Secure-SECRET", "xn--", "x", "strict", "-1e400", true, true)
	f.Fuzz(func(t *testing.T, name, u, value, domain, path, same, exp string, secure, numeric bool) {
		r := hcl.Range{Filename: "f.hcl"}
		ck := &Cookie{Name: name, URL: schema.Value[string]{V: u, Set: u != ""}, Value: schema.Value[string]{V: value, Set: true, Sensitive: true},
			Domain: schema.Value[string]{V: domain, Set: domain != ""}, Path: schema.Value[string]{V: path, Set: path != ""},
			Secure: schema.Value[bool]{V: secure, Set: true}, SameSite: schema.Value[string]{V: same, Set: same != ""},
			Expiration: schema.Value[schema.NumStr]{V: schema.NumStr{Text: exp, IsNumber: numeric}, Set: exp != ""}, DeclRange: r}
		_, diags := check(ck, time.Unix(1780000000, 0))
		if len(value) < 6 {
			return // too short to tell a leak from a coincidence
		}
		for _, d := range diags {
			text := d.Summary + d.Detail
			for _, other := range []string{name, u, domain, path, same, exp} {
				text = strings.ReplaceAll(text, other, "")
			}
			if strings.Contains(text, value) {
				t.Fatalf("diagnostic shows the sensitive value %q: %s / %s", value, d.Summary, d.Detail)
			}
		}
	})
}
