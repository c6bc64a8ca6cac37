// Package netemu is the network emulation family: the `network_emulation
// {}` block of a partition, rendered as the profile field
// "networkEmulation", the argument of ses.enableNetworkEmulation
// (docs/electron-facts.md §8) in Electron's units: latency in milliseconds,
// throughputs in bytes per second.
package netemu

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "netemu"

// Field is the profile key this family renders.
const Field = "networkEmulation"

func init() { providers.Register(Provider{}) }

// Spec is the `network_emulation {}` block of a partition.
type Spec struct {
	Offline     schema.Value[bool]
	LatencyMs   schema.Value[float64]
	DownloadBps schema.Value[float64]
	UploadBps   schema.Value[float64]
	DeclRange   hcl.Range
}

// Key reads a partition's network_emulation block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "network_emulation",
		Doc:  "`ses.enableNetworkEmulation(options)`: emulate a slow or offline network",
		Attrs: []schema.AttrSpec{
			{Name: "offline", Doc: "emulate a network outage"},
			{Name: "latency_ms", Doc: "round-trip time added to each request, in milliseconds (0: none)"},
			{Name: "download_bps", Doc: "download throughput in bytes per second (0: unthrottled)"},
			{Name: "upload_bps", Doc: "upload throughput in bytes per second (0: unthrottled)"},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("network_emulation")
		if !ok {
			return nil
		}
		return &Spec{
			Offline:     d.Bool(blk.Body, "offline"),
			LatencyMs:   d.Number(blk.Body, "latency_ms"),
			DownloadBps: d.Number(blk.Body, "download_bps"),
			UploadBps:   d.Number(blk.Body, "upload_bps"),
			DeclRange:   blk.DefRange,
		}
	},
})

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "network_emulation", Keys: map[string]string{
		"latency": "latency_ms", "downloadThroughput": "download_bps", "uploadThroughput": "upload_bps"}}}
}

// Options is the "networkEmulation" profile field: every member present,
// with Electron's defaults (false, 0) for unset attributes. A latency of 0
// adds no latency (Electron applies the latency only when it is non-zero);
// a throughput of 0 means unthrottled. The adapter passes it to
// enableNetworkEmulation.
type Options struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	ne := Key.Of(p)
	if ne == nil {
		return res, nil
	}
	var diags hcl.Diagnostics
	nonNeg := func(v schema.Value[float64], attr, unit string) float64 {
		if !v.Set {
			return 0
		}
		if v.V < 0 {
			diags = append(diags, providers.Errorf(v.Range,
				fmt.Sprintf("network_emulation.%s is in %s and cannot be negative; 0 means %s.", attr, unit, map[bool]string{true: "no added latency", false: "unthrottled"}[attr == "latency_ms"]),
				"network_emulation.%s must not be negative (got %g)", attr, v.V))
		}
		return v.V
	}
	o := Options{
		Offline:            ne.Offline.Set && ne.Offline.V,
		Latency:            nonNeg(ne.LatencyMs, "latency_ms", "milliseconds of round-trip time"),
		DownloadThroughput: nonNeg(ne.DownloadBps, "download_bps", "bytes per second"),
		UploadThroughput:   nonNeg(ne.UploadBps, "upload_bps", "bytes per second"),
	}
	if diags.HasErrors() {
		return res, diags
	}
	if o == (Options{}) {
		diags = append(diags, providers.Warnf(warning.NetworkEmulationNoop, ne.DeclRange,
			"With offline = false and every value 0, enableNetworkEmulation changes nothing: latency 0 adds no latency and throughput 0 means unthrottled. Set offline, latency_ms or a throughput, or remove the block.",
			"network_emulation emulates nothing"))
	}
	res.Fields[Field] = o
	return res, diags
}
