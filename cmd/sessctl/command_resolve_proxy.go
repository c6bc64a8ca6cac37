package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/proxy"
	"github.com/sessctl/sessctl/providers/proxy/pac"
)

func init() { rootCmd.AddCommand(newResolveProxyCmd()) }

func newResolveProxyCmd() *cobra.Command {
	var (
		partition string
		rawConfig string
		explain   bool
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "resolve-proxy [DIR] --partition NAME URL... | --config JSON URL...",
		Short: "Predict what ses.resolveProxy(url) returns for a partition",
		Long: `resolve-proxy evaluates URLs against a partition's proxy settings (or a raw
Electron setProxy config object with --config) with Chromium's rules, and
prints, one line per URL, exactly the string ses.resolveProxy(url) resolves
to for a fresh session: "PROXY foopy:80;DIRECT", "DIRECT", or an empty line
for "". A URL argument "-" reads URLs from standard input, one per line.

A PAC script that cannot be fetched, throws, runs past its time limit
(5 s per call) or allocates more than its memory bound (256 MiB) is an
error on standard error and exit status 1: Electron's PAC is mandatory,
so Chromium does not fall back to DIRECT; every request of the session
fails with ERR_MANDATORY_PROXY_CONFIGURATION_FAILED and resolveProxy
gives "" (the line printed). After a script times out or overruns its
memory bound once, the other URLs fail at once with the same reason.

--config takes the JSON object given to ses.setProxy (or @FILE to read it).
A config Electron rejects (invalid mode) prints Electron's message and exits 1.
--explain adds which rule, bypass rule or implicit loopback rule decided;
--json prints {"format_version", "mode", "results": [{"url", "result",
"explain", "error"}]}.

System mode reads the proxy environment variables of this process, as
Chromium does on Linux without desktop proxy settings. PAC scripts are
fetched and run locally. auto_detect depends on the network and is reported
as not predictable. Exit status 1 when a URL is invalid or not predictable.`,
		Example: `  sessctl resolve-proxy ./conf --partition persist:work https://example.com/ http://intranet/
  sessctl resolve-proxy --config '{"proxyRules":"http=foopy:80","proxyBypassRules":"<local>"}' http://a.example/
  cat urls.txt | sessctl resolve-proxy --partition persist:work --json -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, urlArgs, err := resolveProxyConfig(cmd, partition, rawConfig, args)
			if err != nil {
				return err
			}
			if proxy.DefaultPACRunner == nil {
				proxy.SetPACRunner(&pac.Runner{})
			}
			if cfg.Env == nil {
				cfg.Env = os.Environ()
			}
			urls, err := collectURLs(cmd.InOrStdin(), urlArgs)
			if err != nil {
				return err
			}
			if len(urls) == 0 {
				return errors.New("no URL given: pass URLs as arguments or \"-\" to read them from standard input")
			}
			return printResolutions(cmd, cfg, urls, explain, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&partition, "partition", "p", "", "partition `NAME` whose proxy settings to use")
	f.StringVar(&rawConfig, "config", "", "Electron setProxy config object as `JSON` (or @FILE)")
	f.BoolVar(&explain, "explain", false, "say which rule decided each result")
	f.BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}

// looksLikeURL reports an argument that starts with "scheme:" (or is "-"),
// so that an optional DIR can be told apart from the URLs.
func looksLikeURL(s string) bool {
	if s == "-" {
		return true
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// resolveProxyConfig builds the configuration from --config or from the
// partition, and returns the URL arguments.
func resolveProxyConfig(cmd *cobra.Command, partition, rawConfig string, args []string) (*proxy.Config, []string, error) {
	stderr := cmd.ErrOrStderr()
	switch {
	case rawConfig != "" && partition != "":
		return nil, nil, errors.New("use either --partition or --config, not both")
	case rawConfig != "":
		data := []byte(rawConfig)
		if strings.HasPrefix(rawConfig, "@") {
			b, err := os.ReadFile(rawConfig[1:])
			if err != nil {
				return nil, nil, fmt.Errorf("--config: %w", err)
			}
			data = b
		}
		cfg, warnings, err := proxy.ParseElectronJSON(data)
		for _, w := range warnings {
			fmt.Fprintf(stderr, "Warning: --config: %s\n", w)
		}
		if errors.Is(err, proxy.ErrInvalidMode) {
			return nil, nil, fail(cmd, proxy.InvalidModeMessage, "")
		}
		if err != nil {
			return nil, nil, fmt.Errorf("--config: %w", err)
		}
		printIssues(stderr, "proxyRules", cfg.Electron.ProxyRules, cfg.RulesIssues)
		printIssues(stderr, "proxyBypassRules", cfg.Electron.ProxyBypassRules, cfg.BypassIssues)
		return cfg, args, nil
	case partition != "" || cmd.Flags().Changed("partition"):
		dir := "."
		if len(args) > 0 && !looksLikeURL(args[0]) {
			dir, args = args[0], args[1:]
		}
		conf, err := loadConfig(cmd, dir)
		if err != nil {
			return nil, nil, err
		}
		p, err := findPartition(cmd, conf, partition)
		if err != nil {
			return nil, nil, err
		}
		px := proxy.Key.Of(p)
		if px == nil {
			// Without setProxy Electron keeps the system proxy settings.
			cfg, _ := proxy.Compile(proxy.ElectronConfig{Mode: string(proxy.ModeSystem)})
			cfg.Note = "the partition has no proxy block, so Electron keeps the system settings"
			return cfg, args, nil
		}
		cfg, diags := proxy.Check(px)
		diags = conf.AcknowledgeWarnings(p, diags)
		printDiags(stderr, conf, diags)
		if cfg == nil {
			return nil, nil, fail(cmd, proxy.InvalidModeMessage, "")
		}
		if diags.HasErrors() {
			return nil, nil, exitWith(exitError)
		}
		return cfg, args, nil
	}
	return nil, nil, errors.New("say which settings to use: --partition NAME (with an optional configuration DIR) or --config JSON")
}

// printIssues renders rules-string issues for --config input.
func printIssues(w io.Writer, field, s string, issues []proxy.Issue) {
	for _, is := range issues {
		sev := "Warning: "
		if is.Severity == proxy.Error {
			sev = "Error: "
		} else if is.Code != "" {
			sev += "[" + string(is.Code) + "] "
		}
		fmt.Fprintf(w, "%s%s: %s\n  %s\n  %s\n  %s\n", sev, field, is.Summary, s,
			strings.Repeat(" ", is.Start)+strings.Repeat("^", max(1, is.End-is.Start)), is.Detail)
	}
}

// collectURLs expands "-" into the lines of stdin.
func collectURLs(stdin io.Reader, args []string) ([]string, error) {
	var urls []string
	for _, a := range args {
		if a != "-" {
			urls = append(urls, a)
			continue
		}
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" {
				urls = append(urls, line)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("reading URLs from standard input: %w", err)
		}
	}
	return urls, nil
}

type resolveProxyJSON struct {
	FormatVersion string               `json:"format_version"`
	Mode          proxy.Mode           `json:"mode"`
	Note          string               `json:"note,omitempty"`
	Results       []resolveProxyResult `json:"results"`
}

type resolveProxyResult struct {
	URL     string        `json:"url"`
	Result  string        `json:"result"`
	Explain proxy.Explain `json:"explain"`
	Error   string        `json:"error,omitempty"`
}

func printResolutions(cmd *cobra.Command, cfg *proxy.Config, urls []string, explain, asJSON bool) error {
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	failed := false
	doc := resolveProxyJSON{FormatVersion: jsonFormatVersion, Mode: cfg.Mode, Note: cfg.Note, Results: []resolveProxyResult{}}
	if cfg.Electron.Mode == string(proxy.ModeSystem) {
		doc.Mode = proxy.ModeSystem
	}
	for _, u := range urls {
		r := proxy.ResolveContext(ctx, cfg, u)
		if r.Err != nil {
			failed = true
			if !asJSON {
				fmt.Fprintf(cmd.ErrOrStderr(), "Error: %s\n", r.Err)
			}
		}
		if r.Explain.Decision == proxy.DecisionPACFailed {
			// The prediction ("") is exact, but the configuration is
			// broken: every request of the session fails. Say so and
			// exit non-zero, also without --explain.
			failed = true
			if !asJSON {
				fmt.Fprintf(cmd.ErrOrStderr(), "Error: %s: %s\n", u, r.Explain.Note)
			}
		}
		if asJSON {
			jr := resolveProxyResult{URL: u, Result: r.PAC, Explain: r.Explain}
			if r.Err != nil {
				jr.Error = r.Err.Error()
			}
			doc.Results = append(doc.Results, jr)
			continue
		}
		fmt.Fprintln(out, r.PAC)
		if explain {
			ex := r.Explain
			line := "  # " + u + ": " + string(ex.Decision)
			if rule := ex.Rule; rule != "" {
				if len(rule) > 64 {
					rule = rule[:61] + "..."
				}
				line += " " + fmt.Sprintf("%q", rule)
			}
			fmt.Fprintln(out, line+": "+ex.Note)
		}
	}
	if asJSON {
		if err := writeJSON(out, doc); err != nil {
			return err
		}
	}
	if failed {
		out.Flush()
		return exitWith(exitError)
	}
	return nil
}
