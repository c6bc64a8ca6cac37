package providers

import "testing"

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
