package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes Go profiles of one CLI run for performance work
// (docs/performance.md): SESSCTL_CPUPROFILE=FILE records a CPU profile
// of the whole run, SESSCTL_MEMPROFILE=FILE writes the heap profile
// (allocations since start and what is live) at the end. Neither is set
// in normal use; a file that cannot be created is reported and skipped.
func startProfiles() (stop func()) {
	var stops []func()
	if path := os.Getenv("SESSCTL_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err != nil {
			fmt.Fprintf(os.Stderr, "sessctl: SESSCTL_CPUPROFILE: %v\n", err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "sessctl: SESSCTL_CPUPROFILE: %v\n", err)
			f.Close()
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := os.Getenv("SESSCTL_MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 64 << 10
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				fmt.Fprintf(os.Stderr, "sessctl: SESSCTL_MEMPROFILE: %v\n", err)
				return
			}
			defer f.Close()
			runtime.GC() // in-use figures as of the end of the run
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				fmt.Fprintf(os.Stderr, "sessctl: SESSCTL_MEMPROFILE: %v\n", err)
			}
		})
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
