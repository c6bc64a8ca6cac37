package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/statuspage"
	"github.com/sessctl/sessctl/reconcile"
)

func init() { rootCmd.AddCommand(newServeCmd()) }

// listenFlags are the status page's flags, shared by watch and serve.
type listenFlags struct {
	addr  string
	token string
	poll  time.Duration
}

func (l *listenFlags) add(cmd *cobra.Command, required bool) {
	f := cmd.Flags()
	usage := "serve the live status page at / (with /api/status and /metrics) on `HOST:PORT`, loopback unless --listen-token is given"
	if required {
		usage = "serve the status page on `HOST:PORT` (loopback unless --listen-token is given)"
	}
	f.StringVar(&l.addr, "listen", "", usage)
	f.StringVar(&l.token, "listen-token", "", "bearer `TOKEN` every request to --listen must carry; required for a non-loopback address (default $SESSCTL_LISTEN_TOKEN)")
	f.DurationVar(&l.poll, "listen-poll", 2*time.Second, "while a page is open, how often to look for changes nothing announces (the app writing its status, another apply)")
	if required {
		_ = cmd.MarkFlagRequired("listen")
	}
}

// tokenValue is --listen-token, else $SESSCTL_LISTEN_TOKEN (which, unlike
// the flag, other users do not see in the process list).
func (l *listenFlags) tokenValue() string {
	if l.token != "" {
		return l.token
	}
	return os.Getenv("SESSCTL_LISTEN_TOKEN")
}

// newPageRegistry is the registry /metrics serves: the Go and process
// collectors and the app's event counts of the output directory outDir
// returns.
func newPageRegistry(outDir func() string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(reconcile.NewAppEventsCollector(outDir))
	return reg
}

// startPage listens on l.addr and serves the status page of src until ctx
// ends. It returns the server (for Notify) once it listens.
func startPage(ctx context.Context, stderr io.Writer, l *listenFlags, src *pageSource, reg *prometheus.Registry) (*statuspage.Server, error) {
	token := l.tokenValue()
	if err := statuspage.CheckAddr(l.addr, token); err != nil {
		return nil, fmt.Errorf("--listen: %w", err)
	}
	srv, err := statuspage.New(statuspage.Options{Addr: l.addr, Token: token, Snapshot: src.Snapshot, Status: src.Status,
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), Poll: l.poll})
	if err != nil {
		return nil, fmt.Errorf("--listen: %w", err)
	}
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %w", l.addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	go srv.Run(ctx)
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	how := ""
	if token != "" {
		how = " (token required: Authorization: Bearer, or open /?token=TOKEN once in a browser)"
	}
	fmt.Fprintf(stderr, "Serving the status page on http://%s/ (/api/status, /metrics)%s\n", ln.Addr(), how)
	return srv, nil
}

func newServeCmd() *cobra.Command {
	var l listenFlags
	cmd := &cobra.Command{
		Use:   "serve [PATH]",
		Short: "Serve the live status page (read-only) for a machine that only runs apply",
		Long: `serve serves the live status page of the configuration at PATH (default ".")
on --listen, as 'sessctl watch --listen' does, without applying anything:
for a machine where 'sessctl apply' runs from time to time. The page shows,
per partition, each setting as written (file:line), what the app reports,
the differences, drift, the last events, pending and failed actions, and
the last apply. /api/status is the JSON of 'sessctl show --json --status'
for every partition; /metrics the Prometheus metrics. Nothing is written and
every endpoint refuses methods other than GET and HEAD.

The page updates while it is open (server-sent events): serve looks for
changes every --listen-poll (an edited file, a finished apply, the app
writing its status).

A non-loopback address needs --listen-token (or $SESSCTL_LISTEN_TOKEN);
docs/status-page.md says how a browser passes it.

Exit codes: 0 stopped by SIGINT or SIGTERM, 1 could not start.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := configPath(args)
			if _, err := os.Stat(path); err != nil {
				return fmt.Errorf("configuration path %s: %w", path, err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			src := &pageSource{path: path}
			if _, err := startPage(ctx, cmd.ErrOrStderr(), &l, src, newPageRegistry(src.outputDir)); err != nil {
				return err
			}
			<-ctx.Done()
			return nil
		},
	}
	l.add(cmd, true)
	return cmd
}
