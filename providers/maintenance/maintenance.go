// Package maintenance is the maintenance family: the `maintenance {}`
// block of a partition, whose attributes are generation numbers of one-shot
// session actions (ses.clearCache, ses.clearStorageData, …). It renders the
// profile field "maintenance": each action's Electron method name with the
// generation the configuration asks for, and the options of
// clearStorageData. Raising a number asks the app to run the action once;
// the adapter records the generation it ran (docs/actions.md).
package maintenance

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/proxy"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "maintenance"

// Field is the profile key this family renders.
const Field = "maintenance"

// OptionsKey is the member of the field that holds clearStorageData's
// options.
const OptionsKey = "clearStorageDataOptions"

// MaxGeneration is the largest generation number (the language's whole
// numbers are 32-bit; the adapter reads them as exact doubles).
const MaxGeneration = 1<<31 - 1

// Action is one declarative action: its HCL attribute and the Session
// method the adapter calls, which is also its key in the profile field.
type Action struct {
	Attr, Method, Doc string
}

// Actions are the declarative actions, in the order the adapter runs them
// (docs/actions.md "Order"): connection state first, so that the caches
// cleared next are not refilled through old connections; flushing storage
// before clearing it would be pointless, so flush comes last.
var Actions = []Action{
	{"force_reload_proxy_config", "forceReloadProxyConfig", "`ses.forceReloadProxyConfig()`: re-read the PAC script or system proxy settings"},
	{"clear_host_resolver_cache", "clearHostResolverCache", "`ses.clearHostResolverCache()`: forget cached DNS answers"},
	{"clear_auth_cache", "clearAuthCache", "`ses.clearAuthCache()`: forget HTTP authentication credentials"},
	{"close_all_connections", "closeAllConnections", "`ses.closeAllConnections()`: close pooled connections; in-flight requests fail"},
	{"clear_cache", "clearCache", "`ses.clearCache()`: clear the HTTP cache"},
	{"clear_storage_data", "clearStorageData", "`ses.clearStorageData(options)`: clear cookies, storage and service workers (see `clear_storage_data_options`)"},
	{"flush_storage_data", "flushStorageData", "`ses.flushStorageData()`: write DOM storage that is not on disk yet"},
}

// Storages are the storage types Electron 45's clearStorageData knows
// (shell/browser/api/electron_api_session.cc GetStorageMask; electron.d.ts
// ClearStorageDataOptions). Electron ignores other names silently.
var Storages = []string{"cookies", "filesystem", "indexdb", "localstorage", "shadercache", "serviceworkers", "cachestorage"}

// Quotas are the quota types Electron 45 still maps (GetQuotaMask:
// "temporary"; "syncable" was removed in Electron 36, "persistent" before,
// and other names are ignored silently).
var Quotas = []string{"temporary"}

func init() { providers.Register(Provider{}) }

// Spec is the `maintenance {}` block of a partition.
type Spec struct {
	// Gen holds the generation attributes that are set, by HCL name.
	Gen map[string]schema.Value[int]
	// Options is the clear_storage_data_options block (nil when absent).
	Options   *StorageOptions
	DeclRange hcl.Range
}

// StorageOptions is the `clear_storage_data_options {}` block.
type StorageOptions struct {
	Storages  schema.StringList
	Quotas    schema.StringList
	Origin    schema.Value[string]
	DeclRange hcl.Range
}

// Key reads a partition's maintenance block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "maintenance",
		Doc:  "one-shot session actions as generation numbers: raising a number makes the app run the action once",
		Attrs: func() []schema.AttrSpec {
			var out []schema.AttrSpec
			for _, a := range Actions {
				out = append(out, schema.AttrSpec{Name: a.Attr, Doc: a.Doc + "; a generation number, 0 to 2147483647, never lowered"})
			}
			return out
		}(),
		Blocks: []*schema.BlockSpec{{
			Type: "clear_storage_data_options",
			Doc:  "the options `ses.clearStorageData` gets when `clear_storage_data` is raised",
			Attrs: []schema.AttrSpec{
				{Name: "storages", Doc: "storage types to clear: " + strings.Join(Storages, ", ") + " (default: all)"},
				{Name: "quotas", Doc: "quota types to clear: temporary (default: all)"},
				{Name: "origin", Doc: "clear only this origin, `scheme://host[:port]` (default: every origin)"},
			},
		}},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("maintenance")
		if !ok {
			return nil
		}
		s := &Spec{Gen: map[string]schema.Value[int]{}, DeclRange: blk.DefRange}
		for _, a := range Actions {
			if v := d.Int(blk.Body, a.Attr); v.Set {
				s.Gen[a.Attr] = v
			}
		}
		if o, ok := blk.Body.Single("clear_storage_data_options"); ok {
			s.Options = &StorageOptions{
				Storages:  d.StringList(o.Body, "storages", false),
				Quotas:    d.StringList(o.Body, "quotas", false),
				Origin:    d.String(o.Body, "origin"),
				DeclRange: o.DefRange,
			}
		}
		return s
	},
})

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: the plan shows the generation
// numbers under their HCL names.
func (Provider) FieldViews() []providers.FieldView {
	keys := map[string]string{OptionsKey: "clear_storage_data_options"}
	for _, a := range Actions {
		keys[a.Method] = a.Attr
	}
	return []providers.FieldView{{Field: Field, HCL: "maintenance", Keys: keys}}
}

// Options is clearStorageData's argument, as electron.d.ts
// ClearStorageDataOptions (plus quotas, which Electron 45 still reads).
type Options struct {
	Origin   string   `json:"origin,omitempty"`
	Storages []string `json:"storages,omitempty"`
	Quotas   []string `json:"quotas,omitempty"`
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	s := Key.Of(p)
	if s == nil {
		return res, nil
	}
	var diags hcl.Diagnostics
	field := map[string]any{}
	for _, a := range Actions {
		v, ok := s.Gen[a.Attr]
		if !ok {
			continue
		}
		if v.V < 0 || v.V > MaxGeneration {
			diags = append(diags, providers.Errorf(v.Range,
				"A generation number counts the times the action was asked for: a whole number from 0 to 2147483647. Raise it by one to run the action once more.",
				"maintenance.%s must be between 0 and %d (got %d)", a.Attr, int64(MaxGeneration), v.V))
			continue
		}
		field[a.Method] = v.V
	}
	if o := s.Options; o != nil {
		opts, ds := buildOptions(o)
		diags = append(diags, ds...)
		if _, ok := s.Gen["clear_storage_data"]; !ok {
			diags = append(diags, providers.Errorf(o.DeclRange,
				"clear_storage_data_options are the options of clear_storage_data: set clear_storage_data (a generation number) in the same maintenance block, or remove the options.",
				"clear_storage_data_options without clear_storage_data"))
		}
		if opts != nil {
			field[OptionsKey] = opts
		}
	}
	if v, ok := s.Gen["force_reload_proxy_config"]; ok && v.V > 0 {
		if mode := proxyMode(proxy.Key.Of(p)); mode == "direct" || mode == "fixed_servers" {
			diags = append(diags, providers.Warnf(warning.MaintenanceProxyNoop, v.Range,
				"ses.forceReloadProxyConfig() resets the proxy service and fetches the PAC script again (pac_script), or re-reads the system settings (system, auto_detect, or no proxy block). With mode \""+mode+"\" the configuration is fixed: the call changes nothing.",
				"maintenance.force_reload_proxy_config has nothing to re-read with proxy mode %q", mode))
		}
	}
	if diags.HasErrors() {
		return res, diags
	}
	if len(field) == 0 {
		return res, diags
	}
	res.Fields[Field] = field
	res.Checks = map[string]providers.PreviousCheck{Field: func(prev json.RawMessage) hcl.Diagnostics { return checkLowered(s, prev) }}
	return res, diags
}

func buildOptions(o *StorageOptions) (*Options, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	out := &Options{}
	list := func(l schema.StringList, attr string, allowed []string, extra string) []string {
		if !l.Set {
			return nil
		}
		if len(l.Items) == 0 {
			diags = append(diags, providers.Errorf(l.Range,
				fmt.Sprintf("Leave %s out to clear every type; an empty list is not a choice Electron documents.", attr),
				"clear_storage_data_options.%s is empty", attr))
			return nil
		}
		seen := map[string]bool{}
		var vals []string
		for _, it := range l.Items {
			v := strings.ToLower(it.V)
			if !contains(allowed, v) {
				diags = append(diags, providers.Errorf(it.Range,
					fmt.Sprintf("Electron 45 knows %s; it ignores other names silently, so nothing would be cleared for this one.%s", strings.Join(allowed, ", "), extra),
					"unknown %s type %q in clear_storage_data_options", strings.TrimSuffix(attr, "s"), it.V))
				continue
			}
			if !seen[v] {
				seen[v] = true
				vals = append(vals, v)
			}
		}
		sort.Strings(vals)
		return vals
	}
	out.Storages = list(o.Storages, "storages", Storages, " appcache and websql were removed from Chromium.")
	out.Quotas = list(o.Quotas, "quotas", Quotas, " syncable was removed in Electron 36 (docs/breaking-changes.md), persistent before.")
	if o.Origin.Set {
		if origin, err := CanonicalOrigin(o.Origin.V); err != nil {
			diags = append(diags, providers.Errorf(o.Origin.Range,
				"origin follows window.location.origin's representation: scheme://host[:port], without a path, query or credentials (e.g. \"https://app.corp.example\").",
				"clear_storage_data_options.origin %q is not an origin: %v", o.Origin.V, err))
		} else {
			out.Origin = origin
		}
	}
	if out.Origin == "" && out.Storages == nil && out.Quotas == nil {
		return nil, diags
	}
	return out, diags
}

// proxyMode is the mode Electron uses for a proxy block (setProxy infers
// pac_script from pacScript, then fixed_servers from proxyRules); "" when
// the partition has no proxy block (Electron then follows the system) or
// one that names none of them (no warning is given then).
func proxyMode(px *proxy.Spec) string {
	switch {
	case px == nil:
		return ""
	case px.Mode.Set:
		return px.Mode.V
	case px.PacScript.Set:
		return "pac_script"
	case px.Rules.Set:
		return "fixed_servers"
	}
	return ""
}

// CanonicalOrigin checks that s is an origin (scheme://host[:port], an
// optional trailing slash) and returns it without the slash, with scheme
// and host in lower case.
func CanonicalOrigin(s string) (string, error) {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return "", fmt.Errorf("empty or contains white space")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	switch {
	case u.Scheme == "" || u.Host == "":
		return "", fmt.Errorf("no scheme:// or host")
	case u.User != nil:
		return "", fmt.Errorf("has credentials")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return "", fmt.Errorf("has a path, query or fragment")
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkLowered refuses a generation lower than the one last applied: the
// adapter runs an action when the generation rises, so a lowered number
// would silently never run again until it passes the old one.
func checkLowered(s *Spec, prev json.RawMessage) hcl.Diagnostics {
	if len(prev) == 0 {
		return nil
	}
	var before map[string]json.RawMessage
	if json.Unmarshal(prev, &before) != nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, a := range Actions {
		v, ok := s.Gen[a.Attr]
		raw, had := before[a.Method]
		if !ok || !had {
			continue
		}
		var old int64
		if json.Unmarshal(raw, &old) != nil {
			continue
		}
		if int64(v.V) < old {
			diags = append(diags, providers.Errorf(v.Range,
				fmt.Sprintf("The last apply recorded generation %d. A generation only goes up: the app runs the action when the number rises above the one it ran, so a lower number would never run. To run it once more, write %d.", old, old+1),
				"maintenance.%s cannot go down from %d to %d", a.Attr, old, v.V))
		}
	}
	return diags
}
