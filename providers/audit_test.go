package providers

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/schema"
)

type panicky struct{}

func (panicky) Family() string { return "panicky" }
func (panicky) Build(*Context, *schema.Partition) (*Result, hcl.Diagnostics) {
	return &Result{}, nil
}
func (panicky) AuditChecks() []Check { return nil }
func (panicky) Audit(*Context, *schema.Partition) []Finding {
	var m map[string]int
	m["x"] = 1 // a bug: assignment to a nil map
	return nil
}

// A check that panics is an error at the partition, not a crash.
func TestAuditRecoversPanics(t *testing.T) {
	p := &schema.Partition{Name: "persist:a", DeclRange: hcl.Range{Filename: "m.hcl", Start: hcl.Pos{Line: 3, Column: 1}}}
	fs, diags := Audit(nil, []Provider{panicky{}}, p)
	if len(fs) != 0 || len(diags) != 1 || !diags.HasErrors() || diags[0].Subject.Start.Line != 3 ||
		!strings.Contains(diags[0].Summary, `the panicky family's audit failed on partition "persist:a"`) {
		t.Fatalf("findings %v, diagnostics %v", fs, diags)
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]Severity{"low": SeverityLow, "Medium": SeverityMedium, "HIGH": SeverityHigh, "critical": SeverityCritical, "": 0, "severe": 0, "info": 0} {
		got, ok := ParseSeverity(in)
		if got != want || ok != (want != 0) {
			t.Errorf("ParseSeverity(%q) = %v, %v", in, got, ok)
		}
		if ok && !strings.EqualFold(got.String(), in) {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), strings.ToLower(in))
		}
	}
	if SeverityHigh <= SeverityMedium || SeverityCritical <= SeverityHigh || SeverityMedium <= SeverityLow {
		t.Error("severities are not ordered")
	}
}
