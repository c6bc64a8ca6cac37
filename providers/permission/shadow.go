package permission

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
)

// maxShadowRules bounds the quadratic shadow analysis on hostile input.
const maxShadowRules = 2000

// shadowWarnings warns about every rule that an earlier rule makes
// unreachable: the earlier rule matches every request the later one does,
// so the later one never decides. The analysis is conservative: it only
// claims shadowing it can prove from the compiled conditions.
func shadowWarnings(src []*RuleSpec, rules []Rule) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if len(rules) > maxShadowRules || len(src) != len(rules) {
		return nil
	}
	for j := 1; j < len(rules); j++ {
		for i := 0; i < j; i++ {
			if !ruleCovers(&rules[i], &rules[j]) {
				continue
			}
			a, b := &rules[i], &rules[j]
			how := fmt.Sprintf("its decision %q is never used", b.Decision)
			if a.Decision == b.Decision {
				how = "it is redundant"
			}
			diags = append(diags, providers.Warnf(warning.PermissionRuleShadow, src[j].NameRange,
				fmt.Sprintf("Rules are tried in order and the first match decides. Every request rule %q matches is matched first by rule %q (%s), so %s. Move it before rule %q or remove it.", b.Name, a.Name, src[i].NameRange.String(), how, a.Name),
				"rule %q is shadowed by rule %q", b.Name, a.Name))
			break
		}
	}
	return diags
}

// ruleCovers reports whether every request matching b also matches a.
func ruleCovers(a, b *Rule) bool {
	for _, h := range b.Handlers {
		if !containsString(a.Handlers, h) {
			return false
		}
	}
	if a.Permissions != nil {
		if b.Permissions == nil {
			return false
		}
		for _, n := range b.Permissions {
			if !containsString(a.Permissions, n) {
				return false
			}
		}
	}
	if a.MainFrameOnly && !b.MainFrameOnly {
		return false
	}
	if a.MediaTypes != nil {
		// Allow rules need requested ⊆ listed, deny rules requested ∩ listed
		// ≠ ∅; b ⊆ a carries either over only between rules of one kind.
		if b.MediaTypes == nil || a.Decision != b.Decision {
			return false
		}
		for _, m := range b.MediaTypes {
			if !containsString(a.MediaTypes, m) {
				return false
			}
		}
	}
	if a.ExternalURLs != nil {
		if b.ExternalURLs == nil {
			return false
		}
		for k := range b.ExternalURLs {
			if !anyURLCovers(a.ExternalURLs, &b.ExternalURLs[k]) {
				return false
			}
		}
	}
	return OriginsCover(a.Origins, b.Origins)
}

func isFullWildcard(p *OriginPattern) bool {
	return p.Scheme == "*" && p.Subdomains && p.Host == "" && p.Port == "*"
}

func hasFullWildcard(ps []OriginPattern) bool {
	for i := range ps {
		if isFullWildcard(&ps[i]) {
			return true
		}
	}
	return false
}

func anyOriginCovers(as []OriginPattern, b *OriginPattern) bool {
	for i := range as {
		if originCovers(&as[i], b) {
			return true
		}
	}
	return false
}

// originCovers reports whether every URL b matches is matched by a.
func originCovers(a, b *OriginPattern) bool {
	if isFullWildcard(a) {
		return true
	}
	if b.Scheme == "file" {
		return a.Scheme == "file" && (a.Path == "*" || a.Path == b.Path)
	}
	if a.Scheme == "file" || a.Scheme != "*" && a.Scheme != b.Scheme {
		return false
	}
	if isFullWildcard(b) {
		return false
	}
	if !hostCovers(a.Host, a.Subdomains, b.Host, b.Subdomains) {
		return false
	}
	return a.Port == "*" || a.Port == b.Port
}

func hostCovers(aHost string, aSub bool, bHost string, bSub bool) bool {
	if !aSub {
		return !bSub && aHost == bHost
	}
	if aHost == "" {
		return true
	}
	if bSub && bHost == "" {
		return false
	}
	return bHost == aHost || strings.HasSuffix(bHost, "."+aHost)
}

func anyURLCovers(as []URLPattern, b *URLPattern) bool {
	for i := range as {
		a := &as[i]
		if a.Scheme != b.Scheme {
			continue
		}
		if a.AnyURL {
			return true
		}
		if b.AnyURL || !hostCovers(a.Host, a.Subdomains, b.Host, b.Subdomains) {
			continue
		}
		if a.Port != "*" && a.Port != b.Port {
			continue
		}
		switch {
		case a.Path == "":
			return true
		case b.Path == "":
			continue
		case a.PathPrefix && strings.HasPrefix(b.Path, a.Path):
			return true
		case !a.PathPrefix && !b.PathPrefix && a.Path == b.Path:
			return true
		}
	}
	return false
}
