//go:build !linux && !darwin

package reconcile

import "os"

// sysStamp has no inode, ctime or device off Linux and macOS: stamps then rely on
// size, mtime and mode, and the periodic resync compares content. The
// plan cache never trusts such a stamp (fileStamp.vouches).
func sysStamp(os.FileInfo) (uint64, int64, uint64) { return 0, 0, 0 }
