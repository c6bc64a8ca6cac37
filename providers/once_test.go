package providers

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOnceSharesAcrossABuild: contexts that share a FileCache (one
// build's partitions) compute a key once; another build, or a context
// without a cache, computes again, so a file changed between two watch
// cycles is checked again.
func TestOnceSharesAcrossABuild(t *testing.T) {
	calls := 0
	f := func() any { calls++; return calls }
	fc := NewFileCache()
	a, b := (&Context{}).WithCache(fc), (&Context{}).WithCache(fc)
	if a.Once("k", f) != 1 || b.Once("k", f) != 1 || calls != 1 {
		t.Fatalf("one build computed %d times", calls)
	}
	if b.Once("other", f) != 2 {
		t.Fatal("a second key shared the first's result")
	}
	if (&Context{}).WithCache(NewFileCache()).Once("k", f) != 3 {
		t.Fatal("a new build reused the previous build's result")
	}
	var nilCtx *Context
	if nilCtx.Once("k", f) != 4 || nilCtx.Once("k", f) != 5 {
		t.Fatal("a nil context must compute every time")
	}
}

// TestStatSharesAcrossABuild: the partitions of one build see one answer
// for a path (looked at once), a later build sees the file as it is then,
// and a context without a cache always asks the file system.
func TestStatSharesAcrossABuild(t *testing.T) {
	path := filepath.Join(t.TempDir(), "preload.js")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	fc := NewFileCache()
	a, b := (&Context{}).WithCache(fc), (&Context{}).WithCache(fc)
	if st, err := a.Stat(path); err != nil || st.Size() != 1 {
		t.Fatalf("first stat: %v, %v", st, err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if st, err := b.Stat(path); err != nil || st.Size() != 1 {
		t.Fatalf("a partition of the same build saw another answer: %v, %v", st, err)
	}
	if _, err := (&Context{}).WithCache(NewFileCache()).Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a new build reused the previous build's answer: %v", err)
	}
	var nilCtx *Context
	if _, err := nilCtx.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a nil context must ask the file system: %v", err)
	}
}
