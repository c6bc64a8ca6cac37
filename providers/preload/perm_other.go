//go:build !unix

package preload

import (
	"os"

	"github.com/hashicorp/hcl/v2"
)

// writableByOthers is a no-op where POSIX permission bits do not describe
// who may write (Windows ACLs); see perm_unix.go.
func writableByOthers(string, os.FileInfo, hcl.Range) *hcl.Diagnostic { return nil }
