//go:build windows

package fsx

import (
	"os"

	"golang.org/x/sys/windows"
)

// syncDir is a no-op on Windows: a directory handle cannot be flushed
// (FlushFileBuffers needs write access, which directories do not grant).
// Renames are made durable by rename itself (MOVEFILE_WRITE_THROUGH).
func syncDir(string) error { return nil }

// rename replaces to by from, returning only once the move is on disk.
func rename(from, to string) error {
	f, err := windows.UTF16PtrFromString(from)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	t, err := windows.UTF16PtrFromString(to)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	if err := windows.MoveFileEx(f, t, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// createExcl creates name for writing, failing if it exists.
func createExcl(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}
