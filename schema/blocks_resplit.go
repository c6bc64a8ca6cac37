package schema

import (
	"bytes"
	"sort"
)

// Resplit is the result of ResplitBlocks.
type Resplit struct {
	// Blocks is exactly what SplitBlocks(src) returns.
	Blocks []TopBlock
	// Head: the first Head blocks of old and new are byte-identical at
	// the same offsets and lines (Blocks[:Head] == oldBlocks[:Head]).
	Head int
	// Tail: the last Tail blocks of old and new are byte-identical; in
	// new they sit ByteDelta bytes and LineDelta lines after where they
	// were in old. Head+Tail never exceeds the block count of old or of
	// new, so Blocks[Head:len(Blocks)-Tail] replaces
	// oldBlocks[Head:len(oldBlocks)-Tail]: the middle the caller aligns
	// and decodes.
	Tail int
	// ByteDelta is len(src)-len(old); LineDelta the change in the line
	// count before the unchanged end of the file. Both are set even when
	// Tail is 0.
	ByteDelta, LineDelta int
}

// ResplitBlocks returns SplitBlocks(src) given old, oldBlocks ==
// SplitBlocks(old) (which must have been ok), doing work proportional to
// the changed region: it finds the common prefix and suffix of old and src
// (a memory comparison), resumes the splitter at the last old block that
// starts inside (or just after) the common prefix, and stops it at the first block End
// lying in the common suffix that is also the End of an old block; from
// there the splitter would see the same bytes as it saw in old, in the
// same state, so the remaining blocks are old's, shifted. ok is false
// exactly when SplitBlocks(src) is not ok (or oldBlocks is inconsistent
// with old); the caller then parses the whole file.
//
// Why the resume point is safe: the whole-file scan of src reaches the
// Start of old block k having decided everything on the bytes before that
// Start; when they lie in the common prefix it gets there exactly as the
// scan of old did, between blocks, with blocks [0,k) found identically.
// Why the stop point is safe: right after emitting a block (before the
// scan looks past its brace), the scan's whole state is its offset and
// line, and everything it does next depends only on the bytes from there
// on (and on the "}" just before), which are old's from the old block's
// End on.
func ResplitBlocks(old []byte, oldBlocks []TopBlock, src []byte) (Resplit, bool) {
	if !consistentBlocks(old, oldBlocks) {
		return Resplit{}, false
	}
	delta := len(src) - len(old)
	p := commonPrefix(old, src)
	if delta == 0 && p == len(src) { // unchanged
		return Resplit{Blocks: append([]TopBlock(nil), oldBlocks...), Head: len(oldBlocks)}, true
	}
	q := commonSuffix(old[p:], src[p:])
	lineDelta := countNL(src[p:len(src)-q]) - countNL(old[p:len(old)-q])
	r := Resplit{ByteDelta: delta, LineDelta: lineDelta}

	// Resume at the last old block starting inside the common prefix or
	// right at its end: the scan of old stood between blocks at that
	// Start having read only the bytes before it (the byte before a
	// block's Start is a newline, so no lookahead reached it), and a scan
	// resumed there begins between blocks too.
	k := sort.Search(len(oldBlocks), func(i int) bool { return oldBlocks[i].Start > p }) - 1
	start, line := 0, 1
	if k < 0 {
		k = 0
	} else {
		start, line = oldBlocks[k].Start, oldBlocks[k].Line
	}
	blocks := make([]TopBlock, k, len(oldBlocks)+4)
	copy(blocks, oldBlocks[:k])

	// Stop at a block End in the common suffix that is an old block's
	// End. Such an End, mapped back into old, is at or past p (prefix
	// and suffix do not overlap) and so past old block k's Start: m >= k,
	// and the old blocks kept at the end never overlap the ones kept at
	// the start (checked all the same).
	m := -1
	syncFrom := len(src) - q
	stop := func(e, _ int) bool {
		if e < syncFrom {
			return false
		}
		oe := e - delta
		j := sort.Search(len(oldBlocks), func(i int) bool { return oldBlocks[i].End >= oe })
		if j < len(oldBlocks) && oldBlocks[j].End == oe && j >= k {
			m = j
			return true
		}
		return false
	}
	var ok bool
	blocks, _, ok = scanBlocks(src, start, line, blocks, stop)
	if !ok {
		return Resplit{}, false
	}
	if m >= 0 {
		for _, b := range oldBlocks[m+1:] {
			b.Start += delta
			b.End += delta
			b.Line += lineDelta
			blocks = append(blocks, b)
		}
		r.Tail = len(oldBlocks) - m - 1
	}
	if len(blocks) == 0 {
		blocks = nil // as SplitBlocks returns it
	}
	r.Blocks = blocks
	r.Head = k

	// Widen Head and Tail over the rescanned blocks that did not change
	// (the block holding the edit's start was rescanned, and so was the
	// one whose End synchronised), so the middle is as small as the
	// bytes allow.
	limit := min(len(oldBlocks), len(blocks))
	for r.Head+r.Tail < limit {
		h := r.Head
		if blocks[h] != oldBlocks[h] || blocks[h].End > p {
			break
		}
		r.Head++
	}
	for r.Head+r.Tail < limit {
		nb, ob := blocks[len(blocks)-1-r.Tail], oldBlocks[len(oldBlocks)-1-r.Tail]
		if nb.Start < syncFrom || nb.Type != ob.Type || nb.Start != ob.Start+delta || nb.End != ob.End+delta || nb.Line != ob.Line+lineDelta {
			break
		}
		r.Tail++
	}
	return r, true
}

// consistentBlocks reports whether blocks could be SplitBlocks(src):
// ordered, non-overlapping and inside src. It only guards ResplitBlocks
// against a caller's mistake turning into a panic or a wrong answer that
// looks right.
func consistentBlocks(src []byte, blocks []TopBlock) bool {
	prevEnd, prevLine := 0, 1
	for _, b := range blocks {
		if b.Start < prevEnd || b.End <= b.Start || b.End > len(src) || b.Line < prevLine || src[b.End-1] != '}' {
			return false
		}
		prevEnd, prevLine = b.End, b.Line
	}
	return true
}

// chunk is the size of the slices commonPrefix and commonSuffix compare
// at once with bytes.Equal (a vectorised memcmp) before finding the byte.
const chunk = 4096

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+chunk <= n && bytes.Equal(a[i:i+chunk], b[i:i+chunk]) {
		i += chunk
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffix is the length of the longest common suffix of a and b.
func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0 // bytes matched from the ends
	for i+chunk <= n && bytes.Equal(a[len(a)-i-chunk:len(a)-i], b[len(b)-i-chunk:len(b)-i]) {
		i += chunk
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}
