package schema

import "bytes"

// A cheap splitter of native-syntax sources into top-level blocks, for
// reconcile's Engine: when one partition of a 10,000-partition file is
// saved, only the blocks whose bytes changed are parsed and decoded again
// (see docs/watch.md, "Incremental cycles"). The splitter only has to find
// where each top-level block starts and ends; it never interprets a value.
// Whenever it is not sure (a construct it does not model, non-ASCII where
// an identifier is expected, a block not starting at column 1, nesting past
// maxNesting), it says so and the caller decodes the whole file instead.
// The lexical rules followed are those of the HCL native syntax
// specification (hashicorp/hcl hclsyntax/spec.md): comments "#", "//" and
// "/* */"; quoted templates with "\" escapes, "$${" / "%%{" literal
// escapes and "${" / "%{" sequences holding expressions; heredocs
// "<<ID" / "<<-ID" ending at a line holding only ID (leading whitespace
// allowed).

// TopBlock is one top-level block of a native-syntax source.
type TopBlock struct {
	// Type is the block type ("partition").
	Type string
	// Start and End are the byte offsets of the block: from the first
	// byte of its type to just after its closing brace.
	Start, End int
	// Line is the 1-based line Start is on; every block SplitBlocks
	// returns starts at column 1.
	Line int
}

// SplitBlocks splits src, a native-syntax configuration file, into its
// top-level blocks. ok is false when src holds anything but blocks
// separated by whitespace and comments, or when the splitter is unsure;
// the caller must then parse the whole file.
func SplitBlocks(src []byte) (blocks []TopBlock, ok bool) {
	blocks, _, ok = scanBlocks(src, 0, 1, nil, nil)
	if !ok {
		return nil, false
	}
	return blocks, true
}

// scanBlocks is SplitBlocks' loop, shared with ResplitBlocks: it scans src
// from offset i, which is on line line and is either 0 or a point where
// the whole-file scan stands between two blocks (the Start of a block it
// found, in practice), appending the blocks it finds to blocks. After each
// block is appended, stop (when not nil) is called with the block's End
// and the line the scan is on there, before the scan looks past the closing brace;
// when stop returns true the scan ends there with stopped set. Decisions
// at offsets >= i depend only on src[i-1:] (src[i-1] only to check that a
// block starts at column 1), which is what lets ResplitBlocks resume and
// stop it in the middle of a file.
func scanBlocks(src []byte, i, line int, blocks []TopBlock, stop func(end, endLine int) bool) (out []TopBlock, stopped, ok bool) {
	s := &splitter{src: src}
	for {
		// Whitespace and comments between blocks.
		for i < len(src) {
			c := src[i]
			if c == ' ' || c == '\t' || c == '\r' {
				i++
				continue
			}
			if c == '\n' {
				i++
				line++
				continue
			}
			if c == '#' || c == '/' && i+1 < len(src) && src[i+1] == '/' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
				continue
			}
			if c == '/' && i+1 < len(src) && src[i+1] == '*' {
				end := indexFrom(src, i+2, "*/")
				if end < 0 {
					return nil, false, false
				}
				line += countNL(src[i : end+2])
				i = end + 2
				continue
			}
			break
		}
		if i == len(src) {
			return blocks, false, true
		}
		if i > 0 && src[i-1] != '\n' {
			return nil, false, false // not at column 1
		}
		start := i
		j := s.ident(i)
		if j == i {
			return nil, false, false
		}
		typ := string(src[i:j])
		i = s.blanks(j)
		// Labels: quoted strings or identifiers, then "{".
		for i < len(src) && src[i] != '{' {
			switch {
			case src[i] == '"':
				k, ok := s.str(i+1, 0)
				if !ok {
					return nil, false, false
				}
				i = k
			case s.ident(i) > i:
				i = s.ident(i)
			default:
				return nil, false, false // an attribute, or something unknown
			}
			i = s.blanks(i)
		}
		if i == len(src) {
			return nil, false, false
		}
		end, ok := s.expr(i+1, '}', 0)
		if !ok {
			return nil, false, false
		}
		blocks = append(blocks, TopBlock{Type: typ, Start: start, End: end, Line: line})
		line += countNL(src[start:end])
		if stop != nil && stop(end, line) {
			return blocks, true, true
		}
		i = s.blanks(end)
		// A block ends its line (a comment may follow).
		if i < len(src) && src[i] != '\n' && src[i] != '\r' && src[i] != '#' && !(src[i] == '/' && i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*')) {
			return nil, false, false
		}
	}
}

type splitter struct{ src []byte }

// special marks the bytes expr must look at; all others are skipped.
var special = func() (t [256]bool) {
	for _, c := range []byte("\"#/<{}[]()") {
		t[c] = true
	}
	return t
}()

// strSpecial marks the bytes str must look at.
var strSpecial = func() (t [256]bool) {
	for _, c := range []byte("\n\\\"$%") {
		t[c] = true
	}
	return t
}()

// ident returns the end of the ASCII identifier at i (i when none).
func (s *splitter) ident(i int) int {
	j := i
	for j < len(s.src) {
		c := s.src[j]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > i && (c == '-' || c >= '0' && c <= '9') {
			j++
			continue
		}
		break
	}
	if j < len(s.src) && s.src[j] >= 0x80 {
		return i // a non-ASCII identifier: not modelled
	}
	return j
}

// blanks skips spaces and tabs.
func (s *splitter) blanks(i int) int {
	for i < len(s.src) && (s.src[i] == ' ' || s.src[i] == '\t') {
		i++
	}
	return i
}

// expr scans expression text from i up to the closer that balances it,
// returning the offset just after the closer.
func (s *splitter) expr(i int, closer byte, depth int) (int, bool) {
	if depth > maxNesting {
		return 0, false
	}
	src := s.src
	stack := []byte{closer}
	for i < len(src) {
		if !special[src[i]] {
			i++
			continue
		}
		c := src[i]
		switch {
		case c == '"':
			k, ok := s.str(i+1, depth+len(stack))
			if !ok {
				return 0, false
			}
			i = k
			continue
		case c == '#' || c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := indexFrom(src, i+2, "*/")
			if end < 0 {
				return 0, false
			}
			i = end + 2
			continue
		case c == '<' && i+1 < len(src) && src[i+1] == '<':
			k, ok := s.heredoc(i+2, depth+len(stack))
			if !ok {
				return 0, false
			}
			i = k
			continue
		case c == '{':
			stack = append(stack, '}')
		case c == '[':
			stack = append(stack, ']')
		case c == '(':
			stack = append(stack, ')')
		case c == '}' || c == ']' || c == ')':
			if stack[len(stack)-1] != c {
				return 0, false
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return i + 1, true
			}
		}
		if depth+len(stack) > maxNesting {
			return 0, false
		}
		i++
	}
	return 0, false
}

// str scans a quoted template from i (just after the opening quote) and
// returns the offset after the closing quote. A quoted template cannot
// span lines.
func (s *splitter) str(i int, depth int) (int, bool) {
	src := s.src
	for i < len(src) {
		if !strSpecial[src[i]] {
			i++
			continue
		}
		switch c := src[i]; {
		case c == '\n':
			return 0, false
		case c == '\\':
			i += 2
		case c == '"':
			return i + 1, true
		case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
			i += 3 // "$${" and "%%{" are literal
		case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
			k, ok := s.expr(i+2, '}', depth+1)
			if !ok || countNL(src[i:k]) > 0 {
				return 0, false
			}
			i = k
		default:
			i++
		}
	}
	return 0, false
}

// heredoc scans a heredoc from i (just after "<<") and returns the offset
// after its closing marker.
func (s *splitter) heredoc(i int, depth int) (int, bool) {
	src := s.src
	if i < len(src) && src[i] == '-' {
		i++
	}
	j := s.ident(i)
	if j == i {
		return 0, false
	}
	marker := string(src[i:j])
	if j < len(src) && src[j] == '\r' {
		j++
	}
	if j >= len(src) || src[j] != '\n' {
		return 0, false
	}
	i = j + 1
	for i < len(src) {
		// At a line start: is it the marker line?
		k := s.blanks(i)
		e := s.ident(k)
		if string(src[k:e]) == marker {
			r := e
			if r < len(src) && src[r] == '\r' {
				r++
			}
			if r == len(src) || src[r] == '\n' {
				return e, true
			}
		}
		// A template line: literal text and sequences.
		for i < len(src) && src[i] != '\n' {
			c := src[i]
			switch {
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 3
			case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
				k, ok := s.expr(i+2, '}', depth+1)
				if !ok || countNL(src[i:k]) > 0 {
					return 0, false
				}
				i = k
			default:
				i++
			}
		}
		i++ // the newline
	}
	return 0, false
}

// indexFrom is the offset of sub in src at or after i, or -1.
func indexFrom(src []byte, i int, sub string) int {
	if i > len(src) {
		return -1
	}
	j := bytes.Index(src[i:], []byte(sub))
	if j < 0 {
		return -1
	}
	return i + j
}

func countNL(b []byte) int { return bytes.Count(b, []byte{'\n'}) }
