package downloads

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

// compile loads one partition "a" with body and compiles its downloads block.
func compile(t *testing.T, body string) (*Table, *providers.Result, hcl.Diagnostics) {
	t.Helper()
	cfg, diags := familytest.Load(t, map[string]string{"main.hcl": "partition \"a\" {\n" + body + "\n}\n"})
	if diags.HasErrors() {
		return nil, nil, diags
	}
	ctx := providers.NewContext(cfg)
	tab, d := Compile(ctx, cfg.Partitions[0])
	res, _ := Provider{}.Build(ctx, cfg.Partitions[0])
	return tab, res, d
}

func TestCompile(t *testing.T) {
	dir := t.TempDir()
	tab, res, diags := compile(t, `
  download_path = "`+dir+`"
  downloads {
    directory          = "`+dir+`/reports"
    max_size           = 1048576
    allowed_extensions = [".PDF", "tar.gz", "pdf"]
    blocked_mime_types = ["Application/x-msdownload", "image/*"]
    allowed_origins    = ["https://[*.]corp.example"]
  }`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got, _ := json.Marshal(tab)
	want := `{"formatVersion":1,"directory":"` + dir + `/reports","ask":false,"maxSize":1048576,` +
		`"allowedExtensions":["pdf","tar.gz"],"blockedExtensions":null,"allowedMimeTypes":null,` +
		`"blockedMimeTypes":["application/x-msdownload","image/*"],` +
		`"allowedOrigins":[{"source":"https://[*.]corp.example","scheme":"https","host":"corp.example","subdomains":true,"port":"*"}],"blockedOrigins":null}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(res.Effects) != 1 || res.Effects[0].Kind != providers.EffectMkdir || res.Effects[0].Path != dir+"/reports" {
		t.Errorf("effects %+v, want one mkdir of %s/reports", res.Effects, dir)
	}
	if res.Fields[Field] == nil {
		t.Error("no downloads field")
	}
}

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	tab, _, diags := compile(t, `  download_path = "`+dir+`"
  downloads {}`)
	if diags.HasErrors() || tab.Directory != dir || tab.Ask {
		t.Fatalf("%+v %v: want directory = download_path, ask false", tab, diags)
	}
	tab, res, diags := compile(t, "  downloads { ask = true }")
	if diags.HasErrors() || tab.Directory != "" || !tab.Ask || len(res.Effects) != 0 {
		t.Fatalf("%+v %v: ask without directory needs none and creates none", tab, diags)
	}
	tab, _, _ = compile(t, "  preconnect { url = \"https://a.example\" }")
	if tab != nil {
		t.Fatal("no block must compile to nil")
	}
}

func TestErrors(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "inner"), filepath.Join(root, "ok")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dp := "  download_path = \"" + root + "\"\n"
	for _, tc := range []struct{ body, summary, pos string }{
		{"  downloads {}", "downloads block has no directory", "main.hcl:2:3"},
		{"  downloads {\n    directory = \"rel/dir\"\n  }", "must be absolute", "main.hcl:3:17"},
		{"  downloads {\n    directory = \"/a/../b\"\n  }", `must not contain ".."`, "main.hcl:3:17"},
		{"  downloads {\n    directory = \"/a//b/\"\n  }", "is not clean", "main.hcl:3:17"},
		{"  downloads {\n    directory = \"/a/\\tb\"\n  }", "control character", "main.hcl:3:17"},
		{dp + "  downloads {\n    directory = \"" + outside + "\"\n  }", "outside the partition's download_path", "main.hcl:4:17"},
		{dp + "  downloads {\n    directory = \"" + root + "x\"\n  }", "outside the partition's download_path", "main.hcl:4:17"},
		{dp + "  downloads {\n    directory = \"" + root + "/link/sub\"\n  }", "through the symbolic link", "main.hcl:4:17"},
		{dp + "  downloads {\n    directory = \"" + root + "/file\"\n  }", "is not a directory", "main.hcl:4:17"},
		{"  downloads {\n    ask = true\n    max_size = 0\n  }", "max_size must be at least 1", "main.hcl:4:16"},
		{"  downloads {\n    ask = true\n    allowed_extensions = [\"p/df\"]\n  }", `invalid extension "p/df"`, "main.hcl:4:27"},
		{"  downloads {\n    ask = true\n    blocked_extensions = [\"\"]\n  }", `invalid extension ""`, "main.hcl:4:27"},
		{"  downloads {\n    ask = true\n    allowed_extensions = []\n  }", "allowed_extensions is empty", "main.hcl:4:26"},
		{"  downloads {\n    ask = true\n    allowed_mime_types = [\"pdf\"]\n  }", `invalid MIME type "pdf"`, "main.hcl:4:27"},
		{"  downloads {\n    ask = true\n    blocked_mime_types = [\"*/*\"]\n  }", `invalid MIME type "*/*"`, "main.hcl:4:27"},
		{"  downloads {\n    ask = true\n    blocked_origins = [\"ftp://x.example\"]\n  }", `invalid origin pattern "ftp://x.example"`, "main.hcl:4:"},
	} {
		_, _, diags := compile(t, tc.body)
		if !diags.HasErrors() {
			t.Errorf("%q: no error, want %q", tc.body, tc.summary)
			continue
		}
		d := diags[0]
		if !strings.Contains(d.Summary, tc.summary) || !strings.HasPrefix(fmt.Sprintf("%s:%d:%d", filepath.Base(d.Subject.Filename), d.Subject.Start.Line, d.Subject.Start.Column), tc.pos) || d.Detail == "" {
			t.Errorf("%q: %s: %s (%s), want %q at %s", tc.body, d.Subject, d.Summary, d.Detail, tc.summary, tc.pos)
		}
	}
	// A link that stays inside the root is fine.
	if _, _, diags := compile(t, dp+"  downloads {\n    directory = \""+root+"/ok/sub\"\n  }"); diags.HasErrors() {
		t.Errorf("link inside the root: %v", diags)
	}
}

func TestOriginWarning(t *testing.T) {
	_, _, diags := compile(t, "  downloads {\n    ask = true\n    allowed_origins = [\"https://x.example/path\"]\n  }")
	if len(diags) == 0 || diags.HasErrors() || !strings.Contains(diags[0].Summary, "W901") && !strings.Contains(diags[0].Summary, "origin") {
		t.Errorf("want a W901 warning, got %v", diags)
	}
}

func TestDeclaredLanguageErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"partition \"a\" {\n  downloads {\n    directoy = \"/x\"\n  }\n}\n", `Did you mean "directory"?`},
		{"partition \"a\" {\n  downloads { ask = true }\n  downloads { ask = true }\n}\n", "Only one downloads block is allowed here"},
		{"partition \"a\" {\n  downloads { max_size = 1.5 }\n}\n", "whole number"},
	} {
		_, diags := familytest.Load(t, map[string]string{"main.hcl": tc.src})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.want) && !strings.Contains(diags[0].Detail, tc.want) {
			t.Errorf("%q: %v, want %q", tc.src, diags, tc.want)
		}
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf": "report.pdf", "../../etc/passwd": "passwd", `..\..\x.exe`: "x.exe",
		"..": "", ".": "", "": "", "dir/": "", "a\x00b": "", "a\nb.pdf": "", "a\x7f": "",
	} {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

var _ = schema.Value[string]{}
