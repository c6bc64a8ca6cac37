package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Mode is an Electron proxy mode (ProxyConfig.mode).
type Mode string

// The five modes Electron accepts (ProxyPrefs::StringToProxyMode).
const (
	ModeDirect       Mode = "direct"
	ModeAutoDetect   Mode = "auto_detect"
	ModePACScript    Mode = "pac_script"
	ModeFixedServers Mode = "fixed_servers"
	ModeSystem       Mode = "system"
)

// Modes lists the valid modes in Electron's order.
var Modes = []Mode{ModeDirect, ModeAutoDetect, ModePACScript, ModeFixedServers, ModeSystem}

// InvalidModeMessage is the message Electron's setProxy rejects with when
// mode is not one of the five names (electron_api_session.cc SetProxy).
const InvalidModeMessage = "Invalid mode, must be one of direct, auto_detect, pac_script, fixed_servers or system"

// ErrInvalidMode is returned for a mode Electron rejects; its text is
// Electron's message.
var ErrInvalidMode = errors.New(InvalidModeMessage)

// ErrNotPredictable is wrapped by results that depend on the network
// (auto_detect's WPAD discovery, a missing PAC runner).
var ErrNotPredictable = errors.New("not predictable offline")

// ValidMode reports whether Electron accepts m (case-sensitive).
func ValidMode(m string) bool {
	for _, v := range Modes {
		if string(v) == m {
			return true
		}
	}
	return false
}

// ElectronConfig is the argument of ses.setProxy(config) exactly as the
// profile carries it (field "proxy"). Empty strings are omitted.
type ElectronConfig struct {
	Mode             string `json:"mode,omitempty"`
	ProxyRules       string `json:"proxyRules,omitempty"`
	ProxyBypassRules string `json:"proxyBypassRules,omitempty"`
	PacScript        string `json:"pacScript,omitempty"`
}

// PACRunner fetches and runs PAC scripts. Package providers/proxy/pac
// provides the real one; tests plug in fakes.
type PACRunner interface {
	// Fetch returns the script at url (http, https or data:).
	Fetch(ctx context.Context, url string) (script string, err error)
	// Run calls FindProxyForURL(url, host) and returns its result string.
	Run(ctx context.Context, script, url, host string, timeout time.Duration) (result string, err error)
}

// DefaultPACRunner is used by configurations without their own PAC
// runner. It is nil until the PAC engine is linked in (SetPACRunner).
var DefaultPACRunner PACRunner

// SetPACRunner installs the default PAC runner (call from init or main).
func SetPACRunner(r PACRunner) { DefaultPACRunner = r }

// DefaultPACTimeout bounds one FindProxyForURL call when Config.PACTimeout
// is zero. Chromium has no such limit; it only protects sessctl.
const DefaultPACTimeout = 5 * time.Second

// Config is a parsed proxy configuration, ready to evaluate many URLs.
// Build it once with Compile or ParseElectronJSON; Resolve is safe for
// concurrent use.
type Config struct {
	// Electron is the normalized setProxy argument (Mode always set;
	// fields the mode ignores removed).
	Electron ElectronConfig
	// Mode is the effective mode.
	Mode Mode
	// Rules and Bypass are the parsed fixed_servers rules (nil otherwise).
	Rules  *Rules
	Bypass *Bypass
	// RulesIssues and BypassIssues point into Electron.ProxyRules and
	// Electron.ProxyBypassRules.
	RulesIssues, BypassIssues []Issue
	// PACURL is the PAC script URL in pac_script mode (or from auto_proxy
	// in system mode); PACMandatory is true for Electron's pac_script mode:
	// a failing script blocks requests instead of going DIRECT.
	PACURL       string
	PACMandatory bool
	// Env is the environment consulted in system mode (os.Environ form).
	Env []string
	// PAC overrides DefaultPACRunner; PACTimeout overrides DefaultPACTimeout.
	PAC        PACRunner
	PACTimeout time.Duration
	// Note explains a mode that collapses to something else (e.g.
	// fixed_servers with empty rules is direct).
	Note string

	pre    precomputed
	pacMu  sync.Mutex
	pacSet bool
	pacSrc string
	pacErr error
	sysMu  sync.Mutex
	sys    *Config
	sysKey envKey
	// pacDirect: pac_script without a usable URL, which Electron turns
	// into a direct configuration.
	pacDirect bool
}

// envKey identifies the Env slice a cached system config was built from.
type envKey struct {
	n     int
	first *string
}

// Compile builds a Config from a setProxy argument the way Electron does
// (Session::SetProxy, createProxyConfig): an empty Mode means "absent" and
// is inferred (pac_script when PacScript is set, else fixed_servers); a
// Mode that is not one of the five names is ErrInvalidMode.
func Compile(ec ElectronConfig) (*Config, error) {
	mode := Mode(ec.Mode)
	if ec.Mode == "" {
		mode = ModeFixedServers
		if ec.PacScript != "" {
			mode = ModePACScript
		}
	} else if !ValidMode(ec.Mode) {
		return nil, ErrInvalidMode
	}
	return compile(mode, ec), nil
}

// ParseElectronJSON reads a raw setProxy config object (as for
// `resolve-proxy --config`). It reproduces gin's conversions: a key whose
// value is not a string is treated as absent (reported in warnings); a
// present "mode" must be valid, "" included.
func ParseElectronJSON(data []byte) (*Config, []string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, fmt.Errorf("proxy config is not a JSON object: %w", err)
	}
	var warnings []string
	get := func(key string) (string, bool) {
		v, ok := raw[key]
		if !ok {
			return "", false
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil || string(v) == "null" {
			warnings = append(warnings, fmt.Sprintf("%q is not a string: Electron ignores it (got %s)", key, v))
			return "", false
		}
		return s, true
	}
	for k := range raw {
		switch k {
		case "mode", "proxyRules", "proxyBypassRules", "pacScript":
		default:
			warnings = append(warnings, fmt.Sprintf("unknown key %q: Electron ignores it (keys: mode, proxyRules, proxyBypassRules, pacScript)", k))
		}
	}
	var ec ElectronConfig
	ec.PacScript, _ = get("pacScript")
	ec.ProxyRules, _ = get("proxyRules")
	ec.ProxyBypassRules, _ = get("proxyBypassRules")
	m, hasMode := get("mode")
	if hasMode {
		if !ValidMode(m) {
			return nil, warnings, ErrInvalidMode
		}
		ec.Mode = m
	}
	c, err := Compile(ec)
	return c, warnings, err
}

// Decision says what decided a resolution.
type Decision string

// Decisions reported in Explain.
const (
	DecisionDirectMode     Decision = "direct-mode"     // mode direct (or a config Electron turns into direct)
	DecisionNoRules        Decision = "no-rules"        // fixed_servers whose rules hold no entry
	DecisionBypass         Decision = "bypass-rule"     // an explicit bypass rule matched
	DecisionImplicitBypass Decision = "implicit-bypass" // localhost / loopback / link-local
	DecisionProxyRules     Decision = "proxy-rules"     // the rules' list for the URL scheme
	DecisionNoMapping      Decision = "no-mapping"      // per-scheme rules without a list for this scheme
	DecisionPAC            Decision = "pac"             // FindProxyForURL result
	DecisionPACFailed      Decision = "pac-failed"      // fetch or script failure
	DecisionUnpredictable  Decision = "unpredictable"   // depends on the network (auto_detect)
	DecisionInvalidURL     Decision = "invalid-url"
)

// Explain says why a URL resolved the way it did.
type Explain struct {
	Mode     Mode     `json:"mode"`
	Decision Decision `json:"decision"`
	// Rule is the deciding rule as written: a bypass rule, an implicit
	// rule name, or the rules list ("http=" bucket, single list).
	Rule string `json:"rule,omitempty"`
	// Excluded is set when <-loopback> removed the implicit bypass.
	Excluded bool `json:"excluded,omitempty"`
	// PACResult is FindProxyForURL's raw return value.
	PACResult string `json:"pacResult,omitempty"`
	// Note is one human sentence.
	Note string `json:"note"`
}

// Result is the outcome of resolving one URL.
type Result struct {
	// PAC is exactly what ses.resolveProxy(url) resolves to for a fresh
	// session ("PROXY foopy:80;DIRECT", "DIRECT", or "").
	PAC     string  `json:"result"`
	Explain Explain `json:"explain"`
	// Err is set for invalid URLs and unpredictable results (PAC is "").
	Err error `json:"-"`
}

// Resolve evaluates rawURL against cfg like ses.resolveProxy(url) on a
// fresh session. env, when given, replaces cfg.Env for system mode (and
// is then parsed on every call; set cfg.Env to parse it once).
func Resolve(cfg *Config, rawURL string, env ...string) Result {
	return ResolveContext(context.Background(), cfg, rawURL, env...)
}

// ResolveContext is Resolve with a context for PAC fetches and runs.
func ResolveContext(ctx context.Context, cfg *Config, rawURL string, env ...string) Result {
	return cfg.resolve(ctx, rawURL, env)
}
