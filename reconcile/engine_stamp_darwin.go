package reconcile

import (
	"os"
	"syscall"
)

// sysStamp returns the inode, the status-change time and the device, as
// on Linux: macOS keeps a ctime that user space cannot set either.
func sysStamp(fi os.FileInfo) (uint64, int64, uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino, st.Ctimespec.Sec*1e9 + st.Ctimespec.Nsec, uint64(uint32(st.Dev))
	}
	return 0, 0, 0
}
