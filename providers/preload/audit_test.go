package preload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// codes returns the codes and summaries of p's audit findings.
func auditSummaries(pls ...*Block) []string {
	var out []string
	for _, f := range (Provider{}).Audit(nil, withPreloads("persist:w", pls...)) {
		out = append(out, string(f.Code)+" "+f.Summary)
	}
	return out
}

func TestAuditPin(t *testing.T) {
	p := writeScript(t, t.TempDir())
	got := auditSummaries(preload("x", p, 10))
	if len(got) != 1 || got[0] != `A010 preload "x" has no sha256 pin` {
		t.Errorf("unpinned: %q", got)
	}
	pinned := preload("x", p, 10)
	pinned.SHA256 = str(scriptSum, 12)
	if got := auditSummaries(pinned); len(got) != 0 {
		t.Errorf("pinned: %q", got)
	}
}

// A009 reports what Build refuses: the file or a directory on its path,
// written or real, that another user or group can write. Other uids are
// made with chown to 65534 (nobody), which needs root; CI runs as root.
func TestAuditReplaceable(t *testing.T) {
	pin := func(p string) *Block {
		b := preload("x", p, 10)
		b.SHA256 = str(scriptSum, 12)
		return b
	}
	one := func(name, p, want string) {
		t.Helper()
		got := auditSummaries(pin(p))
		if len(got) != 1 || !strings.HasPrefix(got[0], "A009 ") || !strings.Contains(got[0], want) {
			t.Errorf("%s: findings %q, want one A009 containing %q", name, got, want)
		}
	}
	tmp := t.TempDir()
	safe := writeScript(t, filepath.Join(tmp, "safe"))
	if got := auditSummaries(pin(safe)); len(got) != 0 {
		t.Errorf("safe script: %q", got)
	}
	ww := writeScript(t, filepath.Join(tmp, "ww"))
	os.Chmod(ww, 0o646)
	one("world-writable file", ww, "is world-writable")

	gw := writeScript(t, filepath.Join(tmp, "gwdir", "sub"))
	os.Chmod(filepath.Join(tmp, "gwdir"), 0o777)
	one("world-writable directory", gw, "in world-writable directory "+filepath.Join(tmp, "gwdir"))

	// A link in a safe place to a script in an unsafe one: the real path
	// is checked too.
	target := writeScript(t, filepath.Join(tmp, "elsewhere", "open"))
	os.Chmod(filepath.Join(tmp, "elsewhere", "open"), 0o777)
	link := filepath.Join(tmp, "safe", "link.js")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	one("symlink to a script in a world-writable directory", link, "in world-writable directory "+filepath.Join(tmp, "elsewhere", "open"))

	if os.Getuid() != 0 {
		t.Skip("the other-uid and other-group cases chown to 65534, which needs root (CI runs as root)")
	}
	other := writeScript(t, filepath.Join(tmp, "other"))
	if err := os.Chown(other, 65534, 0); err != nil {
		t.Fatal(err)
	}
	one("script owned by another uid", other, "can be replaced by uid 65534")
	dirOther := writeScript(t, filepath.Join(tmp, "dirother", "in"))
	if err := os.Chown(filepath.Join(tmp, "dirother"), 65534, 0); err != nil {
		t.Fatal(err)
	}
	one("directory owned by another uid", dirOther, "can be replaced by uid 65534 (directory "+filepath.Join(tmp, "dirother")+" belongs to it)")
	grp := writeScript(t, filepath.Join(tmp, "grp"))
	os.Chown(grp, 0, 65534)
	os.Chmod(grp, 0o664)
	one("group-writable by another group", grp, "can be replaced by group 65534")
	// Through a link: the real file belongs to another uid.
	link2 := filepath.Join(tmp, "safe", "link2.js")
	if err := os.Symlink(other, link2); err != nil {
		t.Fatal(err)
	}
	one("symlink to a script owned by another uid", link2, "can be replaced by uid 65534")
}
