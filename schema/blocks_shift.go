package schema

import "github.com/hashicorp/hcl/v2"

// ShiftRanges moves every source range of p that lies in file by dLine
// lines and dByte bytes, columns unchanged. reconcile's Engine calls it on
// the partitions it keeps from a file where an earlier block was edited:
// their blocks start at column 1 both before and after the edit, so every
// position inside them moves by the same number of lines and bytes.
// Ranges in other files (values merged from profiles) stay. A field added
// to the model must be added here; TestShiftRangesCoversModel fails
// otherwise.
func (p *Partition) ShiftRanges(file string, dLine, dByte int) {
	if p == nil || dLine == 0 && dByte == 0 {
		return
	}
	s := shifter{file, dLine, dByte}
	s.r(&p.NameRange)
	s.r(&p.DeclRange)
	s.vb(&p.Cache)
	s.l(&p.IgnoreDrift)
	s.l(&p.IgnoreWarnings)
	s.families(p)
}

type shifter struct {
	file         string
	dLine, dByte int
}

func (s shifter) r(r *hcl.Range) {
	if r.Filename != s.file {
		return
	}
	r.Start.Line += s.dLine
	r.Start.Byte += s.dByte
	r.End.Line += s.dLine
	r.End.Byte += s.dByte
}

func (s shifter) vs(v *Value[string]) { s.r(&v.Range) }
func (s shifter) vb(v *Value[bool])   { s.r(&v.Range) }

func (s shifter) l(l *StringList) {
	s.r(&l.Range)
	for i := range l.Items {
		s.r(&l.Items[i].Range)
	}
}
