package permission

import (
	"fmt"
	"strings"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// The family's audit checks (docs/audit.md). They read the decoded block,
// so that a configuration that does not validate is still reviewed.
var (
	auditMissing = providers.Check{Code: "A002", Severity: providers.SeverityHigh, Family: Family,
		Title: "a partition without a permissions block: Electron grants every permission",
		Why:   providers.ChecklistPermissions,
		Fix:   "Add `permissions { default = \"deny\" }` with rules for what the pages need, or accept it for a partition that only loads the app's own content."}
	auditDefaultAllow = providers.Check{Code: "A003", Severity: providers.SeverityHigh, Family: Family,
		Title: `permissions { default = "allow" } grants what no rule denies`,
		Why:   providers.ChecklistPermissions,
		Fix:   `Write default = "deny" (or leave it out) and allow what the pages need with rules.`}
	auditAllowAll = providers.Check{Code: "A004", Severity: providers.SeverityHigh, Family: Family,
		Title: "a rule allows every permission to every host",
		Why:   providers.ChecklistPermissions,
		Fix:   "Name the permissions (permissions = [...]) and the origins (origins = [...]) the rule is for."}
	auditOpenExternal = providers.Check{Code: "A005", Severity: providers.SeverityHigh, Family: Family,
		Title: "openExternal is allowed for file:, javascript:, every URL or every http(s) host",
		Why:   providers.ChecklistOpenExternal,
		Fix:   `Allow openExternal only for the schemes and hosts the app hands to the OS ("mailto:*", "https://[*.]example.com/*").`}
	auditHTTPMedia = providers.Check{Code: "A006", Severity: providers.SeverityHigh, Family: Family,
		Title: "camera and microphone (media) are allowed to plain-http origins",
		Why:   providers.ChecklistSecureContent,
		Fix:   `Allow media to https:// origins only: anyone on the network path can inject script into an http page.`}
)

var auditChecks = []providers.Check{auditMissing, auditDefaultAllow, auditAllowAll, auditOpenExternal, auditHTTPMedia}

// Audit reviews p's permissions block.
func Audit(_ *providers.Context, p *schema.Partition) []providers.Finding {
	pb := Key.Of(p)
	if pb == nil {
		return []providers.Finding{{Code: auditMissing.Code, Subject: p.DeclRange, Warned: warning.PermissionsMissing,
			Summary: fmt.Sprintf("partition %q has no permissions block: Electron grants every permission", p.Name),
			Detail:  "Without a permission request handler Electron approves every request (camera, microphone, notifications, openExternal…) from any page the session loads."}}
	}
	var out []providers.Finding
	if pb.Default.Set && pb.Default.V == "allow" {
		out = append(out, providers.Finding{Code: auditDefaultAllow.Code, Subject: pb.Default.Range,
			Summary: `permissions default = "allow": every permission no rule denies is granted`,
			Detail:  "Every page the session loads gets what no rule denies, including permissions added by later Electron versions."})
	}
	for _, r := range pb.Rules {
		if r.Decision.V != "allow" {
			continue
		}
		out = append(out, auditRule(r)...)
	}
	return out
}

// covers reports whether rule r's permissions list includes name (an
// unset list covers every permission).
func covers(r *RuleSpec, name string) bool {
	if !r.Permissions.Set {
		return true
	}
	for _, it := range r.Permissions.Items {
		if it.V == name {
			return true
		}
	}
	return false
}

// anyHostOrigin returns the first origin of r that matches every host of
// one of schemes ("*" stands for a pattern without scheme), with ok; an
// unset list matches every origin (the returned value is then unset).
func anyHostOrigin(r *RuleSpec, schemes ...string) (schema.Value[string], bool) {
	if !r.Origins.Set {
		return schema.Value[string]{}, true
	}
	for _, it := range r.Origins.Items {
		op, _, ok := ParseOrigin(it.V)
		if ok && op.Subdomains && op.Host == "" && containsString(schemes, op.Scheme) {
			return it, true
		}
	}
	return schema.Value[string]{}, false
}

func auditRule(r *RuleSpec) []providers.Finding {
	var out []providers.Finding
	if !r.Permissions.Set {
		if it, ok := anyHostOrigin(r, "*", "http", "https"); ok {
			rng, what := r.NameRange, "every origin (origins is not set)"
			if it.Set {
				rng, what = it.Range, fmt.Sprintf("every host (%q)", it.V)
			}
			out = append(out, providers.Finding{Code: auditAllowAll.Code, Subject: rng,
				Summary: fmt.Sprintf("rule %q allows every permission to %s", r.Name, what),
				Detail:  "The rule's permissions list is not set, so it covers every permission; with an origin that matches every host it is as if the session had no permission handler."})
		}
	}
	if covers(r, "openExternal") {
		out = append(out, auditExternal(r)...)
	}
	if covers(r, "media") {
		out = append(out, auditMedia(r)...)
	}
	return out
}

func auditExternal(r *RuleSpec) []providers.Finding {
	finding := func(it schema.Value[string], why string) providers.Finding {
		rng := r.NameRange
		if it.Set {
			rng = it.Range
		}
		return providers.Finding{Code: auditOpenExternal.Code, Subject: rng,
			Summary: fmt.Sprintf("rule %q allows openExternal for %s", r.Name, why),
			Detail:  "shell.openExternal hands the URL to the operating system: a file: URL runs or opens a local file, and a page that can open any URL can start any registered protocol handler."}
	}
	if !r.ExternalURLs.Set {
		return []providers.Finding{finding(schema.Value[string]{}, "every URL (external_urls is not set), file: and javascript: included")}
	}
	var out []providers.Finding
	for _, it := range r.ExternalURLs.Items {
		// The scheme alone decides for file: and javascript:, also in a
		// pattern Build refuses ("file:///*" is written "file:*").
		if i := strings.IndexByte(it.V, ':'); i > 0 {
			if sc := lowerASCII(it.V[:i]); sc == "file" || sc == "javascript" {
				out = append(out, finding(it, fmt.Sprintf("%s: URLs (%q)", sc, it.V)))
				continue
			}
		}
		up, _, ok := ParseURLPattern(it.V)
		if !ok {
			continue
		}
		if (up.Scheme == "https" || up.Scheme == "http") && (up.AnyURL || (up.Subdomains && up.Host == "")) {
			out = append(out, finding(it, fmt.Sprintf("every %s host (%q)", up.Scheme, it.V)))
		}
	}
	return out
}

// loopback hosts are potentially trustworthy (W3C Secure Contexts §3.2):
// http://localhost is a secure context, so media there is not plain http.
var loopback = map[string]bool{"localhost": true, "127.0.0.1": true, "[::1]": true}

func auditMedia(r *RuleSpec) []providers.Finding {
	const detail = "Anyone on the network path of a plain-http page can change it, and would then use the camera and microphone this rule grants."
	if !r.Origins.Set {
		return []providers.Finding{{Code: auditHTTPMedia.Code, Subject: r.NameRange,
			Summary: fmt.Sprintf("rule %q allows media to every origin (origins is not set), plain-http ones included", r.Name),
			Detail:  detail}}
	}
	var out []providers.Finding
	for _, it := range r.Origins.Items {
		op, _, ok := ParseOrigin(it.V)
		if !ok || loopback[op.Host] {
			continue
		}
		if op.Scheme == "http" || (op.Scheme == "*" && op.Subdomains && op.Host == "") {
			out = append(out, providers.Finding{Code: auditHTTPMedia.Code, Subject: it.Range,
				Summary: fmt.Sprintf("rule %q allows media to plain-http origins (%q)", r.Name, it.V),
				Detail:  detail})
		}
	}
	return out
}
