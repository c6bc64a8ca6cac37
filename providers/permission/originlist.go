package permission

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// CompileOrigins parses a list attribute of Chromium content-settings
// patterns, as every family that matches a requesting origin writes it.
// Parse errors are located errors; warnings (patterns that match
// differently than they read) carry code. live counts the patterns that
// can match some URL.
func CompileOrigins(list schema.StringList, code warning.Code) (out []OriginPattern, live int, diags hcl.Diagnostics) {
	out = []OriginPattern{}
	for _, it := range list.Items {
		op, probs, ok := ParseOrigin(it.V)
		dead := false
		for _, pr := range probs {
			rng := schema.SubRange(it, pr.Start, pr.End)
			if pr.Warning {
				diags = append(diags, providers.Warnf(code, rng, pr.Detail, "origin %q: %s", it.V, pr.Summary))
				dead = dead || pr.NeverMatches
			} else {
				diags = append(diags, providers.Errorf(rng, pr.Detail, "invalid origin pattern %q: %s", it.V, pr.Summary))
			}
		}
		if ok {
			out = append(out, op)
			if !dead {
				live++
			}
		}
	}
	return out, live, diags
}

// MatchOrigin parses a requesting origin (a filesystem: URL stands for its
// inner URL) and reports whether any pattern matches it.
func MatchOrigin(ps []OriginPattern, origin string) bool {
	var u URL
	parseOriginURL(&u, origin)
	return anyOrigin(ps, &u)
}

// OriginsCover reports whether every origin the list b matches is matched
// by the list a, where a nil list matches every origin (a rule without
// origins). It is conservative: it only claims what it can prove from the
// compiled patterns.
func OriginsCover(a, b []OriginPattern) bool {
	if a == nil {
		return true
	}
	if b == nil {
		return hasFullWildcard(a)
	}
	for k := range b {
		if !anyOriginCovers(a, &b[k]) {
			return false
		}
	}
	return true
}
