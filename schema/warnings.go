package schema

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
)

// warningCodes evaluates ignore_warnings: a list of warning codes, each one
// sessctl knows (docs/warnings.md). An unknown or malformed code is an
// error, so a typo never silently acknowledges nothing.
func (e *evaluator) warningCodes(b *rawBody) StringList {
	l := e.strList(b, "ignore_warnings", false)
	kept := l.Items[:0:0]
	seen := make(map[string]bool, len(l.Items))
	for _, it := range l.Items {
		code := strings.ToUpper(strings.TrimSpace(it.V))
		switch _, known := warning.Lookup(warning.Code(code)); {
		case !warning.Valid(code):
			e.l.diags = append(e.l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid warning code",
				Detail:   fmt.Sprintf("ignore_warnings lists warning codes such as \"W101\" (W and three digits) or audit codes such as \"A001\", as printed after a warning's summary; %q is not one. The codes are listed in docs/warnings.md and docs/audit.md.", it.V),
				Subject:  it.Range.Ptr(),
			})
		case code != it.V:
			e.l.diags = append(e.l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid warning code",
				Detail:   fmt.Sprintf("Write the code as sessctl prints it: %q, not %q.", code, it.V),
				Subject:  it.Range.Ptr(),
			})
		case !known:
			e.l.diags = append(e.l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown warning code",
				Detail:   fmt.Sprintf("This version of sessctl has no warning %s; the codes are listed in docs/warnings.md and by `sessctl warnings`.", code),
				Subject:  it.Range.Ptr(),
			})
		case seen[code]:
			// A repeat acknowledges nothing more; it is harmless.
		default:
			seen[code] = true
			kept = append(kept, it)
		}
	}
	l.Items = kept
	return l
}

// Acknowledges reports whether an ignore_warnings list acknowledges code
// for partition p: the settings block's list (the whole configuration) or
// p's own, which includes the lists of the profiles it merges. p may be
// nil for a warning that belongs to no partition.
func (c *Config) Acknowledges(p *Partition, code warning.Code) bool {
	if c == nil || code == "" {
		return false
	}
	if hasCode(c.Settings.IgnoreWarnings, code) {
		return true
	}
	return p != nil && hasCode(p.IgnoreWarnings, code)
}

func hasCode(l StringList, code warning.Code) bool {
	for _, it := range l.Items {
		if warning.Code(it.V) == code {
			return true
		}
	}
	return false
}

// AcknowledgeWarnings marks the coded warnings of diags that an
// ignore_warnings list acknowledges for p (nil: the settings list only).
// Warnings that a check across partitions attributed to a partition
// (warning.ForPartition) use that partition's list.
func (c *Config) AcknowledgeWarnings(p *Partition, diags hcl.Diagnostics) hcl.Diagnostics {
	if c == nil || len(diags) == 0 {
		return diags
	}
	var byName map[string]*Partition
	return warning.Acknowledge(diags, func(d *hcl.Diagnostic, code warning.Code) bool {
		q := p
		if name := warning.PartitionOf(d); name != "" {
			if byName == nil {
				byName = make(map[string]*Partition, len(c.Partitions))
				for _, x := range c.Partitions {
					byName[x.Name] = x
				}
			}
			q = byName[name]
		}
		return c.Acknowledges(q, code)
	})
}
