package reconcile

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// dirStat stats the files of one directory through a descriptor of it:
// the kernel resolves only the last name, not the whole path, for each
// of ten thousand profiles.
type dirStat struct {
	dir string
	fd  int
}

func openDirStat(dir string) *dirStat {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		fd = -1
	}
	return &dirStat{dir: dir, fd: fd}
}

// lstamp is lstamp of dir/name.
func (d *dirStat) lstamp(name string) (stamp, bool) {
	if d.fd < 0 {
		return lstamp(d.dir + string(os.PathSeparator) + name)
	}
	var st unix.Stat_t
	if err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return stamp{}, false
	}
	return stamp{size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), ino: st.Ino, dev: st.Dev,
		mode: fileMode(st.Mode), seen: time.Now().UnixNano()}, true
}

func (d *dirStat) close() {
	if d.fd >= 0 {
		_ = unix.Close(d.fd)
	}
}

// fileMode is os.FileMode of a stat mode, as the os package computes it.
func fileMode(m uint32) os.FileMode {
	mode := os.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFBLK:
		mode |= os.ModeDevice
	case syscall.S_IFCHR:
		mode |= os.ModeDevice | os.ModeCharDevice
	case syscall.S_IFDIR:
		mode |= os.ModeDir
	case syscall.S_IFIFO:
		mode |= os.ModeNamedPipe
	case syscall.S_IFLNK:
		mode |= os.ModeSymlink
	case syscall.S_IFSOCK:
		mode |= os.ModeSocket
	}
	if m&syscall.S_ISGID != 0 {
		mode |= os.ModeSetgid
	}
	if m&syscall.S_ISUID != 0 {
		mode |= os.ModeSetuid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= os.ModeSticky
	}
	return mode
}
