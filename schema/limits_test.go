package schema

import (
	"fmt"
	"os"
	"path/filepath"
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
		// A for over a large local: join refuses its arguments.
		{"for over a large local", mib(4) + "partition \"persist:x\" {\n  user_agent = join(\"\", [for i in range(4) : local.big])\n}\n", 27}, // mib(4) is 25 lines
		// 600 references to a list of 1,024 numbers: 9.4 MiB of elements.
		{"list of lists", "locals {\n  k = range(1024)\n  l = [for i in range(600) : local.k]\n}\n", 3},
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
				if strings.Contains(x.Summary+x.Detail, "MiB") && x.Subject != nil && x.Subject.Start.Line == tc.line {
					found = true
				}
			}
			if !found {
				t.Errorf("want a bound error on line %d, got %v", tc.line, d)
			}
		})
	}
}

// A value under the bound loads: the bound is on values, not on
// expressions.
func TestValueUnderBound(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": mib(4) + "partition \"persist:x\" {\n  user_agent = substr(local.big, 0, 10)\n}\n"})
	cfg, diags := Load(LoadOptions{Path: dir})
	if diags.HasErrors() || ua(cfg.Partitions[0]).V != "abababababab"[:10] {
		t.Fatalf("%v", diags)
	}
}

// mib returns a locals block whose local.big is n MiB of "ab", built by
// doubling (cheap to evaluate); it is 25 lines long for n = 4.
func mib(n int) string {
	var b strings.Builder
	b.WriteString("locals {\n  d0 = \"ab\"\n")
	i := 0
	for size := 2; size < n<<20; size *= 2 {
		i++
		fmt.Fprintf(&b, "  d%d = \"${local.d%d}${local.d%d}\"\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "  big = local.d%d\n}\n", i)
	return b.String()
}

// Functions whose result is at least as large as their arguments refuse
// arguments over the bound before building the result.
func TestBoundedFunctionArguments(t *testing.T) {
	for _, call := range []string{
		`join("", [for i in range(1000) : local.big])`,
		`concat([for i in range(1000) : [local.big]])`,
		`flatten([for i in range(1000) : [local.big]])`,
	} {
		src := mib(1) + "locals {\n  s = " + call + "\n}\n"
		line := strings.Count(src, "\n") - 1
		dir := writeFiles(t, map[string]string{"main.hcl": src})
		_, diags := Load(LoadOptions{Path: dir})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), "MiB") || diags[0].Subject == nil || diags[0].Subject.Start.Line != line {
			t.Errorf("%s: %v (want line %d)", call, diags, line)
		}
	}
}

// TestFileTooLarge: a file over MaxSourceBytes is refused before parsing,
// with a diagnostic at its first line.
func TestFileTooLarge(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, MaxSourceBytes+1)
	for i := range big {
		big[i] = '\n'
	}
	if err := os.WriteFile(filepath.Join(dir, "big.hcl"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags := Load(LoadOptions{Path: dir})
	if len(diags) != 1 || diags[0].Summary != "Configuration file too large" || diags[0].Subject == nil ||
		filepath.Base(diags[0].Subject.Filename) != "big.hcl" || diags[0].Subject.Start.Line != 1 {
		t.Fatalf("diags = %v", diags)
	}
	// A file of exactly the bound is read (parsing it is slow, so
	// the reader alone is checked).
	path := filepath.Join(dir, "big.hcl")
	if err := os.WriteFile(path, big[:MaxSourceBytes], 0o644); err != nil {
		t.Fatal(err)
	}
	if b, diags := readSource(path, "big.hcl"); diags.HasErrors() || len(b) != MaxSourceBytes {
		t.Fatalf("a file of exactly the bound: %d bytes, %v", len(b), diags)
	}
}
