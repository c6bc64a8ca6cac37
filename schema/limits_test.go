package schema

import (
	"fmt"
	"strings"
	"testing"
)

// TestValueBombs: configurations of a few hundred bytes whose values grow
// exponentially or multiplicatively are refused with a located error at
// the first value over MaxValueBytes, instead of exhausting memory (issue
// 16: 41 locals, each the previous twice, reached 8.4 GB).
func TestValueBombs(t *testing.T) {
	var doubling strings.Builder
	doubling.WriteString("locals {\n  s0 = \"ab\"\n")
	for i := 1; i <= 41; i++ {
		fmt.Fprintf(&doubling, "  s%d = \"${local.s%d}${local.s%d}\"\n", i, i-1, i-1)
	}
	doubling.WriteString("}\npartition \"persist:x\" {\n  user_agent = local.s41\n}\n")
	for _, tc := range []struct {
		name, src string
		line      int
	}{
		// s22 is 2·2²² bytes = 8 MiB, s23 twice that: line 2 holds s0.
		{"doubling locals", doubling.String(), 25},
		{"nested for", "partition \"persist:x\" {\n  user_agent = join(\"\", [for i in range(1024) : join(\"\", [for j in range(1024) : \"0123456789\"])])\n}\n", 2},
		{"list of lists", "locals {\n  l = [for i in range(1024) : [for j in range(1024) : i]]\n}\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.hcl": tc.src})
			_, diags := Load(LoadOptions{Path: dir})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			d := diags.Errs()[0]
			found := false
			for _, x := range diags {
				if x.Summary == "Value too large" && x.Subject != nil && x.Subject.Start.Line == tc.line {
					found = true
				}
			}
			if !found {
				t.Errorf("want \"Value too large\" on line %d, got %v", tc.line, d)
			}
		})
	}
}

// A value at the bound loads: the bound is on values, not on expressions.
func TestValueUnderBound(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": "locals {\n  s = join(\"\", [for i in range(1024) : join(\"\", [for j in range(512) : \"0123456789\"])])\n}\npartition \"persist:x\" {\n  user_agent = substr(local.s, 0, 10)\n}\n"})
	cfg, diags := Load(LoadOptions{Path: dir})
	if diags.HasErrors() || cfg.Partitions[0].UserAgent.V != "0123456789" {
		t.Fatalf("%v", diags)
	}
}
