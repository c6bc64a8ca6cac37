//go:build !unix

package safepath

import "os"

// Check is a no-op where POSIX permission bits do not describe who may
// write (Windows ACLs).
func Check(string, os.FileInfo) *Problem { return nil }
