package schema

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// MaxValueBytes bounds every evaluated local, variable and attribute
// value: its strings' bytes plus 16 per element, number and bool. A
// configuration is hostile input, and a few lines of locals that each
// double the previous one reach gigabytes; each value is measured as it
// is evaluated, so evaluation stops at the first value over the bound,
// with a located error, long before memory runs out. The bound leaves room
// for the largest file() (4 MiB) twice.
const MaxValueBytes = 8 << 20

// MaxSourceBytes bounds one configuration file (MaxFileBytes bounds the
// files that file() and filesha256() read). A generated configuration of
// 10,000 partitions with every family set in each is about 16 MB; a file
// past the bound is refused before it is parsed, so that a stray
// multi-gigabyte file is not read into memory.
const MaxSourceBytes = 64 << 20

// readSource reads a configuration file, refusing one over MaxSourceBytes
// with a diagnostic at its first line (name is the file as diagnostics
// show it).
func readSource(path, name string) ([]byte, hcl.Diagnostics) {
	f, err := os.Open(path)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration file", Detail: err.Error()}}
	}
	defer f.Close()
	// Read into a buffer of the file's size (plus bytes.MinRead, which
	// ReadFrom wants free before each read): io.ReadAll would grow its
	// buffer from 512 bytes by copying, a tenth of a second for a 16 MB file.
	var buf bytes.Buffer
	if st, serr := f.Stat(); serr == nil && st.Mode().IsRegular() && st.Size() <= MaxSourceBytes {
		buf.Grow(int(st.Size()) + bytes.MinRead)
	}
	_, err = buf.ReadFrom(io.LimitReader(f, MaxSourceBytes+1))
	b := buf.Bytes()
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration file", Detail: err.Error()}}
	}
	if len(b) > MaxSourceBytes {
		return nil, tooLarge(name)
	}
	return b, nil
}

func tooLarge(name string) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Configuration file too large",
		Detail:  fmt.Sprintf("A configuration file may hold at most %d MiB; split the configuration into several files (every *.hcl and *.hcl.json file of the directory is read).", MaxSourceBytes>>20),
		Subject: &hcl.Range{Filename: name, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}}}
}

// valueSize measures v, stopping as soon as the total exceeds limit.
func valueSize(v cty.Value, limit int) int {
	total := 0
	var walk func(v cty.Value)
	walk = func(v cty.Value) {
		if total > limit || v.IsNull() || !v.IsKnown() {
			return
		}
		v, _ = v.Unmark()
		ty := v.Type()
		switch {
		case ty == cty.String:
			total += len(v.AsString())
		case ty.IsPrimitiveType():
			total += 16
		case v.CanIterateElements():
			for it := v.ElementIterator(); it.Next() && total <= limit; {
				k, e := it.Element()
				total += 16
				if ty.IsMapType() || ty.IsObjectType() {
					walk(k)
				}
				walk(e)
			}
		}
	}
	walk(v)
	return total
}

// checkValueSize reports a value over MaxValueBytes at rng; what says what
// was evaluated ("local.s25", "attribute name").
func checkValueSize(v cty.Value, rng hcl.Range, what string) *hcl.Diagnostic {
	if n := valueSize(v, MaxValueBytes); n > MaxValueBytes {
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Value too large",
			Detail: fmt.Sprintf("The value of %s is larger than %d MiB (strings' bytes, plus 16 bytes per element). sessctl bounds every evaluated value so that a configuration cannot exhaust memory; a real session setting is far smaller. Check for an expression that repeats a value (a local built from itself twice, a large for).",
				what, MaxValueBytes>>20),
			Subject: rng.Ptr(),
		}
	}
	return nil
}
