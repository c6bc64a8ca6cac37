package providers

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/schema"
)

// The security review (`sessctl audit`, docs/audit.md) is made of checks
// that the setting families declare themselves, as they declare their
// language: a family that has something to say about the security of its
// settings implements Auditor; a family whose profile fields are
// security-relevant implements SecurityFielder, so that the one
// family-independent check (ignore_drift on such a field) knows them
// without knowing the families.

// Severity ranks an audit finding. Its String is what users write in
// --fail-on and see in the output.
type Severity int

// The severities, lowest first.
const (
	SeverityLow Severity = iota + 1
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = []string{"", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < SeverityLow || s > SeverityCritical {
		return fmt.Sprintf("Severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name ("low", "medium", "high",
// "critical"), in any case.
func ParseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if i > 0 && strings.EqualFold(s, n) {
			return Severity(i), true
		}
	}
	return 0, false
}

// Checklist is Electron's security checklist, which every check cites
// (electron/electron docs/tutorial/security.md, "Checklist: Security
// recommendations").
const Checklist = "https://www.electronjs.org/docs/latest/tutorial/security"

// Anchors of the checklist items the checks cite.
const (
	ChecklistSecureContent = Checklist + "#1-only-load-secure-content"
	ChecklistPermissions   = Checklist + "#5-handle-session-permission-requests-from-remote-content"
	ChecklistOpenExternal  = Checklist + "#15-do-not-use-shellopenexternal-with-untrusted-content"
	ChecklistFileProtocol  = Checklist + "#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols"
	ChecklistElectronAPIs  = Checklist + "#20-do-not-expose-electron-apis-to-untrusted-web-content"
	ChecklistIsolation     = Checklist + "#isolation-for-untrusted-content"
)

// Check is one audit check: a stable code ("A001", never reused or
// renumbered), its severity, the family that runs it, what it finds and
// the checklist item that says why it matters.
type Check struct {
	Code     warning.Code
	Severity Severity
	Family   string
	Title    string
	// Why is the Electron checklist item (a URL under Checklist).
	Why string
	// Fix says what to do about a finding, or when it is acceptable.
	Fix string
}

// Finding is one result of a check, located at what the operator wrote.
type Finding struct {
	Code    warning.Code
	Subject hcl.Range
	Summary string
	Detail  string
	// Partition is the partition the finding is about.
	Partition string
	// Warned is set when the plan already warns about the same thing with
	// this code: the plan does not repeat it as an audit warning.
	Warned warning.Code
}

// Auditor is implemented by families that review their settings.
type Auditor interface {
	// AuditChecks declares the family's checks.
	AuditChecks() []Check
	// Audit reviews one partition. It reads the decoded settings and the
	// files they name; it does not need Build to have succeeded.
	Audit(c *Context, p *schema.Partition) []Finding
}

// SecurityFielder is implemented by families whose profile fields decide
// what pages may do (permissions, certificates, preloads, proxy):
// ignore_drift on them hides a change made behind sessctl's back.
type SecurityFielder interface {
	SecurityFields() []string
}

// IgnoreDriftSecurity is the family-independent check.
var IgnoreDriftSecurity = Check{Code: "A001", Severity: SeverityHigh, Family: "drift",
	Title: "ignore_drift names a security-relevant profile field",
	Why:   ChecklistPermissions,
	Fix:   "Remove the entry: whoever rewrites the field then changes what the session's pages may do, and neither plan, drift nor watch tells you."}

var checksOnce = sync.OnceValues(func() ([]Check, map[warning.Code]Check) {
	all := []Check{IgnoreDriftSecurity}
	for _, p := range All() {
		if a, ok := p.(Auditor); ok {
			all = append(all, a.AuditChecks()...)
		}
	}
	by := map[warning.Code]Check{}
	for _, c := range all {
		if _, dup := by[c.Code]; dup {
			panic(fmt.Sprintf("providers: audit code %s declared twice", c.Code))
		}
		if c.Severity < SeverityLow || c.Severity > SeverityCritical || c.Title == "" || !strings.HasPrefix(c.Why, Checklist) {
			panic(fmt.Sprintf("providers: audit check %s needs a severity, a title and a checklist item", c.Code))
		}
		by[c.Code] = c
		warning.RegisterAudit(warning.Info{Code: c.Code, Family: c.Family, Title: c.Title,
			Acknowledge: "You reviewed the finding and accept it (sessctl audit then counts it without failing). Otherwise: " + c.Fix})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Code < all[j].Code })
	return all, by
})

// AuditChecks returns every check of the registered families, by code.
// The first call also registers their codes with the warning package, so
// that ignore_warnings accepts them; RegisterAuditCodes does only that.
func AuditChecks() []Check {
	all, _ := checksOnce()
	return append([]Check(nil), all...)
}

// LookupCheck returns the check with code c.
func LookupCheck(c warning.Code) (Check, bool) {
	_, by := checksOnce()
	chk, ok := by[c]
	return chk, ok
}

// RegisterAuditCodes makes the audit codes known to the warning package
// (ignore_warnings, `sessctl warnings A001`). Call it before loading a
// configuration; it is idempotent.
func RegisterAuditCodes() { checksOnce() }

// Audit runs every check on partition p. A check that panics (a bug, on
// whatever input) becomes an error diagnostic at the partition instead of
// taking the run down.
func Audit(c *Context, provs []Provider, p *schema.Partition) ([]Finding, hcl.Diagnostics) {
	checksOnce()
	var out []Finding
	var diags hcl.Diagnostics
	security := map[string]string{}
	for _, pr := range provs {
		if a, ok := pr.(Auditor); ok {
			fs, d := safeAudit(a, pr.Family(), c, p)
			diags = append(diags, d...)
			for _, f := range fs {
				f.Partition = p.Name
				out = append(out, f)
			}
		}
		if s, ok := pr.(SecurityFielder); ok {
			for _, f := range s.SecurityFields() {
				security[f] = pr.Family()
			}
		}
	}
	for _, it := range p.IgnoreDrift.Items {
		fam, ok := security[it.V]
		if !ok {
			continue
		}
		out = append(out, Finding{Code: IgnoreDriftSecurity.Code, Subject: it.Range, Partition: p.Name,
			Summary: fmt.Sprintf("ignore_drift hides changes to %q, the %s field", it.V, fam),
			Detail: fmt.Sprintf("%q decides what the pages of partition %q may do. With it in ignore_drift, a program that rewrites it in the profile (or an app that changes the session at run time) is not reported by plan, drift or watch, nor repaired.",
				it.V, p.Name)})
	}
	return out, diags
}

func safeAudit(a Auditor, family string, c *Context, p *schema.Partition) (fs []Finding, diags hcl.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			fs = nil
			diags = hcl.Diagnostics{Errorf(p.DeclRange, "This is a bug in sessctl; please report it with the configuration.",
				"internal error: the %s family's audit failed on partition %q: %v", family, p.Name, r)}
		}
	}()
	return a.Audit(c, p), nil
}

// Diagnostic is f as a warning carrying its audit code, as the plan shows
// findings of high severity.
func (f Finding) Diagnostic() *hcl.Diagnostic {
	chk, _ := LookupCheck(f.Code)
	return warning.New(f.Code, f.Subject, f.Summary,
		fmt.Sprintf("%s (audit %s, severity %s; %s)", f.Detail, f.Code, chk.Severity, chk.Why))
}
