package extension

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/schema"
)

func extPart(path string, fileAccess bool) *schema.Partition {
	b := &Block{Name: "e", Path: schema.Value[string]{V: path, Set: true, Range: hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: 3, Column: 12}}}}
	if fileAccess {
		b.AllowFileAccess = schema.Value[bool]{V: true, Set: true, Range: hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: 4, Column: 25}}}
	}
	p := &schema.Partition{Name: "persist:w"}
	Key.Set(p, &Spec{Blocks: []*Block{b}})
	return p
}

func auditSummaries(p *schema.Partition) []string {
	var out []string
	for _, f := range (Provider{}).Audit(nil, p) {
		out = append(out, string(f.Code)+" "+f.Summary)
	}
	return out
}

func writeAuditExt(t *testing.T, dir, manifest string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const plainManifest = `{"manifest_version": 3, "name": "e", "version": "1.0", "background": {"service_worker": "sw.js"}}`

func TestAuditExtension(t *testing.T) {
	tmp := t.TempDir()
	ok := writeAuditExt(t, filepath.Join(tmp, "ok"), plainManifest)
	if got := auditSummaries(extPart(ok, false)); len(got) != 0 {
		t.Errorf("safe extension: %q", got)
	}
	if got := auditSummaries(extPart(ok, true)); len(got) != 1 || got[0] != `A012 extension "e" may read file:// URLs` {
		t.Errorf("allow_file_access: %q", got)
	}

	// In a world-writable directory (without the sticky bit).
	open := filepath.Join(tmp, "open")
	ww := writeAuditExt(t, filepath.Join(open, "ext"), plainManifest)
	os.Chmod(open, 0o777)
	if got := auditSummaries(extPart(ww, false)); len(got) != 1 || got[0] != `A011 extension "e" can be replaced by another user: it is in world-writable directory `+open {
		t.Errorf("world-writable parent: %q", got)
	}
	// The extension directory itself world-writable.
	self := writeAuditExt(t, filepath.Join(tmp, "self"), plainManifest)
	os.Chmod(self, 0o777)
	if got := auditSummaries(extPart(self, false)); len(got) != 1 || got[0] != `A011 extension "e" can be replaced by another user: `+self+` is world-writable` {
		t.Errorf("world-writable extension directory: %q", got)
	}
	if os.Getuid() == 0 {
		other := writeAuditExt(t, filepath.Join(tmp, "other"), plainManifest)
		if err := os.Chown(other, 65534, 0); err != nil {
			t.Fatal(err)
		}
		if got := auditSummaries(extPart(other, false)); len(got) != 1 || got[0] != `A011 extension "e" can be replaced by another user: `+other+` belongs to uid 65534` {
			t.Errorf("extension directory of another uid: %q", got)
		}
	} else {
		t.Log("not root: the other-uid case (chown to 65534) is skipped; CI runs it as root")
	}
}

func TestAuditManifestEscape(t *testing.T) {
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside.js")
	os.WriteFile(outside, []byte("//"), 0o644)
	dir := writeAuditExt(t, filepath.Join(tmp, "ext"), `{
  "manifest_version": 3, "name": "e", "version": "1.0",
  // Chromium's manifest dialect allows comments.
  "background": {"service_worker": "../outside.js"},
  "content_scripts": [{"matches": ["<all_urls>"], "js": ["ok.js", "/etc/passwd", "link.js", "sub/../ok.js"]}],
  "icons": {"16": "icon.png"},
  "action": {"default_popup": "..\\..\\popup.html"}
}`)
	os.WriteFile(filepath.Join(dir, "ok.js"), []byte("//"), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "link.js")); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(auditSummaries(extPart(dir, false)), "\n")
	want := strings.Join([]string{
		`A013 extension "e": manifest action.default_popup = "..\\..\\popup.html" is outside the extension directory (it climbs out with "..")`,
		`A013 extension "e": manifest background.service_worker = "../outside.js" is outside the extension directory (it climbs out with "..")`,
		`A013 extension "e": manifest content_scripts[0].js[1] = "/etc/passwd" is outside the extension directory (it is absolute)`,
		`A013 extension "e": manifest content_scripts[0].js[2] = "link.js" is outside the extension directory (a symbolic link leads to ` + outside + `)`,
	}, "\n")
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
}
