package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/sessctl/sessctl/internal/benchcfg"
)

// TestGenerateBenchConfig: both forms load without diagnostics and describe
// the same partitions.
func TestGenerateBenchConfig(t *testing.T) {
	var flat [2][]string
	for i, fe := range []bool{false, true} {
		dir := t.TempDir()
		if err := benchcfg.GenerateWithout(dir, 3, fe, outsideFamilies...); err != nil {
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
// TestForEachScalesLinearly counts work, not time (a timed assertion
// failed on a busy machine): the allocations of loading n for_each
// instances grow linearly with n (4x the instances: ~4x, a quadratic path
// 16x), and expanding a for_each costs no more than loading as many
// literal partitions. BenchmarkLoadForEach measures the time.
func TestForEachScalesLinearly(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 2000
	}
	litDir, feDir, quarterDir := t.TempDir(), t.TempDir(), t.TempDir()
	for _, g := range []struct {
		dir string
		n   int
		fe  bool
	}{{litDir, n, false}, {feDir, n, true}, {quarterDir, n / 4, true}} {
		if err := benchcfg.GenerateWithout(g.dir, g.n, g.fe, outsideFamilies...); err != nil {
			t.Fatal(err)
		}
	}
	// AllocsPerRun runs with GOMAXPROCS=1, so the count does not depend
	// on how the parallel parse was scheduled.
	allocs := func(dir string, want int) float64 {
		return testing.AllocsPerRun(1, func() {
			cfg, diags := Load(LoadOptions{Path: dir})
			if len(diags) > 0 || len(cfg.Partitions) != want {
				t.Fatalf("%d partitions, %v", len(cfg.Partitions), diagLines(diags))
			}
		})
	}
	lit, fe, quarter := allocs(litDir, n), allocs(feDir, n), allocs(quarterDir, n/4)
	t.Logf("allocations: %d literal %.0f; %d for_each %.0f; %d for_each %.0f", n, lit, n, fe, n/4, quarter)
	if fe > 6*quarter {
		t.Errorf("for_each: %d instances allocate %.0f times, %d allocate %.0f: not linear", n, fe, n/4, quarter)
	}
	if fe > 1.5*lit {
		t.Errorf("for_each of %d instances allocates %.0f times, more than 1.5x loading %d literal partitions (%.0f)", n, fe, n, lit)
	}
}

func benchLoad(b *testing.B, forEach bool) {
	for _, n := range []int{1000, 10000} {
		dir := b.TempDir()
		if err := benchcfg.GenerateWithout(dir, n, forEach, outsideFamilies...); err != nil {
			b.Fatal(err)
		}
		src, err := os.ReadFile(filepath.Join(dir, "main.hcl"))
		if err != nil {
			b.Fatal(err)
		}
		// stream=false is the whole-file load (watch); stream=true what
		// one-shot commands do (LoadOptions.Stream).
		for _, stream := range []bool{false, true} {
			b.Run(fmt.Sprintf("N=%d/stream=%v", n, stream), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(src)))
				for i := 0; i < b.N; i++ {
					cfg, diags := Load(LoadOptions{Path: dir, Stream: stream})
					if len(diags) > 0 || len(cfg.Partitions) != n {
						b.Fatalf("%d partitions, %v", len(cfg.Partitions), diagLines(diags))
					}
				}
			})
		}
	}
}

// BenchmarkLoadForEach loads n partitions expanded from one for_each block.
func BenchmarkLoadForEach(b *testing.B) { benchLoad(b, true) }

// BenchmarkLoadLiteral loads n literal partition blocks.
func BenchmarkLoadLiteral(b *testing.B) { benchLoad(b, false) }

// BenchmarkInputDigest hashes a 10,000-partition configuration.
func BenchmarkInputDigest(b *testing.B) {
	dir := b.TempDir()
	if err := benchcfg.GenerateWithout(dir, 10000, false, outsideFamilies...); err != nil {
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
// few explicit span counts, and by fastParse; "default" is what Load
// does (each span by fastParse when it can).
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
	// fastParse builds the same tree (parse_fast.go) for the subset the
	// generated configuration is written in.
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for i := 0; i < b.N; i++ {
			if fastParse(src, "main.hcl", hcl.InitialPos) == nil {
				b.Fatal("the generated configuration is outside fastParse's subset")
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

// generatedMain writes benchcfg.GenerateWithout(n, forEach, outsideFamilies...) to a temporary
// directory and returns the directory and its main.hcl.
func generatedMain(tb testing.TB, n int, forEach bool) (dir string, src []byte) {
	tb.Helper()
	dir = tb.TempDir()
	if err := benchcfg.GenerateWithout(dir, n, forEach, outsideFamilies...); err != nil {
		tb.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "main.hcl"))
	if err != nil {
		tb.Fatal(err)
	}
	return dir, src
}
