package all

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
)

// A001 is the one check no family owns: ignore_drift on a field that a
// family declares security-relevant. The issue names permissions,
// certificates, preloads and proxy; a field of another family
// (userAgent) is no finding.
func TestAuditIgnoreDrift(t *testing.T) {
	cfg := familytest.MustLoad(t, map[string]string{"main.hcl": `partition "persist:a" {
  ignore_drift = ["permissions", "certificateRules", "preloads", "proxy", "userAgent", "sslConfig"]
}
`})
	var got []string
	fs, diags := providers.Audit(providers.NewContext(cfg), providers.All(), cfg.Partitions[0])
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	for _, f := range fs {
		if f.Code == providers.IgnoreDriftSecurity.Code {
			got = append(got, fmt.Sprintf("%d:%d", f.Subject.Start.Line, f.Subject.Start.Column))
		}
	}
	// The list's items start at columns 19, 34, 54, 66, 75 and 88;
	// userAgent (75) is not security-relevant.
	want := []string{"2:19", "2:34", "2:54", "2:66", "2:88"}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("A001 at %v, want %v", got, want)
	}
}

// Every audit code is known to the warning package once the families are
// linked, so that ignore_warnings accepts it, and every check cites the
// checklist and names a registered family (or drift).
func TestAuditChecksRegistered(t *testing.T) {
	fams := map[string]bool{"drift": true}
	for _, p := range providers.All() {
		fams[p.Family()] = true
	}
	checks := providers.AuditChecks()
	if len(checks) < 13 {
		t.Fatalf("%d audit checks, want at least the 13 of docs/audit.md", len(checks))
	}
	for i, c := range checks {
		if want := fmt.Sprintf("A%03d", i+1); string(c.Code) != want {
			t.Errorf("check %d has code %s, want %s: codes are dense and in order", i, c.Code, want)
		}
		if _, ok := warning.Lookup(c.Code); !ok {
			t.Errorf("%s is not known to the warning package", c.Code)
		}
		if !fams[c.Family] {
			t.Errorf("%s: family %q is not registered", c.Code, c.Family)
		}
	}
	_, diags := familytest.Load(t, map[string]string{"main.hcl": `partition "persist:a" {
  ignore_warnings = ["A003", "A999"]
}
`})
	if len(diags) != 1 || !strings.Contains(diags[0].Summary, "Unknown warning code") || diags[0].Subject.Start.Column != 30 {
		t.Errorf("ignore_warnings with A003 (known) and A999 (unknown): %v", diags)
	}
}
