package pac

import (
	"context"
	"testing"
	"time"
)

// FuzzRun feeds arbitrary scripts and hosts to the engine: it must never
// panic and never run much past its time limit. The seed corpus lives in
// testdata/fuzz/FuzzRun.
func FuzzRun(f *testing.F) {
	f.Add(`function FindProxyForURL(url, host) { return "DIRECT"; }`, "example.test")
	f.Add(`function FindProxyForURL(url, host) { if (isPlainHostName(host)) return "DIRECT"; return "PROXY p:1; SOCKS5 s:2"; }`, "intranet")
	f.Add(`function FindProxyForURL(url, host) { return shExpMatch(host, "*.[a-z]?") ? "PROXY a:1" : "DIRECT"; }`, "x.ab")
	f.Add(`function FindProxyForURL(u, h) { return sortIpAddressList(dnsResolveEx(h)) + isInNetEx(h, "10.0.0.0/8"); }`, "10.1.2.3")
	f.Add(`function FindProxyForURL(u, h) { return String(dateRange(h) || timeRange(1, 2, 3, 4) || weekdayRange(h, "GMT")); }`, "MON")
	f.Add(`function FindProxyForURL(u, h) { while (1) {} }`, "x")
	f.Add(`FindProxyForURL = 1`, "")
	env := &Env{
		Resolver: StaticResolver{"*": mustAddrs("192.0.2.1", "2001:db8::1")},
		MyIP: func(context.Context) IPProbes {
			return IPProbes{PublicRoutes: mustAddrs("192.0.2.2")}
		},
	}
	const limit = 50 * time.Millisecond
	f.Fuzz(func(t *testing.T, script, host string) {
		if len(script) > 4096 {
			return
		}
		start := time.Now()
		s, err := Compile(script, env)
		if err == nil {
			_, _ = s.FindProxyForURL(context.Background(), "http://"+host+"/", host, limit)
		}
		// The watchdog returns within abandonGrace of the limit even when
		// a built-in cannot be interrupted; allow for a loaded machine.
		if d := time.Since(start); d > hangBound {
			t.Fatalf("took %v for a %v limit", d, limit)
		}
	})
}

// FuzzFetchData: data: URL decoding and charset handling never panic and
// never return more than the size limit.
func FuzzFetchData(f *testing.F) {
	f.Add("data:application/x-ns-proxy-autoconfig;base64,ZnVuY3Rpb24=")
	f.Add("data:text/plain;charset=utf-16le,%FF%FEa%00")
	f.Add("data:;charset=shift_jis,%82%A0")
	f.Add("data:,100%")
	f.Fuzz(func(t *testing.T, u string) {
		if len(u) > 1<<16 {
			return
		}
		s, err := Fetch(context.Background(), "data:"+u)
		if err == nil && len(s) > 4*MaxScriptBytes {
			t.Fatalf("decoded %d bytes", len(s))
		}
	})
}

// FuzzSanitizeURL: never panics, and sanitising is idempotent for the URLs
// it changes.
func FuzzSanitizeURL(f *testing.F) {
	f.Add("http://user:pass@example.test/a/../b?q#f")
	f.Add("https://[::1]:443/x?y")
	f.Add("ws://h/%2e%2E/")
	f.Fuzz(func(t *testing.T, u string) {
		once := SanitizeURL(u)
		if once == u {
			return
		}
		if twice := SanitizeURL(once); twice != once {
			t.Fatalf("SanitizeURL not idempotent: %q → %q → %q", u, once, twice)
		}
	})
}
