package proxy

import (
	"strings"
)

// envLookup is base::Environment::GetVar as ProxyConfigServiceLinux uses
// it: the name as given, then the same name in the other case
// (http_proxy, then HTTP_PROXY). A variable set to "" is found.
func envLookup(env []string, name string) (string, bool) {
	find := func(n string) (string, bool) {
		// Later entries win, as with a process environment built by appending.
		val, ok := "", false
		for _, kv := range env {
			if len(kv) > len(n) && kv[len(n)] == '=' && kv[:len(n)] == n {
				val, ok = kv[len(n)+1:], true
			}
		}
		return val, ok
	}
	if v, ok := find(name); ok {
		return v, true
	}
	if name == "" {
		return "", false
	}
	switch c := name[0]; {
	case c >= 'a' && c <= 'z':
		return find(strings.ToUpper(name))
	case c >= 'A' && c <= 'Z':
		return find(strings.ToLower(name))
	}
	return "", false
}

// fixupProxyHostScheme is FixupProxyHostScheme in
// proxy_config_service_linux.cc: the scheme written in the variable is
// dropped (except socks4:// when SOCKS5 is the default), so is any
// user:password@, and a trailing '/'.
func fixupProxyHostScheme(scheme ServerScheme, host string) string {
	if scheme == SchemeSOCKS5 && len(host) >= 9 && strings.EqualFold(host[:9], "socks4://") {
		scheme = SchemeSOCKS4
	}
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	switch scheme {
	case SchemeSOCKS4:
		host = "socks4://" + host
	case SchemeSOCKS5:
		host = "socks5://" + host
	}
	return strings.TrimSuffix(host, "/")
}

// proxyFromEnv is GetProxyFromEnvVarForScheme.
func proxyFromEnv(env []string, name string, scheme ServerScheme) (Server, bool) {
	v, ok := envLookup(env, name)
	if !ok || v == "" {
		return Server{}, false
	}
	srv, bad := parseProxyURI(fixupProxyHostScheme(scheme, v), SchemeHTTP)
	if bad != nil || srv.Scheme == SchemeDirect {
		return Server{}, false
	}
	return srv, true
}

// SystemConfig builds the configuration Chromium's system mode uses on
// Linux when no desktop proxy settings apply (no GNOME/KDE settings
// getter): ProxyConfigServiceLinux::Delegate::GetConfigFromEnv.
//   - auto_proxy: set and empty means auto-detect, else a PAC URL
//     (not mandatory: a failing script falls back to DIRECT);
//   - all_proxy: one proxy for everything;
//   - else http_proxy, https_proxy, ftp_proxy per scheme (http_proxy is
//     not used for https);
//   - else SOCKS_SERVER (SOCKS5, or SOCKS4 with SOCKS_VERSION=4);
//   - no_proxy: bypass rules with suffix matching ("google.com" also
//     matches "notgoogle.com").
//
// With nothing set the result is direct.
func SystemConfig(env []string) *Config {
	c := systemConfigFromEnv(env)
	if d := desktopWithSettings(env); d != "" {
		c.Note += "; caution: on a " + d + " desktop Chromium reads the desktop proxy settings instead of these variables"
		if c.Mode == ModeFixedServers {
			c.precompute()
		}
	}
	return c
}

// desktopWithSettings names the desktop environment when Chromium would
// use a desktop settings getter (GSettings or kioslaverc) rather than the
// environment (base::nix::GetDesktopEnvironment, ProxyConfigServiceLinux).
func desktopWithSettings(env []string) string {
	cur, _ := envLookup(env, "XDG_CURRENT_DESKTOP")
	// A colon-separated list in priority order.
	for _, v := range strings.Split(cur, ":") {
		switch v = strings.TrimSpace(v); v {
		case "GNOME", "Unity", "X-Cinnamon", "Pantheon", "Deepin", "UKUI", "KDE":
			return v
		}
	}
	if cur == "" {
		switch ds, _ := envLookup(env, "DESKTOP_SESSION"); ds {
		case "gnome", "kde", "kde4", "plasma", "deepin", "ubuntu", "ubuntu-wayland", "cinnamon", "pantheon", "ukui":
			return ds
		}
	}
	return ""
}

func systemConfigFromEnv(env []string) *Config {
	c := &Config{Mode: ModeFixedServers, Env: env}
	c.Electron.Mode = string(ModeSystem)
	if v, ok := envLookup(env, "auto_proxy"); ok {
		if v == "" {
			c.Mode = ModeAutoDetect
			c.Note = "auto_proxy is set and empty: auto-detect"
			return c
		}
		c.Mode = ModePACScript
		c.PACURL = v
		c.Note = "auto_proxy names a PAC script"
		if _, err := parseTarget(v); err != nil {
			c.Note = "auto_proxy is not a valid URL: direct"
			c.Mode, c.PACURL = ModeDirect, ""
		}
		return c
	}
	r := &Rules{}
	used := ""
	if s, ok := proxyFromEnv(env, "all_proxy", SchemeHTTP); ok {
		r.Type, r.Single, used = RulesList, List{s}, "all_proxy"
	} else {
		var names []string
		if s, ok := proxyFromEnv(env, "http_proxy", SchemeHTTP); ok {
			r.HTTP, names = List{s}, append(names, "http_proxy")
		}
		if s, ok := proxyFromEnv(env, "https_proxy", SchemeHTTP); ok {
			r.HTTPS, names = List{s}, append(names, "https_proxy")
		}
		if s, ok := proxyFromEnv(env, "ftp_proxy", SchemeHTTP); ok {
			r.FTP, names = List{s}, append(names, "ftp_proxy")
		}
		if len(names) > 0 {
			r.Type, used = RulesPerScheme, strings.Join(names, ", ")
		}
	}
	if r.Type == RulesEmpty {
		scheme := SchemeSOCKS5
		if v, ok := envLookup(env, "SOCKS_VERSION"); ok && v == "4" {
			scheme = SchemeSOCKS4
		}
		if s, ok := proxyFromEnv(env, "SOCKS_SERVER", scheme); ok {
			r.Type, r.Single, used = RulesList, List{s}, "SOCKS_SERVER"
		}
	}
	c.Rules = r
	if r.Type == RulesEmpty {
		c.Mode = ModeDirect
		c.Note = "no proxy variable set: direct"
		return c
	}
	noProxy, _ := envLookup(env, "no_proxy")
	c.Bypass, _ = ParseBypass(noProxy)
	c.Bypass.suffixMatching()
	c.Note = "from " + used
	if noProxy != "" {
		c.Note += ", no_proxy"
	}
	c.precompute()
	return c
}

// systemConfig returns the system-mode configuration for env (cfg.Env
// when env is nil), cached while cfg.Env stays the same slice.
func (c *Config) systemConfig(env []string) *Config {
	if env != nil {
		sys := SystemConfig(env)
		sys.PAC, sys.PACTimeout = c.PAC, c.PACTimeout
		return sys
	}
	key := envKey{n: len(c.Env)}
	if len(c.Env) > 0 {
		key.first = &c.Env[0]
	}
	c.sysMu.Lock()
	defer c.sysMu.Unlock()
	if c.sys == nil || c.sysKey != key {
		c.sys, c.sysKey = SystemConfig(c.Env), key
		c.sys.PAC, c.sys.PACTimeout = c.PAC, c.PACTimeout
	}
	return c.sys
}
