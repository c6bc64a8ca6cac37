package providers

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestLastCallWins(t *testing.T) {
	type set struct{ name, val string }
	run := func(in ...set) hcl.Diagnostics {
		return LastCallWins(len(in), func(i int) (string, string, hcl.Range) {
			return in[i].name, in[i].val, hcl.Range{Start: hcl.Pos{Line: i + 1}}
		}, "x.attr", "setX")
	}
	if d := run(); d != nil {
		t.Errorf("none: %v", d)
	}
	if d := run(set{"a", "1"}); d != nil {
		t.Errorf("one: %v", d)
	}
	if d := run(set{"a", "1"}, set{"b", "1"}); d != nil {
		t.Errorf("equal values: %v", d)
	}
	d := run(set{"a", "1"}, set{"b", "2"}, set{"c", "2"}, set{"d", "3"})
	if len(d) != 3 {
		t.Fatalf("got %d diagnostics, want 3 (a, b, c overridden by d)", len(d))
	}
	for i, want := range []string{
		`x.attr of partition "a" ("1") is overridden by partition "d"`,
		`x.attr of partition "b" ("2") is overridden by partition "d"`,
		`x.attr of partition "c" ("2") is overridden by partition "d"`,
	} {
		if d[i].Severity != hcl.DiagWarning || d[i].Summary != want || d[i].Subject.Start.Line != i+1 {
			t.Errorf("diag %d = %v %q line %d", i, d[i].Severity, d[i].Summary, d[i].Subject.Start.Line)
		}
	}
}
