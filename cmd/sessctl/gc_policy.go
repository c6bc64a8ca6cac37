package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// memoryCeiling is the soft memory limit of a sessctl process: with
// GOGC=300 a small configuration is collected rarely, and a large one
// (10,000 partitions: about 100 MB live) is collected more often rather
// than growing its heap to four times its live data (issue 17's goal is a
// peak RSS under 300 MiB).
const memoryCeiling = 240 << 20

// ceilingFor is the memory limit for a live heap of live bytes: the
// ceiling, unless the live heap leaves less than a quarter of it (or half
// the live heap, when that is more) to allocate in before the next
// collection; the limit then moves up to leave that much. A fixed limit
// barely above the live data would have the collector run nearly back to
// back (the runtime caps that at half the CPU: still a collapse); half
// the live heap is GOGC=50's pace. The runtime's live figure includes
// what was allocated during the collection, so it runs above the true
// live data while a large configuration is being decoded: a margin of
// half the live heap rather than all of it keeps a 10,000-partition plan
// (about 100 MB truly live, 150 MB measured) under the ceiling.
func ceilingFor(ceiling, live uint64) uint64 {
	return max(ceiling, live+max(live/2, ceiling/4))
}

// startMemoryCeiling sets the soft memory limit to ceiling and, after
// every collection, moves it to ceilingFor the live heap (back down when
// the live heap shrinks). stop
// ends the adjustments (tests; the CLI never stops it).
func startMemoryCeiling(ceiling uint64) (stop func()) {
	var stopped atomic.Bool
	debug.SetMemoryLimit(int64(ceiling))
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		// A finalizer runs after the collection that finds its object
		// unreachable: one per cycle, re-armed each time.
		runtime.SetFinalizer(new([16]byte), func(*[16]byte) {
			if stopped.Load() {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				debug.SetMemoryLimit(int64(ceilingFor(ceiling, sample[0].Value.Uint64())))
			}
			arm()
		})
	}
	arm()
	return func() { stopped.Store(true) }
}
