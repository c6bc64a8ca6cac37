package permission

// Step says why one rule did or did not match a request, for
// `check-permission --explain`.
type Step struct {
	Rule string `json:"rule"`
	// Matched is true for the deciding rule (the last step).
	Matched bool `json:"matched"`
	// Reason names the first condition that failed: "handler",
	// "permission", "main frame", "media types", "external URL", "origin";
	// "" when the rule matched.
	Reason string `json:"reason,omitempty"`
}

// Explain replays the evaluation of Decide rule by rule, in the plain
// order of docs/permissions.md (no index), and returns one Step per rule
// consulted up to the deciding one. Its last matching step always names the
// rule Decide returns; TestExplainAgreesWithDecide checks it.
func Explain(t *Table, r Request) []Step {
	if t == nil {
		return nil
	}
	var steps []Step
	var origin, ext URL
	originParsed, extParsed := false, false
	for i := range t.Rules {
		rule := &t.Rules[i]
		reason := ""
		switch {
		case !containsString(rule.Handlers, r.Handler):
			reason = "handler"
		case rule.Permissions != nil && !containsString(rule.Permissions, r.Permission):
			reason = "permission"
		case rule.MainFrameOnly && !r.IsMainFrame:
			reason = "main frame"
		case rule.MediaTypes != nil && !mediaOK(rule, r):
			reason = "media types"
		case rule.ExternalURLs != nil:
			if r.Permission != "openExternal" {
				reason = "external URL"
				break
			}
			if !extParsed {
				ext, extParsed = ParseURL(r.ExternalURL), true
			}
			if !anyURLPattern(rule.ExternalURLs, &ext) {
				reason = "external URL"
			}
		}
		if reason == "" && rule.Origins != nil {
			if !originParsed {
				origin, originParsed = ParseURL(r.Origin), true
			}
			if !anyOrigin(rule.Origins, &origin) {
				reason = "origin"
			}
		}
		steps = append(steps, Step{Rule: rule.Name, Matched: reason == "", Reason: reason})
		if reason == "" {
			break
		}
	}
	return steps
}

// mediaOK is the media condition: allow rules need every requested type
// listed, deny rules any.
func mediaOK(rule *Rule, r Request) bool {
	if r.Permission != "media" {
		return false
	}
	if rule.Decision == "allow" {
		for _, m := range r.MediaTypes {
			if !containsString(rule.MediaTypes, m) {
				return false
			}
		}
		return true
	}
	for _, m := range r.MediaTypes {
		if containsString(rule.MediaTypes, m) {
			return true
		}
	}
	return false
}
