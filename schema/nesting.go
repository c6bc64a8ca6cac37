package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// The hcl parsers and evaluators recurse once per nesting level. Go stacks
// are capped at 1 GB and exceeding the cap kills the process (it is not a
// recoverable panic): 100,000 nested "[" or "${" crash it (measured with
// hcl v2.25). Sources are therefore scanned before parsing and refused past
// generous limits that no real configuration approaches.
const (
	// maxNesting bounds open brackets, braces, parentheses and template
	// sequences not yet closed, counted on raw bytes (comments and strings
	// included, which can only over-count by their unbalanced openers).
	maxNesting = 1000
	// maxUnaryRun bounds a run of "!" or "-" characters (whitespace between
	// them included): each is one level of unary-operator recursion.
	maxUnaryRun = 10000
)

// checkNesting reports sources nested beyond the limits above.
func checkNesting(src []byte, filename string) hcl.Diagnostics {
	depth, run := 0, 0
	for i, c := range src {
		switch c {
		case '(', '[', '{':
			depth++
			run = 0
			if depth > maxNesting {
				return nestingDiag(src, filename, i, fmt.Sprintf("more than %d brackets, braces, parentheses or template sequences are open here", maxNesting))
			}
		case ')', ']', '}':
			depth--
			run = 0
		case '!', '-':
			run++
			if run > maxUnaryRun {
				return nestingDiag(src, filename, i, fmt.Sprintf("a run of more than %d \"!\" or \"-\" characters", maxUnaryRun))
			}
		case ' ', '\t', '\r', '\n':
		default:
			run = 0
		}
	}
	return nil
}

func nestingDiag(src []byte, filename string, off int, what string) hcl.Diagnostics {
	pos := hcl.Pos{Line: 1, Column: 1, Byte: off}
	for _, c := range src[:off] {
		if c == '\n' {
			pos.Line++
			pos.Column = 1
		} else if c&0xC0 != 0x80 { // count characters, not continuation bytes
			pos.Column++
		}
	}
	end := pos
	end.Byte++
	end.Column++
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Configuration nested too deeply",
		Detail:   fmt.Sprintf("The file has %s. sessctl refuses such input because parsing it could exhaust the stack; simplify the expression.", what),
		Subject:  &hcl.Range{Filename: filename, Start: pos, End: end},
	}}
}
