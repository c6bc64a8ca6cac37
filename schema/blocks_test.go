package schema

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// splitParserSources hold every construct that can hide a brace from a
// naive splitter; each parses (hcl) into top-level blocks only, except the
// for_each label, which hcl refuses but still splits. ResplitBlocks' tests
// edit them too.
var splitParserSources = []string{
	"",
	"partition \"persist:a\" {\n}\n",
	"partition \"persist:a\" {}\npartition \"persist:b\" {\n  user_agent = \"x\"\n}",
	"# a comment with { and }\npartition \"a\" {\n  user_agent = \"}\" # }\n  // {\n  /* } { */\n}\n\n\n/* {\n */\npartition \"b\" {\n}\n",
	"partition \"a\" {\n  user_agent = \"a\\\"}${\"}\"}${jsonencode({a = [1, (2)]})}\"\n}\npartition \"b\" {\n}\n",
	"partition \"a\" {\n  user_agent = \"$${ %%{ }\"\n  x = \"%{ if true }}%{ endif }\"\n}\npartition \"b\" {}\n",
	"partition \"a\" {\n  user_agent = <<EOF\n}\n  } EOF\n${\"}\"}\nEOF\n}\npartition \"b\" {\n  user_agent = <<-EOT\n    {\n    EOT\n}\n",
	"partition \"a\" {\n  preload \"p\" {\n    path = \"${path.config}/p.js\"\n  }\n  permissions {\n    rule \"r\" {\n      origins = [\"https://x\"]\n    }\n  }\n}\n",
	"partition \"persist:${each.key}\" {\n  for_each = toset([\"a\", \"b\"])\n}\npartition \"c\" {\n}\n",
	"partition \"a\" {\n} # trailing {\npartition \"b\" {\n} /* { */\n",
	"\r\npartition \"a\" {\r\n  user_agent = \"x\"\r\n}\r\n",
	"sessctl {\n  output = \"o\"\n}\nprofile \"p\" {\n}\nlocals {\n  x = { a = \"}\" }\n}\n",
	"partition a {\n}\n",
	"partition \"a\" {\n  x = <<EOF\n  EOF\n}\npartition \"b\" {\n}\n", // an indented marker ends <<EOF too
}

// SplitBlocks must find exactly the top-level blocks hcl's own parser
// finds (the oracle: hclsyntax.ParseConfig), through everything that can
// hide a brace: comments, quoted strings, template sequences, heredocs.
func TestSplitBlocksMatchesParser(t *testing.T) {
	for _, src := range splitParserSources {
		f, diags := hclsyntax.ParseConfig([]byte(src), "t.hcl", hcl.InitialPos)
		// Labels with "${" are errors to hcl (sessctl sets them aside for
		// for_each partitions) but the blocks are still found.
		if diags.HasErrors() && !strings.Contains(src, "${each") {
			t.Fatalf("%q: test source does not parse: %v", src, diags)
		}
		body := f.Body.(*hclsyntax.Body)
		got, ok := SplitBlocks([]byte(src))
		if !ok {
			t.Errorf("%q: SplitBlocks unsure", src)
			continue
		}
		if len(got) != len(body.Blocks) {
			t.Errorf("%q: %d blocks, parser finds %d", src, len(got), len(body.Blocks))
			continue
		}
		for i, b := range body.Blocks {
			want := TopBlock{Type: b.Type, Start: b.TypeRange.Start.Byte, End: b.CloseBraceRange.End.Byte, Line: b.TypeRange.Start.Line}
			if got[i] != want {
				t.Errorf("%q: block %d = %+v, parser says %+v", src, i, got[i], want)
			}
		}
	}
}

// Sources the splitter does not model (or that are invalid) must be
// refused, never split wrongly: the caller then parses the whole file.
func TestSplitBlocksUnsure(t *testing.T) {
	for _, src := range []string{
		"x = 1\n", // a top-level attribute
		"partition \"a\" {\n}  partition \"b\" {\n}\n", // a block not at column 1
		"partition \"a\" {\n",                          // unclosed
		"partition \"a\" {\n  x = \"abc\n}\n",          // unterminated string
		"partition \"a\" {\n  x = <<EOF\nabc\n}\n",     // unterminated heredoc
		"partition \"a\" {\n  x = [1}\n}\n",            // mismatched bracket
		"partition \"a\" {\n  x = \"${\n1}\"\n}\n",     // a sequence spanning lines
		"partition \"a\" {\n} /* unclosed\n",
		"pàrtition \"a\" {\n}\n",
		"\ufeffpartition \"a\" {\n}\n",
	} {
		if got, ok := SplitBlocks([]byte(src)); ok {
			t.Errorf("%q: split into %+v, want unsure", src, got)
		}
	}
}

// ShiftRanges must move every hcl.Range a Partition holds: each range of
// a fully populated partition (built by reflection, so a field added to
// the model is covered) is set in the file, shifted, and checked.
func TestShiftRangesCoversModel(t *testing.T) {
	p := &Partition{}
	setAllFamilies(p)
	n := 0
	fillPart(p, func(r *hcl.Range) {
		n++
		*r = hcl.Range{Filename: "f.hcl", Start: hcl.Pos{Line: n, Column: 3, Byte: 100 * n}, End: hcl.Pos{Line: n, Column: 5, Byte: 100*n + 2}}
	})
	if n < 40 {
		t.Fatalf("only %d ranges filled; the filler misses fields", n)
	}
	p.ShiftRanges("f.hcl", 7, 1000)
	k := 0
	fillPart(p, func(r *hcl.Range) {
		k++
		want := hcl.Range{Filename: "f.hcl", Start: hcl.Pos{Line: k + 7, Column: 3, Byte: 100*k + 1000}, End: hcl.Pos{Line: k + 7, Column: 5, Byte: 100*k + 1002}}
		if *r != want {
			t.Errorf("range %d not shifted: %v", k, *r)
		}
	})
	// Ranges of another file (merged from a profile) stay.
	q := &Partition{}
	testUAKey.Set(q, &testUAFam{UserAgent: Value[string]{Range: hcl.Range{Filename: "g.hcl", Start: hcl.Pos{Line: 2, Column: 1, Byte: 9}}}})
	q.ShiftRanges("f.hcl", 1, 1)
	if r := ua(q).Range; r.Start.Byte != 9 || r.Start.Line != 2 {
		t.Errorf("a range of another file moved: %v", r)
	}
}

// fillPart fills p's own fields, then its family values.
func fillPart(p *Partition, f func(*hcl.Range)) {
	fill(reflect.ValueOf(p).Elem(), f)
	for _, v := range famValues(p) {
		fill(v.Elem(), f)
	}
}

// fill walks v, allocating pointers and one-element slices, and calls f
// on every hcl.Range in a fixed order. A second walk over the same value
// visits the same ranges in the same order without allocating anew.
func fill(v reflect.Value, f func(*hcl.Range)) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(hcl.Range{}) {
			f(v.Addr().Interface().(*hcl.Range))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), f)
			}
		}
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), f)
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		for i := 0; i < v.Len(); i++ {
			fill(v.Index(i), f)
		}
	}
}

// Every configuration under testdata that hcl parses, and every prefix of
// it cut at a line end, is either refused by SplitBlocks or split
// exactly as the parser splits it.
func TestSplitBlocksTestdata(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*/*.hcl")
	more, _ := filepath.Glob("testdata/*/*/*.hcl")
	paths = append(paths, more...)
	if len(paths) == 0 {
		t.Fatal("no testdata")
	}
	checked := 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for end := 0; end <= len(b); end++ {
			if end < len(b) && b[end] != '\n' {
				continue
			}
			src := b[:end]
			f, diags := hclsyntax.ParseConfig(src, "t.hcl", hcl.InitialPos)
			got, ok := SplitBlocks(src)
			if diags.HasErrors() || !ok {
				continue
			}
			body := f.Body.(*hclsyntax.Body)
			if len(body.Attributes) > 0 {
				t.Errorf("%s[:%d]: split although it has top-level attributes", p, end)
				continue
			}
			if len(got) != len(body.Blocks) {
				t.Errorf("%s[:%d]: %d blocks, parser finds %d", p, end, len(got), len(body.Blocks))
				continue
			}
			for i, blk := range body.Blocks {
				want := TopBlock{Type: blk.Type, Start: blk.TypeRange.Start.Byte, End: blk.CloseBraceRange.End.Byte, Line: blk.TypeRange.Start.Line}
				if got[i] != want {
					t.Errorf("%s[:%d]: block %d = %+v, parser says %+v", p, end, i, got[i], want)
				}
			}
			checked++
		}
	}
	if checked < 20 {
		t.Fatalf("only %d sources split", checked)
	}
}

// FuzzSplitBlocks: whatever the input, SplitBlocks does not panic, and
// when it splits a source hcl parses without error, it splits it as the
// parser does.
func FuzzSplitBlocks(f *testing.F) {
	for _, s := range []string{
		"partition \"a\" {\n  x = \"}${\"{\"}\" # {\n}\n",
		"partition \"a\" {\n  x = <<-EOF\n  }\n  EOF\n}\n/* } */\npartition \"b\" {}\n",
		"partition \"a\" {\n  y = [for k, v in {a = 1} : \"%{if v > 0}}%{endif}\"]\n}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		got, ok := SplitBlocks(src)
		if !ok || checkNesting(src, "t.hcl").HasErrors() {
			return
		}
		file, diags := hclsyntax.ParseConfig(src, "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			return
		}
		body := file.Body.(*hclsyntax.Body)
		if len(body.Attributes) > 0 || len(got) != len(body.Blocks) {
			t.Fatalf("%q: split into %d blocks; parser: %d blocks, %d attributes", src, len(got), len(body.Blocks), len(body.Attributes))
		}
		for i, blk := range body.Blocks {
			want := TopBlock{Type: blk.Type, Start: blk.TypeRange.Start.Byte, End: blk.CloseBraceRange.End.Byte, Line: blk.TypeRange.Start.Line}
			if got[i] != want {
				t.Fatalf("%q: block %d = %+v, parser says %+v", src, i, got[i], want)
			}
		}
	})
}
