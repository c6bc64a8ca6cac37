package certificate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers/internal/familytest"
)

// Which wildcards are wider than one registrable domain comes from the
// Public Suffix List (https://publicsuffix.org/list/public_suffix_list.dat):
// "com" and "co.uk" are ICANN suffixes, "github.io" a private one; a TLD
// the list does not know ("corp") is one by the list's default rule "*".
func TestAuditWideAccept(t *testing.T) {
	for _, tc := range []struct {
		label, extra string
		want         string // "" for no finding
	}{
		{"*", "", "A007"},
		{"*.com", "", "A007"},
		{"[*.]com", "", "A007"},
		{"*.co.uk", "", "A007"},
		{"[*.]co.uk", "", "A007"},
		{"*.github.io", "", "A007"},
		{"*.COM.", "", "A007"},
		{"*.corp", "", "A007"},
		{"*.example.com", "", ""},
		{"[*.]example.co.uk", "", ""},
		{"alice.github.io", "", ""},
		{"*.alice.github.io", "", ""},
		{"com", "", ""}, // one host, not a wildcard
		// Pins restrict what is accepted.
		{"*", `pins = ["sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]`, ""},
		{"*.com", `pins = ["sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]`, ""},
	} {
		t.Run(tc.label+tc.extra, func(t *testing.T) {
			src := fmt.Sprintf("partition \"persist:a\" {\n  certificate %q {\n    verify = \"accept\"\n    %s\n  }\n}\n", tc.label, tc.extra)
			cfg := familytest.MustLoad(t, map[string]string{"main.hcl": src})
			fs := Audit(nil, cfg.Partitions[0])
			var got []string
			for _, f := range fs {
				got = append(got, fmt.Sprintf("%s@%d:%d", f.Code, f.Subject.Start.Line, f.Subject.Start.Column))
			}
			want := ""
			if tc.want != "" {
				want = tc.want + "@2:15" // the label, after `  certificate `
			}
			if g := strings.Join(got, " "); g != want {
				t.Errorf("findings = %q, want %q", g, want)
			}
			if tc.label == "*" && len(fs) == 1 && fs[0].Warned != warning.CertificateAcceptAll {
				t.Errorf("certificate \"*\" is warned as W401 by Build; the finding must say so")
			}
		})
	}
	// Rejecting or verifying as Chromium does is no finding.
	for _, v := range []string{"reject", "chromium", "net::ERR_CERT_REVOKED"} {
		cfg := familytest.MustLoad(t, map[string]string{"main.hcl": fmt.Sprintf("partition \"persist:a\" {\n  certificate \"*\" { verify = %q }\n}\n", v)})
		if fs := Audit(nil, cfg.Partitions[0]); len(fs) != 0 {
			t.Errorf("verify = %q: findings %+v", v, fs)
		}
	}
}
