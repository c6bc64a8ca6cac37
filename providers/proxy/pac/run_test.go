package pac

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// Scripts modelled on services/proxy_resolver/test/data/
// proxy_resolver_v8_unittest/*.js and the outcomes proxy_resolver_v8_unittest.cc
// expects (OK with a PAC string, or ERR_PAC_SCRIPT_FAILED).
func TestRunOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		want    string
		wantErr error
	}{
		{"direct", `function FindProxyForURL(url, host) { return "DIRECT"; }`, "DIRECT", nil},
		{"passthrough", `function FindProxyForURL(url, host) { return "PROXY " + host + ":99"; }`, "PROXY example.test:99", nil},
		{"ends with comment", "function FindProxyForURL(url, host) {\n return \"PROXY success:80\";\n}\n// comment", "PROXY success:80", nil},
		{"no trailing semicolon", `function FindProxyForURL(url, host) { return "PROXY success:3" }`, "PROXY success:3", nil},
		{"return empty string", `function FindProxyForURL(url, host) { return ""; }`, "", nil},
		{"binding from global", "var x = myIpAddress();\nfunction FindProxyForURL(url, host) { return 'PROXY ' + x + ':80'; }", "PROXY 192.0.2.10:80", nil},
		{"return null", `function FindProxyForURL(url, host) { return null; }`, "", ErrScript},
		{"return undefined", `function FindProxyForURL(url, host) { }`, "", ErrScript},
		{"return integer", `function FindProxyForURL(url, host) { return 0; }`, "", ErrScript},
		{"return object", `function FindProxyForURL(url, host) { return {result: "PROXY foo"}; }`, "", ErrScript},
		{"return String object", `function FindProxyForURL(url, host) { return new String("DIRECT"); }`, "", ErrScript},
		{"return function", `function FindProxyForURL(url, host) { return FindProxyForURL; }`, "", ErrScript},
		{"return unicode", `function FindProxyForURL(url, host) { return "PROXY \u21ba:80"; }`, "", ErrScript},
		{"unhandled exception", `function FindProxyForURL(url, host) { return undefined_variable + "PROXY"; }`, "", ErrScript},
		{"throw string", `function FindProxyForURL(url, host) { throw "boom"; }`, "", ErrScript},
		{"exception during init", `throw new Error("init");  function FindProxyForURL(url, host) { return "DIRECT"; }`, "", ErrScript},
		{"no entrypoint", `var x = 1;`, "", ErrScript},
		{"entrypoint not a function", `var FindProxyForURL = "DIRECT";`, "", ErrScript},
		{"missing close brace", `function FindProxyForURL(url, host) { return "DIRECT";`, "", ErrScript},
		{"empty script", ``, "", ErrScript},
		{"deep recursion", `function f(n) { return f(n + 1); } function FindProxyForURL(u, h) { return f(0); }`, "", ErrScript},
		// ES2015+ syntax and library functions real-world PAC scripts use
		// (V8 runs them; goja must too). Expected value worked out by hand:
		// "PROXY c:8080" + "" + [1,2,3].at(-1) + ["a",1].join().
		{"modern syntax", "const bypass = ['a.test', 'b.test'];\n" +
			"const pick = (h) => bypass.includes(h) ? 'DIRECT' : `PROXY ${h.split('.')[0]}:8080`;\n" +
			"function FindProxyForURL(url, host) { const {length} = host; const o = {x: {y: 1}}; const z = o?.x?.y ?? 2;" +
			" const arr = [...bypass]; if (host.startsWith('x') || host.endsWith('.q')) return 'DIRECT';" +
			" for (const b of arr) { if (b === host) return 'DIRECT'; } let m = new Map([[host, 1]]);" +
			" return pick(host) + (z === 1 && length > 0 && m.has(host) ? '' : 'bad') + [1,2,3].at(-1) + Object.entries({a:1}).flat().join(); }",
			"PROXY example:80803a,1", nil},
		{"no require", `function FindProxyForURL(u, h) { return typeof require + typeof setTimeout + typeof process + typeof console; }`, "undefinedundefinedundefinedundefined", nil},
	}
	env := testEnv(&clock{now: time.Now()})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Compile(tc.script, env)
			if err == nil {
				var got string
				got, err = s.FindProxyForURL(context.Background(), "http://example.test/", "example.test", time.Second)
				if err == nil && got != tc.want {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			}
			if tc.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// side_effects.js: the context persists across calls, so a global counter
// keeps counting (ProxyResolverV8Test.SideEffects).
func TestRunKeepsGlobalState(t *testing.T) {
	s, err := Compile(`var g = 0; function FindProxyForURL(u, h) { return "PROXY sideffect_" + g++; }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"PROXY sideffect_0", "PROXY sideffect_1", "PROXY sideffect_2"} {
		got, err := s.FindProxyForURL(context.Background(), "http://x/", "x", time.Second)
		if err != nil || got != want {
			t.Fatalf("call %d: %q, %v; want %q", i, got, err, want)
		}
	}
}

func TestRunTimeouts(t *testing.T) {
	scripts := map[string]string{
		"infinite loop":         `function FindProxyForURL(u, h) { while (true) {} }`,
		"infinite loop at init": `while (true) {} function FindProxyForURL(u, h) { return "DIRECT"; }`,
		"loop swallowing errors": `function FindProxyForURL(u, h) {
			for (;;) { try { while (true) {} } catch (e) {} }
		}`,
		"catastrophic regexp": `function FindProxyForURL(u, h) {
			var x = new Array(60).join("a") + "b";
			return /^(a|aa)+\1?c$/.test(x) ? "PROXY y:1" : "DIRECT"; }`,
	}
	for name, src := range scripts {
		t.Run(name, func(t *testing.T) {
			s, err := Compile(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			limit := 200 * time.Millisecond
			start := time.Now()
			_, err = s.FindProxyForURL(context.Background(), "http://x/", "x", limit)
			elapsed := time.Since(start)
			if name == "catastrophic regexp" {
				// Interrupt cannot reach inside a backtracking match;
				// regexp2's match limit (1 s) ends it, then the
				// pending interrupt fires.
				if err == nil {
					t.Fatal("expected an error")
				}
				if elapsed > hangBound {
					t.Fatalf("took %v", elapsed)
				}
				return
			}
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("error %v, want ErrTimeout", err)
			}
			// A hang bound, not a latency target: the runaway script
			// would run forever.
			if elapsed > hangBound {
				t.Fatalf("took %v for a %v limit", elapsed, limit)
			}
		})
	}
}

// goja cannot interrupt a built-in; the call still returns in time, and the
// script is then refused instead of starting more runaway work.
func TestRunAbandonsStuckBuiltin(t *testing.T) {
	s, err := Compile(`function FindProxyForURL(u, h) { return String(new Array(3000000).join("a").length); }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	limit := 100 * time.Millisecond
	start := time.Now()
	_, err = s.FindProxyForURL(context.Background(), "http://x/", "x", limit)
	if d := time.Since(start); d > hangBound {
		t.Fatalf("took %v", d)
	}
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
	// The second call is refused without running the script: it returns
	// the error recorded when the first was abandoned (no timing needed).
	if s.stuck == nil {
		t.Fatal("the abandoned script was not marked stuck")
	}
	if _, err := s.FindProxyForURL(context.Background(), "http://x/", "x", limit); !errors.Is(err, ErrTimeout) || err != s.stuck {
		t.Fatalf("second call: %v; want the recorded refusal %v", err, s.stuck)
	}
}

// TestRunAfterTimeoutFailsFast: once a script ran out of time, later calls
// fail at once with the recorded reason instead of spending the limit on
// every URL (in Chromium a script looping forever keeps the PAC thread busy,
// and later requests do not resolve either).
func TestRunAfterTimeoutFailsFast(t *testing.T) {
	s, err := Compile(`function FindProxyForURL(u, h) { if (h == "loop") { while (true) {} } return "DIRECT"; }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, first := s.FindProxyForURL(context.Background(), "http://loop/", "loop", 50*time.Millisecond)
	if !errors.Is(first, ErrTimeout) {
		t.Fatalf("want timeout, got %v", first)
	}
	got, err := s.FindProxyForURL(context.Background(), "http://ok/", "ok", time.Minute)
	if got != "" || err != first {
		t.Fatalf("after a timeout: %q, %v; want the recorded %v", got, err, first)
	}
}

// TestRunMemoryBound: a script that allocates without end is stopped when
// the heap has grown by MaxHeapGrowth, well before its (long) deadline,
// and is not run again.
func TestRunMemoryBound(t *testing.T) {
	s, err := Compile(`function FindProxyForURL(u, h) { var a = []; while (true) { a.push("x".repeat(4 << 20) + a.length); } }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, first := s.FindProxyForURL(context.Background(), "http://x/", "x", 10*time.Minute)
	if !errors.Is(first, ErrMemory) {
		t.Fatalf("want ErrMemory, got %v", first)
	}
	if _, err := s.FindProxyForURL(context.Background(), "http://y/", "y", time.Minute); err != first {
		t.Fatalf("second call: %v; want the recorded %v", err, first)
	}
}

func TestRunCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, `function FindProxyForURL(u, h) { return "DIRECT"; }`, "http://x/", "x", time.Second)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
}

// A slow resolver must not hold the call past its deadline.
type slowResolver struct{}

func (slowResolver) LookupNetIP(ctx context.Context, _, _ string) ([]netip.Addr, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestRunDNSBoundedByDeadline(t *testing.T) {
	s, err := Compile(`function FindProxyForURL(u, h) { while (true) { dnsResolve("slow.example"); } }`, &Env{Resolver: slowResolver{}, DNSTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.FindProxyForURL(context.Background(), "http://x/", "x", 100*time.Millisecond)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
	if d := time.Since(start); d > hangBound {
		t.Fatalf("took %v", d)
	}
}

// hangBound tells "returns once its deadline passes" from "runs until the
// work is done" (forever, for these scripts) on a machine however busy:
// tests assert the bound, never a latency.
const hangBound = 30 * time.Second

func TestRunReusesCompiledScript(t *testing.T) {
	src := `var n = 0; function FindProxyForURL(u, h) { n++; return "PROXY p" + n + ":1"; }`
	a, err := Run(context.Background(), src, "http://a/", "a", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), src, "http://b/", "b", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The second call ran in the same context as the first.
	if a != "PROXY p1:1" || b != "PROXY p2:1" {
		t.Fatalf("got %q then %q", a, b)
	}
}

func TestRunErrorsMentionCause(t *testing.T) {
	_, err := Run(context.Background(), `function FindProxyForURL(u, h) { throw new Error("no proxy for you"); }`, "http://x/", "x", time.Second)
	if err == nil || !strings.Contains(err.Error(), "no proxy for you") {
		t.Fatalf("error should carry the exception message, got %v", err)
	}
}

func BenchmarkFindProxyForURL(b *testing.B) {
	s, err := Compile(`function FindProxyForURL(url, host) {
		if (isPlainHostName(host) || dnsDomainIs(host, ".corp.example")) return "DIRECT";
		if (shExpMatch(url, "*://*.example.com/*")) return "PROXY a:8080; DIRECT";
		return "PROXY b:3128";
	}`, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.FindProxyForURL(ctx, "http://www.example.com/x", "www.example.com", time.Second); err != nil {
			b.Fatal(err)
		}
	}
}
