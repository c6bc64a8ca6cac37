package pac

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime/metrics"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
)

// DefaultTimeout bounds one FindProxyForURL call when the caller passes 0.
// Chromium has no per-call limit for PAC scripts (it only terminates the
// isolate on shutdown); sessctl needs one so that a looping script cannot
// hang a plan.
const DefaultTimeout = 2 * time.Second

// maxCallStackSize bounds JavaScript recursion. goja's default is unlimited,
// and native→JS recursion (e.g. a getter calling itself through
// Array.prototype.sort) grows the Go stack, which must never overflow.
const maxCallStackSize = 2000

// ErrTimeout is wrapped by the error of a call that did not finish in time.
var ErrTimeout = errors.New("PAC script did not finish in time")

// ErrMemory is wrapped by the error of a call stopped because the heap grew
// by more than MaxHeapGrowth while it ran (goja has no memory cap of its
// own: a script that builds strings in a loop would exhaust the machine).
var ErrMemory = errors.New("PAC script exceeded its memory bound")

// MaxHeapGrowth bounds how much the Go heap may grow while one
// FindProxyForURL call runs. Real PAC scripts allocate kilobytes.
const MaxHeapGrowth = 256 << 20

// memoryPoll is how often a running call's heap growth is sampled.
const memoryPoll = 5 * time.Millisecond

// heapBytes reads the live heap (runtime/metrics: no stop-the-world).
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// ErrScript is wrapped by every error that comes from the script itself: a
// syntax error, an exception, a missing FindProxyForURL or a result that is
// not an ASCII string. Chromium reports all of them as ERR_PAC_SCRIPT_FAILED.
var ErrScript = errors.New("PAC script failed")

func init() {
	// goja falls back to regexp2 (a backtracking engine) for patterns RE2
	// cannot run, and goja's Interrupt does not reach inside a match. A
	// match limit keeps shExpMatch or a script's own RegExp from hanging
	// past the call's timeout.
	if regexp2.DefaultMatchTimeout > time.Second {
		regexp2.DefaultMatchTimeout = time.Second
	}
}

// libraryProgram is the PAC helper library, compiled once per process,
// when a PAC script first runs (not at every command's start: 2 ms).
var libraryProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("proxy-pac-utility-script.js", jsLibrary, false)
})

// abandonGrace is how long FindProxyForURL waits, after interrupting a
// script at its deadline, for the script to stop. goja cannot interrupt
// native built-ins (new Array(1e9).join() runs for a minute); past the grace
// period the call returns ErrTimeout and leaves that goroutine to finish on
// its own, with its JavaScript context discarded.
const abandonGrace = 250 * time.Millisecond

// Script is a compiled PAC script bound to an Env. It keeps one JavaScript
// context across calls, as Chromium does (global variables a script sets in
// one call are visible in the next), and serialises calls on it. It is safe
// for concurrent use.
type Script struct {
	prog *goja.Program
	env  Env

	mu sync.Mutex
	st *vmState
	// stuck is set once a call had to be abandoned, timed out or overran
	// its memory bound: later calls fail at once with the same reason, so
	// that one bad script costs its limit once, not once per URL, and no
	// more runaway goroutines pile up.
	stuck error
}

// vmState is one JavaScript context and the context.Context of the call in
// progress on it (read by the DNS helpers).
type vmState struct {
	vm      *goja.Runtime
	mu      sync.Mutex
	callCtx context.Context
}

func (st *vmState) ctx() context.Context {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.callCtx == nil {
		return context.Background()
	}
	return st.callCtx
}

// Compile parses and compiles a PAC script. A syntax error, or an empty
// script (ProxyResolverV8::Create refuses it), is an error wrapping
// ErrScript. env may be nil for the defaults.
func Compile(script string, env *Env) (*Script, error) {
	if script == "" {
		return nil, fmt.Errorf("%w: the script is empty", ErrScript)
	}
	prog, err := compile(script)
	if err != nil {
		return nil, err
	}
	s := &Script{prog: prog}
	if env != nil {
		s.env = *env
	}
	return s, nil
}

func compile(script string) (prog *goja.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, fmt.Errorf("%w: compiling: internal error: %v", ErrScript, r)
		}
	}()
	prog, err = goja.Compile("proxy-pac-script.js", script, false)
	if err != nil {
		return nil, fmt.Errorf("%w: syntax error: %v", ErrScript, err)
	}
	return prog, nil
}

type outcome struct {
	result string
	err    error
	// keep is false when the context must not be reused (init failed, or
	// a panic left it in an unknown state).
	keep bool
}

// FindProxyForURL calls the script's FindProxyForURL(url, host) and returns
// its result, the PAC string ("PROXY a:1; DIRECT"), unparsed. url should be
// the sanitised URL (SanitizeURL) and host its host without brackets, which
// is what Chromium passes. The call returns by timeout (0 means
// DefaultTimeout) or when ctx ends, whichever comes first, plus at most a
// short grace period (see abandonGrace).
func (s *Script) FindProxyForURL(ctx context.Context, url, host string, timeout time.Duration) (string, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%w: %v", ErrTimeout, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stuck != nil {
		return "", s.stuck
	}
	st, fresh := s.st, false
	if st == nil {
		st, fresh = &vmState{vm: goja.New()}, true
	}
	st.mu.Lock()
	st.callCtx = ctx
	st.mu.Unlock()

	done := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() {
			if r := recover(); r != nil {
				// goja or a helper panicked: never let it escape, and do
				// not reuse a context in an unknown state.
				o = outcome{err: fmt.Errorf("%w: internal error: %v", ErrScript, r)}
			}
			done <- o
		}()
		o = s.call(st, fresh, url, host)
	}()

	var o outcome
	base := heapBytes()
	poll := time.NewTicker(memoryPoll)
	defer poll.Stop()
	var stop error // why the script is interrupted
wait:
	for {
		select {
		case o = <-done:
			break wait
		case <-ctx.Done():
			stop = ErrTimeout
		case <-poll.C:
			if h := heapBytes(); h > base && h-base > MaxHeapGrowth {
				stop = ErrMemory
			}
		}
		if stop == nil {
			continue
		}
		st.vm.Interrupt(stop)
		select {
		case o = <-done:
		case <-time.After(abandonGrace):
			s.st = nil
			s.stuck = fmt.Errorf("%w: the script is stuck in a built-in function and was abandoned after %v", stop, timeout)
			return "", s.stuck
		}
		break wait
	}
	// The script has stopped: a late Interrupt must not hit the next call.
	st.vm.ClearInterrupt()
	if stop == ErrMemory && o.err != nil {
		o.err = fmt.Errorf("%w (the heap grew by more than %d MiB)", ErrMemory, MaxHeapGrowth>>20)
	}
	if errors.Is(o.err, ErrTimeout) || errors.Is(o.err, ErrMemory) {
		// An interrupted script may have left its globals half updated:
		// its context is not reused, and the script is not run again.
		o.keep = false
		s.stuck = o.err
	}
	if o.keep {
		s.st = st
	} else {
		s.st = nil
	}
	return o.result, o.err
}

// call runs on the watchdog's goroutine.
func (s *Script) call(st *vmState, fresh bool, url, host string) outcome {
	vm := st.vm
	if fresh {
		if err := s.initVM(st); err != nil {
			return outcome{err: err}
		}
	}
	fn, ok := goja.AssertFunction(vm.Get("FindProxyForURL"))
	if !ok {
		return outcome{err: fmt.Errorf("%w: FindProxyForURL is undefined or not a function", ErrScript), keep: true}
	}
	ret, err := fn(goja.Undefined(), vm.ToValue(url), vm.ToValue(host))
	if err != nil {
		return outcome{err: scriptError(err), keep: true}
	}
	str, ok := ret.(goja.String)
	if !ok {
		return outcome{err: fmt.Errorf("%w: FindProxyForURL() did not return a string (got %s)", ErrScript, describe(ret)), keep: true}
	}
	out := str.String()
	if !isASCII(out) {
		// Chromium fails non-ASCII results (crbug.com/47234).
		return outcome{err: fmt.Errorf("%w: FindProxyForURL() returned a non-ASCII string %q", ErrScript, out), keep: true}
	}
	return outcome{result: out, keep: true}
}

func (s *Script) initVM(st *vmState) error {
	vm := st.vm
	vm.SetMaxCallStackSize(maxCallStackSize)
	if s.env.Now != nil {
		vm.SetTimeSource(goja.Now(s.env.Now))
	}
	if err := installNatives(vm, &s.env, st.ctx); err != nil {
		return fmt.Errorf("%w: installing helpers: %v", ErrScript, err)
	}
	if _, err := vm.RunProgram(libraryProgram()); err != nil {
		return fmt.Errorf("%w: helper library: %v", ErrScript, err)
	}
	if _, err := vm.RunProgram(s.prog); err != nil {
		return scriptError(err)
	}
	return nil
}

func scriptError(err error) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if why, ok := ie.Value().(error); ok && errors.Is(why, ErrMemory) {
			return fmt.Errorf("%w", ErrMemory)
		}
		return fmt.Errorf("%w", ErrTimeout)
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return fmt.Errorf("%w: uncaught exception: %s", ErrScript, ex.Error())
	}
	return fmt.Errorf("%w: %v", ErrScript, err)
}

func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if o, ok := v.(*goja.Object); ok {
		if _, isFn := goja.AssertFunction(o); isFn {
			return "a function"
		}
		return "an object"
	}
	return fmt.Sprintf("%T", v.Export())
}

// Run compiles script (reusing an earlier compilation of the same text) and
// returns FindProxyForURL(url, host) with the default Env. It is the
// convenience entry point for one-off resolutions; bulk callers with their
// own Env should hold a *Script.
func Run(ctx context.Context, script, url, host string, timeout time.Duration) (string, error) {
	s, err := cachedScript(script)
	if err != nil {
		return "", err
	}
	return s.FindProxyForURL(ctx, url, host, timeout)
}

// scriptCache keeps the compiled scripts Run has seen, keyed by a hash of
// their text. It is small: a configuration has a handful of PAC scripts.
var scriptCache struct {
	sync.Mutex
	m map[[32]byte]*Script
}

const scriptCacheSize = 32

func cachedScript(script string) (*Script, error) {
	key := sha256.Sum256([]byte(script))
	scriptCache.Lock()
	s := scriptCache.m[key]
	scriptCache.Unlock()
	if s != nil {
		return s, nil
	}
	s, err := Compile(script, nil)
	if err != nil {
		return nil, err
	}
	scriptCache.Lock()
	defer scriptCache.Unlock()
	if scriptCache.m == nil || len(scriptCache.m) >= scriptCacheSize {
		scriptCache.m = map[[32]byte]*Script{}
	}
	scriptCache.m[key] = s
	return s, nil
}

// HostForPAC returns the host argument Chromium passes to FindProxyForURL
// for a sanitised URL: GURL::HostNoBrackets, lower-case. It returns "" when
// the URL has no host.
func HostForPAC(sanitizedURL string) string {
	u, ok := splitURL(sanitizedURL)
	if !ok {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(u.host, "["), "]")
}

// Runner bundles a Fetcher and an Env into the PAC engine providers/proxy
// plugs in (its PACRunner interface): Fetch downloads, Run evaluates with a
// compiled-script cache bound to Env. The zero value uses the defaults.
type Runner struct {
	// Env is what scripts see; nil means the system resolver and clock.
	Env *Env
	// Fetcher downloads scripts; nil means the default Fetcher.
	Fetcher *Fetcher

	mu      sync.Mutex
	scripts map[[32]byte]*Script
}

// Fetch implements PACRunner.Fetch.
func (r *Runner) Fetch(ctx context.Context, url string) (string, error) {
	if r.Fetcher != nil {
		return r.Fetcher.Fetch(ctx, url)
	}
	return Fetch(ctx, url)
}

// Run implements PACRunner.Run: FindProxyForURL(url, host) on script,
// compiled once per Runner and script text.
func (r *Runner) Run(ctx context.Context, script, url, host string, timeout time.Duration) (string, error) {
	if r.Env == nil {
		return Run(ctx, script, url, host, timeout)
	}
	key := sha256.Sum256([]byte(script))
	r.mu.Lock()
	s := r.scripts[key]
	r.mu.Unlock()
	if s == nil {
		var err error
		if s, err = Compile(script, r.Env); err != nil {
			return "", err
		}
		r.mu.Lock()
		if r.scripts == nil || len(r.scripts) >= scriptCacheSize {
			r.scripts = map[[32]byte]*Script{}
		}
		r.scripts[key] = s
		r.mu.Unlock()
	}
	return s.FindProxyForURL(ctx, url, host, timeout)
}
