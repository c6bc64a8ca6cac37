package pac

import (
	"context"
	"strings"

	"github.com/dop251/goja"

	"github.com/sessctl/sessctl/providers/internal/hostcanon"
)

// installNatives defines the helpers Chromium implements in C++
// (services/proxy_resolver/proxy_resolver_v8.cc), with its argument checks
// and failure values (the table at the top of that file):
//
//	dnsResolve      null on failure, IPv4 only
//	dnsResolveEx    "" on failure, IPv4 and IPv6, ';'-separated
//	myIpAddress     "127.0.0.1" on failure
//	myIpAddressEx   "" on failure
//	sortIpAddressList, isInNetEx  false on bad input, null on non-string args
//	isPlainHostName TypeError "Requires 1 string parameter" on non-string
//
// ctx returns the context of the call in progress, so that DNS look-ups stop
// at the call's deadline.
func installNatives(vm *goja.Runtime, env *Env, ctx func() context.Context) error {
	strArg := func(call goja.FunctionCall, i int) (string, bool) {
		if i >= len(call.Arguments) {
			return "", false
		}
		s, ok := call.Arguments[i].(goja.String)
		if !ok {
			return "", false
		}
		return s.String(), true
	}
	natives := map[string]func(goja.FunctionCall) goja.Value{
		"isPlainHostName": func(call goja.FunctionCall) goja.Value {
			h, ok := strArg(call, 0)
			if !ok {
				panic(vm.NewTypeError("Requires 1 string parameter"))
			}
			return vm.ToValue(isPlainHostName(h))
		},
		"dnsResolve": func(call goja.FunctionCall) goja.Value {
			h, ok := hostnameArg(call, strArg)
			if !ok {
				return goja.Null()
			}
			addrs, err := env.lookup(ctx(), "ip4", h)
			if err != nil {
				return goja.Null()
			}
			return vm.ToValue(hostcanon.FormatIP(addrs[0]))
		},
		"dnsResolveEx": func(call goja.FunctionCall) goja.Value {
			h, ok := hostnameArg(call, strArg)
			if !ok {
				// Chromium returns without setting a value: undefined.
				return goja.Undefined()
			}
			addrs, err := env.lookup(ctx(), "ip", h)
			if err != nil {
				return vm.ToValue("")
			}
			parts := make([]string, len(addrs))
			for i, a := range addrs {
				parts[i] = hostcanon.FormatIP(a)
			}
			return vm.ToValue(strings.Join(parts, ";"))
		},
		"myIpAddress": func(goja.FunctionCall) goja.Value {
			ips := selectMyIP(env.myIPProbes(ctx()), false)
			if len(ips) == 0 {
				return vm.ToValue("127.0.0.1")
			}
			return vm.ToValue(hostcanon.FormatIP(ips[0]))
		},
		"myIpAddressEx": func(goja.FunctionCall) goja.Value {
			ips := selectMyIP(env.myIPProbes(ctx()), true)
			parts := make([]string, len(ips))
			for i, a := range ips {
				parts[i] = hostcanon.FormatIP(a)
			}
			return vm.ToValue(strings.Join(parts, ";"))
		},
		"sortIpAddressList": func(call goja.FunctionCall) goja.Value {
			l, ok := strArg(call, 0)
			if !ok || !isASCII(l) {
				return goja.Null()
			}
			sorted, ok := sortIPAddressList(l)
			if !ok {
				return vm.ToValue(false)
			}
			return vm.ToValue(sorted)
		},
		"isInNetEx": func(call goja.FunctionCall) goja.Value {
			ip, ok1 := strArg(call, 0)
			prefix, ok2 := strArg(call, 1)
			if !ok1 || !ok2 {
				return goja.Null()
			}
			if !isASCII(ip) || !isASCII(prefix) {
				return vm.ToValue(false)
			}
			return vm.ToValue(isInNetEx(ip, prefix))
		},
		"alert": func(call goja.FunctionCall) goja.Value {
			// Like Firefox, "undefined" without an argument; only the first
			// argument counts.
			msg := "undefined"
			if len(call.Arguments) > 0 {
				msg = call.Arguments[0].String()
			}
			if env.Alert != nil {
				env.Alert(msg)
			}
			return goja.Undefined()
		},
	}
	for name, fn := range natives {
		if err := vm.Set(name, fn); err != nil {
			return err
		}
	}
	return nil
}

// hostnameArg is GetHostnameArgument: the first argument must be a string;
// a non-ASCII name is converted to punycode (IDNA), and one that cannot be
// converted counts as missing.
func hostnameArg(call goja.FunctionCall, strArg func(goja.FunctionCall, int) (string, bool)) (string, bool) {
	h, ok := strArg(call, 0)
	if !ok {
		return "", false
	}
	if isASCII(h) {
		return h, true
	}
	return idnToASCII(h)
}

// idnToASCII is url::IDNToASCII (hostcanon.ToASCII: UTS #46
// non-transitional, as Chromium configures ICU).
func idnToASCII(h string) (string, bool) { return hostcanon.ToASCII(h) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
