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

// maxPatternDepth is kMaxDepth in base/strings/pattern.cc: deeper
// recursion (more than 16 wildcards in play) is treated as no match.
const maxPatternDepth = 16

// matchPattern is base::MatchPattern: '*' matches any run of characters,
// '?' matches zero or one character, '\' escapes the next character.
// It follows Chromium's recursion (including its depth limit) and
// memoizes states so that hostile patterns cannot make it exponential.
func matchPattern(eval, pattern string) bool {
	m := matcher{eval: eval, pat: pattern}
	if strings.Count(pattern, "*")+strings.Count(pattern, "?") >= 2 {
		m.memo = map[[3]int]bool{}
	}
	return m.match(0, 0, 0)
}

type matcher struct {
	eval, pat string
	memo      map[[3]int]bool
}

func isWildcard(c byte) bool { return c == '*' || c == '?' }

func (m *matcher) match(e, p, depth int) bool {
	if depth > maxPatternDepth {
		return false
	}
	if m.memo != nil {
		k := [3]int{e, p, depth}
		if v, ok := m.memo[k]; ok {
			return v
		}
		v := m.matchStep(e, p, depth)
		m.memo[k] = v
		return v
	}
	return m.matchStep(e, p, depth)
}

func (m *matcher) eatWildcard(p int) int {
	for p < len(m.pat) && isWildcard(m.pat[p]) {
		p++
	}
	return p
}

// eatSameChars is EatSameChars: consume equal characters (escapes
// honoured) until a wildcard or a mismatch.
func (m *matcher) eatSameChars(e, p int) (int, int) {
	escape := -1
	for p < len(m.pat) && e < len(m.eval) {
		if escape < 0 && isWildcard(m.pat[p]) {
			return e, p
		}
		if escape < 0 && m.pat[p] == '\\' {
			escape = p
			p++
			continue
		}
		if m.pat[p] == m.eval[e] {
			p++
			e++
			escape = -1
		} else {
			if escape >= 0 {
				p = escape
			}
			return e, p
		}
	}
	return e, p
}

func (m *matcher) matchStep(e, p, depth int) bool {
	e, p = m.eatSameChars(e, p)
	if e == len(m.eval) {
		return m.eatWildcard(p) == len(m.pat)
	}
	if p == len(m.pat) {
		return false
	}
	next := p + 1
	if m.pat[p] == '?' {
		if m.match(e, next, depth+1) || m.match(e+1, next, depth+1) {
			return true
		}
	}
	if m.pat[p] == '*' {
		next = m.eatWildcard(next)
		for ; e < len(m.eval); e++ {
			if m.match(e, next, depth+1) {
				return true
			}
		}
		return m.eatWildcard(p) == len(m.pat)
	}
	return false
}
