package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestCeilingFor(t *testing.T) {
	for _, c := range []struct{ live, want uint64 }{
		{0, 240}, {100, 240}, {160, 240}, {180, 270}, {200, 300}, {500, 750},
	} {
		if got := ceilingFor(240, c.live); got != c.want {
			t.Errorf("ceilingFor(240, %d) = %d, want %d", c.live, got, c.want)
		}
	}
}

// TestMemoryCeilingFollowsLiveHeap: with a live heap above the ceiling,
// the limit is raised to 1.5 times the live heap after a collection,
// and goes back to the ceiling once the data is gone.
func TestMemoryCeilingFollowsLiveHeap(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	const ceiling = 32 << 20
	stop := startMemoryCeiling(ceiling)
	t.Cleanup(func() { stop(); debug.SetMemoryLimit(old) })
	if got := debug.SetMemoryLimit(-1); got != ceiling {
		t.Fatalf("limit %d, want %d", got, ceiling)
	}
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, 1<<20) // 64 MiB live
	}
	// The finalizer runs after the cycle, on its own goroutine.
	raised := false
	for range 50 {
		runtime.GC()
		if debug.SetMemoryLimit(-1) >= 3*32<<20 {
			raised = true
			break
		}
	}
	if !raised {
		t.Fatalf("limit %d with 64 MiB live, want at least 1.5 times that", debug.SetMemoryLimit(-1))
	}
	runtime.KeepAlive(live)
	live = nil
	lowered := false
	for range 50 {
		runtime.GC()
		if l := debug.SetMemoryLimit(-1); l == ceiling || l == math.MaxInt64 {
			lowered = l == ceiling
			break
		}
	}
	if !lowered {
		t.Fatalf("limit %d after the data went, want the ceiling %d", debug.SetMemoryLimit(-1), ceiling)
	}
}
