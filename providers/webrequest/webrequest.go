package webrequest

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "web_request"

// Field is the profile key this family renders.
const Field = "webRequest"

// FormatVersion is the version of the compiled table.
const FormatVersion = 1

func init() { providers.Register(Provider{}) }

// Block is one `web_request "NAME" {}` block.
type Block struct {
	Name          string
	NameRange     hcl.Range
	URLs          schema.StringList
	ExcludeURLs   schema.StringList
	Types         schema.StringList
	Methods       schema.StringList
	Cancel        schema.Value[bool]
	RedirectURL   schema.Value[string]
	SetHeaders    schema.StringList
	RemoveHeaders schema.StringList
	DeclRange     hcl.Range
}

// Spec is a partition's web_request blocks in declaration order.
type Spec struct{ Blocks []*Block }

// Key reads a partition's web_request blocks (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "web_request", Kind: schema.Labelled, LabelName: "name",
		Doc: "`ses.webRequest.onBeforeRequest` / `onBeforeSendHeaders`: cancel, redirect or change the headers of matching requests; rules are tried in declaration order (docs/web-request.md)",
		Attrs: []schema.AttrSpec{
			{Name: "urls", Doc: "URL patterns a request must match one of (Chromium match patterns, as Electron's filter `urls`: \"*://*.example.com/*\", \"<all_urls>\")"},
			{Name: "exclude_urls", Doc: "URL patterns that exempt a request (the filter's `excludeUrls`)"},
			{Name: "types", Doc: "resource types a request must have one of (the filter's `types`: \"mainFrame\", \"script\", …); default any"},
			{Name: "methods", Doc: "HTTP methods a request must have one of (\"GET\", \"POST\"); default any"},
			{Name: "cancel", Doc: "true: the request fails with net::ERR_BLOCKED_BY_CLIENT"},
			{Name: "redirect_url", Doc: "absolute http or https URL the request is redirected to"},
			{Name: "set_headers", Doc: "request headers to set, each \"Name: value\""},
			{Name: "remove_headers", Doc: "request header names to remove"},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blocks := schema.DecodeLabelled(b, "web_request", func(blk schema.Block) *Block {
			return &Block{Name: blk.Label, NameRange: blk.LabelRange,
				URLs: d.StringList(blk.Body, "urls", true), ExcludeURLs: d.StringList(blk.Body, "exclude_urls", true),
				Types: d.StringList(blk.Body, "types", true), Methods: d.StringList(blk.Body, "methods", true),
				Cancel: d.Bool(blk.Body, "cancel"), RedirectURL: d.String(blk.Body, "redirect_url"),
				SetHeaders: d.StringList(blk.Body, "set_headers", true), RemoveHeaders: d.StringList(blk.Body, "remove_headers", true),
				DeclRange: blk.DefRange}
		})
		if blocks == nil {
			return nil
		}
		return &Spec{Blocks: blocks}
	},
})

// Actions.
const (
	ActionCancel   = "cancel"
	ActionRedirect = "redirect"
	ActionHeaders  = "headers"
)

// Header is one header to set.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Rule is one compiled web_request block.
type Rule struct {
	Name        string    `json:"name"`
	URLs        []Pattern `json:"urls"`
	ExcludeURLs []Pattern `json:"excludeUrls"`
	// Types and Methods are nil for "any".
	Types         []string `json:"types"`
	Methods       []string `json:"methods"`
	Action        string   `json:"action"`
	RedirectURL   string   `json:"redirectUrl,omitempty"`
	SetHeaders    []Header `json:"setHeaders"`
	RemoveHeaders []string `json:"removeHeaders"`
}

// Table is the compiled "webRequest" profile field.
type Table struct {
	FormatVersion int    `json:"formatVersion"`
	Rules         []Rule `json:"rules"`
}

// ResourceTypes are the values Electron's filter `types` accepts
// (ResourceTypes in shell/browser/api/electron_api_web_request.cc; any
// other value, "other" included, throws "Invalid type ..."). A request's
// details.resourceType is one of them or "other".
var ResourceTypes = []string{"cspReport", "font", "image", "mainFrame", "media", "object", "ping", "script", "stylesheet", "subFrame", "webSocket", "xhr"}

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "web_request", Hidden: []string{"formatVersion"},
		Keys: map[string]string{"rules.excludeUrls": "exclude_urls", "rules.redirectUrl": "redirect_url",
			"rules.setHeaders": "set_headers", "rules.removeHeaders": "remove_headers"},
		Sources: []string{"rules.urls", "rules.excludeUrls"}}}
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	tab, diags := Compile(c, p)
	if tab != nil && !diags.HasErrors() {
		res.Fields[Field] = tab
	}
	return res, diags
}

// Blocks returns p's web_request blocks.
func Blocks(p *schema.Partition) []*Block {
	if s := Key.Of(p); s != nil {
		return s.Blocks
	}
	return nil
}

const patternDetail = `A URL pattern is "<all_urls>" or SCHEME://HOST/PATH as Chromium's extension match patterns (extensions/common/url_pattern.cc): SCHEME is "*" (http and https only), or a scheme; HOST is "*", "*.example.com" (the domain and its subdomains) or a host, optionally followed by ":PORT" (digits or "*", only for http, https, ws, wss, ftp); PATH starts with "/" and may contain "*" (any characters, query included). Non-standard schemes are written "data:*", "about:blank". file patterns ignore the host.`

const actionDetail = `A web_request block does exactly one thing: cancel = true, redirect_url = "https://…", or header changes (set_headers and/or remove_headers).`

// Compile validates p's web_request blocks and compiles them in
// declaration order. It returns nil without blocks.
func Compile(c *providers.Context, p *schema.Partition) (*Table, hcl.Diagnostics) {
	blocks := Blocks(p)
	if len(blocks) == 0 {
		return nil, nil
	}
	var diags hcl.Diagnostics
	t := &Table{FormatVersion: FormatVersion, Rules: []Rule{}}
	var src []*Block
	for _, b := range blocks {
		r, d := compileRule(b)
		diags = append(diags, d...)
		if !d.HasErrors() {
			t.Rules = append(t.Rules, r)
			src = append(src, b)
		}
	}
	// Over the rules that compiled, so that a loop is reported beside
	// other errors.
	diags = append(diags, redirectLoops(t, src)...)
	return t, diags
}

func compileRule(b *Block) (Rule, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	r := Rule{Name: b.Name}
	if !b.URLs.Set {
		diags = append(diags, providers.Errorf(b.DeclRange, patternDetail+` Write urls = ["<all_urls>"] for every request.`,
			"web_request %q has no urls", b.Name))
	} else if len(b.URLs.Items) == 0 {
		diags = append(diags, providers.Errorf(b.URLs.Range, `Electron treats an empty urls list as "<all_urls>" and prints a deprecation warning; write urls = ["<all_urls>"].`,
			"web_request %q: urls is empty", b.Name))
	}
	var d hcl.Diagnostics
	r.URLs, d = patterns(b.URLs, b.Name, "urls")
	diags = append(diags, d...)
	r.ExcludeURLs, d = patterns(b.ExcludeURLs, b.Name, "exclude_urls")
	diags = append(diags, d...)
	if b.Types.Set {
		r.Types = []string{}
		for _, it := range b.Types.Items {
			if !isResourceType(it.V) {
				diags = append(diags, providers.Errorf(it.Range, "Resource types are "+strings.Join(ResourceTypes, ", ")+` (Electron's filter types; "other" cannot be filtered on).`,
					"Invalid type %s in web_request %q", it.V, b.Name))
				continue
			}
			if !has(r.Types, it.V) {
				r.Types = append(r.Types, it.V)
			}
		}
		if len(b.Types.Items) == 0 {
			diags = append(diags, providers.Errorf(b.Types.Range, "An empty types list means any type to Electron; leave the attribute out.", "web_request %q: types is empty", b.Name))
		}
	}
	if b.Methods.Set {
		r.Methods = []string{}
		for _, it := range b.Methods.Items {
			m := NormalizeMethod(it.V)
			if !isToken(m) {
				diags = append(diags, providers.Errorf(it.Range, "A method is an HTTP token (RFC 9110 section 9): GET, POST, PUT, DELETE, HEAD, OPTIONS, PATCH or an extension method; the six Fetch normalises are compared in upper case, others exactly.",
					"web_request %q: invalid method %q", b.Name, it.V))
				continue
			}
			if !has(r.Methods, m) {
				r.Methods = append(r.Methods, m)
			}
		}
		if len(b.Methods.Items) == 0 {
			diags = append(diags, providers.Errorf(b.Methods.Range, "An empty methods list would match nothing; leave the attribute out for any method.", "web_request %q: methods is empty", b.Name))
		}
	}
	actions := 0
	if b.Cancel.Set {
		if !b.Cancel.V {
			diags = append(diags, providers.Errorf(b.Cancel.Range, actionDetail, "web_request %q: cancel = false does nothing; remove it", b.Name))
		} else {
			actions++
			r.Action = ActionCancel
		}
	}
	if b.RedirectURL.Set {
		actions++
		r.Action = ActionRedirect
		u := ParseRequestURL(b.RedirectURL.V)
		if !u.Valid || (u.Scheme != "http" && u.Scheme != "https") || strings.ContainsAny(b.RedirectURL.V, " \t\r\n\x00") {
			diags = append(diags, providers.Errorf(b.RedirectURL.Range, "redirect_url must be an absolute http:// or https:// URL with a host (a redirect to file:, data: or a custom scheme is refused: it could expose local files or app pages to the web page).",
				"web_request %q: invalid redirect_url %q", b.Name, b.RedirectURL.V))
		}
		r.RedirectURL = b.RedirectURL.V
	}
	if b.SetHeaders.Set || b.RemoveHeaders.Set {
		actions++
		r.Action = ActionHeaders
		r.SetHeaders, r.RemoveHeaders = []Header{}, []string{}
		for _, it := range b.SetHeaders.Items {
			name, value, ok := strings.Cut(it.V, ":")
			value = strings.Trim(value, " \t")
			if !ok || !isToken(name) {
				diags = append(diags, providers.Errorf(it.Range, `Write each header as "Name: value"; the name is an HTTP token (RFC 9110 section 5.1: letters, digits and !#$%&'*+-.^_`+"`"+`|~).`,
					"web_request %q: invalid header %q in set_headers", b.Name, it.V))
				continue
			}
			if !isFieldValue(value) {
				diags = append(diags, providers.Errorf(it.Range, "A header value is visible characters, spaces and tabs (RFC 9110 section 5.5); no CR, LF or NUL.",
					"web_request %q: invalid value for header %s in set_headers", b.Name, name))
				continue
			}
			r.SetHeaders = append(r.SetHeaders, Header{Name: name, Value: value})
		}
		for _, it := range b.RemoveHeaders.Items {
			if !isToken(it.V) {
				diags = append(diags, providers.Errorf(it.Range, "A header name is an HTTP token (RFC 9110 section 5.1).",
					"web_request %q: invalid header name %q in remove_headers", b.Name, it.V))
				continue
			}
			r.RemoveHeaders = append(r.RemoveHeaders, it.V)
		}
		if len(b.SetHeaders.Items)+len(b.RemoveHeaders.Items) == 0 {
			diags = append(diags, providers.Errorf(b.DeclRange, actionDetail, "web_request %q changes no header", b.Name))
		}
	}
	if actions != 1 {
		diags = append(diags, providers.Errorf(b.DeclRange, actionDetail, "web_request %q must have exactly one action, not %d", b.Name, actions))
	}
	return r, diags
}

func patterns(l schema.StringList, name, attr string) ([]Pattern, hcl.Diagnostics) {
	if !l.Set {
		return nil, nil
	}
	var diags hcl.Diagnostics
	out := []Pattern{}
	for _, it := range l.Items {
		p, prob, ok := ParsePattern(it.V)
		if !ok {
			diags = append(diags, providers.Errorf(it.Range, patternDetail, "Invalid url pattern %s: %s (web_request %q %s)", it.V, prob.Message, name, attr))
			continue
		}
		if prob.NonStandard {
			diags = append(diags, providers.Warnf(warning.WebRequestNonStandardScheme, it.Range,
				fmt.Sprintf(`Electron accepts "%s://" patterns only when the app registers %q as a standard scheme (protocol.registerSchemesAsPrivileged with privileges.standard); otherwise onBeforeRequest throws "Invalid url pattern %s: Wrong scheme type." and the adapter reports the rule table as refused. Write "%s:*" for a non-standard scheme.`, p.Scheme, p.Scheme, it.V, p.Scheme),
				"web_request %q: %s works only if the app registers %q as a standard scheme", name, it.V, p.Scheme))
		}
		if prob.OddPort {
			diags = append(diags, providers.Warnf(warning.WebRequestPortText, it.Range,
				"Chromium compares a pattern's port as text with the URL's port number, so a port with a sign or leading zeros never matches; write it as plain digits.",
				"web_request %q: port %q in %s never matches", name, p.Port, it.V))
		}
		out = append(out, p)
	}
	return out, diags
}

// redirectLoops follows each redirect rule's target through the table:
// a target that the same rule decides again is an endless redirect (an
// error); one that another cancel or redirect rule decides is a chain (a
// warning).
func redirectLoops(t *Table, src []*Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i := range t.Rules {
		r := &t.Rules[i]
		if r.Action != ActionRedirect {
			continue
		}
		req := Request{URL: r.RedirectURL, Method: "GET", ResourceType: "mainFrame"}
		if len(r.Methods) > 0 {
			req.Method = r.Methods[0]
		}
		if len(r.Types) > 0 {
			req.ResourceType = r.Types[0]
		}
		seen := map[int]bool{i: true}
		path := []string{r.Name}
		for step := 0; step <= len(t.Rules); step++ {
			d := Decide(t, req)
			if d.Decision != ActionRedirect && d.Decision != ActionCancel {
				break
			}
			path = append(path, d.Rule)
			if seen[d.RuleIndex] {
				diags = append(diags, providers.Errorf(src[i].RedirectURL.Range,
					"The redirected request goes through onBeforeRequest again; a target that the same rules redirect again never loads (net::ERR_TOO_MANY_REDIRECTS). Exclude the target with exclude_urls or narrow urls.",
					"web_request %q: redirect loop %s", r.Name, strings.Join(path, " → ")))
				break
			}
			if d.Decision == ActionCancel || step == 0 {
				diags = append(diags, providers.Warnf(warning.WebRequestRedirectChain, src[i].RedirectURL.Range,
					"The redirected request goes through onBeforeRequest again and another rule decides it.",
					"web_request %q: its redirect target %s is %s by web_request %q", r.Name, r.RedirectURL, map[string]string{ActionCancel: "cancelled", ActionRedirect: "redirected again"}[d.Decision], d.Rule))
				if d.Decision == ActionCancel {
					break
				}
			}
			seen[d.RuleIndex] = true
			req.URL = d.RedirectURL
		}
	}
	return diags
}

func isResourceType(s string) bool { return has(ResourceTypes, s) }

func has(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// NormalizeMethod upper-cases the methods Fetch normalises (DELETE, GET,
// HEAD, OPTIONS, POST, PUT: https://fetch.spec.whatwg.org/#concept-method-normalize);
// other methods are case-sensitive.
func NormalizeMethod(m string) string {
	switch u := strings.ToUpper(m); u {
	case "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT":
		if isToken(m) {
			return u
		}
	}
	return m
}

// isToken is RFC 9110's token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isFieldValue is RFC 9110's field-value without obs-text: visible ASCII,
// space and tab, not starting or ending with whitespace.
func isFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\t' && (c < 0x20 || c == 0x7f) {
			return false
		}
	}
	return s == strings.Trim(s, " \t")
}
