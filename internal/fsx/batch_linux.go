package fsx

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/sessctl/sessctl/internal/fault"
	"golang.org/x/sys/unix"
)

// syncContents flushes the file systems holding the staged files: one
// syncfs(2) per file system (it reports write-back errors since Linux
// 5.8) instead of an fsync per file. With few files, fsync each: syncfs
// also writes whatever else is dirty on the file system.
func syncContents(files []batchFile) error {
	if len(files) < syncfsMin {
		return fsyncEach(files)
	}
	done := map[uint64]bool{}
	seen := map[string]bool{} // directories already looked at: one stat each, not one per file
	for _, f := range files {
		dir := filepath.Dir(f.tmp)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		var st unix.Stat_t
		if err := unix.Stat(dir, &st); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		if done[st.Dev] {
			continue
		}
		if err := step(fault.Fsync, dir); err != nil {
			return fmt.Errorf("write %s: syncfs: %w", f.path, err)
		}
		d, err := os.Open(dir)
		if err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		err = unix.Syncfs(int(d.Fd()))
		d.Close()
		if err != nil {
			return fmt.Errorf("write %s: syncfs: %w", f.path, err)
		}
		done[st.Dev] = true
	}
	return nil
}

// syncfsMin is the number of staged files from which one syncfs beats an
// fsync each.
const syncfsMin = 16
