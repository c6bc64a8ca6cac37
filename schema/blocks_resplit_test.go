package schema

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/benchcfg"
)

// checkResplit is the oracle of ResplitBlocks: given old (which must
// split), the result must be SplitBlocks(src) (ok included), and the
// Head/Tail claims must hold on the bytes themselves.
func checkResplit(t *testing.T, old, src []byte) {
	t.Helper()
	ob, ok := SplitBlocks(old)
	if !ok {
		return
	}
	want, wok := SplitBlocks(src)
	r, rok := ResplitBlocks(old, ob, src)
	if rok != wok {
		t.Fatalf("old %q\nnew %q\nResplitBlocks ok=%v, SplitBlocks ok=%v (r=%+v)", old, src, rok, wok, r)
	}
	if !rok {
		return
	}
	if len(r.Blocks) != len(want) || (r.Blocks == nil) != (want == nil) {
		t.Fatalf("old %q\nnew %q\n%d blocks %+v, SplitBlocks: %d %+v", old, src, len(r.Blocks), r.Blocks, len(want), want)
	}
	for i := range want {
		if r.Blocks[i] != want[i] {
			t.Fatalf("old %q\nnew %q\nblock %d = %+v, SplitBlocks: %+v", old, src, i, r.Blocks[i], want[i])
		}
	}
	if r.Head < 0 || r.Tail < 0 || r.Head+r.Tail > len(ob) || r.Head+r.Tail > len(want) {
		t.Fatalf("old %q\nnew %q\nHead %d Tail %d overlap (old %d blocks, new %d)", old, src, r.Head, r.Tail, len(ob), len(want))
	}
	if r.ByteDelta != len(src)-len(old) {
		t.Fatalf("ByteDelta %d, want %d", r.ByteDelta, len(src)-len(old))
	}
	for i := 0; i < r.Head; i++ {
		o, n := ob[i], want[i]
		if o != n || !bytes.Equal(old[o.Start:o.End], src[n.Start:n.End]) {
			t.Fatalf("old %q\nnew %q\nhead block %d differs: %+v vs %+v", old, src, i, o, n)
		}
	}
	for i := 1; i <= r.Tail; i++ {
		o, n := ob[len(ob)-i], want[len(want)-i]
		if n.Type != o.Type || n.Start != o.Start+r.ByteDelta || n.End != o.End+r.ByteDelta || n.Line != o.Line+r.LineDelta ||
			!bytes.Equal(old[o.Start:o.End], src[n.Start:n.End]) {
			t.Fatalf("old %q\nnew %q\ntail block -%d differs: %+v vs %+v (deltas %d, %d)", old, src, i, o, n, r.ByteDelta, r.LineDelta)
		}
	}
}

// resplitBigSource is a file of n generated partitions interleaved with
// blocks holding the constructs that hide braces (comments, heredocs,
// template sequences), so that random edits hit every kind of byte.
func resplitBigSource(n int) []byte {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	tricky := []string{
		"# { a comment\n",
		"/* a block comment\n } {\n */\n",
		"locals {\n  x = <<EOF\n}\n  } EOF\n${\"}\"}\nEOF\n}\n",
		"profile \"p\" {\n  user_agent = \"a\\\"}${\"}\"}${jsonencode({a = [1, (2)]})}\"\n} # }\n",
		"partition \"h\" {\n  user_agent = <<-EOT\n    {\n    EOT\n}\r\n",
	}
	for i := 0; i < n; i++ {
		name := "p" + strconv.Itoa(i)
		benchcfg.WritePartition(w, nil, strconv.Quote("persist:"+name), "", strconv.Quote("App ("+name+")"),
			strconv.Quote("http=proxy"+strconv.Itoa(i%7)+":8080"), strconv.Quote("/d/"+name), "/bench", "00ff")
		if i%9 == 0 {
			w.WriteString(tricky[(i/9)%len(tricky)])
		}
	}
	w.Flush()
	return buf.Bytes()
}

// resplitTokens are inserted by the random edits: every byte sequence
// the splitter gives a meaning to, and some it refuses.
var resplitTokens = []string{
	"{", "}", "\"", "/*", "*/", "<<EOF\n", "EOF\n", "<<-EOT\n", "  EOT\n", "#", "//", "\n", "\r\n", "\r",
	" ", "x", "${", "%{", "$${", "\\", "[", "]", "(", ")", "é", "\ufeff", "1",
	"partition \"z\" {\n}\n", "\npartition \"y\" {}\n", "x = 1\n",
}

// resplitEdit applies one random edit to src.
func resplitEdit(rng *rand.Rand, src []byte) []byte {
	blocks, _ := SplitBlocks(src)
	// pos picks an offset: anywhere, or near a block boundary (its first
	// byte, its closing brace, the line after it).
	pos := func() int {
		if len(blocks) > 0 && rng.IntN(2) == 0 {
			b := blocks[rng.IntN(len(blocks))]
			at := []int{b.Start, b.End - 1, b.End, b.End + 1, b.Start - 1, b.Start + 1}[rng.IntN(6)]
			return max(0, min(len(src), at))
		}
		return rng.IntN(len(src) + 1)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	// block returns the text of block i with its line end.
	lineEnd := func(i int) int {
		e := blocks[i].End
		for e < len(src) && src[e] != '\n' {
			e++
		}
		return min(e+1, len(src))
	}
	switch op := rng.IntN(10); {
	case op == 0 || op == 1: // insert a token
		i := pos()
		return cat(src[:i], []byte(resplitTokens[rng.IntN(len(resplitTokens))]), src[i:])
	case op == 2: // delete a few bytes
		i := pos()
		j := min(len(src), i+1+rng.IntN(3)*rng.IntN(2))
		return cat(src[:i], src[j:])
	case op == 3: // replace a byte (a value changes)
		if len(src) == 0 {
			return src
		}
		i := min(pos(), len(src)-1)
		out := bytes.Clone(src)
		const repl = "az09 \"{}#\n"
		out[i] = repl[rng.IntN(len(repl))]
		return out
	case len(blocks) == 0:
		return cat(src, []byte("partition \"n\" {\n}\n"))
	case op == 4: // delete a whole block
		i := rng.IntN(len(blocks))
		return cat(src[:blocks[i].Start], src[lineEnd(i):])
	case op == 5: // duplicate a block
		i := rng.IntN(len(blocks))
		e := lineEnd(i)
		return cat(src[:e], src[blocks[i].Start:e], src[e:])
	case op == 6: // insert a copy of a block before another
		i, j := rng.IntN(len(blocks)), rng.IntN(len(blocks))
		return cat(src[:blocks[j].Start], src[blocks[i].Start:lineEnd(i)], src[blocks[j].Start:])
	case op == 7: // swap two blocks
		i, j := rng.IntN(len(blocks)), rng.IntN(len(blocks))
		if i > j {
			i, j = j, i
		}
		if i == j {
			return src
		}
		bi, bj := blocks[i], blocks[j]
		return cat(src[:bi.Start], src[bj.Start:bj.End], src[bi.End:bj.Start], src[bi.Start:bi.End], src[bj.End:])
	case op == 8: // edit inside the first or last block
		b := blocks[0]
		if rng.IntN(2) == 0 {
			b = blocks[len(blocks)-1]
		}
		i := b.Start + rng.IntN(b.End-b.Start+1)
		if rng.IntN(2) == 0 && i < len(src) {
			return cat(src[:i], src[i+1:])
		}
		return cat(src[:i], []byte(resplitTokens[rng.IntN(len(resplitTokens))]), src[i:])
	default: // change a value inside a block: a digit or letter run
		b := blocks[rng.IntN(len(blocks))]
		i := b.Start + rng.IntN(b.End-b.Start)
		return cat(src[:i], []byte(strconv.Itoa(rng.IntN(1000))), src[i:])
	}
}

// ResplitBlocks agrees with SplitBlocks on thousands of edits of the
// parser test sources, the testdata configurations and a generated file,
// in both directions (an insertion read backwards is a deletion), and
// after chains of edits. The seed is fixed so a failure reproduces.
func TestResplitBlocksRandomEdits(t *testing.T) {
	var bases [][]byte
	for _, s := range splitParserSources {
		bases = append(bases, []byte(s))
	}
	bases = append(bases, []byte(strings.Join(splitParserSources, "\n")))
	paths, _ := filepath.Glob("testdata/*/*.hcl")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := SplitBlocks(b); ok {
			bases = append(bases, b)
		}
	}
	big := resplitBigSource(200)
	if bb, ok := SplitBlocks(big); !ok || len(bb) < 200 {
		t.Fatalf("generated source does not split (%d blocks)", len(bb))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cases := 0
	run := func(base []byte, n int) {
		for range n {
			src := resplitEdit(rng, base)
			for range rng.IntN(3) { // sometimes several edits at once
				src = resplitEdit(rng, src)
			}
			checkResplit(t, base, src)
			checkResplit(t, src, base)
			// A chain: the next save edits the edited file.
			next := resplitEdit(rng, src)
			checkResplit(t, src, next)
			cases += 3
		}
	}
	for _, b := range bases {
		run(b, 120)
	}
	run(big, 400)
	t.Logf("%d cases over %d sources", cases, len(bases)+1)
}

// The work is confined to the edit: a value changed in one partition of
// a generated file leaves every other block in Head or Tail, and an
// inserted or deleted block costs at most its neighbour (the neighbour is
// rescanned because a new block shares its first bytes, "partition
// \"persist:p", with the block it displaces).
func TestResplitBlocksConfinesMiddle(t *testing.T) {
	var buf bytes.Buffer
	for i := range 50 {
		buf.WriteString("partition \"persist:p" + strconv.Itoa(i) + "\" {\n  user_agent = \"ua" + strconv.Itoa(i) + "\"\n}\n\n")
	}
	old := buf.Bytes()
	ob, _ := SplitBlocks(old)
	blockText := func(i int) string { return string(old[ob[i].Start:ob[i].End]) }
	edit := func(i int, from, to string) []byte {
		return bytes.Replace(old, []byte(blockText(i)), []byte(strings.Replace(blockText(i), from, to, 1)), 1)
	}
	for _, c := range []struct {
		name                 string
		src                  []byte
		head, tail, mid, lnd int
	}{
		// ua25 -> ua25x: only block 25 changes.
		{"value", edit(25, "ua25", "ua25x"), 25, 24, 1, 0},
		// A line added inside block 25: the tail moves one line down.
		{"line added", edit(25, "{\n", "{\n  cache = true\n"), 25, 24, 1, 1},
		// The brace of block 0 moves to the same line: Head 0.
		{"first block", edit(0, "\"\n}", "\" }"), 0, 49, 1, -1},
		{"last block", edit(49, "ua49", "UA"), 49, 0, 1, 0},
		// A new block before block 10 shares "partition \"persist:p1" with
		// block 10, so block 10 is rescanned with it.
		{"insert", bytes.Replace(old, []byte("partition \"persist:p10\""), []byte("partition \"persist:p100\" {\n}\n\npartition \"persist:p10\""), 1), 10, 39, 2, 3},
		// Deleting block 10 leaves block 11 rescanned.
		{"delete", bytes.Replace(old, []byte(blockText(10)+"\n\n"), nil, 1), 10, 38, 1, -4},
	} {
		r, ok := ResplitBlocks(old, ob, c.src)
		if !ok {
			t.Errorf("%s: not ok", c.name)
			continue
		}
		if r.Head != c.head || r.Tail != c.tail || len(r.Blocks)-r.Head-r.Tail != c.mid || r.LineDelta != c.lnd {
			t.Errorf("%s: Head %d Tail %d middle %d LineDelta %d, want %d %d %d %d", c.name, r.Head, r.Tail, len(r.Blocks)-r.Head-r.Tail, r.LineDelta, c.head, c.tail, c.mid, c.lnd)
		}
		checkResplit(t, old, c.src)
	}
	// Unchanged: every block is Head.
	if r, ok := ResplitBlocks(old, ob, bytes.Clone(old)); !ok || r.Head != 50 || r.Tail != 0 || len(r.Blocks) != 50 {
		t.Errorf("unchanged: %v Head %d Tail %d", ok, r.Head, r.Tail)
	}
}

// Edits that change how everything after them reads must not be
// mistaken for a local change: the suffix is byte-identical, yet the
// splitter sees it differently, or not at all.
func TestResplitBlocksSwallowingEdits(t *testing.T) {
	old := []byte("partition \"a\" {\n  x = \"1\"\n}\n\npartition \"b\" {\n  x = \"2\"\n}\n\npartition \"c\" {\n}\n")
	ob, _ := SplitBlocks(old)
	for _, c := range []struct {
		name string
		src  string
		ok   bool
	}{
		// "/*" opened between blocks and never closed: unsure.
		{"open comment", strings.Replace(string(old), "}\n\npartition \"b\"", "}\n/*\npartition \"b\"", 1), false},
		// "/*" closed later, swallowing block b.
		{"comment swallows a block", strings.Replace(strings.Replace(string(old), "}\n\npartition \"b\"", "}\n/*\npartition \"b\"", 1), "}\n\npartition \"c\"", "}\n*/\npartition \"c\"", 1), true},
		// A heredoc whose marker never comes: unsure.
		{"heredoc", strings.Replace(string(old), "x = \"1\"", "x = <<EOF", 1), false},
		// An unterminated string: unsure.
		{"string", strings.Replace(string(old), "x = \"1\"", "x = \"1", 1), false},
		// The closing brace of a deleted: a swallows b and c and is
		// never closed.
		{"brace deleted", strings.Replace(string(old), "\"1\"\n}", "\"1\"\n", 1), false},
		// ... and added back at the end: one block a holding b and c
		// (expression text to the splitter).
		{"brace moved", strings.Replace(string(old), "\"1\"\n}", "\"1\"\n", 1) + "}\n", true},
		{"brace added", strings.Replace(string(old), "\"2\"\n}", "\"2\"\n}}", 1), false},
		{"emptied", "", true},
		{"comments only", "# nothing\n", true},
	} {
		src := []byte(c.src)
		r, ok := ResplitBlocks(old, ob, src)
		want, wok := SplitBlocks(src)
		if ok != c.ok || wok != c.ok {
			t.Errorf("%s: ResplitBlocks ok=%v SplitBlocks ok=%v, want %v", c.name, ok, wok, c.ok)
			continue
		}
		if ok && len(r.Blocks) != len(want) {
			t.Errorf("%s: %d blocks, want %d", c.name, len(r.Blocks), len(want))
		}
		checkResplit(t, old, src)
	}
	// From an empty file.
	checkResplit(t, nil, old)
}

// ResplitBlocks refuses oldBlocks that cannot be SplitBlocks(old) rather
// than panicking.
func TestResplitBlocksBadOldBlocks(t *testing.T) {
	old := []byte("partition \"a\" {\n}\n")
	for _, ob := range [][]TopBlock{
		{{Type: "partition", Start: 0, End: 100, Line: 1}},
		{{Type: "partition", Start: 5, End: 2, Line: 1}},
		{{Type: "partition", Start: -1, End: 17, Line: 1}},
		{{Type: "partition", Start: 0, End: 17, Line: 1}, {Type: "partition", Start: 0, End: 17, Line: 1}},
		{{Type: "partition", Start: 0, End: 10, Line: 1}},
	} {
		if _, ok := ResplitBlocks(old, ob, []byte("partition \"b\" {\n}\n")); ok {
			t.Errorf("%+v accepted", ob)
		}
	}
}

// FuzzResplitBlocks: for any old that splits and any new, ResplitBlocks
// is SplitBlocks(new) and its Head/Tail claims hold.
func FuzzResplitBlocks(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	seeds := append([]string(nil), splitParserSources...)
	seeds = append(seeds, string(resplitBigSource(1))) // small: the fuzzer minimizes every new input
	for _, s := range seeds {
		for range 4 {
			f.Add([]byte(s), resplitEdit(rng, []byte(s)))
		}
	}
	f.Fuzz(func(t *testing.T, old, src []byte) {
		checkResplit(t, old, src)
	})
}

// benchResplitPair is a 10,000-partition file and the same file with one
// value changed in the middle partition.
func benchResplitPair(b *testing.B) (old, src []byte) {
	_, old = generatedMain(b, 10000, false)
	mark := []byte("\"BenchApp/1.0 (p5000)\"")
	i := bytes.Index(old, mark)
	if i < 0 {
		b.Fatal("no p5000")
	}
	src = bytes.Join([][]byte{old[:i], []byte("\"BenchApp/1.1 (p5000)\""), old[i+len(mark):]}, nil)
	return old, src
}

// BenchmarkSplitBlocks splits the edited 10,000-partition file whole.
func BenchmarkSplitBlocks(b *testing.B) {
	_, src := benchResplitPair(b)
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for b.Loop() {
		if _, ok := SplitBlocks(src); !ok {
			b.Fatal("not ok")
		}
	}
}

// BenchmarkResplitBlocks resplits it from the old file's blocks.
func BenchmarkResplitBlocks(b *testing.B) {
	old, src := benchResplitPair(b)
	ob, ok := SplitBlocks(old)
	if !ok {
		b.Fatal("old not ok")
	}
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for b.Loop() {
		r, ok := ResplitBlocks(old, ob, src)
		if !ok || len(r.Blocks)-r.Head-r.Tail != 1 {
			b.Fatalf("ok=%v middle %d", ok, len(r.Blocks)-r.Head-r.Tail)
		}
	}
}
