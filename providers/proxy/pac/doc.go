// Package pac fetches proxy auto-config (PAC) scripts and runs their
// FindProxyForURL function the way Chromium does, so that sessctl can predict
// what an Electron session in pac_script mode will do.
//
// Guarantees:
//
//   - Fetch accepts exactly the URL schemes Chromium's PAC fetcher accepts
//     (http, https, data:), enforces Chromium's 1 MB size limit and a timeout,
//     never follows a redirect to another kind of URL and never goes through a
//     proxy (Chromium fetches PAC scripts with LOAD_BYPASS_PROXY).
//   - Run executes the script in an embedded JavaScript engine (goja, pure Go)
//     whose global object holds only the ECMAScript built-ins and the PAC
//     helper functions: no require, no timers, no I/O. DNS goes through the
//     Env's resolver, so tests never touch the network.
//   - Every call is bounded in time: the script is interrupted when the
//     timeout or the context expires, and DNS look-ups get the same deadline.
//     A built-in that cannot be interrupted (new Array(1e9).join()) is
//     abandoned shortly after the deadline; that script is then refused.
//     A script that does not return in time, throws, or returns something
//     other than a string is an error, never a panic. Electron sets
//     pac_mandatory=true, so callers should map an error to resolveProxy's
//     "" (chromium-proxy-semantics.md §6).
//
// Caveats:
//
//   - goja has no memory limit: a script that builds huge strings inside the
//     time limit can use a lot of memory, and an abandoned built-in keeps a
//     CPU busy until it returns. PAC scripts come from the operator's own
//     configuration; treat them as trusted-but-buggy, not as hostile code.
//   - Chromium's V8 and goja differ in corners of ECMAScript (goja implements
//     ES5.1 plus most of ES6). PAC scripts rarely reach those corners.
package pac
