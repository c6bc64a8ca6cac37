// Package preconnect is the preconnect family: the `preconnect {}` block of
// a partition, rendered as the profile field "preconnect", the argument of
// ses.preconnect({url, numSockets}) that the adapter calls once the
// session is configured.
package preconnect

import (
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "preconnect"

// Field is the profile key this family renders.
const Field = "preconnect"

// Socket bounds of Session::Preconnect (electron_api_session.cc:
// kMinSocketsToPreconnect, kMaxSocketsToPreconnect; default 1).
const (
	MinSockets     = 1
	MaxSockets     = 6
	DefaultSockets = 1
)

func init() { providers.Register(Provider{}) }

// Spec is the `preconnect {}` block of a partition.
type Spec struct {
	URL       schema.Value[string]
	Sockets   schema.Value[int]
	DeclRange hcl.Range
}

// Key reads a partition's preconnect block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "preconnect",
		Doc:  "`ses.preconnect({url, numSockets})`: open sockets to an origin once the session is configured",
		Attrs: []schema.AttrSpec{
			{Name: "url", Doc: "the http or https origin to connect to"},
			{Name: "sockets", Doc: "how many sockets to open, 1 to 6 (default 1)"},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("preconnect")
		if !ok {
			return nil
		}
		return &Spec{URL: d.String(blk.Body, "url"), Sockets: d.Int(blk.Body, "sockets"), DeclRange: blk.DefRange}
	},
})

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "preconnect", Keys: map[string]string{"numSockets": "sockets"}}}
}

// Options is the "preconnect" profile field.
type Options struct {
	URL        string `json:"url"`
	NumSockets int    `json:"numSockets"`
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	pc := Key.Of(p)
	if pc == nil {
		return res, nil
	}
	var diags hcl.Diagnostics
	const urlDetail = "Write the absolute http or https URL of the origin to connect to, e.g. \"https://app.corp.example/\"; Chromium opens sockets to its host and port."
	if !pc.URL.Set {
		diags = append(diags, providers.Errorf(pc.DeclRange, urlDetail, "Must pass non-empty valid url to session.preconnect."))
	} else if u, err := url.Parse(pc.URL.V); err != nil || !u.IsAbs() || u.Host == "" || strings.ContainsAny(pc.URL.V, " \t\r\n") {
		diags = append(diags, providers.Errorf(pc.URL.Range, urlDetail, "Must pass non-empty valid url to session.preconnect. (got %q)", pc.URL.V))
	} else if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		diags = append(diags, providers.Errorf(pc.URL.Range, urlDetail+" Preconnecting only makes sense for HTTP(S) origins.",
			"preconnect.url must be an http or https URL, not %q", u.Scheme+":"))
	}
	n := DefaultSockets
	if pc.Sockets.Set {
		n = pc.Sockets.V
		if n < MinSockets || n > MaxSockets {
			diags = append(diags, providers.Errorf(pc.Sockets.Range,
				"preconnect.sockets is the number of sockets to open, from 1 to 6 (default 1); Electron throws for other values.",
				"numSocketsToPreconnect is outside range [%d,%d] (got %d)", MinSockets, MaxSockets, n))
		}
	}
	if diags.HasErrors() {
		return res, diags
	}
	res.Fields[Field] = Options{URL: pc.URL.V, NumSockets: n}
	return res, diags
}
