// Package proxy is the proxy setting family (see providers.Provider) and
// the offline evaluator behind `sessctl resolve-proxy`.
//
// It reproduces, from Chromium's sources and tests, what Electron does with
// ses.setProxy(config) and what ses.resolveProxy(url) then returns:
//
//   - mode inference and validation (Session::SetProxy, createProxyConfig);
//   - proxyRules parsing (ProxyConfig::ProxyRules::ParseFromString) and
//     proxy URIs (ProxyUriToProxyChain), release build: no QUIC, no
//     bracketed multi-proxy chains;
//   - proxyBypassRules parsing and matching (ProxyBypassRules,
//     SchemeHostPortMatcherRule), evaluated last to first, with the implicit
//     localhost/loopback/link-local rules and <-loopback>;
//   - PAC results (ProxyList::SetFromPacString), mandatory PAC failures,
//     PAC URL schemes (http, https, data:);
//   - system mode from the environment as ProxyConfigServiceLinux reads it
//     without desktop settings;
//   - URL hosts canonicalized like GURL (IDN, IPv4 numeric forms, IPv6).
//
// Chromium silently drops what it cannot parse; this package reports each
// dropped or surprising piece as an Issue with its byte range, which the
// provider turns into diagnostics pointing inside the HCL string.
//
// Guarantees: parsing never fails as a whole and never panics (fuzzed);
// Resolve is safe for concurrent use; a Config is compiled once and the
// fixed_servers path does not allocate per URL.
//
// Caveats: results assume a fresh session (Chromium reorders proxies that
// failed recently); system mode ignores GNOME/KDE/macOS/Windows settings;
// auto_detect depends on the network and is reported as not predictable;
// PAC scripts run in the goja engine of package pac, not V8.
package proxy
