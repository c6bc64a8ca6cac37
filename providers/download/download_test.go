package download

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

func val(v string) schema.Value[string] {
	return schema.Value[string]{V: v, Set: true, Exact: true,
		Range: hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: 4, Column: 19, Byte: 60}, End: hcl.Pos{Line: 4, Column: 21 + len(v), Byte: 62 + len(v)}}}
}

func buildPart(v string) (*providers.Result, hcl.Diagnostics) {
	p := &schema.Partition{Name: "persist:w"}
	Key.Set(p, &Spec{Path: val(v)})
	return Provider{}.Build(providers.NewContext(&schema.Config{}), p)
}

func TestBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Downloads", "work")
	res, diags := buildPart(dir + "/")
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	if res.Fields[Field] != dir+"/" {
		t.Errorf("field = %v (the path goes to Electron as written)", res.Fields[Field])
	}
	want := providers.Effect{Kind: providers.EffectMkdir, Path: dir, Mode: 0o755, Family: Family, Reason: `download directory of partition "persist:w"`}
	if len(res.Effects) != 1 || res.Effects[0].Kind != want.Kind || res.Effects[0].Path != want.Path || res.Effects[0].Mode != want.Mode || res.Effects[0].Reason != want.Reason {
		t.Errorf("effects = %+v, want %+v", res.Effects, want)
	}
	empty, _ := Provider{}.Build(nil, &schema.Partition{})
	if len(empty.Fields) != 0 || len(empty.Effects) != 0 {
		t.Errorf("unset download_path rendered %+v", empty)
	}
}

func TestErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		in, summary, detail string
		col                 int
	}{
		{"Downloads", `download_path must be absolute: "Downloads"`, `Write an absolute path, e.g. "${path.config}/Downloads".`, 19},
		{"/srv/dl\t/x", `download_path contains control character '\t'`, "refuses control characters", 27},
		{file, "download_path " + file + " is not a directory", "a file stands at that path", 19},
	} {
		res, diags := buildPart(tc.in)
		if len(diags) != 1 {
			t.Fatalf("%q: %v", tc.in, diags)
		}
		d := diags[0]
		if d.Severity != hcl.DiagError || d.Summary != tc.summary || !strings.Contains(d.Detail, tc.detail) || d.Subject.Start.Column != tc.col {
			t.Errorf("%q: got %q %q col %d", tc.in, d.Summary, d.Detail, d.Subject.Start.Column)
		}
		if len(res.Fields) != 0 || len(res.Effects) != 0 {
			t.Errorf("%q: rendered despite error: %+v", tc.in, res)
		}
	}
}

// download_path is declared to the language by the family: an attribute,
// with functions, from a profile, in both syntaxes.
func TestDeclaredLanguage(t *testing.T) {
	for name, src := range map[string]string{
		"main.hcl":      "profile \"p\" {\n  download_path = upper(\"/dl\")\n}\npartition \"a\" {\n  profiles = [profile.p]\n}\npartition \"b\" {}\n",
		"main.hcl.json": `{"profile": {"p": {"download_path": "${upper(\"/dl\")}"}}, "partition": {"a": {"profiles": ["profile.p"]}, "b": {}}}`,
	} {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		if s := Key.Of(cfg.Partitions[0]); s == nil || s.Path.V != "/DL" || Key.Of(cfg.Partitions[1]) != nil {
			t.Errorf("%s: %+v %+v", name, s, Key.Of(cfg.Partitions[1]))
		}
	}
}
