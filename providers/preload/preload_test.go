package preload

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 30}}
}

func str(v string, line int) schema.Value[string] {
	return schema.Value[string]{V: v, Set: true, Range: rng(line)}
}

func preload(id, path string, line int) *Block {
	return &Block{ID: id, IDRange: rng(line), DeclRange: rng(line), Path: str(path, line+1)}
}

const script = "console.log('hi')\n"

// sha256 of script, computed independently with sha256sum(1):
// printf "console.log('hi')\n" | sha256sum
const scriptSum = "be3a2694e60e8af988979f0dd5559e9f2ad42b22a705fe85e4562bd86763594a"

func writeScript(t *testing.T, dir string) string {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	p := filepath.Join(dir, "telemetry.js")
	if err := os.WriteFile(p, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func buildPart(major int, pls ...*Block) (*providers.Context, *providers.Result, hcl.Diagnostics) {
	c := providers.NewContext(&schema.Config{})
	if major != 0 {
		c.ElectronMajor = major
	}
	res, diags := Provider{}.Build(c, withPreloads("persist:w", pls...))
	return c, res, diags
}

func oneDiag(t *testing.T, diags hcl.Diagnostics, summary, detail string, line int) {
	t.Helper()
	if len(diags) != 1 {
		for _, d := range diags {
			t.Logf("got %v %q %q", d.Severity, d.Summary, d.Detail)
		}
		t.Fatalf("got %d diagnostics, want 1", len(diags))
	}
	d := diags[0]
	if d.Severity != hcl.DiagError || d.Summary != summary || !strings.Contains(d.Detail, detail) || d.Subject.Start.Line != line {
		t.Errorf("got %v %q\n  %q (line %d)\nwant error %q\n  containing %q (line %d)", d.Severity, d.Summary, d.Detail, d.Subject.Start.Line, summary, detail, line)
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestBuild(t *testing.T) {
	if sum(script) != scriptSum {
		t.Fatalf("sha256 of the fixture = %s, want %s (sha256sum)", sum(script), scriptSum)
	}
	p := writeScript(t, filepath.Join(t.TempDir(), "app"))
	sw := preload("sw", p, 20)
	sw.Type = str("service-worker", 22)
	pin := preload("telemetry", p, 10)
	pin.SHA256 = str(strings.ToUpper(sum(script)), 12)
	c, res, diags := buildPart(0, pin, sw)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	got, _ := json.Marshal(res.Fields)
	want := `{"preloadApi":"registerPreloadScript","preloads":[{"id":"telemetry","type":"frame","filePath":"` + p + `","sha256":"` + sum(script) + `"},{"id":"sw","type":"service-worker","filePath":"` + p + `","sha256":"` + sum(script) + `"}]}`
	if string(got) != want {
		t.Errorf("fields = %s\nwant     %s", got, want)
	}
	if in := c.Inputs(); len(in) != 1 || in[0].Path != p || in[0].SHA256 != sum(script) {
		t.Errorf("inputs = %+v", in)
	}
	// Before Electron 35 the adapter must use setPreloads.
	_, res, _ = buildPart(34, preload("telemetry", p, 10))
	if res.Fields[APIField] != APISetPreloads {
		t.Errorf("api for 34 = %v", res.Fields[APIField])
	}
}

func TestBuildErrors(t *testing.T) {
	tmp := t.TempDir()
	p := writeScript(t, filepath.Join(tmp, "app"))

	_, _, diags := buildPart(0, preload("x", "preload.js", 10))
	oneDiag(t, diags, "Preload script must have absolute path: preload.js", "registerPreloadScript throws for a relative path", 11)
	_, _, diags = buildPart(34, preload("x", "preload.js", 10))
	oneDiag(t, diags, "Preload script must have absolute path: preload.js", "setPreloads only logs relative paths", 11)

	_, _, diags = buildPart(0, preload("", p, 10))
	oneDiag(t, diags, "preload ID must not be empty", "The block label is the preload's ID", 10)

	_, _, diags = buildPart(0, preload("x", p, 10), preload("x", p, 20))
	oneDiag(t, diags, "Cannot register preload script with existing ID 'x'", "unique", 20)

	bad := preload("x", p, 10)
	bad.Type = str("worker", 12)
	_, _, diags = buildPart(0, bad)
	oneDiag(t, diags, `unknown preload type "worker"`, `"frame" (the default) or "service-worker"`, 12)

	sw := preload("x", p, 10)
	sw.Type = str("service-worker", 12)
	_, _, diags = buildPart(34, sw)
	oneDiag(t, diags, "service-worker preloads need Electron 35 or later (electron_version is 34)", "setPreloads", 12)

	_, _, diags = buildPart(0, preload("x", filepath.Join(tmp, "missing.js"), 10))
	oneDiag(t, diags, "preload script not found: "+filepath.Join(tmp, "missing.js"), "digest is part of the plan", 11)

	_, _, diags = buildPart(0, preload("x", tmp, 10))
	oneDiag(t, diags, "preload script "+tmp+" is not a regular file", "regular file", 11)

	_, _, diags = buildPart(0, preload("x", "/opt/a\nb.js", 10))
	oneDiag(t, diags, `preload path contains control character '\n'`, "control characters", 11)

	pin := preload("x", p, 10)
	pin.SHA256 = str(strings.Repeat("0", 64), 12)
	_, res, diags := buildPart(0, pin)
	oneDiag(t, diags, "preload script "+p+" does not match its sha256 pin",
		p+" has SHA-256 "+sum(script)+", but sha256 pins "+strings.Repeat("0", 64)+".", 12)
	if res.Fields[Field] != nil {
		t.Error("preloads rendered despite a pin mismatch")
	}
	pin.SHA256 = str("abc", 12)
	_, _, diags = buildPart(0, pin)
	oneDiag(t, diags, `preload sha256 "abc" is not a SHA-256 digest`, "64 hex digits", 12)
}

func TestWritableByOthers(t *testing.T) {
	tmp := t.TempDir()
	// World-writable file.
	p := writeScript(t, filepath.Join(tmp, "a"))
	os.Chmod(p, 0o666)
	_, _, diags := buildPart(0, preload("x", p, 10))
	oneDiag(t, diags, "preload script "+p+" is world-writable", "chmod o-w", 11)

	// World-writable directory without the sticky bit, two levels up.
	open := filepath.Join(tmp, "open")
	p = writeScript(t, filepath.Join(open, "sub"))
	os.Chmod(open, 0o777)
	_, _, diags = buildPart(0, preload("x", p, 10))
	oneDiag(t, diags, "preload script "+p+" is in world-writable directory "+open, "Node.js privileges", 11)

	// A link in a safe directory to a script in a world-writable one: the
	// real path is checked too (the link's directory is fine).
	link := filepath.Join(tmp, "link.js")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	_, _, diags = buildPart(0, preload("x", link, 10))
	oneDiag(t, diags, "preload script "+link+" is in world-writable directory "+open, "Node.js privileges", 11)

	// Sticky world-writable directory: fine while the entry is ours...
	sticky := filepath.Join(tmp, "sticky")
	p = writeScript(t, filepath.Join(sticky, "mine"))
	os.Chmod(sticky, 0o777|os.ModeSticky)
	if _, _, diags = buildPart(0, preload("x", p, 10)); len(diags) != 0 {
		t.Errorf("sticky dir, own entry: %v", diags)
	}
	// ...but not when another user owns the entry.
	if os.Getuid() != 0 {
		t.Skip("chown needs root")
	}
	entry := filepath.Join(sticky, "mine")
	if err := os.Chown(entry, 4242, 4242); err != nil {
		t.Skip(err)
	}
	_, _, diags = buildPart(0, preload("x", p, 10))
	oneDiag(t, diags, "preload script "+p+" can be replaced by uid 4242 (directory "+entry+" belongs to it)", "belongs to uid 4242, who can replace the script", 11)

	// A script, or a directory above it, owned by another user.
	own := filepath.Join(tmp, "own")
	p = writeScript(t, own)
	if err := os.Chown(p, 4242, 0); err != nil {
		t.Fatal(err)
	}
	_, _, diags = buildPart(0, preload("x", p, 10))
	oneDiag(t, diags, "preload script "+p+" can be replaced by uid 4242 (preload script "+p+" belongs to it)", "belongs to uid 4242", 11)
	os.Chown(p, 0, 0)
	if err := os.Chown(own, 4242, 0); err != nil {
		t.Fatal(err)
	}
	_, _, diags = buildPart(0, preload("x", p, 10))
	oneDiag(t, diags, "preload script "+p+" can be replaced by uid 4242 (directory "+own+" belongs to it)", "belongs to uid 4242", 11)
	os.Chown(own, 0, 0)

	// Group-writable by a group other than the runner's own.
	if err := os.Chown(p, 0, 4343); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o664)
	_, _, diags = buildPart(0, preload("x", p, 10))
	oneDiag(t, diags, "preload script "+p+" can be replaced by group 4343 (preload script "+p+" is group-writable)", "writable by group 4343", 11)
	// The runner's own group may write it (user-private groups, umask 002).
	os.Chown(p, 0, os.Getgid())
	if _, _, diags = buildPart(0, preload("x", p, 10)); len(diags) != 0 {
		t.Errorf("group-writable by the runner's group: %v", diags)
	}
}

// withPreloads returns a partition named name with the preloads pls.
func withPreloads(name string, pls ...*Block) *schema.Partition {
	p := &schema.Partition{Name: name}
	if len(pls) > 0 {
		Key.Set(p, &Spec{Preloads: pls})
	}
	return p
}

// TestLanguage: preload blocks merge from profiles by ID (the partition's
// attributes win, the position is where the ID first appeared), in both
// syntaxes, and render in that order.
func TestLanguage(t *testing.T) {
	p := writeScript(t, filepath.Join(t.TempDir(), "app"))
	for name, src := range map[string]string{
		"c.hcl": `
profile "base" {
  preload "a" {
    path = "` + p + `"
    type = "service-worker"
  }
  preload "b" {
    path = "` + p + `"
  }
}
partition "x" {
  profiles = [profile.base]
  preload "c" {
    path = "` + p + `"
  }
  preload "a" {
    type = "frame"
  }
}
`,
		"c.hcl.json": `{
  "profile": {"base": {"preload": {"a": {"path": "` + p + `", "type": "service-worker"}, "b": {"path": "` + p + `"}}}},
  "partition": {"x": {"profiles": ["profile.base"], "preload": {"c": {"path": "` + p + `"}, "a": {"type": "frame"}}}}
}`,
	} {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		res, diags := Provider{}.Build(providers.NewContext(cfg), cfg.Partitions[0])
		if len(diags) != 0 {
			t.Fatalf("%s: %v", name, diags)
		}
		var got []string
		for _, e := range res.Fields[Field].([]Entry) {
			got = append(got, e.ID+":"+e.Type)
		}
		if strings.Join(got, " ") != "a:frame b:frame c:frame" {
			t.Errorf("%s: %v", name, got)
		}
	}
}
