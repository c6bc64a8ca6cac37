// Package warning gives every warning sessctl prints a stable code
// ("W101"), so that an operator can acknowledge a warning that is accurate
// but known (ignore_warnings = ["W101"]) without hiding new ones, and so
// that scripts can match warnings without parsing their text.
//
// A code is attached to an hcl.Diagnostic as its Extra value (hcl's place
// for tool-specific data), so diagnostics keep flowing as plain values
// through schema, providers and reconcile. A code is never reused for
// another meaning and never renumbered: retired codes stay in the table
// with Retired set. docs/warnings.md is generated from the table.
package warning

import (
	"fmt"
	"regexp"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
)

// Code is a stable warning code: "W" and three digits, or an audit
// finding's code, "A" and three digits (docs/audit.md), when the plan
// shows a finding of high severity as a warning.
type Code string

// Info documents one code.
type Info struct {
	Code Code
	// Family is the setting family (or "language", "state") that raises it.
	Family string
	// Title says in one line what the warning is about.
	Title string
	// Acknowledge says when acknowledging it is the right answer.
	Acknowledge string
	// Retired codes are no longer raised; they stay listed so that an
	// ignore_warnings entry naming them keeps loading.
	Retired bool
}

var (
	codeRE  = regexp.MustCompile(`^W[0-9]{3}$`)
	auditRE = regexp.MustCompile(`^A[0-9]{3}$`)
)

// Valid reports whether s has the form of a warning code or of an audit
// code.
func Valid(s string) bool { return codeRE.MatchString(s) || auditRE.MatchString(s) }

// audit holds the audit codes (A001…): the setting families declare their
// audit checks (providers.Auditor) and register them here, so that a plan
// warning can carry an audit code and ignore_warnings can acknowledge it.
// They are not in All(): docs/audit.md lists them.
var (
	auditMu sync.RWMutex
	audit   = map[Code]*Info{}
)

// RegisterAudit adds an audit code. A malformed code or one registered
// twice is a programming error.
func RegisterAudit(in Info) {
	if !auditRE.MatchString(string(in.Code)) {
		panic(fmt.Sprintf("warning: malformed audit code %q", in.Code))
	}
	auditMu.Lock()
	defer auditMu.Unlock()
	if audit[in.Code] != nil {
		panic(fmt.Sprintf("warning: audit code %s registered twice", in.Code))
	}
	audit[in.Code] = &in
}

var byCode = func() map[Code]*Info {
	m := make(map[Code]*Info, len(table))
	for i := range table {
		in := &table[i]
		if !Valid(string(in.Code)) {
			panic(fmt.Sprintf("warning: malformed code %q", in.Code))
		}
		if m[in.Code] != nil {
			panic(fmt.Sprintf("warning: code %s listed twice", in.Code))
		}
		m[in.Code] = in
	}
	return m
}()

// Lookup returns the documentation of code.
func Lookup(c Code) (Info, bool) {
	in := byCode[c]
	if in == nil {
		auditMu.RLock()
		in = audit[c]
		auditMu.RUnlock()
	}
	if in == nil {
		return Info{}, false
	}
	return *in, true
}

// All returns every code, in code order.
func All() []Info {
	out := make([]Info, len(table))
	copy(out, table)
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Extra is what a coded diagnostic carries in hcl.Diagnostic.Extra.
type Extra struct {
	Code Code
	// Partition names the partition whose configuration raised the
	// warning, when a check that spans partitions raised it; "" otherwise.
	Partition string
	// Acknowledged is set when an ignore_warnings list names the code for
	// the place the warning applies to. Acknowledged warnings are not
	// printed, only counted.
	Acknowledged bool
	// Count is how many identical diagnostics Dedupe folded into this
	// one (0 or 1: just this one).
	Count int
}

// New returns a warning diagnostic with code c at rng.
func New(c Code, rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	mustKnow(c)
	r := rng
	return &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail, Subject: &r, Extra: &Extra{Code: c}}
}

// ForPartition records that d was raised by partition name's settings in a
// check across partitions, so that partition's ignore_warnings applies.
func ForPartition(d *hcl.Diagnostic, name string) *hcl.Diagnostic {
	if x := extraOf(d); x != nil {
		x.Partition = name
	}
	return d
}

func mustKnow(c Code) {
	if _, ok := Lookup(c); !ok {
		panic(fmt.Sprintf("warning: code %q is not in the table", c))
	}
}

func extraOf(d *hcl.Diagnostic) *Extra {
	if d == nil {
		return nil
	}
	x, _ := d.Extra.(*Extra)
	return x
}

// CodeOf returns the code of d, "" when it has none (errors, and warnings
// that come from hcl itself).
func CodeOf(d *hcl.Diagnostic) Code {
	if x := extraOf(d); x != nil && d.Severity == hcl.DiagWarning {
		return x.Code
	}
	return ""
}

// PartitionOf returns the partition a cross-partition check attributed d
// to, "" when there is none.
func PartitionOf(d *hcl.Diagnostic) string {
	if x := extraOf(d); x != nil {
		return x.Partition
	}
	return ""
}

// Acknowledged reports whether d is a warning that an ignore_warnings list
// acknowledged.
func Acknowledged(d *hcl.Diagnostic) bool {
	x := extraOf(d)
	return x != nil && x.Acknowledged && d.Severity == hcl.DiagWarning
}

// Acknowledge marks the coded warnings of diags that ack acknowledges (an
// ignore_warnings list names the code for the diagnostic's place). It
// marks a copy, so a diagnostic value shared by several partitions (a
// warning about a profile) is only marked for those that acknowledge it.
func Acknowledge(diags hcl.Diagnostics, ack func(*hcl.Diagnostic, Code) bool) hcl.Diagnostics {
	for i, d := range diags {
		c := CodeOf(d)
		if c == "" || Acknowledged(d) || !ack(d, c) {
			continue
		}
		nd := *d
		x := *extraOf(d)
		x.Acknowledged = true
		nd.Extra = &x
		diags[i] = &nd
	}
	return diags
}

// Split separates the diagnostics to show from the acknowledged warnings.
func Split(diags hcl.Diagnostics) (shown hcl.Diagnostics, acknowledged int) {
	for _, d := range diags {
		if Acknowledged(d) {
			acknowledged++
			continue
		}
		shown = append(shown, d)
	}
	return shown, acknowledged
}

// Dedupe drops repeated diagnostics: a value written once in a profile or
// a for_each body is checked once per partition that uses it, but the
// operator has one thing to fix. Diagnostics are the same when severity,
// summary, detail and subject are. Of copies that some partitions
// acknowledge and others do not, the unacknowledged one is kept, at the
// place of the first copy, and it records how many copies it stands for
// (CountOf), which the CLI prints.
func Dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	if len(diags) < 2 {
		return diags
	}
	type key struct {
		sev             hcl.DiagnosticSeverity
		summary, detail string
		subject         hcl.Range
	}
	at := make(map[key]int, len(diags))
	out := diags[:0:0]
	var count []int
	for _, d := range diags {
		k := key{d.Severity, d.Summary, d.Detail, hcl.Range{}}
		if d.Subject != nil {
			k.subject = *d.Subject
		}
		if i, ok := at[k]; ok {
			if Acknowledged(out[i]) && !Acknowledged(d) {
				out[i] = d
			}
			count[i] += CountOf(d)
			continue
		}
		at[k] = len(out)
		out = append(out, d)
		count = append(count, CountOf(d))
	}
	for i, n := range count {
		if n > 1 {
			out[i] = withCount(out[i], n)
		}
	}
	return out
}

// withCount returns a copy of d that records n identical copies. A
// diagnostic whose Extra is another tool's (hcl's function-call details)
// is returned as it is.
func withCount(d *hcl.Diagnostic, n int) *hcl.Diagnostic {
	var x Extra
	switch e := d.Extra.(type) {
	case nil:
	case *Extra:
		x = *e
	default:
		return d
	}
	x.Count = n
	nd := *d
	nd.Extra = &x
	return &nd
}

// CountOf returns how many identical diagnostics d stands for (1 unless
// Dedupe folded copies into it).
func CountOf(d *hcl.Diagnostic) int {
	if x := extraOf(d); x != nil && x.Count > 1 {
		return x.Count
	}
	return 1
}
