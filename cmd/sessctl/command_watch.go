package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/statuspage"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/serialsel"
	"github.com/sessctl/sessctl/reconcile"
	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/serial"
)

func init() { rootCmd.AddCommand(newWatchCmd()) }

func newWatchCmd() *cobra.Command {
	var (
		settle      time.Duration
		firstSettle time.Duration
		resync      time.Duration
		retryMax    time.Duration
		serialPoll  time.Duration
		lockTimeout time.Duration
		deleteGrace time.Duration
		logFormat   string
		metricsAddr string
		perPart     bool
		listen      listenFlags
		err         error
	)
	cmd := &cobra.Command{
		Use:   "watch [PATH]",
		Short: "Apply the configuration, then keep the profiles in line with it and with the world",
		Long: `watch applies the configuration at PATH (default ".") without asking, then
watches the configuration directory, every file the configuration references
and the output directory, and applies again whenever something differs:
an edited configuration (intentional change) or an edited, deleted or
replaced profile, directory or dictionary (drift, repaired). Each cycle
plans everything against the world as it is; events only wake it.

An invalid edit changes nothing: the diagnostics are printed and the profiles
of the last good configuration stay until the next valid save.

The writer lock is held only while a cycle applies, so plan, show and drift
work from another terminal, and apply waits at most one cycle.

--listen HOST:PORT serves the live status page (docs/status-page.md), its
JSON at /api/status and the Prometheus metrics at /metrics on one listener,
read-only; the page updates after each cycle. A non-loopback address needs
--listen-token. --metrics-addr, which served /metrics alone, is deprecated.

Prints one line when ready and one per cycle (--log-format json for JSON
lines). SIGINT or SIGTERM stop it after the current cycle; a cycle that has
not started writing is abandoned. Exit codes: 0 stopped by a signal,
1 could not start.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if logFormat != "text" && logFormat != "json" {
				return fmt.Errorf("--log-format must be text or json, not %q", logFormat)
			}
			path := configPath(args)
			if _, err := os.Stat(path); err != nil {
				return fmt.Errorf("configuration path %s: %w", path, err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()

			out := cmd.OutOrStdout()
			var mu sync.Mutex // log lines and diagnostics never interleave
			logf := newWatchLogger(out, logFormat == "json")
			var metrics *reconcile.WatchMetrics
			// The output directory the last cycle used, for the app's
			// event counts read at scrape time.
			var appOutDir atomic.Value
			appOutDir.Store("")
			src := &pageSource{path: path}
			var page *statuspage.Server
			if metricsAddr != "" || listen.addr != "" {
				reg := newPageRegistry(func() string { return appOutDir.Load().(string) })
				metrics = reconcile.NewWatchMetrics(reg, reconcile.FleetOptions{PerPartition: perPart,
					OutDir: func() string { return appOutDir.Load().(string) }, ConfigPath: path})
				if listen.addr != "" {
					page, err = startPage(ctx, cmd.ErrOrStderr(), &listen, src, reg)
					if err != nil {
						return err
					}
				}
				if metricsAddr != "" && metricsAddr != listen.addr {
					// Deprecated: /metrics alone, as before --listen.
					ln, err := net.Listen("tcp", metricsAddr)
					if err != nil {
						return fmt.Errorf("--metrics-addr %s: %w", metricsAddr, err)
					}
					mux := http.NewServeMux()
					mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
					srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
					go func() { _ = srv.Serve(ln) }()
					defer srv.Close()
					fmt.Fprintf(cmd.ErrOrStderr(), "Serving metrics on http://%s/metrics (--metrics-addr is deprecated: --listen serves /metrics beside the status page)\n", ln.Addr())
				}
			}
			var devices providers.DeviceWatcher
			if serialPoll > 0 {
				devices = serialsel.NewHotplug(serial.System())
			}
			engine := reconcile.NewEngine(reconcile.Request{
				Load:      loadOptions(path),
				StateFlag: global.state,
				Environ:   os.Environ(),
			})
			err = reconcile.Watch(ctx, reconcile.WatchOptions{
				Engine:      engine,
				Settle:      settle,
				FirstSettle: firstSettle,
				Resync:      resync,
				RetryMax:    retryMax,
				Devices:     devices,
				SerialPoll:  serialPoll,
				LockTimeout: lockTimeout,
				DeleteGrace: deleteGrace,
				Log: func(ev reconcile.WatchEvent) {
					mu.Lock()
					defer mu.Unlock()
					if metrics != nil {
						metrics.Observe(ev)
						appOutDir.Store(engine.Locations().OutputDir)
					}
					logf(ev)
					if page != nil {
						src.noteEvent(ev)
						page.Notify()
					}
				},
				Diags: func(cfg *schema.Config, diags hcl.Diagnostics) {
					mu.Lock()
					defer mu.Unlock()
					printDiags(cmd.ErrOrStderr(), cfg, diags)
				},
			})
			return err
		},
	}
	f := cmd.Flags()
	f.DurationVar(&settle, "settle", 50*time.Millisecond, "wait this long after a change for more changes before a cycle (a burst of saves gives one cycle)")
	f.DurationVar(&firstSettle, "first-settle", 5*time.Millisecond, "after an idle period, start a tentative cycle this soon after a change (a value of --settle or more turns this off)")
	f.DurationVar(&resync, "resync", 5*time.Minute, "full resynchronisation period (jittered by ±10%), to catch changes the notifier missed")
	f.DurationVar(&retryMax, "retry-max", time.Minute, "cap of the exponential backoff after a failed cycle (starting at 500ms)")
	f.DurationVar(&serialPoll, "serial-poll", 2*time.Second, "serial port polling interval for hotplug logs (0 disables)")
	f.DurationVar(&lockTimeout, "lock-timeout", 30*time.Second, "how long a cycle waits for another writer to release the state")
	f.DurationVar(&deleteGrace, "delete-grace", time.Second, "when a configuration file vanishes, wait this long for it to come back before destroying its partitions")
	f.StringVar(&logFormat, "log-format", "text", "log format: text or json (one JSON object per line)")
	f.StringVar(&metricsAddr, "metrics-addr", "", "deprecated (use --listen): serve Prometheus metrics alone on `HOST:PORT` at /metrics")
	listen.add(cmd, false)
	f.BoolVar(&perPart, "metrics-per-partition", true, "label the drift, app status and pending action metrics by partition (false: one aggregate series each, for hosts with thousands of partitions)")
	return cmd
}

// newWatchLogger returns the printer of watch events.
func newWatchLogger(w io.Writer, asJSON bool) func(reconcile.WatchEvent) {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return func(ev reconcile.WatchEvent) { _ = enc.Encode(ev) }
	}
	return func(ev reconcile.WatchEvent) { fmt.Fprintln(w, watchLine(ev)) }
}

// watchLine is the text form of an event: time, what happened, how long.
func watchLine(ev reconcile.WatchEvent) string {
	ts := ev.Time.Format("15:04:05.000")
	dur := formatDuration(ev.Duration)
	switch ev.Kind {
	case "ready":
		return fmt.Sprintf("%s ready: watching %s (Ctrl-C to stop)", ts, strings.Join(ev.Paths, ", "))
	case "cycle":
		if ev.Add+ev.Change+ev.Destroy == 0 {
			return fmt.Sprintf("%s cycle (%s): no changes, %d partitions (%s)", ts, ev.Trigger, ev.Unchanged, dur)
		}
		s := fmt.Sprintf("%s cycle (%s): %d added, %d changed, %d destroyed", ts, ev.Trigger, ev.Add, ev.Change, ev.Destroy)
		if len(ev.Partitions) > 0 {
			s += " [" + strings.Join(ev.Partitions, " ") + "]"
		}
		if ev.Drift > 0 {
			s += fmt.Sprintf("; drift: %d found, %d repaired", ev.Drift, ev.Repaired)
		}
		return s + " (" + dur + ")"
	case "invalid":
		return fmt.Sprintf("%s invalid configuration (%s): %d error(s); profiles left as they were (%s)", ts, ev.Trigger, ev.Diagnostics, dur)
	case "error":
		return fmt.Sprintf("%s error (%s): %s; retrying in %s", ts, ev.Trigger, ev.Error, formatDuration(ev.Retry))
	case "deferred":
		return fmt.Sprintf("%s deferred (%s): %s vanished; its partitions are destroyed only if it is still gone in %s", ts, ev.Trigger, strings.Join(ev.Paths, ", "), formatDuration(ev.Retry))
	case "serial-port-added", "serial-port-removed":
		s := ts + " " + ev.Kind + " " + ev.Port
		if len(ev.Partitions) > 0 {
			s += " (selection changed: " + strings.Join(ev.Partitions, " ") + ")"
		}
		return s
	case "watch-error":
		return fmt.Sprintf("%s watch-error: %s; resynchronising", ts, ev.Error)
	case "stopped":
		return ts + " stopped"
	}
	return ts + " " + ev.Kind
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	}
	return d.Round(time.Millisecond).String()
}
