package main

import (
	"fmt"
	"io"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/sessctl/sessctl/internal/benchcfg"
	"github.com/sessctl/sessctl/reconcile"
	"github.com/sessctl/sessctl/schema"
)

// BenchmarkValidateWarnings loads, builds and prints the diagnostics of the
// benchmark configuration with one warning per partition ("warn") and
// without ("clean"), as `sessctl validate` does; "hcl-writer" prints the
// same warnings with hcl's own writer, which scans the whole file per
// diagnostic, for comparison. Issue 17's goal: warn within 2x of clean.
//
//	go test ./cmd/sessctl -run x -bench ValidateWarnings -benchtime 3x
func BenchmarkValidateWarnings(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		if testing.Short() && n > 1000 {
			continue
		}
		for _, variant := range []string{"clean", "warn", "hcl-writer"} {
			if variant == "hcl-writer" && n > 1000 {
				continue // minutes per run
			}
			dir := b.TempDir()
			if err := benchcfg.Generate(dir, n, false); err != nil {
				b.Fatal(err)
			}
			if variant != "clean" {
				if err := benchcfg.AddWarnings(dir); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(fmt.Sprintf("%s/N=%d", variant, n), func(b *testing.B) {
				shown := 0
				for b.Loop() {
					// As validate does: streamed, built while loading.
					cfg, _, diags := reconcile.LoadAndBuild(schema.LoadOptions{Path: dir})
					if diags.HasErrors() {
						b.Fatal(diags)
					}
					if variant == "hcl-writer" {
						_ = hcl.NewDiagnosticTextWriter(io.Discard, cfg.Sources, 0, false).WriteDiagnostics(withCodes(sortDiags(diags)))
					} else {
						printDiags(io.Discard, cfg, diags)
					}
					shown = len(diags)
				}
				if variant != "clean" && shown < n {
					b.Fatalf("%d diagnostics for %d partitions", shown, n)
				}
			})
		}
	}
}
