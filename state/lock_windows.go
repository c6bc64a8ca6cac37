//go:build windows

package state

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// Windows byte-range locks are mandatory: a locked range cannot be read
// by other handles. The lock therefore covers one byte far past any
// content (locking beyond the end of a file is allowed), so waiters can
// still read the holder's owner information at the start of the file.
const (
	lockOffsetLow  = 0
	lockOffsetHigh = 0x7fffffff
)

// tryLock takes an exclusive LockFileEx lock without blocking; false when
// another handle holds it. As with flock, locks belong to the handle:
// two handles in one process exclude each other.
func tryLock(f *os.File) (bool, error) {
	ol := &windows.Overlapped{Offset: lockOffsetLow, OffsetHigh: lockOffsetHigh}
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return false, nil
	default:
		return false, err
	}
}

func unlock(f *os.File) error {
	ol := &windows.Overlapped{Offset: lockOffsetLow, OffsetHigh: lockOffsetHigh}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
}

// No turnstile on Windows: a directory handle cannot be locked. bbolt's
// own lock still serialises openers; only the fairness between a writer
// committing back to back and readers is lost.
func enterGate(string, time.Time) (func(), bool, error) { return nil, false, nil }
