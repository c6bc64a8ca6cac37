package schema

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func pos(r hcl.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Column, r.End.Line, r.End.Column)
}

// TestSubRangeBothSyntaxes: a provider pointing at "proxy" inside the rules
// string lands on the same characters in both syntaxes. Positions counted
// by hand in testdata/decode/full.hcl(.json), line 14.
func TestSubRangeBothSyntaxes(t *testing.T) {
	for _, tc := range []struct{ ext, whole, sub string }{
		{".hcl", "14:20-14:51", "14:26-14:31"},
		{".hcl.json", "14:18-14:49", "14:24-14:29"},
	} {
		cfg, diags := Load(LoadOptions{Path: filepath.Join("testdata", "decode", "full"+tc.ext)})
		if len(diags) > 0 {
			t.Fatal(diagLines(diags))
		}
		rules := proxyOf(cfg.Partitions[0]).Rules
		if !rules.Exact {
			t.Errorf("%s: rules not Exact", tc.ext)
		}
		if got := pos(rules.Range); got != tc.whole {
			t.Errorf("%s: range %s, want %s", tc.ext, got, tc.whole)
		}
		if got := pos(SubRange(rules, 5, 10)); got != tc.sub {
			t.Errorf("%s: sub-range %s, want %s", tc.ext, got, tc.sub)
		}
	}
}

// TestExact: only plain literals whose source equals the value are exact.
func TestExact(t *testing.T) {
	cases := []struct {
		native, json string
		want         bool
	}{
		{`"plain"`, `"plain"`, true},
		{`"with space, ünïcode"`, `"with space, ünïcode"`, true},
		{`"esc\"aped"`, `"esc\"aped"`, false},
		{`"tab\t"`, `"tab\t"`, false},
		{`"${"interp"}"`, `"${\"interp\"}"`, false},
		{`"a${"b"}"`, `"a${\"b\"}"`, false},
		{`"$${x}"`, `"$${x}"`, false},
		{`"%%{x}"`, `"%%{x}"`, false},
		{"<<EOT\nheredoc\nEOT\n", `"\u0068eredoc"`, false},
		{`upper("x")`, `"${upper(\"x\")}"`, false},
		{`""`, `""`, true},
	}
	for _, tc := range cases {
		dir := writeFiles(t, map[string]string{
			"a.hcl":      "partition \"a\" {\n  user_agent = " + tc.native + "\n}\n",
			"b.hcl.json": `{"partition": {"b": {"user_agent": ` + tc.json + `}}}`,
		})
		cfg, diags := Load(LoadOptions{Path: dir})
		if len(diags) > 0 {
			t.Fatalf("%s: %v", tc.native, diagLines(diags))
		}
		for _, p := range cfg.Partitions {
			if ua(p).Exact != tc.want {
				t.Errorf("%s (%s syntax): Exact = %v, want %v (value %q)", tc.native, map[string]string{"a": "native", "b": "json"}[p.Name], ua(p).Exact, tc.want, ua(p).V)
			}
		}
	}
}

// TestProfileRanges: a merged value keeps the range of the source that won,
// so a provider's diagnostic points into the profile.
func TestProfileRanges(t *testing.T) {
	cfg, diags := Load(LoadOptions{Path: filepath.Join("testdata", "decode", "profiles.hcl")})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	p := find(cfg.Partitions, "persist:p")
	// user_agent = "Extra" is on line 36 (profile "extra"); cache = true on
	// line 63 (the partition); preload "b" type on line 41, path on line 13;
	// the serial select that replaced the list on line 56.
	checks := []struct {
		what string
		r    hcl.Range
		line int
	}{
		{"user_agent", ua(p).Range, 36},
		{"cache", p.Cache.Range, 63},
		{"preload b type", preloads(p)[1].Type.Range, 41},
		{"preload b path", preloads(p)[1].Path.Range, 13},
		{"serial select", serialOf(p).Selects[0].VendorID.Range, 56},
	}
	for _, c := range checks {
		if c.r.Start.Line != c.line || filepath.Base(c.r.Filename) != "profiles.hcl" {
			t.Errorf("%s: range %s, want line %d", c.what, c.r, c.line)
		}
	}
}

// TestPartitionNames covers names Electron accepts as they are.
func TestPartitionNames(t *testing.T) {
	cases := []struct {
		name       string
		persistent bool
		dfault     bool
		dir        string
	}{
		// docs/electron-facts.md §1, examples computed with kPathCharmap.
		{"", true, true, ""},
		{"persist:", true, true, ""},
		{"persist:MyApp", true, false, "myapp"},
		{"persist:foo bar", true, false, "foo%20bar"},
		{"persist:a:b", true, false, "a%3Ab"},
		{"persist:über", true, false, "%C3%BCber"},
		{"persist:50%", true, false, "50%25"},
		{"persist:...", true, false, "..."},
		{"Persist:x", false, false, ""},
		{"memory", false, false, ""},
		{"..", false, false, ""},
	}
	for _, tc := range cases {
		p := &Partition{Name: tc.name}
		if p.Persistent() != tc.persistent || p.IsDefault() != tc.dfault {
			t.Errorf("%q: persistent %v default %v", tc.name, p.Persistent(), p.IsDefault())
		}
		if got := PartitionDirName(tc.name); got != tc.dir {
			t.Errorf("%q: dir %q, want %q", tc.name, got, tc.dir)
		}
		if d := checkPartitionName(tc.name, hcl.Range{}); d.HasErrors() {
			t.Errorf("%q refused: %v", tc.name, diagLines(d))
		}
	}
}
