package proxy

import "strings"

// patKind selects a fast path for a hostname pattern that behaves exactly
// like base::MatchPattern on it.
type patKind uint8

const (
	patGeneric patKind = iota
	patExact           // no wildcard: equality
	patSuffix          // "*lit": HasSuffix
	patPrefix          // "lit*": HasPrefix
	patAll             // only '*': matches everything
)

// compilePattern classifies a lower-cased pattern.
func compilePattern(p string) (patKind, string) {
	if strings.ContainsAny(p, "?\\") {
		return patGeneric, p
	}
	n := strings.Count(p, "*")
	switch {
	case n == 0:
		return patExact, p
	case n == len(p):
		return patAll, ""
	case n == 1 && p[0] == '*':
		return patSuffix, p[1:]
	case n == 1 && p[len(p)-1] == '*':
		return patPrefix, p[:len(p)-1]
	}
	return patGeneric, p
}

func matchCompiled(kind patKind, lit, host string) bool {
	switch kind {
	case patExact:
		return host == lit
	case patSuffix:
		return strings.HasSuffix(host, lit)
	case patPrefix:
		return strings.HasPrefix(host, lit)
	case patAll:
		return true
	}
	return matchPattern(host, lit)
}

// matchPattern is base::MatchPattern (base/strings/pattern.cc @0e492393):
// '*' matches any run of characters, a run of n '?' matches up to n
// characters, '\' escapes the next character. Like Chromium it matches
// each literal segment at the first position within reach and never
// backtracks into an earlier segment, so "*ab?c" does not match "abxabc".
// It runs in O(len(eval) * len(pattern)) at worst.
func matchPattern(eval, pattern string) bool {
	e, p := 0, 0
	for {
		maxDist := eatWildcards(pattern, &p)
		if !searchForChars(pattern, &p, eval, &e, maxDist) {
			return false
		}
		if p == len(pattern) {
			return true
		}
	}
}

func isWildcard(c byte) bool { return c == '*' || c == '?' }

// eatWildcards is EatWildcards: it consumes a run of '*' and '?' and
// returns how many characters the run may match (-1: any number).
func eatWildcards(pat string, p *int) int {
	n, star := 0, false
	for *p < len(pat) {
		switch pat[*p] {
		case '?':
			n++
		case '*':
			star = true
		default:
			if star {
				return -1
			}
			return n
		}
		*p++
	}
	if star {
		return -1
	}
	return n
}

// searchForChars is SearchForChars: find the literal segment of pat that
// starts at *p (up to the next unescaped wildcard or the end) in eval at
// *e or up to maxDist characters later (maxDist < 0: anywhere). A final
// segment must end exactly at the end of eval.
func searchForChars(pat string, p *int, eval string, e *int, maxDist int) bool {
	patStart, evalStart := *p, *e
	escape := false
	for {
		if *p == len(pat) {
			if *e == len(eval) {
				return true
			}
		} else {
			c := pat[*p]
			if !escape && isWildcard(c) {
				return true
			}
			if !escape && c == '\\' {
				escape = true
				*p++
				continue
			}
			escape = false
			if *e == len(eval) {
				return false
			}
			if c == eval[*e] {
				*p++
				*e++
				continue
			}
		}
		// Mismatch: retry the segment one character further on.
		if maxDist == 0 {
			return false
		}
		maxDist--
		*p = patStart
		evalStart++
		*e = evalStart
	}
}
