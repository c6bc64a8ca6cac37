package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestGenerateBenchConfig: both forms load without diagnostics and describe
// the same partitions.
func TestGenerateBenchConfig(t *testing.T) {
	var flat [2][]string
	for i, fe := range []bool{false, true} {
		dir := t.TempDir()
		if err := GenerateBenchConfig(dir, 3, fe); err != nil {
			t.Fatal(err)
		}
		cfg, diags := Load(LoadOptions{Path: dir})
		if len(diags) > 0 {
			t.Fatalf("forEach=%v: %v", fe, diagLines(diags))
		}
		if len(cfg.Partitions) != 3 || cfg.Partitions[0].Name != "persist:p0" {
			t.Fatalf("forEach=%v: got %d partitions", fe, len(cfg.Partitions))
		}
		flat[i] = flatten(cfg.Partitions)
		for j := range flat[i] {
			flat[i][j] = strings.ReplaceAll(flat[i][j], dir, "$DIR")
		}
	}
	diffLines(t, flat[1], flat[0])
}

// TestForEachScalesLinearly: expanding 10,000 for_each instances costs less
// than hcl merely parsing 10,000 literal partitions, and 4x the instances
// cost well under the 16x a quadratic expansion would.
func TestForEachScalesLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	const n = 10000
	litDir, feDir, quarterDir := t.TempDir(), t.TempDir(), t.TempDir()
	for _, g := range []struct {
		dir string
		n   int
		fe  bool
	}{{litDir, n, false}, {feDir, n, true}, {quarterDir, n / 4, true}} {
		if err := GenerateBenchConfig(g.dir, g.n, g.fe); err != nil {
			t.Fatal(err)
		}
	}
	src, err := os.ReadFile(filepath.Join(litDir, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	timeIt := func(runs int, f func()) time.Duration {
		var min time.Duration
		for i := 0; i < runs; i++ {
			start := time.Now()
			f()
			if d := time.Since(start); i == 0 || d < min {
				min = d
			}
		}
		return min
	}
	loadN := func(dir string, want int) func() {
		return func() {
			cfg, diags := Load(LoadOptions{Path: dir})
			if len(diags) > 0 || len(cfg.Partitions) != want {
				t.Fatalf("%d partitions, %v", len(cfg.Partitions), diagLines(diags))
			}
		}
	}
	// Interleave the two sizes so that a burst of load on a shared
	// machine hits both.
	var load, quarter time.Duration
	for i := 0; i < 3; i++ {
		if d := timeIt(1, loadN(quarterDir, n/4)); i == 0 || d < quarter {
			quarter = d
		}
		if d := timeIt(1, loadN(feDir, n)); i == 0 || d < load {
			load = d
		}
	}
	parse := timeIt(1, func() { hclsyntax.ParseConfig(src, "main.hcl", hcl.InitialPos) })
	t.Logf("parse %d literal: %v; load %d for_each: %v; load %d for_each: %v", n, parse, n, load, n/4, quarter)
	if load > parse {
		t.Errorf("for_each load of %d instances took %v, more than parsing %d literal partitions (%v)", n, load, n, parse)
	}
	if load > 10*quarter { // 4x the work: linear is ~4x, quadratic 16x
		t.Errorf("for_each: %d instances took %v, %d took %v: not linear", n/4, quarter, n, load)
	}
}

func benchLoad(b *testing.B, forEach bool) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			if err := GenerateBenchConfig(dir, n, forEach); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cfg, diags := Load(LoadOptions{Path: dir})
				if len(diags) > 0 || len(cfg.Partitions) != n {
					b.Fatalf("%d partitions, %v", len(cfg.Partitions), diagLines(diags))
				}
			}
		})
	}
}

// BenchmarkLoadForEach loads n partitions expanded from one for_each block.
func BenchmarkLoadForEach(b *testing.B) { benchLoad(b, true) }

// BenchmarkLoadLiteral loads n literal partition blocks.
func BenchmarkLoadLiteral(b *testing.B) { benchLoad(b, false) }

// BenchmarkInputDigest hashes a 10,000-partition configuration.
func BenchmarkInputDigest(b *testing.B) {
	dir := b.TempDir()
	if err := GenerateBenchConfig(dir, 10000, false); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := InputDigest(LoadOptions{Path: dir}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse10000 parses the 10,000-partition literal configuration
// (about 5.8 MB, one file) whole, as hclsyntax.ParseConfig does, and in
// parallel spans of whole blocks (parse_chunks.go) with the default and a
// few explicit span counts; "default" is what Load does.
func BenchmarkParse10000(b *testing.B) {
	_, src := generatedMain(b, 10000, false)
	b.Run("whole", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for i := 0; i < b.N; i++ {
			if _, d := hclsyntax.ParseConfig(src, "main.hcl", hcl.InitialPos); d.HasErrors() {
				b.Fatal(d)
			}
		}
	})
	for _, spans := range []int{0, 2, 4, 8, 16} {
		name := "spans=default"
		if spans > 0 {
			name = fmt.Sprintf("spans=%d", spans)
		}
		b.Run(name, func(b *testing.B) {
			if spans == 0 && runtime.GOMAXPROCS(0) < 2 {
				b.Skip("one processor: Load parses whole files")
			}
			old := chunkParseSpans
			chunkParseSpans = spans
			defer func() { chunkParseSpans = old }()
			b.SetBytes(int64(len(src)))
			for i := 0; i < b.N; i++ {
				if _, _, ok := parseChunked(src, "main.hcl"); !ok {
					b.Fatal("not parsed in spans")
				}
			}
		})
	}
}

// generatedMain writes GenerateBenchConfig(n, forEach) to a temporary
// directory and returns the directory and its main.hcl.
func generatedMain(tb testing.TB, n int, forEach bool) (dir string, src []byte) {
	tb.Helper()
	dir = tb.TempDir()
	if err := GenerateBenchConfig(dir, n, forEach); err != nil {
		tb.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "main.hcl"))
	if err != nil {
		tb.Fatal(err)
	}
	return dir, src
}
