package reconcile

import (
	"os"
	"syscall"
)

// sysStamp returns the inode and the status-change time: a rename over
// the file changes the inode, a chmod or a write the ctime.
func sysStamp(fi os.FileInfo) (uint64, int64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino), st.Ctim.Sec*1e9 + st.Ctim.Nsec
	}
	return 0, 0
}
