package proxy

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePAC is a PACRunner whose script is a table host -> result.
type fakePAC struct {
	mu       sync.Mutex
	fetchErr error
	runErr   error
	results  map[string]string
	fetches  int
	lastURL  string
	lastHost string
}

func (f *fakePAC) Fetch(ctx context.Context, url string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches++
	if f.fetchErr != nil {
		return "", f.fetchErr
	}
	return "function FindProxyForURL(url, host) { /* fake */ }", nil
}

func (f *fakePAC) Run(ctx context.Context, script, url, host string, timeout time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastURL, f.lastHost = url, host
	if f.runErr != nil {
		return "", f.runErr
	}
	return f.results[host], nil
}

// junkPAC serves an HTML error page instead of a script.
type junkPAC struct{ fakePAC }

func (*junkPAC) Fetch(ctx context.Context, url string) (string, error) {
	return "<html>proxy login required</html>", nil
}

func pacConfig(t *testing.T, f PACRunner, url string) *Config {
	t.Helper()
	cfg, err := Compile(ElectronConfig{PacScript: url})
	if err != nil {
		t.Fatal(err)
	}
	cfg.PAC = f
	return cfg
}

func TestResolvePAC(t *testing.T) {
	f := &fakePAC{results: map[string]string{
		"google.com": "PROXY myproxy:8132", // Electron spec 'allows configuring proxy settings with pacScript'
		"a.example":  "PROXY foopy1 ; JUNK ; SOCKS5 foopy2 ; ;",
		"b.example":  "junk",
		"::1":        "PROXY never:1",
		"[::2]":      "",
	}}
	cfg := pacConfig(t, f, "http://127.0.0.1:9999/proxy.pac")
	for url, want := range map[string]string{
		"https://google.com":  "PROXY myproxy:8132",
		"http://a.example/":   "PROXY foopy1:80;SOCKS5 foopy2:1080", // proxy_list_unittest SetFromPacString
		"http://b.example/":   "DIRECT",                             // nothing valid -> DIRECT
		"http://localhost/":   "DIRECT",                             // implicit rules before the script
		"http://[::1]/":       "DIRECT",
		"http://169.254.1.1/": "DIRECT",
	} {
		r := Resolve(cfg, url)
		if r.PAC != want || r.Err != nil {
			t.Errorf("%s: %q %v (%+v), want %q", url, r.PAC, r.Err, r.Explain, want)
		}
	}
	if f.fetches != 1 {
		t.Errorf("script fetched %d times, want once per Config", f.fetches)
	}
	// The script sees the sanitized URL and the host without brackets.
	Resolve(cfg, "https://user:pw@Secure.Example:8443/path?q#frag")
	if f.lastURL != "https://secure.example:8443/" || f.lastHost != "secure.example" {
		t.Errorf("FindProxyForURL(%q, %q)", f.lastURL, f.lastHost)
	}
	Resolve(cfg, "http://[2001:db8::1]/x")
	if f.lastHost != "2001:db8::1" {
		t.Errorf("IPv6 host passed as %q", f.lastHost)
	}
}

// TestResolvePACMandatory: Electron's PAC is mandatory, so a fetch or
// script failure is ERR_MANDATORY_PROXY_CONFIGURATION_FAILED -> "", except
// for implicitly bypassed URLs (TryToCompleteSynchronously checks
// ApplyPacBypassRules before the permanent error).
func TestResolvePACMandatory(t *testing.T) {
	f := &fakePAC{fetchErr: errors.New("connection refused")}
	cfg := pacConfig(t, f, "http://pac.invalid/proxy.pac")
	if r := Resolve(cfg, "http://a.example/"); r.PAC != "" || r.Explain.Decision != DecisionPACFailed || r.Err != nil {
		t.Errorf("fetch failure: %+v", r)
	}
	if r := Resolve(cfg, "http://127.0.0.1/"); r.PAC != "DIRECT" {
		t.Errorf("loopback with failed PAC: %+v", r)
	}
	f2 := &fakePAC{runErr: errors.New("ReferenceError: x is not defined")}
	cfg2 := pacConfig(t, f2, "https://pac.example/proxy.pac")
	if r := Resolve(cfg2, "http://a.example/"); r.PAC != "" || r.Explain.Decision != DecisionPACFailed {
		t.Errorf("script failure: %+v", r)
	}
	// A fetched file without "FindProxyForURL" is not a PAC script
	// (pac_file_decider.cc LooksLikePacScript).
	cfgJunk := pacConfig(t, &junkPAC{}, "http://pac.example/p.pac")
	if r := Resolve(cfgJunk, "http://a.example/"); r.PAC != "" || r.Explain.Decision != DecisionPACFailed {
		t.Errorf("not a PAC script: %+v", r)
	}
	// file:// is refused before any fetch.
	f3 := &fakePAC{}
	cfg3 := pacConfig(t, f3, "file:///etc/proxy.pac")
	if r := Resolve(cfg3, "http://a.example/"); r.PAC != "" || f3.fetches != 0 {
		t.Errorf("file PAC: %+v, fetches %d", r, f3.fetches)
	}
	// No runner linked: not predictable.
	saved := DefaultPACRunner
	DefaultPACRunner = nil
	defer func() { DefaultPACRunner = saved }()
	cfg4, _ := Compile(ElectronConfig{PacScript: "http://pac.example/p.pac"})
	if r := Resolve(cfg4, "http://a.example/"); !errors.Is(r.Err, ErrNotPredictable) {
		t.Errorf("no runner: %+v", r)
	}
}

func TestModes(t *testing.T) {
	for _, c := range []struct {
		ec   ElectronConfig
		url  string
		want string
		err  error
	}{
		{ElectronConfig{Mode: "direct", ProxyRules: "http=myproxy:80"}, "http://example.com/", "DIRECT", nil},
		{ElectronConfig{}, "http://example.com/", "DIRECT", nil},
		{ElectronConfig{Mode: "pac_script"}, "http://example.com/", "DIRECT", nil},
		{ElectronConfig{Mode: "pac_script", PacScript: "not a url"}, "http://example.com/", "DIRECT", nil},
		{ElectronConfig{Mode: "auto_detect"}, "http://example.com/", "", ErrNotPredictable},
		{ElectronConfig{Mode: "auto_detect"}, "http://localhost/", "DIRECT", nil},
		{ElectronConfig{Mode: "fixed_servers", ProxyRules: "p:1"}, "not a url", "", ErrInvalidURL},
	} {
		cfg, err := Compile(c.ec)
		if err != nil {
			t.Fatal(err)
		}
		r := Resolve(cfg, c.url)
		if r.PAC != c.want || !errors.Is(r.Err, c.err) {
			t.Errorf("%+v %s: %q %v, want %q %v", c.ec, c.url, r.PAC, r.Err, c.want, c.err)
		}
	}
	if _, err := Compile(ElectronConfig{Mode: "invalid"}); !errors.Is(err, ErrInvalidMode) || err.Error() != "Invalid mode, must be one of direct, auto_detect, pac_script, fixed_servers or system" {
		t.Errorf("invalid mode: %v", err)
	}
}

// TestSystemEnv: ProxyConfigServiceLinux::Delegate::GetConfigFromEnv.
func TestSystemEnv(t *testing.T) {
	cfg, _ := Compile(ElectronConfig{Mode: "system"})
	for _, c := range []struct {
		name string
		env  []string
		url  string
		want string
	}{
		{"nothing set", nil, "http://a.example/", "DIRECT"},
		{"all_proxy", []string{"all_proxy=allproxy:3128"}, "ftp://a.example/", "PROXY allproxy:3128"},
		{"all_proxy scheme dropped", []string{"all_proxy=socks5://s:1080"}, "http://a.example/", "PROXY s:1080"},
		{"http_proxy not for https", []string{"http_proxy=hp:8080"}, "https://a.example/", "DIRECT"},
		{"http_proxy", []string{"http_proxy=http://hp:8080/"}, "http://a.example/", "PROXY hp:8080"},
		{"upper case fallback", []string{"HTTPS_PROXY=sp:8443"}, "https://a.example/", "PROXY sp:8443"},
		{"lower case wins", []string{"HTTPS_PROXY=upper:1", "https_proxy=lower:2"}, "https://a.example/", "PROXY lower:2"},
		{"credentials dropped", []string{"http_proxy=http://u:p@hp:8080"}, "http://a.example/", "PROXY hp:8080"},
		{"socks5 default", []string{"SOCKS_SERVER=sox:1080"}, "https://a.example/", "SOCKS5 sox:1080"},
		{"socks4 version", []string{"SOCKS_SERVER=sox", "SOCKS_VERSION=4"}, "http://a.example/", "SOCKS sox:1080"},
		{"socks4:// prefix", []string{"SOCKS_SERVER=socks4://sox:9"}, "http://a.example/", "SOCKS sox:9"},
		{"http wins over socks", []string{"http_proxy=hp:1", "SOCKS_SERVER=sox"}, "https://a.example/", "DIRECT"},
		{"no_proxy suffix", []string{"http_proxy=hp:1", "no_proxy=example.org"}, "http://notexample.org/", "DIRECT"},
		{"no_proxy dotted", []string{"http_proxy=hp:1", "no_proxy=.example.org"}, "http://example.org/", "PROXY hp:1"},
		{"no_proxy ip", []string{"http_proxy=hp:1", "no_proxy=10.0.0.0/8,192.168.1.1"}, "http://10.1.2.3/", "DIRECT"},
		{"no_proxy star", []string{"http_proxy=hp:1", "no_proxy=*"}, "http://a.example/", "DIRECT"},
		{"implicit loopback", []string{"http_proxy=hp:1"}, "http://localhost:3000/", "DIRECT"},
		{"invalid value ignored", []string{"http_proxy=hp:99999"}, "http://a.example/", "DIRECT"},
	} {
		r := Resolve(cfg, c.url, c.env...)
		if r.PAC != c.want || r.Err != nil {
			t.Errorf("%s: %q %v (%s), want %q", c.name, r.PAC, r.Err, r.Explain.Note, c.want)
		}
	}
	r := Resolve(cfg, "http://a.example/", "auto_proxy=")
	if !errors.Is(r.Err, ErrNotPredictable) {
		t.Errorf("auto_proxy empty: %+v", r)
	}
	// auto_proxy with a URL: a non-mandatory PAC falls back to DIRECT.
	sys := SystemConfig([]string{"auto_proxy=http://pac.invalid/p.pac"})
	sys.PAC = &fakePAC{fetchErr: errors.New("boom")}
	if r := Resolve(sys, "http://a.example/"); r.PAC != "DIRECT" || r.Explain.Decision != DecisionPACFailed {
		t.Errorf("system PAC failure: %+v", r)
	}
	// The outer config's PAC runner is used for auto_proxy.
	withPAC, _ := Compile(ElectronConfig{Mode: "system"})
	withPAC.PAC = &fakePAC{results: map[string]string{"a.example": "SOCKS5 s:1"}}
	if r := Resolve(withPAC, "http://a.example/", "auto_proxy=http://pac.example/p.pac"); r.PAC != "SOCKS5 s:1" {
		t.Errorf("system auto_proxy with the config's runner: %+v", r)
	}
	// A desktop with its own proxy settings is named in the explanation.
	if r := Resolve(cfg, "http://a.example/", "XDG_CURRENT_DESKTOP=ubuntu:GNOME", "http_proxy=h:1"); r.PAC != "PROXY h:1" || !strings.Contains(r.Explain.Note, "GNOME desktop") {
		t.Errorf("desktop caveat: %+v", r)
	}
	// cfg.Env is parsed once and cached.
	cfg.Env = []string{"http_proxy=cached:1"}
	if r := Resolve(cfg, "http://a.example/"); r.PAC != "PROXY cached:1" {
		t.Errorf("cfg.Env: %+v", r)
	}
}

func TestParseElectronJSON(t *testing.T) {
	cfg, warns, err := ParseElectronJSON([]byte(`{"mode":null,"proxyRules":"p:1","extra":1}`))
	if err != nil || cfg.Mode != ModeFixedServers || len(warns) != 2 {
		t.Errorf("null mode: %v %v %v", cfg, warns, err)
	}
	if _, _, err := ParseElectronJSON([]byte(`{"mode":""}`)); !errors.Is(err, ErrInvalidMode) {
		t.Errorf(`mode "" must be invalid: %v`, err)
	}
	if _, _, err := ParseElectronJSON([]byte(`[1]`)); err == nil || errors.Is(err, ErrInvalidMode) {
		t.Errorf("not an object: %v", err)
	}
	cfg, _, _ = ParseElectronJSON([]byte(`{"pacScript":"http://p/p.pac","proxyRules":"p:1"}`))
	if cfg.Mode != ModePACScript || cfg.Electron.ProxyRules != "" {
		t.Errorf("pacScript wins: %+v", cfg.Electron)
	}
}

// TestCIDRWhitespace: ParseCIDRBlock splits with TRIM_WHITESPACE
// (net/base/ip_address.cc), so spaces around '/' are accepted.
func TestCIDRWhitespace(t *testing.T) {
	cfg, _ := Compile(ElectronConfig{ProxyRules: "p:1", ProxyBypassRules: "10.0.0.0 / 8"})
	if r := Resolve(cfg, "http://10.9.8.7/"); r.PAC != "DIRECT" {
		t.Errorf("%+v", r)
	}
}

func TestChromiumFlags(t *testing.T) {
	for _, c := range []struct {
		ec   ElectronConfig
		want []string
	}{
		{ElectronConfig{Mode: "direct"}, []string{"--no-proxy-server"}},
		{ElectronConfig{}, []string{"--no-proxy-server"}},
		{ElectronConfig{ProxyRules: "http=foopy:80;socks=s", ProxyBypassRules: "<local>,*.corp"}, []string{"--proxy-server=http=foopy:80;socks=s", "--proxy-bypass-list=<local>,*.corp"}},
		{ElectronConfig{ProxyRules: "foopy"}, []string{"--proxy-server=foopy"}},
		{ElectronConfig{PacScript: "http://p/p.pac"}, []string{"--proxy-pac-url=http://p/p.pac"}},
		{ElectronConfig{Mode: "auto_detect"}, []string{"--proxy-auto-detect"}},
		{ElectronConfig{Mode: "system"}, nil},
	} {
		cfg, _ := Compile(c.ec)
		if got := ChromiumFlags(cfg); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: %q, want %q", c.ec, got, c.want)
		}
	}
}

// TestExplain: the explanation names the deciding rule.
func TestExplain(t *testing.T) {
	cfg, _ := Compile(ElectronConfig{ProxyRules: "http=h:1;socks=socks5://s", ProxyBypassRules: "*.corp.example,<-loopback>"})
	for _, c := range []struct {
		url      string
		decision Decision
		rule     string
		excluded bool
	}{
		{"http://x.corp.example/", DecisionBypass, "*.corp.example", false},
		{"http://localhost/", DecisionProxyRules, "http=h:1", true},
		{"https://a.example/", DecisionProxyRules, "socks=socks5://s:1080", false},
		{"http://a.example/", DecisionProxyRules, "http=h:1", false},
	} {
		r := Resolve(cfg, c.url)
		if r.Explain.Decision != c.decision || r.Explain.Rule != c.rule || r.Explain.Excluded != c.excluded || r.Explain.Note == "" {
			t.Errorf("%s: %+v", c.url, r.Explain)
		}
	}
	cfg2, _ := Compile(ElectronConfig{ProxyRules: "ftp=f:21"})
	if r := Resolve(cfg2, "http://a/"); r.Explain.Decision != DecisionNoMapping || r.PAC != "DIRECT" {
		t.Errorf("no mapping: %+v", r)
	}
}

// TestConcurrentResolve: Resolve is safe for concurrent use (run with -race).
func TestConcurrentResolve(t *testing.T) {
	f := &fakePAC{results: map[string]string{"a": "PROXY p:1"}}
	pacCfg := pacConfig(t, f, "http://pac/p.pac")
	sysCfg, _ := Compile(ElectronConfig{Mode: "system"})
	sysCfg.Env = []string{"http_proxy=h:1"}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				if r := Resolve(pacCfg, "http://a/"); r.PAC != "PROXY p:1" {
					t.Error(r)
				}
				if r := Resolve(sysCfg, "http://a/"); r.PAC != "PROXY h:1" {
					t.Error(r)
				}
			}
		}()
	}
	wg.Wait()
}
