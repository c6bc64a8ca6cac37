package schema

import (
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Parsing a large native-syntax file in parallel.
//
// hclsyntax.ParseConfig of a 10,000-partition file (about 6 MB) is most of
// what "sessctl plan" spends, and it runs on one core. parseNative cuts the
// file, at the top-level block boundaries SplitBlocks finds, into a few
// contiguous spans of similar size, parses each span in its own goroutine
// with the position its first byte has in the file (hcl.Pos{Line, Column
// 1, Byte}), and assembles one *hcl.File equal to the whole-file parse:
//
//   - The spans cover the whole file: the first starts at byte 0 with
//     hcl.InitialPos, each next one at the first byte of one of its blocks
//     (always at column 1, after a newline), and the last ends at the end of
//     the file. Every span therefore holds exactly the tokens the whole-file
//     lexer gives for those bytes, then EOF; between blocks the top-level
//     body only skips newlines and comments, and a block's closing brace is
//     followed by the same newline (or comment absorbing it) either way.
//   - The body's SrcRange is hcl's RangeBetween of the first span's start
//     (hcl takes the first non-comment token, which need not be at byte 0)
//     and the last span's end; EndRange is the last span's, the end of the
//     file, computed by hcl itself (columns count grapheme clusters).
//   - The body is the last span's *hclsyntax.Body with all blocks and the
//     whole SrcRange put in, so the file's Nav is hcl's own navigation value
//     for that body: ContextString and ContextDefRange behave exactly as for
//     a whole-file parse, between and outside blocks included.
//
// Each span's parse is checked against SplitBlocks (same number of blocks,
// same first and last byte of each). When a block does not match, a parse
// panics, or any span has an error other than hcl's "Template sequences
// are not allowed" in a top-level block label (which for_each partitions
// such as "persist:${each.key}" always give, and the loader sets aside),
// the caller parses the whole file, so every other error diagnostic is
// hcl's own from a whole-file parse.
//
// Why those label errors come out the same: hcl's parser turns on its
// recovery mode at such a label for the rest of the file, so the whole-file
// parse reads the blocks after it in recovery mode while a span starting
// later does not. In hclsyntax v2.25.0 (parser.go) recovery mode only
// suppresses error diagnostics (`if !p.recovery { diags = append(...) }`)
// or skips ahead after a sub-expression that already has errors (`if
// p.recovery && diags.HasErrors()`); a span with no other error never
// takes either path, and parseQuotedStringLiteral reports template
// sequences whatever the mode. hclsyntax reports no warnings, and no lexer
// error is of that kind, so the spans' diagnostics in file order are the
// whole-file parse's. The tests check it on for_each configurations.

var (
	// chunkParseMinBytes is the smallest file parsed in spans. hcl parses
	// about 5 MB/s, so the spans win early: on two cores a generated 8 KiB
	// file parses in 0.85 ms instead of 1.2, 80 KiB in 8 ms instead of 16,
	// 1.6 MB in 165 ms instead of 400. Below 64 KiB the gain is a few
	// milliseconds, not worth the goroutines. Tests lower it to force the
	// chunked path.
	chunkParseMinBytes = 64 << 10
	// chunkParseSpans, when positive, is the number of spans; otherwise it
	// is runtime.GOMAXPROCS(0) * chunkSpansPerProc. Tests set it.
	chunkParseSpans = 0
)

// chunkSpansPerProc spans per processor: more than one evens out spans
// that parse at different speeds, at the cost of a few more goroutines.
const chunkSpansPerProc = 2

// parseNative is hclsyntax.ParseConfig(src, filename, hcl.InitialPos),
// parsed in spans in parallel when src is large enough.
func parseNative(src []byte, filename string) (*hcl.File, hcl.Diagnostics) {
	if f, d, ok := parseChunked(src, filename); ok {
		return f, d
	}
	return parseSpan(src, filename, hcl.InitialPos)
}

// parseChunked is parseNative's parallel parse; ok is false when the
// caller must parse the whole file.
func parseChunked(src []byte, filename string) (file *hcl.File, diags hcl.Diagnostics, ok bool) {
	spans := chunkParseSpans
	if spans <= 0 {
		procs := runtime.GOMAXPROCS(0)
		if procs < 2 {
			return nil, nil, false
		}
		spans = procs * chunkSpansPerProc
	}
	if len(src) < chunkParseMinBytes || spans < 2 {
		return nil, nil, false
	}
	blocks, split := SplitBlocks(src)
	if !split || len(blocks) < 2 {
		return nil, nil, false
	}
	firsts := spanFirsts(src, blocks, spans)
	if len(firsts) < 2 {
		return nil, nil, false
	}

	type result struct {
		f     *hcl.File
		diags hcl.Diagnostics
		bad   bool
	}
	results := make([]result, len(firsts))
	var wg sync.WaitGroup
	for g := range firsts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if recover() != nil {
					results[g] = result{bad: true}
				}
			}()
			lo, hi := firsts[g], len(blocks)
			if g+1 < len(firsts) {
				hi = firsts[g+1]
			}
			// The span: from its first block (byte 0 for the first span)
			// to the next span's first block (the end of the file for
			// the last one).
			from, pos := 0, hcl.InitialPos
			if g > 0 {
				b := blocks[lo]
				from, pos = b.Start, hcl.Pos{Line: b.Line, Column: 1, Byte: b.Start}
			}
			to := len(src)
			if hi < len(blocks) {
				to = blocks[hi].Start
			}
			f, d := parseSpan(src[from:to:to], filename, pos)
			results[g] = result{f: f, diags: d, bad: !spanMatches(f, blocks[lo:hi]) || !onlyLabelTemplates(f, d)}
		}()
	}
	wg.Wait()

	n := 0
	for _, r := range results {
		if r.bad {
			return nil, nil, false
		}
		n += len(r.f.Body.(*hclsyntax.Body).Blocks)
		diags = append(diags, r.diags...)
	}
	all := make(hclsyntax.Blocks, 0, n)
	for _, r := range results {
		all = append(all, r.f.Body.(*hclsyntax.Body).Blocks...)
	}
	first := results[0].f.Body.(*hclsyntax.Body)
	last := results[len(results)-1].f
	body := last.Body.(*hclsyntax.Body)
	body.Blocks = all
	body.SrcRange = hcl.RangeBetween(first.SrcRange, body.SrcRange)
	// last.Nav is hcl's navigation over body, which now holds every block.
	return &hcl.File{Body: body, Bytes: src, Nav: last.Nav}, diags, true
}

// spanFirsts returns the index of the first block of each span: spans of
// similar byte size, at most n of them, each with at least one block.
func spanFirsts(src []byte, blocks []TopBlock, n int) []int {
	if n > len(blocks) {
		n = len(blocks)
	}
	firsts := make([]int, 1, n)
	for g := 1; g < n; g++ {
		// The block starting nearest to the ideal cut.
		at := len(src) / n * g
		i := sort.Search(len(blocks), func(i int) bool { return blocks[i].Start >= at })
		if i > 0 && (i == len(blocks) || at-blocks[i-1].Start < blocks[i].Start-at) {
			i--
		}
		if i <= firsts[len(firsts)-1] {
			continue
		}
		if i >= len(blocks) {
			break
		}
		firsts = append(firsts, i)
	}
	return firsts
}

// spanMatches reports whether a span's parse gave exactly the blocks
// SplitBlocks found in it, and nothing else.
func spanMatches(f *hcl.File, want []TopBlock) bool {
	if f == nil {
		return false
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok || len(body.Attributes) != 0 || len(body.Blocks) != len(want) {
		return false
	}
	if _, ok := f.Nav.(interface{ ContextString(int) string }); !ok {
		return false
	}
	for i, b := range body.Blocks {
		if b.TypeRange.Start.Byte != want[i].Start || b.CloseBraceRange.End.Byte != want[i].End ||
			b.TypeRange.Start.Line != want[i].Line || b.TypeRange.Start.Column != 1 {
			return false
		}
	}
	return true
}

// onlyLabelTemplates reports whether every error of a span's parse is
// hcl's "Template sequences are not allowed" in a label of one of its
// top-level blocks (see the comment at the top of the file).
func onlyLabelTemplates(f *hcl.File, diags hcl.Diagnostics) bool {
	if len(diags) == 0 {
		return true
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return false
	}
	for _, d := range diags {
		if d.Summary != "Invalid string literal" || !strings.HasPrefix(d.Detail, "Template sequences are not allowed") || d.Subject == nil {
			return false
		}
		i := sort.Search(len(body.Blocks), func(i int) bool { return body.Blocks[i].CloseBraceRange.End.Byte > d.Subject.Start.Byte })
		if i == len(body.Blocks) {
			return false
		}
		in := false
		for _, r := range body.Blocks[i].LabelRanges {
			if r.Start.Byte <= d.Subject.Start.Byte && d.Subject.End.Byte <= r.End.Byte {
				in = true
			}
		}
		if !in {
			return false
		}
	}
	return true
}
