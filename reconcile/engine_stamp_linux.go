package reconcile

import (
	"os"
	"syscall"
)

// sysStamp returns the inode, the status-change time and the device: a
// rename over the file changes the inode, a chmod or a write the ctime.
func sysStamp(fi os.FileInfo) (uint64, int64, uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino), st.Ctim.Sec*1e9 + st.Ctim.Nsec, uint64(st.Dev)
	}
	return 0, 0, 0
}
