package proxy

import "github.com/sessctl/sessctl/providers/proxy/pac"

// The real PAC engine (package pac: Chromium's fetch rules, goja with
// Chromium's helper functions) is linked into every program that uses this
// package, so that the CLI, reconcile and the tests make the same
// predictions. Tests and callers that need a fake resolver or clock set
// Config.PAC to their own &pac.Runner{Env: ...}.
func init() {
	if DefaultPACRunner == nil {
		SetPACRunner(&pac.Runner{})
	}
}

// *pac.Runner must keep satisfying PACRunner.
var _ PACRunner = (*pac.Runner)(nil)
