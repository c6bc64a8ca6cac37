package schema

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// badCases are configurations that must be refused (or warned about) with
// a diagnostic at a precise place. want lists "severity: summary @line:col"
// for every diagnostic, in order; detail, when set, must appear in the
// detail of the first diagnostic. The lead wires some of these into CLI
// scripts, so keep the names stable.
var badCases = []struct {
	name   string
	files  map[string]string
	opts   LoadOptions
	want   []string
	detail string
}{
	{name: "unknown-attribute-suggests",
		files:  map[string]string{"main.hcl": `partition "a" { cahce = true }`},
		want:   []string{"error: Unsupported argument @1:17"},
		detail: `Did you mean "cache"?`},
	{name: "unknown-block-suggests",
		files:  map[string]string{"main.hcl": "partition \"a\" {\n  proxxy {}\n}"},
		want:   []string{"error: Unsupported block type @2:3"},
		detail: `Did you mean "proxy"?`},
	{name: "unknown-nested-attribute-suggests",
		files:  map[string]string{"main.hcl": "variable \"x\" {\n  validation { conditoin = true }\n  default = 1\n}"},
		want:   []string{"error: Unsupported argument @2:16", "error: Incomplete validation block @2:3"},
		detail: `Did you mean "condition"?`},
	{name: "json-unknown-property-suggests",
		files:  map[string]string{"main.hcl.json": `{"partition": {"a": {"user_agnet": "x"}}}`},
		want:   []string{"error: Extraneous JSON object property @1:22"},
		detail: `Did you mean "user_agent"?`},
	{name: "bool-wrong-type",
		files:  map[string]string{"main.hcl": `partition "a" { cache = "yes" }`},
		want:   []string{"error: Incorrect attribute value type @1:25"},
		detail: "bool required"},
	{name: "list-wrong-type",
		files:  map[string]string{"main.hcl": "partition \"a\" {\n  spellcheck { languages = \"en-US\" }\n}"},
		want:   []string{"error: Incorrect attribute value type @2:28"},
		detail: "list of strings required"},
	{name: "list-item-wrong-type",
		files:  map[string]string{"main.hcl": "partition \"a\" {\n  spellcheck { words = [\"a\", [\"b\"]] }\n}"},
		want:   []string{"error: Incorrect attribute value type @2:30"},
		detail: "string for each item"},
	{name: "serial-id-wrong-type",
		files:  map[string]string{"main.hcl": "partition \"a\" {\n  serial {\n    select { vendor_id = true }\n  }\n}"},
		want:   []string{"error: Incorrect attribute value type @3:26"},
		detail: "number or string required"},
	{name: "integer-not-whole",
		files:  map[string]string{"main.hcl": "sessctl { electron_version = 1.5 }"},
		want:   []string{"error: Incorrect attribute value type @1:30"},
		detail: "whole number"},
	{name: "electron-version-wrong-type",
		files:  map[string]string{"main.hcl": `sessctl { electron_version = "new" }`},
		want:   []string{"error: Incorrect attribute value type @1:30"},
		detail: "number required"},
	{name: "duplicate-partition",
		files:  map[string]string{"main.hcl": "partition \"persist:a\" {}\npartition \"persist:a\" {}"},
		want:   []string{"error: Duplicate partition @2:11"},
		detail: "main.hcl:1,11-22"},
	{name: "default-session-twice",
		files:  map[string]string{"a.hcl": `partition "" {}`, "b.hcl": `partition "persist:" {}`},
		want:   []string{"error: Duplicate partition @1:11"},
		detail: `"" and "persist:" both name Electron's default session`},
	{name: "persist-dotdot",
		files:  map[string]string{"main.hcl": `partition "persist:.." {}`},
		want:   []string{"error: Invalid partition name @1:11"},
		detail: "sessionData root"},
	{name: "persist-dot",
		files:  map[string]string{"main.hcl": `partition "persist:." {}`},
		want:   []string{"error: Invalid partition name @1:11"},
		detail: "the Partitions directory itself"},
	{name: "slash-nested-dir",
		files:  map[string]string{"main.hcl": `partition "persist:a/b" {}`},
		want:   []string{"error: Invalid partition name @1:11"},
		detail: "Partitions/a/b"},
	{name: "backslash",
		files: map[string]string{"main.hcl": `partition "persist:a\\b" {}`},
		want:  []string{"error: Invalid partition name @1:11"}},
	{name: "case-alias-directory",
		files:  map[string]string{"main.hcl": "partition \"persist:Foo\" {}\npartition \"persist:foo\" {}"},
		want:   []string{"error: Partitions share a directory @2:11"},
		detail: "Partitions/foo"},
	{name: "control-character",
		files:  map[string]string{"main.hcl": `partition "a\tb" {}`},
		want:   []string{"error: Invalid partition name @1:11"},
		detail: "U+0009"},
	{name: "nul-character",
		files:  map[string]string{"main.hcl.json": `{"partition": {"a\u0000b": {}}}`},
		want:   []string{"error: Invalid partition name @1:16"},
		detail: "U+0000"},
	{name: "name-too-long",
		files:  map[string]string{"main.hcl": `partition "` + strings.Repeat("x", 256) + `" {}`},
		want:   []string{"error: Partition name too long @1:11"},
		detail: "256 bytes"},
	{name: "escaped-directory-too-long",
		files:  map[string]string{"main.hcl": `partition "persist:` + strings.Repeat(" ", 90) + `" {}`},
		want:   []string{"error: Partition name too long @1:11"},
		detail: "270-byte directory name"},
	{name: "persist-prefix-case-warning",
		files:  map[string]string{"main.hcl": `partition "Persist:x" {}`},
		want:   []string{"warning: Partition is in-memory @1:11"},
		detail: `Write "persist:x"`},
	{name: "windows-reserved-name-warning",
		files:  map[string]string{"main.hcl": `partition "persist:Con.txt" {}`},
		want:   []string{"warning: Partition directory is not portable to Windows @1:11"},
		detail: `"con" is a reserved device name`},
	{name: "windows-star-warning",
		files:  map[string]string{"main.hcl": `partition "persist:a*" {}`},
		want:   []string{"warning: Partition directory is not portable to Windows @1:11"},
		detail: `"*"`},
	{name: "windows-trailing-dot-warning",
		files:  map[string]string{"main.hcl": `partition "persist:a." {}`},
		want:   []string{"warning: Partition directory is not portable to Windows @1:11"},
		detail: "trailing dots"},
	{name: "duplicate-settings-block",
		files:  map[string]string{"a.hcl": `sessctl {}`, "b.hcl": "\nsessctl {}"},
		want:   []string{"error: Duplicate sessctl block @2:1"},
		detail: "a.hcl:1,1-8"},
	{name: "duplicate-single-block",
		files: map[string]string{"main.hcl": "partition \"a\" {\n  proxy {}\n  proxy {}\n}"},
		want:  []string{"error: Duplicate proxy block @3:3"}},
	{name: "duplicate-labelled-block",
		files: map[string]string{"main.hcl": "partition \"a\" {\n  preload \"x\" {}\n  preload \"x\" {}\n}"},
		want:  []string{`error: Duplicate preload block "x" @3:11`}},
	{name: "var-undeclared-cli",
		files:  map[string]string{"main.hcl": `variable "port" { default = 1 }`},
		opts:   LoadOptions{Vars: []string{"prot=2"}},
		want:   []string{"error: Value for undeclared variable"},
		detail: "Declared variables: port."},
	{name: "var-undeclared-file",
		files:  map[string]string{"main.hcl": `variable "port" { default = 1 }`, "vars/v.hcl": "\n  prot = 2"},
		opts:   LoadOptions{VarFiles: []string{"vars/v.hcl"}},
		want:   []string{"error: Value for undeclared variable @2:3"},
		detail: "Declared variables: port."},
	{name: "var-file-syntax-error",
		files: map[string]string{"main.hcl": `variable "port" { default = 1 }`, "vars/v.hcl": "port = = 2"},
		opts:  LoadOptions{VarFiles: []string{"vars/v.hcl"}},
		want:  []string{"error: Invalid expression @1:8"}},
	{name: "var-file-json-syntax-error",
		files: map[string]string{"main.hcl": `variable "port" { default = 1 }`, "vars/v.json": `{"port": }`},
		opts:  LoadOptions{VarFiles: []string{"vars/v.json"}},
		want:  []string{"error: Missing JSON value @1:10"}},
	{name: "var-required",
		files:  map[string]string{"main.hcl": "\nvariable \"proxy\" { type = string }"},
		want:   []string{"error: No value for required variable @2:1"},
		detail: "SESSCTL_VAR_proxy",
	},
	{name: "var-wrong-type-cli",
		files:  map[string]string{"main.hcl": `variable "port" { type = number }`},
		opts:   LoadOptions{Vars: []string{"port=abc"}},
		want:   []string{"error: Invalid value for variable @1:1"},
		detail: "--var port=",
	},
	{name: "var-validation",
		files: map[string]string{"main.hcl": `variable "port" {
  type    = number
  default = 99999
  validation {
    condition     = var.port < 65536
    error_message = "port must fit in 16 bits"
  }
}`},
		want:   []string{"error: Invalid value for variable @5:21"},
		detail: "port must fit in 16 bits",
	},
	{name: "locals-cycle",
		files:  map[string]string{"main.hcl": "locals {\n  a = local.b\n  b = local.a\n}"},
		want:   []string{"error: Cycle in local values @2:3"},
		detail: "local.a → local.b → local.a",
	},
	{name: "local-undeclared-suggests",
		files:  map[string]string{"main.hcl": "locals {\n  host = \"x\"\n  url = local.hots\n}"},
		want:   []string{"error: Reference to undeclared local value @3:9"},
		detail: `Did you mean "host"?`,
	},
	{name: "profile-undeclared-suggests",
		files:  map[string]string{"main.hcl": "profile \"corporate\" {}\npartition \"a\" { profiles = [profile.corprate] }"},
		want:   []string{"error: Reference to undeclared profile @2:29"},
		detail: `Did you mean "corporate"?`,
	},
	{name: "profile-not-static-list",
		files: map[string]string{"main.hcl": "profile \"c\" {}\npartition \"a\" { profiles = concat([profile.c]) }"},
		want:  []string{"error: Invalid profiles list @2:28"},
	},
	{name: "for-each-in-profile",
		files: map[string]string{"main.hcl": "profile \"c\" {\n  for_each = {}\n}"},
		want:  []string{"error: for_each is not allowed in a profile @2:3"},
	},
	{name: "for-each-list",
		files:  map[string]string{"main.hcl": `partition "${each.key}" { for_each = ["a"] }`},
		want:   []string{"error: Invalid for_each argument @1:38"},
		detail: "toset",
	},
	{name: "for-each-duplicate-names",
		files: map[string]string{"main.hcl": `partition "x" { for_each = { a = 1, b = 2 } }`},
		want:  []string{"error: Duplicate partition @1:11"},
	},
	{name: "template-label-without-for-each",
		files: map[string]string{"main.hcl": `partition "persist:${var.x}" {}`},
		want:  []string{"error: Invalid string literal @1:20"},
	},
	{name: "json-template-label-without-for-each",
		files: map[string]string{"main.hcl.json": `{"partition": {"persist:${var.x}": {}}}`},
		want:  []string{"error: Invalid string literal @1:16"},
	},
	{name: "each-without-for-each",
		files:  map[string]string{"main.hcl": `partition "a" { user_agent = each.key }`},
		want:   []string{"error: Reference to each outside for_each @1:30"},
		detail: "only in a partition block that has for_each",
	},
	{name: "var-undeclared-reference-suggests",
		files:  map[string]string{"main.hcl": "variable \"port\" { default = 1 }\npartition \"a\" { user_agent = var.prot }"},
		want:   []string{"error: Reference to undeclared input variable @2:30"},
		detail: `Did you mean "port"?`,
	},
	{name: "local-undeclared-in-partition",
		files:  map[string]string{"main.hcl": "locals { host = 1 }\npartition \"a\" { user_agent = local.hots }"},
		want:   []string{"error: Reference to undeclared local value @2:30"},
		detail: `Did you mean "host"?`,
	},
	{name: "profile-reference-outside-profiles",
		files:  map[string]string{"main.hcl": "profile \"p\" {}\npartition \"a\" { user_agent = profile.p }"},
		want:   []string{"error: Invalid reference to a profile @2:30"},
		detail: "profiles = [...]",
	},
	{name: "unknown-root-suggests",
		files:  map[string]string{"main.hcl": `partition "a" { user_agent = hots.name }`},
		want:   []string{"error: Unknown variable @1:30"},
		detail: `Did you mean "host"?`,
	},
	{name: "each-in-for-each-expression",
		files: map[string]string{"main.hcl": `partition "${each.key}" { for_each = each.value }`},
		want:  []string{"error: Reference to each outside for_each @1:38"},
	},
	{name: "profile-with-each-in-plain-partition",
		files:  map[string]string{"main.hcl": "profile \"p\" {\n  user_agent = each.key\n}\npartition \"a\" { profiles = [profile.p] }"},
		want:   []string{"error: Reference to each outside for_each @2:16"},
		detail: `partition "a"`,
	},
	{name: "undeclared-var-in-unused-profile",
		files: map[string]string{"main.hcl": "profile \"p\" {\n  user_agent = var.nope\n}"},
		want:  []string{"error: Reference to undeclared input variable @2:16"},
	},
	{name: "file-missing",
		files:  map[string]string{"main.hcl": `partition "a" { user_agent = file("nope.txt") }`},
		want:   []string{"error: Invalid function argument @1:36"},
		detail: "no file exists",
	},
	{name: "file-directory",
		files:  map[string]string{"main.hcl": `partition "a" { user_agent = file("sub") }`, "sub/x": ""},
		want:   []string{"error: Invalid function argument @1:36"},
		detail: "not a regular file",
	},
	{name: "file-too-large",
		files:  map[string]string{"main.hcl": `partition "a" { user_agent = filesha256("big") }`, "big": strings.Repeat("x", MaxFileBytes+1)},
		want:   []string{"error: Invalid function argument @1:42"},
		detail: "4 MiB",
	},
	{name: "duplicate-variable",
		files: map[string]string{"main.hcl": "variable \"a\" { default = 1 }\nvariable \"a\" { default = 2 }"},
		want:  []string{"error: Duplicate variable @2:10"},
	},
	{name: "duplicate-local",
		files: map[string]string{"main.hcl": "locals { a = 1 }\nlocals { a = 2 }"},
		want:  []string{"error: Duplicate local value @2:10"},
	},
	{name: "duplicate-profile",
		files: map[string]string{"main.hcl": "profile \"p\" {}\nprofile \"p\" {}"},
		want:  []string{"error: Duplicate profile @2:9"},
	},
	{name: "var-option-without-equals",
		files: map[string]string{"main.hcl": `variable "a" { default = 1 }`},
		opts:  LoadOptions{Vars: []string{"a"}},
		want:  []string{"error: Invalid --var option"},
	},
	{name: "native-syntax-error",
		files: map[string]string{"main.hcl": "partition \"a\" {\n  cache = \n}"},
		want:  []string{"error: Invalid expression @2:11"},
	},
	{name: "json-syntax-error",
		files: map[string]string{"main.hcl.json": `{"partition": }`},
		want:  []string{"error: Missing JSON value @1:15"},
	},
}

func TestBadInputs(t *testing.T) {
	if len(badCases) < 30 {
		t.Fatalf("only %d bad-input cases; keep at least 30", len(badCases))
	}
	for _, tc := range badCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			opts := tc.opts
			opts.Path = dir
			for i, f := range opts.VarFiles {
				opts.VarFiles = append([]string(nil), opts.VarFiles...)
				opts.VarFiles[i] = filepath.Join(dir, f)
			}
			_, diags := Load(opts)
			got := diagLines(diags)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("diagnostics:\n got: %q\nwant: %q", got, tc.want)
			}
			for _, d := range diags {
				if d.Detail == "" {
					t.Errorf("diagnostic %q has no detail", d.Summary)
				}
			}
			if tc.detail != "" && !strings.Contains(diags[0].Detail, tc.detail) {
				t.Errorf("detail %q does not contain %q", diags[0].Detail, tc.detail)
			}
		})
	}
}

// TestErrorsReportedOnce: an error in a profile used by many partitions, or
// in a for_each body, is one diagnostic.
func TestErrorsReportedOnce(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": `
profile "p" { cache = "maybe" }
partition "a" { profiles = [profile.p] }
partition "b" { profiles = [profile.p] }
partition "persist:${each.key}" {
  for_each = { x = 1, y = 2, z = 3 }
  cache = "many"
}
`})
	_, diags := Load(LoadOptions{Path: dir})
	got := diagLines(diags)
	want := []string{"error: Incorrect attribute value type @2:23", "error: Incorrect attribute value type @7:11"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestPartitionNameChecks: names refused before any partition is built.
func TestPartitionNameChecks(t *testing.T) {
	cases := []struct{ name, summary, detail string }{
		{"persist:\xff", "Invalid partition name", "not valid UTF-8"},
		{"\xc3", "Invalid partition name", "not valid UTF-8"},
		{"a\x00", "Invalid partition name", "U+0000"},
		{"a\x7f", "Invalid partition name", "U+007F"},
		{"a\u0085", "Invalid partition name", "U+0085"},
		{"persist:a\nb", "Invalid partition name", "U+000A"},
		{"mem/x", "Invalid partition name", `"/"`},
		{"persist:..", "Invalid partition name", "sessionData root"},
		{"persist:" + strings.Repeat("é", 43), "Partition name too long", "258-byte directory name"},
	}
	for _, tc := range cases {
		d := checkPartitionName(tc.name, hcl.Range{})
		if len(d) != 1 || d[0].Summary != tc.summary || !strings.Contains(d[0].Detail, tc.detail) {
			t.Errorf("%q: got %v", tc.name, d)
		}
	}
}

// TestDeepNestingRefused: inputs that would overflow the parser's stack
// (a fatal error, not a panic) are refused before parsing. 100,000 levels
// crash hcl v2.25; the limits are far below.
func TestDeepNestingRefused(t *testing.T) {
	cases := []struct {
		name, src string
		json      bool
		line, col int
	}{
		{"brackets", "locals {\n  a = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n}", false, 2, 7 + maxNesting - 1},
		{"templates", "locals {\n  a = \"" + strings.Repeat("${\"", 100000) + "\"\n}", false, 2, 0},
		{"json arrays", `{"locals": {"a": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "}}", true, 1, 0},
		{"unary", "locals {\n  a = " + strings.Repeat("!", 1000000) + "true\n}", false, 2, 7 + maxUnaryRun},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		_, diags := loadSources(dir, []srcFile{{name: "m.hcl", bytes: []byte(tc.src), json: tc.json}}, LoadOptions{Path: dir})
		if len(diags) != 1 || diags[0].Summary != "Configuration nested too deeply" {
			t.Errorf("%s: %v", tc.name, diagLines(diags))
			continue
		}
		if s := diags[0].Subject; s.Start.Line != tc.line || (tc.col != 0 && s.Start.Column != tc.col) {
			t.Errorf("%s: at %d:%d, want %d:%d", tc.name, s.Start.Line, s.Start.Column, tc.line, tc.col)
		}
	}
	if _, d := Format([]byte(strings.Repeat("(", 5000)), "x.hcl"); !d.HasErrors() {
		t.Error("Format accepted deep nesting")
	}
}
