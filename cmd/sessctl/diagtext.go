package main

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	wordwrap "github.com/mitchellh/go-wordwrap"
	"github.com/zclconf/go-cty/cty"
)

// diagTextWriter prints diagnostics in the format of hcl's
// NewDiagnosticTextWriter, byte for byte, but finds a snippet's lines in
// an index of each file's lines, built once, instead of scanning the file
// from its first byte for every diagnostic. hcl's writer costs
// O(file size) per diagnostic (about 6 ms on a 1.6 MB configuration), so
// a warning in each of 10,000 partitions took minutes; here it costs
// a binary search. TestDiagTextWriterMatchesHCL compares both writers.
type diagTextWriter struct {
	w     io.Writer
	files map[string]*hcl.File
	width uint
	color bool
	lines map[string]*lineIndex
	// indexed counts the files indexed (once each; tests check it).
	indexed int
}

func newDiagTextWriter(w io.Writer, files map[string]*hcl.File, width uint, color bool) *diagTextWriter {
	return &diagTextWriter{w: w, files: files, width: width, color: color, lines: map[string]*lineIndex{}}
}

// lineIndex holds the lines of a file as hcl.RangeScanner with
// bufio.ScanLines yields them: the byte range of each line's text
// (without its line break) and its line number, which counts "\r\n",
// "\n" and a lone "\r" as one line break each, as the scanner's grapheme
// clusters do.
type lineIndex struct {
	start, end, line []int
	// The top-level blocks of a native-syntax file and the end offset of
	// each, for the "in partition ..." context line.
	blocks    []*hclsyntax.Block
	blockEnds []int
}

// indexBlocks returns the top-level blocks of a native-syntax file when
// they are in source order without overlap (always so for a parsed
// file), so that the block holding an offset is found by binary search.
// hcl's navigation walks every block for every diagnostic: O(partitions)
// each, minutes for a warning in each of 10,000 partitions.
func indexBlocks(file *hcl.File) ([]*hclsyntax.Block, []int) {
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		return nil, nil
	}
	ends := make([]int, len(body.Blocks))
	prevEnd := -1
	for i, blk := range body.Blocks {
		r := blk.Range()
		if r.Start.Byte < prevEnd || r.End.Byte < r.Start.Byte {
			return nil, nil
		}
		ends[i], prevEnd = r.End.Byte, r.End.Byte
	}
	return body.Blocks, ends
}

// context is what hcl's navigation gives for offset: the type and quoted
// labels of the top-level block that contains it.
func (ix *lineIndex) context(file *hcl.File, offset int) string {
	if ix.blockEnds == nil {
		if cs, ok := file.Nav.(interface{ ContextString(int) string }); ok {
			return cs.ContextString(offset)
		}
		return ""
	}
	i := sort.Search(len(ix.blockEnds), func(i int) bool { return ix.blockEnds[i] > offset })
	if i == len(ix.blocks) || !ix.blocks[i].Range().ContainsOffset(offset) {
		return ""
	}
	blk := ix.blocks[i]
	s := blk.Type
	for _, l := range blk.Labels {
		s += fmt.Sprintf(" %q", l)
	}
	return s
}

func indexLines(b []byte) *lineIndex {
	ix := &lineIndex{}
	pos, line := 0, 1
	for pos < len(b) {
		next := len(b)
		tokEnd := len(b)
		if i := bytes.IndexByte(b[pos:], '\n'); i >= 0 {
			next, tokEnd = pos+i+1, pos+i
		}
		if tokEnd > pos && b[tokEnd-1] == '\r' { // bufio.ScanLines drops one CR
			tokEnd--
		}
		ix.start = append(ix.start, pos)
		ix.end = append(ix.end, tokEnd)
		ix.line = append(ix.line, line)
		for i := pos; i < next; i++ {
			switch b[i] {
			case '\n':
				line++
			case '\r':
				if i+1 >= len(b) || b[i+1] != '\n' {
					line++
				}
			}
		}
		pos = next
	}
	return ix
}

func (w *diagTextWriter) WriteDiagnostics(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if err := w.WriteDiagnostic(d); err != nil {
			return err
		}
	}
	return nil
}

func (w *diagTextWriter) WriteDiagnostic(d *hcl.Diagnostic) error {
	var b strings.Builder
	w.render(&b, d)
	_, err := io.WriteString(w.w, b.String())
	return err
}

func (w *diagTextWriter) render(b *strings.Builder, d *hcl.Diagnostic) {
	var color, highlight, reset string
	if w.color {
		switch d.Severity {
		case hcl.DiagError:
			color = "\x1b[31m"
		case hcl.DiagWarning:
			color = "\x1b[33m"
		}
		reset, highlight = "\x1b[0m", "\x1b[1;4m"
	}
	severity := "???????"
	switch d.Severity {
	case hcl.DiagError:
		severity = "Error"
	case hcl.DiagWarning:
		severity = "Warning"
	}
	fmt.Fprintf(b, "%s%s%s: %s\n\n", color, severity, reset, d.Summary)

	if d.Subject != nil {
		w.snippet(b, d, highlight, reset)
		if d.Expression != nil && d.EvalContext != nil {
			writeExprValues(b, d.Expression, d.EvalContext)
		}
	}
	if d.Detail != "" {
		detail := d.Detail
		if w.width != 0 {
			detail = wordwrap.WrapString(detail, w.width)
		}
		fmt.Fprintf(b, "%s\n\n", detail)
	}
}

// snippet writes "  on FILE line N, in CONTEXT:" and the source lines the
// subject and context ranges cover, the subject highlighted.
func (w *diagTextWriter) snippet(b *strings.Builder, d *hcl.Diagnostic, highlight, reset string) {
	subject := *d.Subject
	snip, hl := subject, subject
	if d.Context != nil {
		snip = hcl.RangeOver(snip, *d.Context)
	}
	// An empty range cannot be shown: widen it to one character.
	if snip.Empty() {
		snip.End.Byte++
		snip.End.Column++
	}
	if hl.Empty() {
		hl.End.Byte++
		hl.End.Column++
	}
	file := w.files[subject.Filename]
	if file == nil || file.Bytes == nil {
		fmt.Fprintf(b, "  on %s line %d:\n  (source code not available)\n\n", subject.Filename, subject.Start.Line)
		return
	}
	ix := w.lines[subject.Filename]
	if ix == nil {
		ix = indexLines(file.Bytes)
		ix.blocks, ix.blockEnds = indexBlocks(file)
		w.lines[subject.Filename] = ix
		w.indexed++
	}
	where := ""
	if c := ix.context(file, subject.Start.Byte); c != "" {
		where = ", in " + c
	}
	fmt.Fprintf(b, "  on %s line %d%s:\n", subject.Filename, subject.Start.Line, where)

	src := file.Bytes
	// Lines that can overlap snip end at or after its start and start at
	// or before its end; the exact test is hcl's own.
	first := sort.SearchInts(ix.end, snip.Start.Byte)
	for i := first; i < len(ix.start) && ix.start[i] <= snip.End.Byte; i++ {
		lr := hcl.Range{
			Filename: subject.Filename,
			Start:    hcl.Pos{Line: ix.line[i], Byte: ix.start[i]},
			End:      hcl.Pos{Line: ix.line[i], Byte: ix.end[i]},
		}
		if !lr.Overlaps(snip) {
			continue
		}
		before, mid, after := lr.PartitionAround(hl)
		if mid.Empty() {
			fmt.Fprintf(b, "%4d: %s\n", lr.Start.Line, src[ix.start[i]:ix.end[i]])
			continue
		}
		fmt.Fprintf(b, "%4d: %s%s%s%s%s\n", lr.Start.Line,
			before.SliceBytes(src), highlight, mid.SliceBytes(src), reset, after.SliceBytes(src))
	}
	b.WriteByte('\n')
}

// writeExprValues writes "with var.x as "a",\n     local.y set to null.\n\n"
// for the known values an expression refers to, as hcl does for a
// diagnostic that carries its expression and evaluation context.
func writeExprValues(b *strings.Builder, expr hcl.Expression, ctx *hcl.EvalContext) {
	var stmts []string
	seen := map[string]bool{}
	for _, tr := range expr.Variables() {
		val, diags := tr.TraverseAbs(ctx)
		if diags.HasErrors() {
			continue
		}
		name := traversalString(tr)
		if seen[name] {
			continue
		}
		switch {
		case !val.IsKnown(), val.IsMarked():
			continue
		case val.IsNull():
			stmts = append(stmts, name+" set to null")
		default:
			stmts = append(stmts, name+" as "+shortValue(val))
		}
		seen[name] = true
	}
	sort.Strings(stmts)
	for i, s := range stmts {
		if i == 0 {
			b.WriteString("with ")
		} else {
			b.WriteString("     ")
		}
		b.WriteString(s)
		if i == len(stmts)-1 {
			b.WriteString(".\n\n")
		} else {
			b.WriteString(",\n")
		}
	}
}

func traversalString(tr hcl.Traversal) string {
	var b strings.Builder
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type().IsPrimitiveType() {
				b.WriteString("[" + shortValue(s.Key) + "]")
			} else {
				b.WriteString("[...]")
			}
		}
	}
	return b.String()
}

// shortValue describes a value in a few words: scalars as themselves,
// collections by their type and length.
func shortValue(v cty.Value) string {
	ty := v.Type()
	switch {
	case v.IsNull():
		return "null"
	case !v.IsKnown():
		return "(not yet known)"
	case ty == cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	case ty == cty.Number:
		return v.AsBigFloat().Text('g', 10)
	case ty == cty.String:
		return fmt.Sprintf("%q", v.AsString())
	case ty.IsCollectionType() || ty.IsTupleType():
		switch n := v.LengthInt(); n {
		case 0:
			return "empty " + ty.FriendlyName()
		case 1:
			return ty.FriendlyName() + " with 1 element"
		default:
			return fmt.Sprintf("%s with %d elements", ty.FriendlyName(), n)
		}
	case ty.IsObjectType():
		attrs := ty.AttributeTypes()
		switch len(attrs) {
		case 0:
			return "object with no attributes"
		case 1:
			for k := range attrs {
				return fmt.Sprintf("object with 1 attribute %q", k)
			}
		}
		return fmt.Sprintf("object with %d attributes", len(attrs))
	}
	return ty.FriendlyName()
}
