// Package useragent is the user agent family: the partition attributes
// user_agent and accept_languages, rendered as the profile fields
// "userAgent" and "acceptLanguages", the two arguments of
// ses.setUserAgent(userAgent[, acceptLanguages]) (docs/electron-facts.md §8).
//
// When only accept_languages is set, the adapter passes ses.getUserAgent()
// as the first argument, since setUserAgent requires one.
package useragent

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "useragent"

// Profile keys this family renders.
const (
	UserAgentField       = "userAgent"
	AcceptLanguagesField = "acceptLanguages"
)

func init() { providers.Register(Provider{}) }

// Spec is a partition's user_agent and accept_languages.
type Spec struct {
	UserAgent       schema.Value[string]
	AcceptLanguages schema.StringList
}

// Key reads a partition's user agent settings (nil when it sets neither).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Attrs: []schema.AttrSpec{
		{Name: "user_agent", Doc: "`ses.setUserAgent(userAgent)`: the User-Agent header and `navigator.userAgent` of the session"},
		{Name: "accept_languages", Doc: "`ses.setUserAgent(userAgent, acceptLanguages)`: the Accept-Language list (Chromium adds the q-values)"},
	},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		s := &Spec{UserAgent: d.String(b, "user_agent"), AcceptLanguages: d.StringList(b, "accept_languages", true)}
		if !s.UserAgent.Set && !s.AcceptLanguages.Set {
			return nil
		}
		return s
	},
})

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{
		{Field: UserAgentField, HCL: "user_agent"},
		{Field: AcceptLanguagesField, HCL: "accept_languages"},
	}
}

// AcceptLanguageHeader reproduces net::HttpUtil::GenerateAcceptLanguageHeader
// (net/http/http_util.cc), which Electron's setUserAgent applies to its
// acceptLanguages argument: the list is tokenised on ',' with
// base::StringTokenizer, which skips empty tokens and trims nothing; the
// first language gets no q-value, the next ones ";q=0.9", ";q=0.8", ...
// down to ";q=0.1", which every later language keeps.
func AcceptLanguageHeader(s string) string {
	var b strings.Builder
	q := 10
	for _, tok := range strings.Split(s, ",") {
		if tok == "" {
			continue
		}
		if q == 10 {
			b.WriteString(tok)
		} else {
			fmt.Fprintf(&b, ",%s;q=0.%d", tok, q)
		}
		if q > 1 {
			q--
		}
	}
	return b.String()
}

// languageTag is a loose BCP 47 shape (RFC 5646 §2.1: a primary subtag of
// 2-8 letters, then subtags of 1-8 alphanumerics) or "*".
var languageTag = regexp.MustCompile(`^(\*|[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*)$`)

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	var diags hcl.Diagnostics
	spec := Key.Of(p)
	if spec == nil {
		return res, nil
	}
	if spec.UserAgent.Set {
		ua := spec.UserAgent
		if i := strings.IndexFunc(ua.V, isControl); i >= 0 {
			diags = append(diags, providers.Errorf(schema.SubRange(ua, i, i+1),
				"A User-Agent is sent as an HTTP header value; control characters (line breaks included) are refused. Remove them.",
				"user_agent contains control character %q", ua.V[i]))
		} else {
			res.Fields[UserAgentField] = ua.V
		}
	}
	if spec.AcceptLanguages.Set {
		s, d := AcceptLanguages(spec.AcceptLanguages)
		diags = append(diags, d...)
		if !d.HasErrors() {
			res.Fields[AcceptLanguagesField] = s
		}
	}
	return res, diags
}

// AcceptLanguages validates accept_languages and returns the
// comma-separated string setUserAgent takes (the items joined with ",",
// exactly as written). A single string is split on commas the way Chromium
// does; each list item may hold several comma-separated languages too.
func AcceptLanguages(l schema.StringList) (string, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	parts := make([]string, 0, len(l.Items))
	for _, it := range l.Items {
		parts = append(parts, it.V)
		if i := strings.IndexFunc(it.V, isControl); i >= 0 {
			diags = append(diags, providers.Errorf(schema.SubRange(it, i, i+1),
				"The Accept-Language header value cannot contain control characters.",
				"accept_languages contains control character %q", it.V[i]))
			continue
		}
		start := 0
		for _, tok := range strings.Split(it.V, ",") {
			r := schema.SubRange(it, start, start+len(tok))
			start += len(tok) + 1
			switch {
			case tok == "":
				diags = append(diags, providers.Warnf(warning.AcceptLanguageEmptyEntry, r,
					"Chromium skips empty entries of the list; remove the extra comma.",
					"empty entry in accept_languages"))
			case strings.TrimSpace(tok) != tok:
				diags = append(diags, providers.Warnf(warning.AcceptLanguageSpaces, r,
					fmt.Sprintf("Chromium does not trim the list, so the header will carry %q with its spaces. Write %q.", tok, strings.TrimSpace(tok)),
					"accept_languages entry %q has surrounding spaces", tok))
			case !languageTag.MatchString(tok):
				diags = append(diags, providers.Warnf(warning.AcceptLanguageNotTag, r,
					"Chromium sends the entry unchanged, but servers expect language tags such as \"en-US\" or \"fr\" (RFC 5646).",
					"accept_languages entry %q is not a language tag", tok))
			}
		}
	}
	joined := strings.Join(parts, ",")
	if !diags.HasErrors() && AcceptLanguageHeader(joined) == "" {
		diags = append(diags, providers.Warnf(warning.AcceptLanguagesEmpty, l.Range,
			"Chromium turns an empty list into an empty Accept-Language value: pages get no language preference. Remove the attribute to keep Electron's default.",
			"accept_languages is empty"))
	}
	return joined, diags
}

// isControl reports C0 control characters and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
