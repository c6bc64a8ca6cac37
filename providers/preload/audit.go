package preload

import (
	"fmt"
	"path/filepath"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// The family's audit checks (docs/audit.md).
var (
	auditReplaceable = providers.Check{Code: "A009", Severity: providers.SeverityCritical, Family: Family,
		Title: "a preload script another user can replace",
		Why:   providers.ChecklistElectronAPIs,
		Fix:   "Make the script and every directory above it owned by root or the app's user and writable by their owner only."}
	auditNoPin = providers.Check{Code: "A010", Severity: providers.SeverityMedium, Family: Family,
		Title: "a preload script without a sha256 pin",
		Why:   providers.ChecklistElectronAPIs,
		Fix:   "Add sha256 = \"...\" (filesha256() of the reviewed script), so that a changed script stops the plan and the adapter instead of running."}
)

// AuditChecks implements providers.Auditor.
func (Provider) AuditChecks() []providers.Check {
	return []providers.Check{auditReplaceable, auditNoPin}
}

// Audit implements providers.Auditor. The ownership check is the one
// Build refuses with (writableByOthers: the real file, symbolic links
// followed, and every directory up to the root, as OpenSSH's safe_path);
// the audit reports it too, so that a review lists it with the rest.
func (Provider) Audit(c *providers.Context, p *schema.Partition) []providers.Finding {
	var out []providers.Finding
	for _, pl := range preloadsOf(p) {
		if !pl.Path.Set || !filepath.IsAbs(pl.Path.V) {
			continue
		}
		if !pl.SHA256.Set {
			out = append(out, providers.Finding{Code: auditNoPin.Code, Subject: pl.DeclRange,
				Summary: fmt.Sprintf("preload %q has no sha256 pin", pl.ID),
				Detail:  fmt.Sprintf("%s runs with Node.js privileges in every page of the session; without a pin, any change to it runs at the next start after an apply.", pl.Path.V)})
		}
		// Every partition that loads the script shares one check.
		pr := ownerProblem(c, pl.Path.V, nil)
		if d := problemDiag(pl.Path.V, pr, pl.Path.Range); d != nil {
			out = append(out, providers.Finding{Code: auditReplaceable.Code, Subject: pl.Path.Range,
				Summary: d.Summary, Detail: d.Detail})
		}
	}
	return out
}

// SecurityFields implements providers.SecurityFielder.
func (Provider) SecurityFields() []string { return []string{Field, APIField} }
