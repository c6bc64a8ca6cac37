package extension

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3, Byte: line * 100}, End: hcl.Pos{Line: line, Column: 40, Byte: line*100 + 37}}
}

func ext(name, path string, line int) *Block {
	return &Block{Name: name, NameRange: rng(line), DeclRange: rng(line),
		Path: schema.Value[string]{V: path, Set: true, Range: rng(line + 1)}}
}

func writeExt(t *testing.T, dir, manifest string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if manifest != "" {
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(manifest), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func buildPart(t *testing.T, name string, exts ...*Block) (*providers.Context, *providers.Result, hcl.Diagnostics) {
	t.Helper()
	c := providers.NewContext(&schema.Config{Dir: "/cfg"})
	res, diags := Provider{}.Build(c, partWith(name, exts...))
	return c, res, diags
}

func oneDiag(t *testing.T, diags hcl.Diagnostics, sev hcl.DiagnosticSeverity, summary, detail string, line int) {
	t.Helper()
	if len(diags) != 1 {
		for _, d := range diags {
			t.Logf("got %v %q %q", d.Severity, d.Summary, d.Detail)
		}
		t.Fatalf("got %d diagnostics, want 1", len(diags))
	}
	d := diags[0]
	if d.Severity != sev || d.Summary != summary || !strings.Contains(d.Detail, detail) || d.Subject.Start.Line != line {
		t.Errorf("got %v %q\n  %q (line %d)\nwant %v %q\n  containing %q (line %d)", d.Severity, d.Summary, d.Detail, d.Subject.Start.Line, sev, summary, detail, line)
	}
}

const mv3 = `{"manifest_version":3,"name":"Dev Tools","version":"4.29.0"}`

func TestBuildValid(t *testing.T) {
	dir := writeExt(t, filepath.Join(t.TempDir(), "devtools"), mv3)
	e := ext("devtools", dir, 10)
	e.AllowFileAccess = schema.Value[bool]{V: true, Set: true}
	c, res, diags := buildPart(t, "persist:work", e)
	if len(diags) != 0 {
		t.Fatalf("diags: %v", diags)
	}
	got, _ := json.Marshal(res.Fields[Field])
	want := `[{"name":"devtools","path":"` + dir + `","id":"` + IDForPath(dir) + `","version":"4.29.0","allowFileAccess":true}]`
	if string(got) != want {
		t.Errorf("field = %s\nwant    %s", got, want)
	}
	in := c.Inputs()
	if len(in) != 1 || in[0].Path != filepath.Join(dir, ManifestFile) || in[0].SHA256 == "" {
		t.Errorf("inputs = %+v, want the manifest recorded", in)
	}
	// The default session is persistent too.
	if _, _, diags := buildPart(t, "", ext("devtools", dir, 10)); len(diags) != 0 {
		t.Errorf("default session: %v", diags)
	}
}

func TestBuildKeyID(t *testing.T) {
	dir := writeExt(t, filepath.Join(t.TempDir(), "k"), `{"key":"`+unittestKey+`","manifest_version":3,"name":"k","version":"1"}`)
	_, res, diags := buildPart(t, "persist:w", ext("k", dir, 10))
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	if id := res.Fields[Field].([]Entry)[0].ID; id != "melddjfinppjdikinhbgehiennejpfhp" {
		t.Errorf("id = %s, want the id_util_unittest key's ID", id)
	}
}

func TestBuildErrors(t *testing.T) {
	tmp := t.TempDir()
	good := writeExt(t, filepath.Join(tmp, "good"), mv3)
	noManifest := writeExt(t, filepath.Join(tmp, "empty"), "")
	badManifest := writeExt(t, filepath.Join(tmp, "bad"), `{"manifest_version":3,"name":"x","version":"v1"}`)
	crx := filepath.Join(tmp, "x.crx")
	os.WriteFile(crx, []byte("Cr24"), 0o644)

	_, _, diags := buildPart(t, "scratch", ext("e", good, 10))
	oneDiag(t, diags, hcl.DiagError, "Extensions cannot be loaded in a temporary session",
		`Electron's loadExtension rejects in-memory sessions, and partition "scratch" is in memory.`, 10)

	_, _, diags = buildPart(t, "persist:w", ext("e", "ext/devtools", 10))
	oneDiag(t, diags, hcl.DiagError, "The path to the extension in 'loadExtension' must be absolute",
		`"ext/devtools" is relative; Electron does not resolve it against the configuration. Write "${path.config}/ext/devtools" to keep the configuration portable.`, 11)

	_, _, diags = buildPart(t, "persist:w", ext("e", crx, 10))
	oneDiag(t, diags, hcl.DiagError, ".crx packages are not supported: "+crx, "Electron loads only unpacked extension directories", 11)

	_, _, diags = buildPart(t, "persist:w", ext("e", filepath.Join(tmp, "missing"), 10))
	oneDiag(t, diags, hcl.DiagError, "Extension directory not found: "+filepath.Join(tmp, "missing"), "existing directory", 11)

	_, _, diags = buildPart(t, "persist:w", ext("e", filepath.Join(good, ManifestFile), 10))
	oneDiag(t, diags, hcl.DiagError, "Extension directory not found: "+filepath.Join(good, ManifestFile), "existing directory", 11)

	c, _, diags := buildPart(t, "persist:w", ext("e", noManifest, 10))
	oneDiag(t, diags, hcl.DiagError, "Loading extension at "+noManifest+" failed with: Manifest file is missing or unreadable", "Fix "+filepath.Join(noManifest, ManifestFile), 11)
	if in := c.Inputs(); len(in) != 1 || in[0].SHA256 != "" {
		t.Errorf("a missing manifest must be recorded as an input: %+v", in)
	}

	_, _, diags = buildPart(t, "persist:w", ext("e", badManifest, 10))
	oneDiag(t, diags, hcl.DiagError, "Loading extension at "+badManifest+" failed with: Required value 'version' is missing or invalid. It must be between 1-4 dot-separated integers each between 0 and 65536.", "Chromium rejects this manifest", 11)

	_, _, diags = buildPart(t, "persist:w", ext("e", "/opt/ext\x01", 10))
	oneDiag(t, diags, hcl.DiagError, `extension path contains control character '\x01'`, "refuses control characters", 11)

	_, _, diags = buildPart(t, "persist:w", &Block{Name: "e", DeclRange: rng(10)})
	oneDiag(t, diags, hcl.DiagError, `extension "e" has no path`, "absolute path of the unpacked extension directory", 10)
}

func TestBuildWarnings(t *testing.T) {
	tmp := t.TempDir()
	mv2 := writeExt(t, filepath.Join(tmp, "old"), `{"manifest_version":2,"name":"x","version":"1"}`)
	_, res, diags := buildPart(t, "persist:w", ext("old", mv2, 10))
	oneDiag(t, diags, hcl.DiagWarning, `extension "old": Manifest version 2 is deprecated, and support will be removed in 2024. See https://developer.chrome.com/docs/extensions/develop/migrate/mv2-deprecation-timeline for details.`, "ExtensionLoadWarning", 11)
	if res.Fields[Field] == nil {
		t.Error("warnings must not drop the extension")
	}

	meta := writeExt(t, filepath.Join(tmp, "meta"), mv3)
	os.Mkdir(filepath.Join(meta, "_metadata"), 0o755)
	_, _, diags = buildPart(t, "persist:w", ext("meta", meta, 10))
	oneDiag(t, diags, hcl.DiagWarning, "Electron deletes "+filepath.Join(meta, "_metadata")+" when it loads this extension", "electron_extension_loader.cc 50-57", 11)

	good := writeExt(t, filepath.Join(tmp, "good"), mv3)

	_, res, diags = buildPart(t, "persist:w", ext("a", good, 10), ext("b", good, 20))
	oneDiag(t, diags, hcl.DiagWarning, `extension "b" has the same ID `+IDForPath(good)+` as extension "a"`, "Chromium keys loaded extensions by ID", 21)
	if n := len(res.Fields[Field].([]Entry)); n != 2 {
		t.Errorf("entries = %d, want 2 in source order", n)
	}
}

// A directory whose name ends in .crx is an unpacked extension like any other.
func TestCrxNamedDirectory(t *testing.T) {
	dir := writeExt(t, filepath.Join(t.TempDir(), "odd.crx"), mv3)
	if _, _, diags := buildPart(t, "persist:w", ext("e", dir, 10)); len(diags) != 0 {
		t.Errorf("diags = %v", diags)
	}
	_, _, diags := buildPart(t, "persist:w", ext("e", "./ext/../ext/dev", 10))
	oneDiag(t, diags, hcl.DiagError, "The path to the extension in 'loadExtension' must be absolute", `Write "${path.config}/ext/dev"`, 11)
}

func TestNilContext(t *testing.T) {
	dir := writeExt(t, filepath.Join(t.TempDir(), "e"), mv3)
	if _, diags := (Provider{}).Build(nil, partWith("persist:w", ext("e", dir, 1))); len(diags) != 0 {
		t.Error(diags)
	}
}

func TestDefaultLocaleWithoutLocales(t *testing.T) {
	dir := writeExt(t, filepath.Join(t.TempDir(), "l10n"), `{"manifest_version":3,"name":"x","version":"1","default_locale":"en"}`)
	_, _, diags := buildPart(t, "persist:w", ext("e", dir, 10))
	oneDiag(t, diags, hcl.DiagError, "Loading extension at "+dir+" failed with: Default locale was specified, but _locales subtree is missing.", "Chromium rejects this manifest", 11)
	os.MkdirAll(filepath.Join(dir, "_locales", "en"), 0o755)
	if _, _, diags := buildPart(t, "persist:w", ext("e", dir, 10)); len(diags) != 0 {
		t.Errorf("with _locales: %v", diags)
	}
}

func partWith(name string, blocks ...*Block) *schema.Partition {
	p := &schema.Partition{Name: name}
	Key.Set(p, &Spec{Blocks: blocks})
	return p
}

// The extension blocks are declared to the language by the family, in
// both syntaxes, merged from a profile by name.
func TestDeclaredLanguage(t *testing.T) {
	files := map[string]string{
		"main.hcl": "profile \"p\" {\n  extension \"devtools\" {\n    path = \"/opt/ext/devtools\"\n  }\n}\npartition \"persist:w\" {\n  profiles = [profile.p]\n  extension \"devtools\" {\n    allow_file_access = true\n  }\n}\n",
		"main.hcl.json": `{"profile": {"p": {"extension": {"devtools": {"path": "/opt/ext/devtools"}}}},
 "partition": {"persist:w": {"profiles": ["profile.p"], "extension": {"devtools": {"allow_file_access": true}}}}}`,
	}
	for name, src := range files {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		bs := Blocks(cfg.Partitions[0])
		if len(bs) != 1 || bs[0].Name != "devtools" || bs[0].Path.V != "/opt/ext/devtools" || !bs[0].AllowFileAccess.V {
			t.Errorf("%s: %+v", name, bs)
		}
	}
}

// TestRealPath: every spelling of one directory (trailing or repeated
// separators, "." and "..", a symlink) is written into the profile as the
// directory's real path, with the ID of that path: the one Chromium's
// loader computes after base::MakeAbsoluteFilePath, and the one Electron
// assigns to the path the profile hands it. A W703 warning says so.
func TestRealPath(t *testing.T) {
	tmp := t.TempDir()
	good := writeExt(t, filepath.Join(tmp, "good"), mv3)
	real, err := filepath.EvalSymlinks(good)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(tmp, "current")
	if err := os.Symlink(good, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	// The path as written is already real: no warning, the path unchanged.
	_, res, diags := buildPart(t, "persist:w", ext("e", real, 10))
	if len(diags) != 0 || res.Fields[Field].([]Entry)[0].Path != real {
		t.Fatalf("real path: %v %+v", diags, res.Fields[Field])
	}
	if err := os.Mkdir(filepath.Join(tmp, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	// "jump/.." is the parent of jump's target, not tmp: the kernel (and
	// Chromium's realpath) resolve the link before "..".
	if err := os.MkdirAll(filepath.Join(tmp, "other", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(tmp, "other", "sub"), filepath.Join(tmp, "jump")); err != nil {
		t.Fatal(err)
	}
	if got, err := RealPath(filepath.Join(tmp, "jump") + "/../sub"); err != nil || got != filepath.Join(filepath.Dir(real), "other", "sub") {
		t.Errorf("RealPath(jump/../sub) = %q, %v", got, err)
	}
	for _, spelling := range []string{good + "/", good + "//", filepath.Join(tmp, "x") + "/../good", tmp + "/./good", link, link + "/"} {
		_, res, diags := buildPart(t, "persist:w", ext("e", spelling, 10))
		if len(diags) != 1 || diags[0].Summary != `extension "e": the profile carries the real path `+real {
			t.Errorf("%s: diags %v", spelling, diags)
			continue
		}
		if !strings.Contains(diags[0].Detail, "Electron given "+strconv.Quote(spelling)+" would assign "+IDForPath(spelling)) {
			t.Errorf("%s: detail %q", spelling, diags[0].Detail)
		}
		symlinked := strings.HasPrefix(spelling, link) || real != good
		if strings.Contains(diags[0].Detail, "A symlink is on the way") != symlinked {
			t.Errorf("%s: symlink note %v, want %v: %q", spelling, !symlinked, symlinked, diags[0].Detail)
		}
		e := res.Fields[Field].([]Entry)[0]
		if e.Path != real || e.ID != IDForPath(real) {
			t.Errorf("%s: entry %+v, want path %s ID %s", spelling, e, real, IDForPath(real))
		}
	}
}
