//go:build unix

package preload

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
)

// writableByOthers returns an error diagnostic when a user other than the
// owner could replace the script: the file is world-writable, or a
// directory on its path is world-writable without the sticky bit (anyone
// may rename or delete its entries, so the path can be made to point
// elsewhere). A world-writable directory with the sticky bit, such as
// /tmp, only lets the owner of an entry replace it; there the entry on the
// path must belong to root or to the user running sessctl, otherwise its
// owner controls the script.
//
// The checks follow the path as written (symbolic links resolved by
// os.Stat at each level), which is what Electron opens.
func writableByOthers(path string, st os.FileInfo, rng hcl.Range) *hcl.Diagnostic {
	const detail = "A session preload runs with Node.js privileges in every page of the session, so whoever can replace it controls the app. Make the file and every directory above it writable by its owner only (chmod o-w), or move it under a directory such as /opt/APP."
	if st.Mode().Perm()&0o002 != 0 {
		return providers.Errorf(rng, detail, "preload script %s is world-writable", path)
	}
	me := uint32(os.Getuid())
	if d := foreignControl(path, "preload script "+path, st, me, rng, detail); d != nil {
		return d
	}
	child := filepath.Clean(path)
	for dir := filepath.Dir(child); ; dir = filepath.Dir(dir) {
		dst, err := os.Stat(dir)
		if err != nil {
			return nil // the file was readable; an unreadable parent is not ours to judge
		}
		if d := foreignControl(path, "directory "+dir, dst, me, rng, detail); d != nil && dst.Mode()&os.ModeSticky == 0 {
			return d
		}
		if dst.Mode().Perm()&0o002 != 0 {
			if dst.Mode()&os.ModeSticky == 0 {
				return providers.Errorf(rng, detail,
					"preload script %s is in world-writable directory %s", path, dir)
			}
			if lst, err := os.Lstat(child); err == nil {
				if sys, ok := lst.Sys().(*syscall.Stat_t); ok && sys.Uid != 0 && sys.Uid != me {
					return providers.Errorf(rng, detail+fmt.Sprintf(" %s is sticky, so only the owner of an entry can replace it, and %s belongs to uid %d.", dir, child, sys.Uid),
						"preload script %s can be replaced by uid %d through %s", path, sys.Uid, child)
				}
			}
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
		child = dir
	}
}

// foreignControl reports what (the script or a directory above it) when a
// user other than root and the one running sessctl can replace the script
// through it: it belongs to another uid, or it is writable by a group
// other than the runner's own primary group (a user-private group, as
// Debian's umask 002 leaves files, is the runner's alone).
func foreignControl(path, what string, st os.FileInfo, me uint32, rng hcl.Range, detail string) *hcl.Diagnostic {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if sys.Uid != 0 && sys.Uid != me {
		return providers.Errorf(rng, detail+fmt.Sprintf(" %s belongs to uid %d, who can replace the script.", what, sys.Uid),
			"preload script %s can be replaced by uid %d (%s belongs to it)", path, sys.Uid, what)
	}
	if st.Mode().Perm()&0o020 != 0 && sys.Gid != uint32(os.Getgid()) && !(me == 0 && sys.Gid == 0) {
		return providers.Errorf(rng, detail+fmt.Sprintf(" %s is writable by group %d, whose members can replace the script.", what, sys.Gid),
			"preload script %s can be replaced by group %d (%s is group-writable)", path, sys.Gid, what)
	}
	return nil
}
