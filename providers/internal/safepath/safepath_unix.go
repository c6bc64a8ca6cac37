//go:build unix

package safepath

import (
	"os"
	"path/filepath"
	"syscall"
)

// Check returns how a user other than root and the runner can replace
// path, or nil. st is os.Stat(path). Both the path as written (whoever
// can rewrite a symbolic link on it redirects it) and its real path
// (whoever can write a directory the links lead through replaces the
// target) are checked. A directory above that cannot be read is not
// judged (the target was readable through it).
func Check(path string, st os.FileInfo) *Problem {
	if p := checkChain(path, st); p != nil {
		return p
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil || real == filepath.Clean(path) {
		return nil
	}
	return checkChain(real, st)
}

func checkChain(path string, st os.FileInfo) *Problem {
	if st.Mode().Perm()&0o002 != 0 {
		return &Problem{Kind: WorldWritable, What: "target"}
	}
	me := uint32(os.Getuid())
	if p := foreign("target", st, me); p != nil {
		return p
	}
	child := filepath.Clean(path)
	for dir := filepath.Dir(child); ; dir = filepath.Dir(dir) {
		dst, err := os.Stat(dir)
		if err != nil {
			return nil
		}
		if p := foreign(dir, dst, me); p != nil && dst.Mode()&os.ModeSticky == 0 {
			return p
		}
		if dst.Mode().Perm()&0o002 != 0 {
			if dst.Mode()&os.ModeSticky == 0 {
				return &Problem{Kind: InWorldWritableDir, Dir: dir}
			}
			if lst, err := os.Lstat(child); err == nil {
				if sys, ok := lst.Sys().(*syscall.Stat_t); ok && sys.Uid != 0 && sys.Uid != me {
					return &Problem{Kind: StickyForeignEntry, Dir: dir, Child: child, ID: sys.Uid}
				}
			}
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
		child = dir
	}
}

// foreign reports what when it belongs to a uid other than root and the
// runner, or is writable by a group other than the runner's primary group
// (a user-private group, as Debian's umask 002 leaves files, is the
// runner's alone; root's group is root's).
func foreign(what string, st os.FileInfo, me uint32) *Problem {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if sys.Uid != 0 && sys.Uid != me {
		return &Problem{Kind: ForeignOwner, What: what, ID: sys.Uid}
	}
	if st.Mode().Perm()&0o020 != 0 && sys.Gid != uint32(os.Getgid()) && !(me == 0 && sys.Gid == 0) {
		return &Problem{Kind: ForeignGroup, What: what, ID: sys.Gid}
	}
	return nil
}
