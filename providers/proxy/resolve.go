package proxy

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Bucket indexes of a Rules value.
const (
	bucketNone = iota
	bucketSingle
	bucketHTTP
	bucketHTTPS
	bucketFTP
	bucketFallback
	numBuckets
)

var bucketKeys = [numBuckets]string{"", "", "http=", "https=", "ftp=", "socks="}

func (r *Rules) bucket(i int) List {
	switch i {
	case bucketSingle:
		return r.Single
	case bucketHTTP:
		return r.HTTP
	case bucketHTTPS:
		return r.HTTPS
	case bucketFTP:
		return r.FTP
	case bucketFallback:
		return r.Fallback
	}
	return nil
}

// pick is MapUrlSchemeToProxyList / GetProxyListForWebSocketScheme as a
// bucket index (bucketNone: DIRECT).
func (r *Rules) pick(scheme string) int {
	switch r.Type {
	case RulesEmpty:
		return bucketNone
	case RulesList:
		return bucketSingle
	}
	switch scheme {
	case "http":
		if len(r.HTTP) > 0 {
			return bucketHTTP
		}
	case "https":
		if len(r.HTTPS) > 0 {
			return bucketHTTPS
		}
	case "ftp":
		if len(r.FTP) > 0 {
			return bucketFTP
		}
	case "ws", "wss":
		// RFC 6455 §4.1: prefer the SOCKS (fallback) list, then https, then http.
		switch {
		case len(r.Fallback) > 0:
			return bucketFallback
		case len(r.HTTPS) > 0:
			return bucketHTTPS
		case len(r.HTTP) > 0:
			return bucketHTTP
		}
		return bucketNone
	}
	if len(r.Fallback) > 0 {
		return bucketFallback
	}
	return bucketNone
}

// ListFor returns the proxy list Chromium uses for a URL scheme when no
// bypass rule matched (ProxyRules::Apply), and the key of the list it came
// from ("" for a single list). ok is false when the scheme has no mapping
// and goes DIRECT.
func (r *Rules) ListFor(scheme string) (l List, key string, ok bool) {
	i := r.pick(scheme)
	if i == bucketNone {
		return nil, "", false
	}
	return r.bucket(i), bucketKeys[i], true
}

// precomputed holds the strings Resolve returns, so that the per-URL path
// of fixed_servers does not allocate them.
type precomputed struct {
	pac    [numBuckets]string
	rule   [numBuckets]string
	note   [numBuckets]string
	bypass []string // note per bypass rule
}

func compile(mode Mode, ec ElectronConfig) *Config {
	c := &Config{Mode: mode}
	c.Electron.Mode = string(mode)
	switch mode {
	case ModeFixedServers:
		c.Electron.ProxyRules = ec.ProxyRules
		c.Electron.ProxyBypassRules = ec.ProxyBypassRules
		if ec.ProxyRules == "" {
			// ProxyConfigDictionary::CreateFixedServers returns a direct
			// dictionary for empty rules; the bypass list is dropped.
			c.Rules = &Rules{}
			c.Note = "proxyRules is empty, so Electron applies a direct configuration (bypass rules are dropped)"
			c.Electron.ProxyBypassRules = ""
		} else {
			c.Rules, c.RulesIssues = ParseRules(ec.ProxyRules)
			c.Bypass, c.BypassIssues = ParseBypass(ec.ProxyBypassRules)
		}
		c.precompute()
	case ModePACScript:
		c.Electron.PacScript = ec.PacScript
		c.PACURL = ec.PacScript
		c.PACMandatory = true
		if ec.PacScript == "" {
			c.Note, c.pacDirect = "pacScript is empty, so Electron applies a direct configuration", true
		} else if _, err := parseTarget(ec.PacScript); err != nil {
			c.Note, c.pacDirect = "pacScript is not a valid URL, so Electron applies a direct configuration", true
		}
	}
	return c
}

func (c *Config) precompute() {
	for i := bucketSingle; i < numBuckets; i++ {
		l := c.Rules.bucket(i)
		c.pre.pac[i] = l.PAC()
		c.pre.rule[i] = bucketKeys[i] + c.Rules.listText(i)
		switch {
		case i == bucketSingle && len(l) == 0:
			c.pre.note[i] = "every entry of the rules was dropped: Chromium's proxy list is empty and requests fail"
		case i == bucketSingle:
			c.pre.note[i] = "the rules are a single list used for every URL scheme"
		case i == bucketFallback:
			c.pre.note[i] = "no list for this URL scheme: the socks= list is the fallback"
		default:
			c.pre.note[i] = "the " + bucketKeys[i] + " list applies to this URL scheme"
		}
	}
	c.pre.note[bucketNone] = "the rules have no list for this URL scheme and no socks= fallback, so it goes DIRECT"
	if c.Rules.Type == RulesEmpty {
		c.pre.note[bucketNone] = "the rules hold no entry, so every URL goes DIRECT"
		if c.Note != "" {
			c.pre.note[bucketNone] = c.Note
		}
	}
	if c.Bypass != nil {
		c.pre.bypass = make([]string, len(c.Bypass.Rules))
		for i := range c.Bypass.Rules {
			r := &c.Bypass.Rules[i]
			c.pre.bypass[i] = fmt.Sprintf("bypass rule #%d %q matched (rules are evaluated last to first)", i+1, r.Text)
		}
	}
}

// listText renders bucket i with canonical URIs.
func (r *Rules) listText(i int) string {
	l := r.bucket(i)
	parts := make([]string, len(l))
	for j, s := range l {
		parts[j] = s.URI()
	}
	return strings.Join(parts, ",")
}

const (
	noteImplicit       = "implicit bypass: localhost, loopback and link-local addresses never use a proxy (ProxyHostMatchingRules::MatchesImplicitRules)"
	noteImplicitPAC    = "implicit bypass: localhost, loopback and link-local addresses skip the PAC script (ApplyPacBypassRules)"
	noteExcluded       = "<-loopback> removed the implicit localhost/loopback bypass for this URL"
	noteDirect         = "mode direct: every URL goes DIRECT"
	noteAutoDetect     = "auto_detect: the result depends on WPAD discovery (DHCP, then http://wpad/wpad.dat) on the network where the app runs"
	ruleImplicit       = "implicit (localhost, loopback, link-local)"
	ruleSubtractImplic = "<-loopback>"
)

func (c *Config) resolve(ctx context.Context, rawURL string, env []string) Result {
	t, err := parseTarget(rawURL)
	if err != nil {
		return Result{Err: err, Explain: Explain{Mode: c.Mode, Decision: DecisionInvalidURL, Note: err.Error()}}
	}
	switch c.Mode {
	case ModeDirect:
		note := noteDirect
		if c.Electron.Mode == string(ModeSystem) {
			note = "every URL goes DIRECT"
		}
		return Result{PAC: "DIRECT", Explain: Explain{Mode: c.Mode, Decision: DecisionDirectMode, Note: note}}
	case ModeFixedServers:
		return c.resolveFixed(&t)
	case ModePACScript:
		if c.pacDirect {
			return Result{PAC: "DIRECT", Explain: Explain{Mode: c.Mode, Decision: DecisionDirectMode, Note: c.Note}}
		}
		return c.resolvePAC(ctx, &t)
	case ModeAutoDetect:
		if matchesImplicit(&t) {
			return Result{PAC: "DIRECT", Explain: Explain{Mode: c.Mode, Decision: DecisionImplicitBypass, Rule: ruleImplicit, Note: noteImplicitPAC}}
		}
		return Result{Err: fmt.Errorf("%s: %w", rawURL, ErrNotPredictable), Explain: Explain{Mode: c.Mode, Decision: DecisionUnpredictable, Note: noteAutoDetect}}
	case ModeSystem:
		sys := c.systemConfig(env)
		r := sys.resolve(ctx, rawURL, nil)
		r.Explain.Mode = ModeSystem
		r.Explain.Note = "system settings (" + sys.Note + "): " + r.Explain.Note
		return r
	}
	return Result{Err: ErrInvalidMode, Explain: Explain{Mode: c.Mode, Decision: DecisionInvalidURL, Note: InvalidModeMessage}}
}

// resolveFixed is ProxyRules::Apply with ProxyHostMatchingRules::Matches.
func (c *Config) resolveFixed(t *target) Result {
	if c.Rules.Type == RulesEmpty {
		return Result{PAC: "DIRECT", Explain: Explain{Mode: c.Mode, Decision: DecisionNoRules, Note: c.pre.note[bucketNone]}}
	}
	i, res := c.Bypass.match(t)
	excluded := false
	switch res {
	case include:
		return Result{PAC: "DIRECT", Explain: Explain{Mode: c.Mode, Decision: DecisionBypass, Rule: c.Bypass.Rules[i].Text, Note: c.pre.bypass[i]}}
	case exclude:
		excluded = true
	case noMatch:
		if matchesImplicit(t) {
			return Result{PAC: "DIRECT", Explain: Explain{Mode: c.Mode, Decision: DecisionImplicitBypass, Rule: ruleImplicit, Note: noteImplicit}}
		}
	}
	b := c.Rules.pick(t.scheme)
	ex := Explain{Mode: c.Mode, Decision: DecisionProxyRules, Rule: c.pre.rule[b], Note: c.pre.note[b], Excluded: excluded}
	if b == bucketNone {
		ex.Decision, ex.Rule = DecisionNoMapping, ""
		if excluded {
			ex.Rule = ruleSubtractImplic
		}
		return Result{PAC: "DIRECT", Explain: ex}
	}
	if excluded {
		ex.Note = noteExcluded + "; " + ex.Note
	}
	return Result{PAC: c.pre.pac[b], Explain: ex}
}

// errNotPACScript is PacFileDecider's ERR_PAC_SCRIPT_FAILED for a script
// that does not look like one.
var errNotPACScript = errors.New("the script does not contain \"FindProxyForURL\" (Chromium's LooksLikePacScript check fails with ERR_PAC_SCRIPT_FAILED)")

// looksLikePACScript is LooksLikePacScript in pac_file_decider.cc, applied
// by DoVerifyPacScript when the resolver takes the script bytes (as
// Electron's network service does).
func looksLikePACScript(s string) bool { return strings.Contains(s, "FindProxyForURL") }

// pacSchemeAllowed is PacFileFetcherImpl::IsUrlSchemeAllowed (plus data:,
// which Chromium decodes in-process).
func pacSchemeAllowed(u string) (string, bool) {
	i := strings.IndexByte(u, ':')
	if i <= 0 {
		return "", false
	}
	s := strings.ToLower(u[:i])
	return s, s == "http" || s == "https" || s == "data"
}

func (c *Config) pacRunner() PACRunner {
	if c.PAC != nil {
		return c.PAC
	}
	return DefaultPACRunner
}

// fetchPAC downloads the script once per Config (Chromium also fetches it
// once and then polls); failures are remembered too.
func (c *Config) fetchPAC(ctx context.Context, r PACRunner) (string, error) {
	c.pacMu.Lock()
	defer c.pacMu.Unlock()
	if c.pacSet {
		return c.pacSrc, c.pacErr
	}
	if s, ok := pacSchemeAllowed(c.PACURL); !ok {
		c.pacErr = fmt.Errorf("Chromium refuses %q PAC URLs (only http, https and data: are fetched)", s)
	} else {
		c.pacSrc, c.pacErr = r.Fetch(ctx, c.PACURL)
		if c.pacErr == nil && !looksLikePACScript(c.pacSrc) {
			c.pacErr = errNotPACScript
		}
	}
	c.pacSet = true
	return c.pacSrc, c.pacErr
}

// resolvePAC follows ConfiguredProxyResolutionService: implicit bypass
// first, then the script; a mandatory PAC (Electron's pac_script mode)
// that fails yields ERR_MANDATORY_PROXY_CONFIGURATION_FAILED, which
// resolveProxy reports as "".
func (c *Config) resolvePAC(ctx context.Context, t *target) Result {
	if matchesImplicit(t) {
		return Result{PAC: "DIRECT", Explain: Explain{Mode: c.Mode, Decision: DecisionImplicitBypass, Rule: ruleImplicit, Note: noteImplicitPAC}}
	}
	r := c.pacRunner()
	if r == nil {
		return Result{Err: fmt.Errorf("no PAC engine linked: %w", ErrNotPredictable), Explain: Explain{Mode: c.Mode, Decision: DecisionUnpredictable, Note: "no PAC engine is available to run " + c.PACURL}}
	}
	failed := func(what string, err error) Result {
		ex := Explain{Mode: c.Mode, Decision: DecisionPACFailed, Rule: c.PACURL}
		if c.PACMandatory {
			ex.Note = what + " failed (" + err.Error() + "); the PAC is mandatory in Electron, so requests fail with ERR_MANDATORY_PROXY_CONFIGURATION_FAILED and resolveProxy gives \"\""
			return Result{PAC: "", Explain: ex}
		}
		ex.Note = what + " failed (" + err.Error() + "); a non-mandatory PAC falls back to DIRECT"
		return Result{PAC: "DIRECT", Explain: ex}
	}
	script, err := c.fetchPAC(ctx, r)
	if err != nil {
		return failed("fetching the PAC script", err)
	}
	timeout := c.PACTimeout
	if timeout <= 0 {
		timeout = DefaultPACTimeout
	}
	out, err := r.Run(ctx, script, t.pacURL(), t.hostNoBrackets(), timeout)
	if err != nil {
		return failed("FindProxyForURL", err)
	}
	l := ParsePACResult(out)
	ex := Explain{Mode: c.Mode, Decision: DecisionPAC, Rule: c.PACURL, PACResult: out, Note: "FindProxyForURL returned " + fmt.Sprintf("%q", out)}
	if len(l) == 1 && l[0].Scheme == SchemeDirect && !strings.Contains(strings.ToUpper(out), "DIRECT") {
		ex.Note += "; nothing valid in it, so Chromium uses DIRECT"
	}
	return Result{PAC: l.PAC(), Explain: ex}
}

// ChromiumFlags returns the Chromium command-line switches equivalent to
// the Electron configuration, for end-to-end checks against a real
// browser. Two differences are inherent: a --proxy-pac-url PAC is not
// mandatory (a failing script falls back to DIRECT where Electron gives
// ""), and system mode has no flag (the browser reads the environment
// itself), so it returns none.
func ChromiumFlags(cfg *Config) []string {
	switch cfg.Mode {
	case ModeDirect:
		return []string{"--no-proxy-server"}
	case ModeAutoDetect:
		return []string{"--proxy-auto-detect"}
	case ModePACScript:
		if cfg.pacDirect {
			return []string{"--no-proxy-server"}
		}
		return []string{"--proxy-pac-url=" + cfg.PACURL}
	case ModeFixedServers:
		if cfg.Electron.ProxyRules == "" {
			return []string{"--no-proxy-server"}
		}
		// The command line goes through the same ProxyRules and
		// ProxyBypassRules parsers, so the strings are passed as written.
		flags := []string{"--proxy-server=" + cfg.Electron.ProxyRules}
		if cfg.Electron.ProxyBypassRules != "" {
			flags = append(flags, "--proxy-bypass-list="+cfg.Electron.ProxyBypassRules)
		}
		return flags
	}
	return nil
}
