package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// memoryCeiling is the soft memory limit of a sessctl process: with
// GOGC=300 a small configuration is collected rarely, and a large one
// (10,000 partitions: about 110 MB live) is collected more often rather
// than growing its heap to four times its live data (issue 17's goal is a
// peak RSS under 300 MiB).
const memoryCeiling = 240 << 20

// ceilingFor is the memory limit for a live heap of live bytes: the
// ceiling, or twice the live heap when that is more. A fixed limit below
// twice the live data would have the collector run nearly back to back
// (the runtime caps that at half the CPU, still a collapse); twice the
// live heap is GOGC=100's pace, the Go default.
func ceilingFor(ceiling, live uint64) uint64 {
	return max(ceiling, 2*live)
}

// startMemoryCeiling sets the soft memory limit to ceiling and, after
// every collection, raises it to twice the live heap when the live heap
// outgrows half the ceiling (and lowers it back when it shrinks). stop
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
