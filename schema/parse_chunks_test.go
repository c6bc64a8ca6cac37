package schema

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// forceChunks makes parseNative parse every file that SplitBlocks accepts
// in spans spans (0: the default count) until the test ends.
func forceChunks(t testing.TB, spans int) {
	t.Helper()
	oldMin, oldSpans := chunkParseMinBytes, chunkParseSpans
	chunkParseMinBytes, chunkParseSpans = 0, spans
	t.Cleanup(func() { chunkParseMinBytes, chunkParseSpans = oldMin, oldSpans })
}

// noChunks disables the chunked parse until the test ends.
func noChunks(t testing.TB) {
	t.Helper()
	old := chunkParseMinBytes
	chunkParseMinBytes = math.MaxInt
	t.Cleanup(func() { chunkParseMinBytes = old })
}

// checkChunkedParse parses src whole and in spans, for several span counts,
// and requires the same *hcl.File (body, ranges, expressions, bytes and
// navigation), the same diagnostics and the same ContextString and
// ContextDefRange at every offset in offsets (all offsets when nil).
// wantChunked says whether the chunked parse must be taken at all.
func checkChunkedParse(t *testing.T, name string, src []byte, wantChunked bool, offsets []int) {
	t.Helper()
	want, wantDiags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if offsets == nil {
		for o := 0; o <= len(src)+1; o++ {
			offsets = append(offsets, o)
		}
	}
	blocks, _ := SplitBlocks(src)
	for _, spans := range []int{2, 3, 7, len(blocks), len(blocks) + 5} {
		forceChunks(t, spans)
		got, gotDiags, ok := parseChunked(src, name)
		if ok != wantChunked {
			t.Fatalf("%s, %d spans: chunked parse taken = %v, want %v", name, spans, ok, wantChunked)
		}
		if !ok {
			// parseNative must then be exactly the whole-file parse.
			got, gotDiags = parseNative(src, name)
		}
		if !reflect.DeepEqual(got, want) {
			wb, gb := want.Body.(*hclsyntax.Body), got.Body.(*hclsyntax.Body)
			t.Errorf("%s, %d spans: files differ (blocks %d vs %d, SrcRange %v vs %v, EndRange %v vs %v)",
				name, spans, len(gb.Blocks), len(wb.Blocks), gb.SrcRange, wb.SrcRange, gb.EndRange, wb.EndRange)
			for i := range min(len(gb.Blocks), len(wb.Blocks)) {
				if !reflect.DeepEqual(gb.Blocks[i], wb.Blocks[i]) {
					t.Errorf("first differing block: %d at %v", i, wb.Blocks[i].DefRange())
					break
				}
			}
		}
		if !bytes.Equal(got.Bytes, src) || &got.Bytes[0] != &src[0] {
			t.Errorf("%s, %d spans: Bytes is not the source", name, spans)
		}
		if !reflect.DeepEqual(gotDiags, wantDiags) {
			t.Errorf("%s, %d spans: diagnostics %v, want %v", name, spans, diagLines(gotDiags), diagLines(wantDiags))
		}
		for _, o := range offsets {
			if g, w := hcled.ContextString(got, o), hcled.ContextString(want, o); g != w {
				t.Fatalf("%s, %d spans: ContextString(%d) = %q, want %q", name, spans, o, g, w)
			}
			if g, w := hcled.ContextDefRange(got, o), hcled.ContextDefRange(want, o); g != w {
				t.Fatalf("%s, %d spans: ContextDefRange(%d) = %v, want %v", name, spans, o, g, w)
			}
		}
	}
}

// TestChunkedParseHandWritten: sources with what makes positions hard —
// comments before, between and after blocks, heredocs, template
// sequences, CRLF line endings, non-ASCII text (hcl counts columns in
// grapheme clusters, so "e\u0301" and a ZWJ family emoji are one column
// each), no trailing newline — parse in spans to what the whole file gives.
func TestChunkedParseHandWritten(t *testing.T) {
	const partitions = `partition "persist:a" {
  user_agent = "Ünïcödé e` + "\u0301" + ` 👩‍👩‍👧 ${var.x} %{ if true }yes%{ endif }"
  accept_languages = ["fr", "de"] # trailing comment ☃
}
// between, with é
/* block
   comment ☃ */
partition "persist:b" {
  cache = true
  script = <<-EOT
    héllo ${local.y}
      indented 👩‍👩‍👧
    EOT
  raw = <<EOT
$${not} %%{ also not }
EOT
  proxy {
    mode  = "fixed_servers"
    rules = "http=a:1"
  }
}

partition "persist:c" { cache = false }
partition persist_d {
}
`
	cases := []struct {
		name        string
		src         string
		wantChunked bool
	}{
		{"plain.hcl", partitions, true},
		{"leading.hcl", "\n\n# leading comment\n   \n" + partitions, true},
		{"leadblockcomment.hcl", "/* lead */\n" + partitions, true},
		{"trailing.hcl", partitions + "# trailing comment without newline", true},
		{"trailingblank.hcl", partitions + "\n\n   \t", true},
		{"trailingblock.hcl", partitions + "/* unfinished? no: */", true},
		{"nonewline.hcl", strings.TrimSuffix(partitions, "\n"), true},
		{"crlf.hcl", strings.ReplaceAll(partitions, "\n", "\r\n"), true},
		{"crlf-nonewline.hcl", strings.TrimSuffix(strings.ReplaceAll(partitions, "\n", "\r\n"), "\r\n"), true},
		{"closecomment.hcl", "sessctl {\n  output = \"/x\"\n} # after the brace\nlocals {\n  a = 1\n} // too\nvariable \"v\" {\n  default = \"é\"\n} /* and */\npartition \"p\" {}\n", true},
		{"foreach-labels.hcl", "locals {\n  hosts = { a = 1 }\n}\npartition \"persist:${each.key}\" {\n  for_each = local.hosts\n}\npartition \"q\" {}\npartition \"persist:%{ if true }x%{ endif }-${each.value}\" {\n  for_each = local.hosts\n}\n", true},
		// After a template label hcl's parser is in recovery mode, where
		// it reports fewer errors: the spans must not be taken.
		{"foreach-then-error.hcl", "partition \"persist:${each.key}\" {\n  for_each = {}\n}\npartition \"b\" {\n  cache = true proxy = 1\n}\npartition \"c\" {\n  x = [for a in b]\n}\n", false},
		{"nested-template-label.hcl", "partition \"a\" {\n  rule \"${x}\" {}\n}\npartition \"b\" {}\n", false},
		{"template-attribute.hcl", "partition \"a\" {\n  rule \"x\" { y = \"${\" }\n}\npartition \"b\" {}\n", false},
		{"syntaxerror.hcl", "partition \"a\" {\n  cache = \n}\npartition \"b\" {}\npartition \"c\" {}\n", false},
		{"attribute.hcl", "x = 1\npartition \"b\" {}\npartition \"c\" {}\n", false},
		{"one.hcl", "partition \"b\" {}\n", false},
		{"empty.hcl", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.src == "" {
				// Nothing to split; parseNative must still be hcl's parse.
				forceChunks(t, 2)
				got, _ := parseNative(nil, c.name)
				want, _ := hclsyntax.ParseConfig(nil, c.name, hcl.InitialPos)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("empty source: %#v, want %#v", got, want)
				}
				return
			}
			checkChunkedParse(t, c.name, []byte(c.src), c.wantChunked, nil)
		})
	}
}

// TestChunkedParseTestdata: every native-syntax configuration of the
// repository's test data and examples.
func TestChunkedParseTestdata(t *testing.T) {
	var paths []string
	for _, pattern := range []string{"testdata/*/*.hcl", "testdata/*/*/*.hcl", "../examples/*.hcl", "../reconcile/testdata/*/*/*.hcl", "../reconcile/testdata/*/*.hcl"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d configurations: %v", len(paths), paths)
	}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		blocks, ok := SplitBlocks(src)
		// Template sequences in partition labels (for_each) are the
		// only errors the spans accept.
		_, d := hclsyntax.ParseConfig(src, p, hcl.InitialPos)
		clean := true
		for _, e := range d {
			clean = clean && strings.HasPrefix(e.Detail, "Template sequences are not allowed")
		}
		checkChunkedParse(t, p, src, ok && len(blocks) >= 2 && clean, nil)
	}
}

// TestChunkedParseGenerated: generated configurations of 2,000
// partitions, literal and for_each (a large locals block and one
// partition), offsets sampled densely.
func TestChunkedParseGenerated(t *testing.T) {
	for _, fe := range []bool{false, true} {
		_, src := generatedMain(t, 2000, fe)
		// A sample of offsets (navigation is linear in the blocks), and
		// every offset around the cuts of 2, 3 and 7 spans and the end.
		var offsets []int
		for o := 0; o < len(src); o += 1009 {
			offsets = append(offsets, o)
		}
		blocks, _ := SplitBlocks(src)
		for _, n := range []int{2, 3, 7} {
			for _, i := range spanFirsts(src, blocks, n) {
				b := blocks[i].Start
				for o := max(0, b-60); o <= b+60; o++ {
					offsets = append(offsets, o)
				}
			}
		}
		for o := len(src) - 60; o <= len(src)+1; o++ {
			offsets = append(offsets, o)
		}
		// The for_each form has a template label: hcl reports an error
		// the loader sets aside; it is parsed in spans all the same.
		checkChunkedParse(t, "main.hcl", src, true, offsets)
	}
}

// TestChunkedLoadIdentical: Load gives the same Config and diagnostics
// with the chunked parse as without: for a clean 2,000-partition file, one
// with a semantic error in a partition in the middle (whose rendering,
// with hcl's "in partition" context line that comes from the file's Nav,
// must be byte-identical), one with a for_each partition among the
// literal ones (a template label: hcl's error set aside by the loader),
// and one with a template label without for_each (reported).
func TestChunkedLoadIdentical(t *testing.T) {
	dir, src := generatedMain(t, 2000, false)
	main := filepath.Join(dir, "main.hcl")
	load := func(chunked bool) (*Config, hcl.Diagnostics, string) {
		if chunked {
			forceChunks(t, 0)
		} else {
			noChunks(t)
		}
		cfg, diags := Load(LoadOptions{Path: dir})
		var sb strings.Builder
		hcl.NewDiagnosticTextWriter(&sb, cfg.Sources, 78, false).WriteDiagnostics(diags)
		return cfg, diags, sb.String()
	}
	cases := []struct {
		name       string
		old, new   string
		partitions int    // in the clean loads
		wantText   string // in the rendered diagnostics
	}{
		{"clean", "", "", 2000, ""},
		{"semantic error",
			"partition \"persist:p1234\" {\n  cache            = true",
			"partition \"persist:p1234\" {\n  cache            = \"sometimes\"",
			0, `in partition "persist:p1234":`},
		{"for_each among literals",
			"partition \"persist:p1000\" {",
			"partition \"persist:fe-${each.key}\" {\n  for_each = { a = 1, b = 2 }\n  cache = true\n}\n\npartition \"persist:p1000\" {",
			2002, ""},
		{"template label without for_each",
			"partition \"persist:p1500\" {",
			"partition \"persist:${p}\" {",
			0, `in partition "persist:${p}":`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mod := bytes.Replace(src, []byte(c.old), []byte(c.new), 1)
			if c.old != "" && bytes.Equal(mod, src) {
				t.Fatalf("%q not found in the generated file", c.old)
			}
			if err := os.WriteFile(main, mod, 0o644); err != nil {
				t.Fatal(err)
			}
			forceChunks(t, 0)
			if _, _, ok := parseChunked(mod, "main.hcl"); !ok {
				t.Fatal("the file is not parsed in spans")
			}
			wantCfg, wantDiags, wantText := load(false)
			gotCfg, gotDiags, gotText := load(true)
			if !reflect.DeepEqual(gotCfg, wantCfg) {
				t.Errorf("configs differ")
				diffLines(t, flatten(gotCfg.Partitions), flatten(wantCfg.Partitions))
			}
			if !reflect.DeepEqual(gotDiags, wantDiags) {
				t.Errorf("diagnostics %v, want %v", diagLines(gotDiags), diagLines(wantDiags))
			}
			if gotText != wantText {
				t.Errorf("rendered diagnostics:\n%s\nwant:\n%s", gotText, wantText)
			}
			if c.wantText != "" {
				if !wantDiags.HasErrors() || !strings.Contains(gotText, c.wantText) {
					t.Errorf("expected an error rendered with %q, got:\n%s", c.wantText, gotText)
				}
			} else if len(wantDiags) != 0 || len(wantCfg.Partitions) != c.partitions {
				t.Errorf("clean load: %d partitions, want %d; %v", len(wantCfg.Partitions), c.partitions, diagLines(wantDiags))
			}
		})
	}
}

// TestSpanFirsts: spans of similar size, each with a block, never more
// than asked or than there are blocks.
func TestSpanFirsts(t *testing.T) {
	var blocks []TopBlock
	for i := 0; i < 10; i++ {
		blocks = append(blocks, TopBlock{Start: i * 100, End: i*100 + 90, Line: i*5 + 1})
	}
	src := make([]byte, 1000)
	for _, c := range []struct {
		n    int
		want []int
	}{
		{1, []int{0}},
		{2, []int{0, 5}},
		{3, []int{0, 3, 7}},    // 333, 666 -> blocks at 300, 700
		{4, []int{0, 3, 5, 8}}, // 250, 500, 750 -> ties go to the later block
		{5, []int{0, 2, 4, 6, 8}},
		{10, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{50, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	} {
		if got := spanFirsts(src, blocks, c.n); !reflect.DeepEqual(got, c.want) {
			t.Errorf("spanFirsts(%d) = %v, want %v", c.n, got, c.want)
		}
	}
}

// FuzzChunkedParse: whenever the chunked parse is taken, on any input, it
// gives exactly the whole-file parse and its diagnostics.
func FuzzChunkedParse(f *testing.F) {
	f.Add([]byte("partition \"a\" {\n  x = 1\n}\n# c\npartition \"b\" {\n  y = \"é${z}\"\n}\n"))
	f.Add([]byte("/* c */\r\npartition \"a\" {\r\n  s = <<EOT\r\nx\r\nEOT\r\n}\r\n\r\npartition \"persist:${each.key}\" {\r\n  for_each = {}\r\n}"))
	f.Add([]byte("a {\n}\nb \"l\" m {\n  c {\n  }\n} // t\nd {}\n\n"))
	for _, p := range []string{"testdata/decode/full.hcl", "testdata/decode/foreach.hcl", "../examples/fleet.hcl"} {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		forceChunks(t, 3)
		got, gotDiags, ok := parseChunked(src, "f.hcl")
		if !ok {
			return
		}
		want, wantDiags := hclsyntax.ParseConfig(src, "f.hcl", hcl.InitialPos)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("files differ")
		}
		if !reflect.DeepEqual(gotDiags, wantDiags) {
			t.Fatalf("diagnostics %v, want %v", diagLines(gotDiags), diagLines(wantDiags))
		}
	})
}
