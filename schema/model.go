package schema

import (
	"github.com/hashicorp/hcl/v2"
)

// Value is one attribute as the user wrote it, after evaluation: the value,
// whether it was set at all, and where its expression stands in the source,
// so that providers can point diagnostics at the attribute that is wrong.
type Value[T any] struct {
	V     T
	Set   bool
	Range hcl.Range
	// Exact is true when the attribute is a plain quoted string literal
	// whose source bytes between the quotes equal V byte for byte (no
	// escapes, no interpolation). Only then can a diagnostic point inside
	// the string (see SubRange).
	Exact bool
	// Sensitive is true when the value derives from a variable declared
	// sensitive = true (through locals, functions or string templates).
	// Only Decoder.SensitiveString returns such a value; the family must
	// then never show V (plans, errors, logs), only a digest of it.
	Sensitive bool
}

// NumStr is an attribute that accepts either a number or a string
// (USB IDs, cipher suite IDs). Numbers are carried as their decimal text.
type NumStr struct {
	Text     string
	IsNumber bool
}

// StringList is an attribute that accepts a string or a list of strings
// (a family may split the single string) or a plain list of strings.
type StringList struct {
	Items []Value[string]
	Set   bool
	Range hcl.Range
	// FromString is true when the user wrote a single string rather than a list.
	FromString bool
}

// Strings returns the plain values of the list.
func (l StringList) Strings() []string {
	out := make([]string, len(l.Items))
	for i, it := range l.Items {
		out[i] = it.V
	}
	return out
}

// Settings is the `sessctl {}` block. At most one may exist across all files.
type Settings struct {
	// Name identifies the configuration: its state directory and the
	// owner recorded in the state and the output directory.
	Name        Value[string]
	State       Value[string] // bbolt state file
	Output      Value[string] // directory where profiles are written
	SessionData Value[string] // the app's sessionData directory (custom dictionaries)
	// ElectronVersion is the major version of Electron the profiles target.
	// Zero means "current" (see providers.CurrentElectronMajor).
	ElectronVersion Value[int]
	// IgnoreWarnings acknowledges warnings by code everywhere in the
	// configuration (see Config.Acknowledges).
	IgnoreWarnings StringList
	DeclRange      hcl.Range
	Present        bool
}

// Config is a whole decoded configuration directory.
type Config struct {
	// Dir is the configuration directory (absolute); path.config in HCL.
	Dir string
	// Files lists the configuration files read, absolute, sorted.
	Files []string
	// Sources maps a file name to its parsed file, for rendering diagnostics.
	Sources  map[string]*hcl.File
	Settings Settings
	// Partitions in a stable order: sorted by Name.
	Partitions []*Partition
	// Inputs are the files read while evaluating (file(), filesha256(),
	// var files), with their digests: part of what decides a no-op plan.
	Inputs []FileInput
}

// FileInput is a file whose content fed the evaluation.
type FileInput struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Partition is one `partition "NAME" {}` block after profiles were merged in
// and for_each was expanded.
type Partition struct {
	// Name is the Electron partition string: "" or "persist:" for the default
	// session, "persist:x" persistent, anything else in-memory.
	Name      string
	NameRange hcl.Range
	DeclRange hcl.Range
	// Profiles names the profiles merged into this partition, in merge order.
	Profiles []string
	// EachKey is each.key of a for_each instance ("" without for_each).
	EachKey string

	Cache Value[bool]
	// IgnoreDrift lists profile fields that someone else owns.
	IgnoreDrift StringList
	// IgnoreWarnings acknowledges warnings by code for this partition:
	// those raised by its own settings and by the profiles it merges.
	IgnoreWarnings StringList

	// fams holds the values of the families registered with
	// RegisterFamily, by registration index (read them with Key.Of).
	fams []any
}

// Persistent reports whether Electron stores this partition on disk.
// The default session ("" and "persist:") is persistent.
func (p *Partition) Persistent() bool {
	return p.Name == "" || len(p.Name) >= len(PersistPrefix) && p.Name[:len(PersistPrefix)] == PersistPrefix
}

// IsDefault reports whether the name designates Electron's default session.
func (p *Partition) IsDefault() bool { return p.Name == "" || p.Name == PersistPrefix }

// PersistPrefix is the case-sensitive prefix of persistent partitions.
const PersistPrefix = "persist:"

// SubRange returns the source range of bytes [start,end) of a string value,
// when the value is an exact literal; otherwise the whole attribute range.
// Providers use it to point at one piece of a rules string.
func SubRange(v Value[string], start, end int) hcl.Range {
	if !v.Exact || start < 0 || end < start || end > len(v.V) {
		return v.Range
	}
	r := v.Range
	// v.Range covers the quotes; the content starts one byte after.
	startPos := advance(r.Start, v.V[:start], 1)
	endPos := advance(startPos, v.V[start:end], 0)
	return hcl.Range{Filename: r.Filename, Start: startPos, End: endPos}
}

// advance moves pos over skip extra bytes then over s, counting lines and
// columns the way hcl does (columns in characters, bytes in bytes).
func advance(pos hcl.Pos, s string, skip int) hcl.Pos {
	pos.Byte += skip
	pos.Column += skip
	for _, r := range s {
		if r == '\n' {
			pos.Line++
			pos.Column = 1
		} else {
			pos.Column++
		}
		pos.Byte += len(string(r))
	}
	return pos
}
