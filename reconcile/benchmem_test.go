package reconcile

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// reportPeakLive runs f and reports the largest live heap the collector
// measured while it ran ("peak-live-MB": what the code keeps reachable
// at once, independent of GOGC) and the largest heap in use ("peak-heap-
// MB": what GOGC and the memory limit let it grow to). Sampled every
// millisecond: a lower bound of the true peaks, good for before/after.
func reportPeakLive(b *testing.B, f func()) {
	b.Helper()
	peaks := samplePeaks(f, "/gc/heap/live:bytes", "/memory/classes/heap/objects:bytes")
	b.ReportMetric(float64(peaks[0])/(1<<20), "peak-live-MB")
	b.ReportMetric(float64(peaks[1])/(1<<20), "peak-heap-MB")
}

// samplePeaks runs f and returns the largest value of each runtime metric
// (uint64 kinds), read every millisecond while f runs and once after.
func samplePeaks(f func(), names ...string) []uint64 {
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	peaks := make([]uint64, len(names))
	read := func() {
		metrics.Read(samples)
		for i, s := range samples {
			if s.Value.Kind() == metrics.KindUint64 {
				peaks[i] = max(peaks[i], s.Value.Uint64())
			}
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	read()
	return peaks
}

// liveAfterGC collects and returns the live heap.
func liveAfterGC() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// peakLive runs f and returns the largest live heap the collector
// measured while it ran, sampled every millisecond and once after a
// collection at the end when f left more alive (a lower bound).
func peakLive(f func()) uint64 {
	return samplePeaks(f, "/gc/heap/live:bytes")[0]
}
