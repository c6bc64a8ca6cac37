// Package cookies is the cookies family: `cookie "NAME"` blocks of a
// partition, rendered as the profile field "cookies", one
// `ses.cookies.set(details)` argument per block. The adapter sets each
// declared cookie, remembers which ones it set, and removes with
// `ses.cookies.remove(url, name)` only those when their block goes away;
// it never touches a cookie it did not set.
//
// A cookie's value may come from a variable declared sensitive = true:
// then plans, state, logs and diagnostics show only its token
// (providers.Secret) and the value itself is written to the profile file
// alone, with mode 0600.
//
// The checks are the ones Chromium makes when Electron's Cookies::Set
// (shell/browser/api/electron_api_cookies.cc) calls
// net::CanonicalCookie::CreateSanitizedCookie and the cookie manager's
// SetCanonicalCookie, so that what Electron would reject fails at plan
// time, located, instead of in the app.
package cookies

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/net/publicsuffix"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "cookies"

// Field is the profile key this family renders.
const Field = "cookies"

// Limits of Chromium's net/cookies/parsed_cookie.h:
// kMaxCookieNamePlusValueSize and kMaxCookieAttributeValueSize.
const (
	MaxNamePlusValue = 4096
	MaxAttribute     = 1024
)

// MaxAge is how far after it is set Chromium lets a cookie expire
// (CanonicalCookie::ValidateAndAdjustExpiryDate, RFC 6265bis §5.5 "the
// user agent MUST limit the maximum age to 400 days").
const MaxAge = 400 * 24 * time.Hour

// SameSite values of Electron's StringToCookieSameSite
// (electron_api_cookies.cc). Without sameSite Electron uses lax.
var SameSite = []string{"unspecified", "no_restriction", "lax", "strict"}

// now is the clock of the expiration warnings (a variable for tests).
var now = time.Now

func init() { providers.Register(Provider{}) }

// Cookie is one `cookie "NAME"` block.
type Cookie struct {
	Name       string
	NameRange  hcl.Range
	URL        schema.Value[string]
	Value      schema.Value[string]
	Domain     schema.Value[string]
	Path       schema.Value[string]
	Secure     schema.Value[bool]
	HTTPOnly   schema.Value[bool]
	SameSite   schema.Value[string]
	Expiration schema.Value[schema.NumStr]
	DeclRange  hcl.Range
}

// Spec is a partition's cookie blocks, in order.
type Spec struct {
	Cookies []*Cookie
}

// Key reads a partition's cookie blocks (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type:      "cookie",
		Kind:      schema.Labelled,
		LabelName: "cookie name",
		Doc:       "`ses.cookies.set(details)`: a cookie sessctl sets in the session, and removes (`ses.cookies.remove(url, name)`) when the block goes away; other cookies are never touched",
		Attrs: []schema.AttrSpec{
			{Name: "url", Doc: "the http, https, ws or wss URL the cookie is set for (required); its host is the cookie's host when domain is unset"},
			{Name: "value", Doc: "the cookie's value; may come from a variable declared sensitive = true, then only its digest is ever shown"},
			{Name: "domain", Doc: "the Domain attribute: the URL's host or a parent of it that is not a public suffix (unset: a host-only cookie)"},
			{Name: "path", Doc: "the Path attribute, starting with / (unset: the directory of the URL's path)"},
			{Name: "secure", Doc: "Secure: sent over https/wss only (Electron's default: true when same_site is no_restriction, else false)"},
			{Name: "http_only", Doc: "HttpOnly: hidden from document.cookie (default false)"},
			{Name: "same_site", Doc: "unspecified, no_restriction, lax or strict (Electron's default: lax)"},
			{Name: "expiration", Doc: "when the cookie expires: seconds since the Unix epoch or an RFC 3339 time (unset: a session cookie)"},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		cs := schema.DecodeLabelled(b, "cookie", func(blk schema.Block) *Cookie {
			return &Cookie{Name: blk.Label, NameRange: blk.LabelRange,
				URL: d.String(blk.Body, "url"), Value: d.SensitiveString(blk.Body, "value"),
				Domain: d.String(blk.Body, "domain"), Path: d.String(blk.Body, "path"),
				Secure: d.Bool(blk.Body, "secure"), HTTPOnly: d.Bool(blk.Body, "http_only"),
				SameSite: d.String(blk.Body, "same_site"), Expiration: d.NumStr(blk.Body, "expiration"),
				DeclRange: blk.DefRange}
		})
		if cs == nil {
			return nil
		}
		return &Spec{Cookies: cs}
	},
})

// Details is one cookie of the profile field: the argument of
// ses.cookies.set(details) (Electron's CookiesSetDetails). Value is a
// string or a providers.Secret.
type Details struct {
	URL            string   `json:"url"`
	Name           string   `json:"name"`
	Value          any      `json:"value"`
	Domain         string   `json:"domain,omitempty"`
	Path           string   `json:"path,omitempty"`
	Secure         *bool    `json:"secure,omitempty"`
	HTTPOnly       *bool    `json:"httpOnly,omitempty"`
	SameSite       string   `json:"sameSite,omitempty"`
	ExpirationDate *float64 `json:"expirationDate,omitempty"`
}

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: the field is shown as the
// cookie blocks, by name.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "cookie", Labelled: []string{""}, Hidden: []string{"name"},
		Keys: map[string]string{"httpOnly": "http_only", "sameSite": "same_site", "expirationDate": "expiration"}}}
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	spec := Key.Of(p)
	if spec == nil || len(spec.Cookies) == 0 {
		return res, nil
	}
	cookies := spec.Cookies
	var diags hcl.Diagnostics
	out := make(map[string]Details, len(cookies))
	for _, ck := range cookies {
		d, ds := check(ck, now())
		diags = append(diags, ds...)
		if d == nil {
			continue
		}
		if ck.Value.Sensitive {
			d.Value = providers.Secret(ck.Value.V)
			res.Secrets = append(res.Secrets, ck.Value.V)
		}
		out[ck.Name] = *d
	}
	if diags.HasErrors() {
		return res, diags
	}
	res.Fields[Field] = out
	return res, diags
}

// check validates one cookie as Electron and Chromium would and returns
// its details (nil on an error). No message shows the value.
func check(ck *Cookie, t time.Time) (*Details, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	errf := func(rng hcl.Range, detail, format string, args ...any) {
		diags = append(diags, providers.Errorf(rng, detail, format, args...))
	}
	name := ck.Name
	d := &Details{Name: name, Value: ck.Value.V, Domain: ck.Domain.V, Path: ck.Path.V, SameSite: ck.SameSite.V}

	// Name and value: ParsedCookie::IsValidCookieNameValuePair and the
	// ParseTokenString/ParseValueString round trips of
	// CreateSanitizedCookie (net/cookies/parsed_cookie.cc,
	// canonical_cookie.cc).
	const nameDetail = "A cookie name is any text without control characters (U+0000-U+001F, U+007F), ';' or '=', and without leading or trailing spaces or tabs (RFC 6265bis §4.1.1; Chromium's ParsedCookie::IsValidCookieName)."
	if bad := badChar(name, ";="); bad != "" {
		errf(ck.NameRange, nameDetail, "cookie %q: the name contains %s", name, bad)
	} else if trimmed(name) != name {
		errf(ck.NameRange, nameDetail, "cookie %q: the name has leading or trailing whitespace", name)
	}
	value := ck.Value.V
	const valueDetail = "A cookie value is any text without control characters (U+0000-U+001F, U+007F) or ';', and without leading or trailing spaces or tabs (RFC 6265bis §4.1.1; Chromium's ParsedCookie::IsValidCookieValue). Encode other bytes (for example percent-encoding or base64)."
	vrng := ck.Value.Range
	if !ck.Value.Set {
		vrng = ck.DeclRange
	}
	if bad := badChar(value, ";"); bad != "" {
		errf(vrng, valueDetail, "cookie %q: the value contains %s", name, bad)
	} else if trimmed(value) != value {
		errf(vrng, valueDetail, "cookie %q: the value has leading or trailing whitespace", name)
	}
	if name == "" && value == "" {
		errf(ck.NameRange, "Chromium refuses a cookie with neither name nor value (EXCLUDE_NO_COOKIE_CONTENT).",
			"Failed to set cookie - The cookie contains no content or only whitespace.")
	}
	// A nameless cookie serialises as its value alone: one whose value has
	// an '=' would read back as a name and a value, and one whose value
	// starts with a prefix would pass as a prefixed cookie (RFC 6265bis
	// §5.6 step 6 and §5.7 storage steps 19-20).
	if name == "" && strings.Contains(value, "=") {
		errf(vrng, "A cookie without a name cannot have '=' in its value: it would read back as name=value (RFC 6265bis §5.6). Give the cookie a name.",
			"cookie %q: Failed to set cookie - Cookie was rejected in parsing due to having an ambiguous serialization.", name)
	}
	if lv := strings.ToLower(value); name == "" && (strings.HasPrefix(lv, "__secure-") || strings.HasPrefix(lv, "__host-")) {
		errf(vrng, "A cookie without a name may not have a value starting with __Secure- or __Host- (RFC 6265bis §5.7): it would pass for a prefixed cookie. Give the cookie a name.",
			"cookie %q: Failed to set cookie - The cookie was set with an invalid __Host- or __Secure- prefix.", name)
	}
	if n := len(name) + len(value); n > MaxNamePlusValue {
		errf(vrng, fmt.Sprintf("Chromium limits a cookie's name and value together to %d bytes (kMaxCookieNamePlusValueSize, RFC 6265bis §5.6); this one has %d.", MaxNamePlusValue, n),
			"cookie %q: Failed to set cookie - The cookie exceeded the name/value pair size limit.", name)
	}

	// URL: required, and of a scheme the cookie store takes
	// (CookieMonster's default cookieable schemes).
	var u *url.URL
	const urlDetail = "Write the absolute http, https, ws or wss URL the cookie belongs to, e.g. \"https://app.corp.example/\"; Electron requires it and derives the host (and the default path) from it."
	switch {
	case !ck.URL.Set:
		errf(ck.DeclRange, urlDetail, "cookie %q: Missing required option 'url'", name)
	default:
		pu, err := url.Parse(ck.URL.V)
		if err != nil || !pu.IsAbs() || pu.Hostname() == "" || strings.ContainsAny(ck.URL.V, " \t\r\n") {
			errf(ck.URL.Range, urlDetail, "cookie %q: Failed to set cookie - The cookie was set with an invalid Domain attribute. (url %q is not an absolute URL with a host)", name, ck.URL.V)
		} else if s := strings.ToLower(pu.Scheme); s != "http" && s != "https" && s != "ws" && s != "wss" {
			errf(ck.URL.Range, urlDetail, "cookie %q: Failed to set cookie - Attempted to set a cookie from a scheme that does not support cookies. (%q)", name, pu.Scheme+":")
		} else {
			u = pu
			d.URL = ck.URL.V
		}
	}
	secureURL := u != nil && (strings.EqualFold(u.Scheme, "https") || strings.EqualFold(u.Scheme, "wss"))
	host := ""
	if u != nil {
		host = strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	}

	// same_site, and the secure default Electron derives from it.
	sameSite := "lax"
	if ck.SameSite.Set {
		if !contains(SameSite, ck.SameSite.V) {
			errf(ck.SameSite.Range, "same_site is one of "+strings.Join(SameSite, ", ")+" (Electron's names; no_restriction is SameSite=None).",
				"cookie %q: Failed to convert '%s' to an appropriate cookie same site value", name, ck.SameSite.V)
		}
		sameSite = ck.SameSite.V
	}
	secure := sameSite == "no_restriction"
	secureRange := ck.DeclRange
	if ck.Secure.Set {
		secure = ck.Secure.V
		secureRange = ck.Secure.Range
		v := ck.Secure.V
		d.Secure = &v
	}
	if ck.HTTPOnly.Set {
		v := ck.HTTPOnly.V
		d.HTTPOnly = &v
	}
	if sameSite == "no_restriction" && !secure {
		errf(secureRange, "SameSite=None cookies must be Secure (RFC 6265bis §5.7; Chromium's EXCLUDE_SAMESITE_NONE_INSECURE). Remove secure = false, or use same_site = \"lax\".",
			"cookie %q: Failed to set cookie - The cookie specified SameSite=None, but it was not Secure.", name)
	}
	if secure && u != nil && !secureURL && !isLocalhost(host) {
		errf(secureRange, "A Secure cookie can only be set from a secure URL (https or wss, or a localhost http URL): RFC 6265bis §5.7 storage step 5, enforced by Chromium's cookie store (EXCLUDE_SECURE_ONLY). Use an https URL.",
			"cookie %q: Failed to set cookie - The cookie was Secure, but the URL was not allowed to access Secure cookies.", name)
	}

	// Domain: GetCookieDomainWithString (net/cookies/cookie_util.cc).
	if ck.Domain.Set {
		dom := strings.ToLower(strings.TrimPrefix(ck.Domain.V, "."))
		const domDetail = "domain is the URL's host or a parent domain of it that is not a public suffix (RFC 6265bis §5.7 storage steps 8-9), or unset for a host-only cookie."
		switch {
		case len(ck.Domain.V) > MaxAttribute:
			errf(ck.Domain.Range, fmt.Sprintf("Chromium limits a cookie attribute to %d bytes (kMaxCookieAttributeValueSize).", MaxAttribute),
				"cookie %q: Failed to set cookie - Cookie exceeded the attribute size limit.", name)
		case !isASCII(ck.Domain.V):
			errf(ck.Domain.Range, domDetail+" Write an internationalised domain in its punycode (xn--) form.",
				"cookie %q: Failed to set cookie - The cookie was set with a Domain attribute containing non ASCII characters.", name)
		case dom == "" || badChar(ck.Domain.V, ";") != "":
			errf(ck.Domain.Range, domDetail, "cookie %q: Failed to set cookie - The cookie was set with an invalid Domain attribute.", name)
		case u != nil && !domainMatches(host, dom):
			errf(ck.Domain.Range, domDetail, "cookie %q: Failed to set cookie - The cookie was set with an invalid Domain attribute. (%q does not domain-match the URL's host %q)", name, ck.Domain.V, host)
		case u != nil && dom != host && isPublicSuffix(dom):
			errf(ck.Domain.Range, domDetail, "cookie %q: Failed to set cookie - The cookie was set with an invalid Domain attribute. (%q is a public suffix)", name, ck.Domain.V)
		}
	}

	// Path: CreateSanitizedCookie refuses a path that does not start with
	// "/" or that holds characters a cookie attribute cannot.
	if ck.Path.Set {
		const pathDetail = "path starts with \"/\" and has no control characters or ';' (RFC 6265bis §5.6.4)."
		switch {
		case len(ck.Path.V) > MaxAttribute:
			errf(ck.Path.Range, fmt.Sprintf("Chromium limits a cookie attribute to %d bytes (kMaxCookieAttributeValueSize).", MaxAttribute),
				"cookie %q: Failed to set cookie - Cookie exceeded the attribute size limit.", name)
		case !strings.HasPrefix(ck.Path.V, "/") || badChar(ck.Path.V, ";") != "":
			errf(ck.Path.Range, pathDetail, "cookie %q: Failed to set cookie - The cookie was set with an invalid Path attribute. (%q)", name, ck.Path.V)
		}
	}

	// Prefixes: CanonicalCookie::IsCookiePrefixValid, matched
	// case-insensitively (RFC 6265bis §4.1.3).
	lower := strings.ToLower(name)
	const prefixSummary = "cookie %q: Failed to set cookie - The cookie was set with an invalid __Host- or __Secure- prefix."
	if strings.HasPrefix(lower, "__secure-") || strings.HasPrefix(lower, "__host-") {
		if !secure || (u != nil && !secureURL) {
			errf(ck.NameRange, "A cookie whose name starts with __Secure- or __Host- must be set with secure = true from an https or wss URL (RFC 6265bis §4.1.3).", prefixSummary, name)
		}
	}
	if strings.HasPrefix(lower, "__host-") {
		if ck.Domain.Set {
			errf(ck.Domain.Range, "A __Host- cookie is host-only: it may not have a domain (RFC 6265bis §4.1.3.2). Remove domain.", prefixSummary, name)
		}
		if !ck.Path.Set || ck.Path.V != "/" {
			rng := ck.DeclRange
			if ck.Path.Set {
				rng = ck.Path.Range
			}
			errf(rng, "A __Host- cookie must have path = \"/\" (RFC 6265bis §4.1.3.2).", prefixSummary, name)
		}
	}

	// Expiration: seconds since the epoch, or RFC 3339.
	if ck.Expiration.Set {
		exp, ok := parseExpiration(ck.Expiration.V)
		if !ok {
			errf(ck.Expiration.Range, "expiration is seconds since the Unix epoch (a number, as Electron's expirationDate) or an RFC 3339 time such as \"2027-01-31T00:00:00Z\".",
				"cookie %q: expiration %q is neither a number of seconds nor an RFC 3339 time", name, ck.Expiration.V.Text)
		} else {
			secs := float64(exp.UnixNano()) / 1e9
			if ck.Expiration.V.IsNumber {
				secs, _ = strconv.ParseFloat(ck.Expiration.V.Text, 64)
			}
			d.ExpirationDate = &secs
			if limit := t.Add(MaxAge); exp.After(limit) {
				diags = append(diags, providers.Warnf(warning.CookieExpiryClamped, ck.Expiration.Range,
					fmt.Sprintf("Chromium caps a cookie's lifetime at 400 days from when it is set (CanonicalCookie::ValidateAndAdjustExpiryDate; RFC 6265bis §5.5): set now, this cookie would expire at %s instead of %s. The adapter sets it again at every start, so it lasts as long as the app is restarted within 400 days.",
						limit.UTC().Format(time.RFC3339), exp.UTC().Format(time.RFC3339)),
					"cookie %q expires more than 400 days from now; Chromium shortens it", name))
			} else if !exp.After(t) {
				diags = append(diags, providers.Warnf(warning.CookieExpired, ck.Expiration.Range,
					fmt.Sprintf("The expiration %s is in the past: setting an expired cookie deletes the cookie of that name instead (cause \"expired-overwrite\"), so the app never has it. Remove the block to stop managing the cookie.", exp.UTC().Format(time.RFC3339)),
					"cookie %q has already expired", name))
			}
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return d, diags
}

// parseExpiration reads a number of seconds or an RFC 3339 time.
func parseExpiration(v schema.NumStr) (time.Time, bool) {
	if v.IsNumber {
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e13 {
			return time.Time{}, false
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), true
	}
	t, err := time.Parse(time.RFC3339, v.Text)
	return t, err == nil
}

// badChar describes the first character of s that a cookie name or value
// may not hold: a control character or one of extra.
func badChar(s, extra string) string {
	for _, r := range []byte(s) {
		if r < 0x20 || r == 0x7f {
			return fmt.Sprintf("the control character U+%04X", r)
		}
		if strings.IndexByte(extra, r) >= 0 {
			return fmt.Sprintf("%q", string(r))
		}
	}
	return ""
}

// trimmed is s without the leading and trailing spaces and tabs
// Chromium's ParseTokenString/ParseValueString drop.
func trimmed(s string) string { return strings.Trim(s, " \t") }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// domainMatches is RFC 6265bis §5.1.3: host equals domain, or host is a
// name (not an IP address) ending in "." + domain.
func domainMatches(host, domain string) bool {
	if host == domain {
		return true
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return false
	}
	return strings.HasSuffix(host, "."+domain)
}

// isPublicSuffix reports whether domain is a public suffix (ICANN or
// private section of the list, as Chromium's registry_controlled_domains
// with INCLUDE_PRIVATE_REGISTRIES).
func isPublicSuffix(domain string) bool {
	ps, _ := publicsuffix.PublicSuffix(domain)
	return ps == domain
}

// isLocalhost is net::IsLocalhost: Chromium lets http://localhost set
// Secure cookies (it is a potentially trustworthy origin).
func isLocalhost(host string) bool {
	h := strings.Trim(host, "[]")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
