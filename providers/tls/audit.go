package tls

import (
	"fmt"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// auditMaxBelow13 is the family's audit check (docs/audit.md).
var auditMaxBelow13 = providers.Check{Code: "A008", Severity: providers.SeverityMedium, Family: Family,
	Title: "tls max_version below tls1.3",
	Why:   providers.ChecklistSecureContent,
	Fix:   "Remove max_version (Chromium's default maximum is TLS 1.3) unless a server you must reach breaks on TLS 1.3."}

// AuditChecks implements providers.Auditor.
func (Provider) AuditChecks() []providers.Check { return []providers.Check{auditMaxBelow13} }

// Audit implements providers.Auditor: a maximum below TLS 1.3 gives up
// TLS 1.3's encrypted handshake and its removal of static-RSA and CBC
// suites for every connection of the session.
func (Provider) Audit(_ *providers.Context, p *schema.Partition) []providers.Finding {
	t := Key.Of(p)
	if t == nil || !t.MaxVersion.Set {
		return nil
	}
	if r, ok := versionRank[t.MaxVersion.V]; !ok || r >= versionRank["tls1.3"] {
		return nil
	}
	return []providers.Finding{{Code: auditMaxBelow13.Code, Subject: t.MaxVersion.Range,
		Summary: fmt.Sprintf("tls max_version = %q: the session never uses TLS 1.3", t.MaxVersion.V),
		Detail:  "Every connection of the session negotiates an older protocol: no encrypted handshake (the certificate is sent in the clear), and the weaker suites TLS 1.3 removed stay in play."}}
}

// SecurityFields implements providers.SecurityFielder.
func (Provider) SecurityFields() []string { return []string{Field} }
