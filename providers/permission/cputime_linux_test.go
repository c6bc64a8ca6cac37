package permission

import (
	"syscall"
	"time"
)

// rusageThread is RUSAGE_THREAD (Linux): CPU time of the calling thread.
const rusageThread = 1

// threadCPU is the CPU time (user+system) consumed by the calling OS
// thread, or 0 where unsupported.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
