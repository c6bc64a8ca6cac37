package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// withStreamSpans sets the span size and the parse-ahead bound until the
// test ends, and resets the counters.
func withStreamSpans(t *testing.T, spanBytes, ahead int) {
	t.Helper()
	oldBytes, oldAhead := streamSpanBytes, streamAhead
	streamSpanBytes, streamAhead = spanBytes, ahead
	streamStats.Lock()
	streamStats.parsed, streamStats.open, streamStats.maxOpen = 0, 0, 0
	streamStats.Unlock()
	t.Cleanup(func() { streamSpanBytes, streamAhead = oldBytes, oldAhead })
}

// TestStreamedLoadIdentical: a streamed load gives the same partitions,
// diagnostics and rendered diagnostics as the whole-file load, takes the
// streamed path when the file is clean (partition bodies are not kept),
// falls back when it is not, and never has more spans parsed ahead than
// allowed.
func TestStreamedLoadIdentical(t *testing.T) {
	dir, src := generatedMain(t, 2000, false)
	main := filepath.Join(dir, "main.hcl")
	load := func(stream bool) (*Config, hcl.Diagnostics, string) {
		cfg, diags := Load(LoadOptions{Path: dir, Stream: stream})
		var sb strings.Builder
		hcl.NewDiagnosticTextWriter(&sb, cfg.Sources, 78, false).WriteDiagnostics(diags)
		return cfg, diags, sb.String()
	}
	// Non-partition blocks in the middle of the partitions, a profile
	// used before and after it is declared, a local, a variable.
	mixed := "locals {\n  ua = \"Mixed/${var.v}\"\n}\n\nvariable \"v\" {\n  default = \"1\"\n}\n\nprofile \"mp\" {\n  user_agent = local.ua\n}\n\npartition \"persist:p1000\" {"
	cases := []struct {
		name     string
		old, new string
		second   string // a second, small configuration file
		streamed bool   // the streamed path must be taken
		parts    int
		wantText string
	}{
		{name: "clean", streamed: true, parts: 2000},
		{name: "blocks between partitions",
			old: "partition \"persist:p1000\" {", new: mixed,
			second:   "partition \"persist:z-extra\" {\n  profiles = [profile.mp]\n}\n",
			streamed: true, parts: 2001},
		{name: "profile used in the big file",
			old: "partition \"persist:p1500\" {\n", new: "partition \"persist:p1500\" {\n  profiles = [profile.sp]\n",
			second:   "profile \"sp\" {\n  accept_languages = [\"de\"]\n}\n",
			streamed: true, parts: 2000},
		{name: "for_each among literals",
			old: "partition \"persist:p1000\" {", new: "partition \"persist:fe-${each.key}\" {\n  for_each = { a = 1, b = 2 }\n  cache = true\n}\n\npartition \"persist:p1000\" {",
			streamed: true, parts: 2002},
		{name: "semantic error", old: "partition \"persist:p1234\" {\n  cache            = true",
			new: "partition \"persist:p1234\" {\n  cache            = \"sometimes\"", wantText: `in partition "persist:p1234":`},
		{name: "duplicate name", old: "partition \"persist:p1999\" {", new: "partition \"persist:p0\" {",
			wantText: "persist:p0"},
		{name: "syntax error late", old: "partition \"persist:p1900\" {\n  cache            = true",
			new: "partition \"persist:p1900\" {\n  cache            = = true", wantText: "Invalid expression"},
		{name: "template label without for_each", old: "partition \"persist:p1500\" {",
			new: "partition \"persist:${p}\" {", wantText: `in partition "persist:${p}":`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			withStreamSpans(t, 16<<10, 2)
			mod := bytes.Replace(src, []byte(c.old), []byte(c.new), 1)
			if c.old != "" && bytes.Equal(mod, src) {
				t.Fatalf("%q not found in the generated file", c.old)
			}
			if err := os.WriteFile(main, mod, 0o644); err != nil {
				t.Fatal(err)
			}
			second := filepath.Join(dir, "second.hcl")
			os.Remove(second)
			if c.second != "" {
				if err := os.WriteFile(second, []byte(c.second), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantCfg, wantDiags, wantText := load(false)
			gotCfg, gotDiags, gotText := load(true)
			if !reflect.DeepEqual(gotCfg.Partitions, wantCfg.Partitions) {
				t.Errorf("partitions differ")
				diffLines(t, flatten(gotCfg.Partitions), flatten(wantCfg.Partitions))
			}
			if !reflect.DeepEqual(gotCfg.Settings, wantCfg.Settings) || !reflect.DeepEqual(gotCfg.Inputs, wantCfg.Inputs) || !reflect.DeepEqual(gotCfg.Files, wantCfg.Files) {
				t.Errorf("settings, inputs or files differ")
			}
			if !reflect.DeepEqual(gotDiags, wantDiags) {
				t.Errorf("diagnostics %v, want %v", diagLines(gotDiags), diagLines(wantDiags))
			}
			if gotText != wantText {
				t.Errorf("rendered diagnostics:\n%s\nwant:\n%s", gotText, wantText)
			}
			body := gotCfg.Sources[main].Body.(*hclsyntax.Body)
			kept := 0
			for _, b := range body.Blocks {
				if b.Type == "partition" && len(b.Body.Attributes)+len(b.Body.Blocks) > 0 {
					kept++
				}
			}
			streamStats.Lock()
			parsed, maxOpen := streamStats.parsed, streamStats.maxOpen
			streamStats.Unlock()
			if c.streamed {
				if len(wantDiags) != 0 || len(wantCfg.Partitions) != c.parts {
					t.Fatalf("clean load: %d partitions, want %d; %v", len(wantCfg.Partitions), c.parts, diagLines(wantDiags))
				}
				if kept != 0 {
					t.Errorf("%d partition bodies kept in Sources; a streamed load keeps headers only", kept)
				}
				if parsed < 100 {
					t.Errorf("%d spans parsed, want the file cut in >= 100 spans of 16 KiB", parsed)
				}
				// The blocks' headers and ranges are the whole parse's.
				whole := wantCfg.Sources[main].Body.(*hclsyntax.Body)
				if len(whole.Blocks) != len(body.Blocks) || whole.SrcRange != body.SrcRange || whole.EndRange != body.EndRange {
					t.Fatalf("body: %d blocks %v %v, want %d %v %v", len(body.Blocks), body.SrcRange, body.EndRange, len(whole.Blocks), whole.SrcRange, whole.EndRange)
				}
				for i, b := range whole.Blocks {
					g := body.Blocks[i]
					if g.Type != b.Type || !reflect.DeepEqual(g.Labels, b.Labels) || g.Range() != b.Range() || g.DefRange() != b.DefRange() {
						t.Fatalf("block %d: %s %v %v, want %s %v %v", i, g.Type, g.Labels, g.Range(), b.Type, b.Labels, b.Range())
					}
				}
				// hcl's navigation over the kept headers answers as over the
				// whole tree.
				for o := 0; o < len(mod); o += 997 {
					w := wantCfg.Sources[main].Nav.(interface{ ContextString(int) string }).ContextString(o)
					g := gotCfg.Sources[main].Nav.(interface{ ContextString(int) string }).ContextString(o)
					if w != g {
						t.Fatalf("ContextString(%d) = %q, want %q", o, g, w)
					}
				}
			} else if c.wantText != "" && (!wantDiags.HasErrors() || !strings.Contains(gotText, c.wantText)) {
				t.Errorf("expected an error rendered with %q, got:\n%s", c.wantText, gotText)
			}
			if maxOpen > 2 {
				t.Errorf("%d spans parsed ahead at once, want at most 2", maxOpen)
			}
		})
	}
}

// TestSettingsOnlyParsesNoPartition: a settings-only streamed load (how
// apply finds the state to lock before planning) decodes the settings the
// full load decodes, from variables and locals, without parsing a single
// span of partitions.
func TestSettingsOnlyParsesNoPartition(t *testing.T) {
	dir, src := generatedMain(t, 600, false)
	settings := "variable \"where\" {\n  default = \"st\"\n}\n\nlocals {\n  state = \"${var.where}/state.db\"\n}\n\nsessctl {\n  name  = \"bench\"\n  state = local.state\n"
	mod := bytes.Replace(src, []byte("sessctl {\n"), []byte(settings), 1)
	if bytes.Equal(mod, src) {
		t.Fatal("no settings block in the generated file")
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), mod, 0o644); err != nil {
		t.Fatal(err)
	}
	withStreamSpans(t, 16<<10, 2)
	full, diags := Load(LoadOptions{Path: dir})
	if diags.HasErrors() || len(full.Partitions) != 600 {
		t.Fatalf("full load: %d partitions, %v", len(full.Partitions), diagLines(diags))
	}
	got, diags := Load(LoadOptions{Path: dir, Stream: true, SettingsOnly: true})
	if diags.HasErrors() {
		t.Fatal(diagLines(diags))
	}
	if !reflect.DeepEqual(got.Settings, full.Settings) || got.Settings.State.V != "st/state.db" || got.Settings.Name.V != "bench" {
		t.Errorf("settings %+v, want %+v", got.Settings, full.Settings)
	}
	if len(got.Partitions) != 0 {
		t.Errorf("%d partitions decoded", len(got.Partitions))
	}
	streamStats.Lock()
	parsed := streamStats.parsed
	streamStats.Unlock()
	if parsed != 0 {
		t.Errorf("%d partition spans parsed for the settings alone", parsed)
	}
}
