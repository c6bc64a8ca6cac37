package webrequest

import "strings"

// Request is a request as the adapter's listeners see it (details.url,
// details.method, details.resourceType).
type Request struct {
	URL          string `json:"url"`
	Method       string `json:"method"`
	ResourceType string `json:"resourceType"`
}

// Decisions besides the actions.
const (
	// Allow: no rule matched; the request goes on unchanged.
	Allow = "allow"
)

// Result is what the two listeners do with a request.
type Result struct {
	// Decision is "cancel", "redirect", "headers" or "allow".
	Decision string `json:"decision"`
	// Rule and RuleIndex name the cancel or redirect rule that decided
	// (onBeforeRequest); "" and -1 otherwise.
	Rule        string `json:"rule"`
	RuleIndex   int    `json:"ruleIndex"`
	RedirectURL string `json:"redirectUrl"`
	// HeaderRules are the header rules that matched, in order
	// (onBeforeSendHeaders); SetHeaders and RemoveHeaders their net effect.
	HeaderRules   []string `json:"headerRules"`
	SetHeaders    []Header `json:"setHeaders"`
	RemoveHeaders []string `json:"removeHeaders"`
}

// MatchesRequest is RequestFilter::MatchesRequest plus the methods
// condition, which the adapter evaluates itself.
func (r *Rule) MatchesRequest(u *URL, req Request) bool {
	if !anyMatch(r.URLs, u) || anyMatch(r.ExcludeURLs, u) {
		return false
	}
	if r.Types != nil && !has(r.Types, req.ResourceType) {
		return false
	}
	return r.Methods == nil || has(r.Methods, NormalizeMethod(req.Method))
}

func anyMatch(ps []Pattern, u *URL) bool {
	for i := range ps {
		if ps[i].Matches(u) {
			return true
		}
	}
	return false
}

// Decide applies docs/web-request.md "Order": the first cancel or redirect
// rule that matches, in declaration order, decides in onBeforeRequest;
// otherwise every matching header rule applies in declaration order in
// onBeforeSendHeaders, a later rule overriding an earlier one for the
// same header name (compared case-insensitively).
func Decide(t *Table, req Request) Result {
	res := Result{Decision: Allow, RuleIndex: -1, HeaderRules: []string{}, SetHeaders: []Header{}, RemoveHeaders: []string{}}
	if t == nil {
		return res
	}
	u := ParseRequestURL(req.URL)
	for i := range t.Rules {
		r := &t.Rules[i]
		if r.Action == ActionHeaders || !r.MatchesRequest(&u, req) {
			continue
		}
		res.Decision, res.Rule, res.RuleIndex = r.Action, r.Name, i
		if r.Action == ActionRedirect {
			res.RedirectURL = r.RedirectURL
		}
		return res
	}
	type op struct {
		name, value string
		set         bool
	}
	var ops []op
	put := func(o op) {
		for k := range ops {
			if strings.EqualFold(ops[k].name, o.name) {
				ops = append(ops[:k], ops[k+1:]...)
				break
			}
		}
		ops = append(ops, o)
	}
	for i := range t.Rules {
		r := &t.Rules[i]
		if r.Action != ActionHeaders || !r.MatchesRequest(&u, req) {
			continue
		}
		res.HeaderRules = append(res.HeaderRules, r.Name)
		for _, h := range r.SetHeaders {
			put(op{name: h.Name, value: h.Value, set: true})
		}
		for _, n := range r.RemoveHeaders {
			put(op{name: n})
		}
	}
	for _, o := range ops {
		if o.set {
			res.SetHeaders = append(res.SetHeaders, Header{Name: o.name, Value: o.value})
		} else {
			res.RemoveHeaders = append(res.RemoveHeaders, o.name)
		}
	}
	if len(res.HeaderRules) > 0 {
		res.Decision = ActionHeaders
	}
	return res
}
