//go:build linux

package reconcile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/schema"
)

// watchBenchConfig is a configuration of n partitions spread over files
// files (partition-only files pN.hcl) plus settings.hcl and a shared
// preload script; partition i lives in file i%files. It keeps every
// partition's block, so that a save rewrites one block and writes the
// file as an editor writes its buffer (an edit stays in later saves).
type watchBenchConfig struct {
	cfg      string
	n, files int
	blocks   [][]byte
}

func writeWatchBenchConfig(tb testing.TB, dir string, n, files int) *watchBenchConfig {
	tb.Helper()
	c := &watchBenchConfig{cfg: filepath.Join(dir, "cfg"), n: n, files: files, blocks: make([][]byte, n)}
	if err := os.MkdirAll(c.cfg, 0o755); err != nil {
		tb.Fatal(err)
	}
	settings := fmt.Sprintf("sessctl {\n  output = %q\n}\n", filepath.Join(dir, "out"))
	if err := os.WriteFile(filepath.Join(c.cfg, "settings.hcl"), []byte(settings), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.cfg, "preload.js"), []byte("window.bench = 1;\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	for i := range c.blocks {
		c.blocks[i] = benchBlock(i, fmt.Sprintf("Bench/1.0 (p%d)", i))
	}
	for f := 0; f < files; f++ {
		c.save(tb, f)
	}
	return c
}

// edit gives partition i user agent ua and saves its file.
func (c *watchBenchConfig) edit(tb testing.TB, i int, ua string) {
	c.blocks[i] = benchBlock(i, ua)
	c.save(tb, i%c.files)
}

func benchBlock(i int, ua string) []byte {
	return fmt.Appendf(nil, `partition "persist:p%d" {
  user_agent       = %q
  accept_languages = ["en-US", "fr"]
  download_path    = "${path.config}/../downloads/p%d"
  proxy {
    rules        = "http=proxy%d.corp.example:8080;https=proxy.corp.example:8443"
    bypass_rules = ["*.corp.example"]
  }
  tls {
    min_version = "tls1.2"
  }
  preload "main" {
    path = "${path.config}/preload.js"
  }
  permissions {
    default = "deny"
    rule "notify" {
      permissions = ["notifications"]
      origins     = ["https://app%d.corp.example"]
      decision    = "allow"
    }
  }
}

`, i, ua, i, i%100, i%100)
}

// save writes file f atomically, as editors do.
func (c *watchBenchConfig) save(tb testing.TB, f int) {
	var buf bytes.Buffer
	buf.Grow(len(c.blocks[f]) * (c.n/c.files + 1) * 11 / 10)
	for i := f; i < c.n; i += c.files {
		buf.Write(c.blocks[i])
	}
	path := filepath.Join(c.cfg, fmt.Sprintf("p%d.hcl", f))
	tmp := path + ".bench~"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkWatchLatency measures the time from saving one configuration
// file (one partition edited) to the edited profile being on disk, with
// the default settle intervals (5 ms leading, 50 ms trailing), through a
// real fsnotify watcher. Saves are one at a time with the loop idle in
// between, as a person saves (leading cycles), except in the
// back-to-back row, where each save follows the previous cycle at once
// (trailing cycles). It reports p50 and p99 in milliseconds, the cycle
// time alone, and the process CPU per edit.
//
//	go test ./reconcile -run NONE -bench WatchLatency -benchtime 60x
func BenchmarkWatchLatency(b *testing.B) {
	// As the sessctl binary runs (cmd/sessctl/main.go), unless GOGC says
	// otherwise.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(300))
	}
	for _, tc := range []struct {
		n, files   int
		backToBack bool
	}{{10, 1, false}, {10000, 100, false}, {10000, 1000, false}, {10000, 1, false}, {10000, 100, true}} {
		name := fmt.Sprintf("partitions=%d/files=%d", tc.n, tc.files)
		if tc.backToBack {
			// Each save right after the previous cycle: part of a burst,
			// so it waits the settle interval (the trailing cycle).
			name += "/back-to-back"
		}
		b.Run(name, func(b *testing.B) {
			if tc.n >= 10000 && tc.files == 1 && b.N > 100 {
				b.Skip("single-file 10,000: run with -benchtime 100x or less (the start decodes the whole file)")
			}
			dir := b.TempDir()
			bc := writeWatchBenchConfig(b, dir, tc.n, tc.files)
			environ := []string{"HOME=" + dir, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
			req := Request{Load: schema.LoadOptions{Path: filepath.Join(dir, "cfg"), Environ: environ},
				StateFlag: filepath.Join(dir, "state", "state.db"), Environ: environ}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready := make(chan struct{})
			cycles := make(chan WatchEvent, 1024)
			done := make(chan error, 1)
			go func() {
				done <- Watch(ctx, WatchOptions{Engine: NewEngine(req), Diags: func(*schema.Config, hcl.Diagnostics) {},
					Log: func(ev WatchEvent) {
						switch ev.Kind {
						case "ready":
							close(ready)
						case "cycle", "invalid", "error":
							if ev.Trigger != "start" {
								cycles <- ev
							}
							if ev.Kind != "cycle" {
								b.Errorf("cycle failed: %+v", ev)
							}
						}
					}})
			}()
			select {
			case <-ready:
			case <-time.After(10 * time.Minute):
				b.Fatal("watch not ready after 10 minutes")
			}
			// Steady state: the start wrote every profile; let the
			// kernel finish writing them back, or the first edits' fsyncs
			// wait behind tens of megabytes of the start's data.
			syscall.Sync()
			time.Sleep(2 * watchBenchSettle) // idle before the first save too
			var lat, cyc []time.Duration
			cpu0 := processCPU()
			// WATCHPROF=FILE writes a CPU profile of the edits alone
			// (the start, which builds everything, left out).
			if f := os.Getenv("WATCHPROF"); f != "" {
				pf, err := os.Create(f)
				if err != nil {
					b.Fatal(err)
				}
				if err := pprof.StartCPUProfile(pf); err != nil {
					b.Fatal(err)
				}
				defer pprof.StopCPUProfile()
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				edit := (i * 7919) % tc.n
				ua := fmt.Sprintf("Edited/%d", i)
				profile := filepath.Join(dir, "out", ProfileFileName(fmt.Sprintf("persist:p%d", edit)))
				t0 := time.Now()
				bc.edit(b, edit, ua)
				want := fmt.Sprintf(`"userAgent": %q`, ua)
				deadline := t0.Add(5 * time.Minute)
				for {
					if data, err := os.ReadFile(profile); err == nil && strings.Contains(string(data), want) {
						break
					}
					if time.Now().After(deadline) {
						b.Fatalf("edit %d not applied within 5 minutes", i)
					}
					time.Sleep(200 * time.Microsecond)
				}
				lat = append(lat, time.Since(t0))
				// Let the cycle finish (state commit) before the next save.
				select {
				case ev := <-cycles:
					cyc = append(cyc, ev.Duration)
				case <-time.After(5 * time.Minute):
					b.Fatal("cycle event missing")
				}
				// One edit at a time, as a person saves: the loop is idle
				// for longer than the settle interval before the next save, so each
				// save starts a leading cycle (see WatchOptions.FirstSettle).
				if !tc.backToBack {
					b.StopTimer()
					time.Sleep(2 * watchBenchSettle)
					b.StartTimer()
				}
			}
			b.StopTimer()
			// CPU time of the whole process per edit (cycle, GC, the
			// benchmark's own polling): on a loaded machine wall times
			// stretch, CPU time does not.
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/edit")
			b.ReportMetric(pct(lat, 50), "p50-ms")
			b.ReportMetric(pct(lat, 99), "p99-ms")
			b.ReportMetric(pct(cyc, 50), "cycle-p50-ms")
			b.ReportMetric(pct(cyc, 99), "cycle-p99-ms")
			cancel()
			<-done
		})
	}
}

// watchBenchSettle is WatchOptions' default Settle.
const watchBenchSettle = 50 * time.Millisecond

func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func pct(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return float64(s[i].Microseconds()) / 1000
}
