package certificate

import (
	"fmt"

	"golang.org/x/net/publicsuffix"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// auditWideAccept is the family's audit check (docs/audit.md).
var auditWideAccept = providers.Check{Code: "A007", Severity: providers.SeverityCritical, Family: Family,
	Title: "certificates are accepted without verification for more than one registrable domain",
	Why:   providers.ChecklistSecureContent,
	Fix:   "Accept certificates only for hosts of one domain you control (\"*.corp.example\"), better with pins = [...]; never for a public suffix such as \"*.com\", \"*.co.uk\" or \"*.github.io\"."}

var auditChecks = []providers.Check{auditWideAccept}

// Audit reviews p's certificate blocks: a block that accepts every
// certificate (verify = "accept", no pins) for "*" or for a wildcard over
// a public suffix. The Public Suffix List (golang.org/x/net/publicsuffix,
// ICANN and private sections) decides what one registrable domain is:
// "*.example.com" is one, "*.co.uk" and "*.github.io" are not.
func Audit(_ *providers.Context, p *schema.Partition) []providers.Finding {
	spec := Key.Of(p)
	if spec == nil {
		return nil
	}
	var out []providers.Finding
	for _, cb := range spec.Blocks {
		if cb.Verify.V != "accept" || cb.Pins.Set {
			continue
		}
		r, msg, _, _ := parseHostPattern(cb.Host)
		if msg != "" {
			continue
		}
		switch r.Match {
		case MatchAny:
			out = append(out, providers.Finding{Code: auditWideAccept.Code, Subject: cb.HostRange, Warned: warning.CertificateAcceptAll,
				Summary: fmt.Sprintf("certificate %q accepts every certificate of every host", cb.Host),
				Detail:  "Anyone on the network path can impersonate any site the session loads."})
		case MatchDomain, MatchSubdomains:
			h := NormalizeHostname(r.Host)
			if suffix, _ := publicsuffix.PublicSuffix(h); suffix == h {
				out = append(out, providers.Finding{Code: auditWideAccept.Code, Subject: cb.HostRange,
					Summary: fmt.Sprintf("certificate %q accepts every certificate under the public suffix %q", cb.Host, h),
					Detail:  fmt.Sprintf("%q is on the Public Suffix List: its subdomains belong to unrelated owners, so this block accepts unverified certificates for sites nobody here controls, and anyone on the network path can impersonate them.", h)})
			}
		}
	}
	return out
}
