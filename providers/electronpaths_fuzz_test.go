package providers

import (
	"path/filepath"
	"strings"
	"testing"
)

// No partition name may yield a directory outside <sessionData>/Partitions
// (or sessionData itself for the default session).
func FuzzPartitionDir(f *testing.F) {
	for _, s := range []string{"persist:..", "persist:a/../..", "persist:", "persist:x/./y", "persist:/", "persist:%2e%2e", "x"} {
		f.Add(s)
	}
	const sd = "/sd"
	f.Fuzz(func(t *testing.T, name string) {
		dir, err := PartitionDir(sd, name)
		if err != nil {
			return
		}
		if name == "" || name == "persist:" {
			if dir != sd {
				t.Fatalf("default session dir %q", dir)
			}
			return
		}
		if !strings.HasPrefix(dir, filepath.Join(sd, PartitionsDirName)+string(filepath.Separator)) || filepath.Clean(dir) != dir {
			t.Fatalf("PartitionDir(%q) = %q escapes", name, dir)
		}
	})
}
