//go:build !linux

package permission

import "time"

// threadCPU is 0 where a thread's CPU time is not available (RUSAGE_THREAD
// is Linux's): the benchmark then reports no decisions/cpu-s.
func threadCPU() time.Duration { return 0 }
