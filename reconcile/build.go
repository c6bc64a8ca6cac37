package reconcile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// ProfileFormatVersion is the format_version of profile files and
// index.json. Bump it on any incompatible change of the profile contract.
const ProfileFormatVersion = 1

// coreFields are rendered by reconcile itself, not by a provider.
var coreFields = map[string]bool{
	"format_version": true, "partition": true, "persistent": true, "cache": true,
	"revision": true, "digest": true,
}

// Desired is one partition as the configuration wants it: the profile
// fields every provider rendered, canonically encoded.
type Desired struct {
	Name string
	// Fields maps a profile key to its canonical JSON encoding.
	Fields map[string]json.RawMessage
	// Digest is the sha256 of the canonical content (all fields).
	Digest  string
	Effects []providers.Effect
	Inputs  []schema.FileInput
	// IgnoreDrift are the profile keys of ignore_drift: edits of these
	// fields in the profile file are not drift (see drift.go).
	IgnoreDrift []string
	// Checks are the providers' checks against the last applied profile
	// (providers.Result.Checks), by field.
	Checks map[string]providers.PreviousCheck
	// Secrets maps the token of each sensitive value the fields hold (as a
	// JSON string) to the value (see sensitive.go). Never serialised.
	Secrets map[string]string
	// CheckSig summarises what the configuration-wide checks
	// (providers.ConfigChecker) read of this partition: a hash of the
	// fields those providers rendered ("" when they rendered none). A plan
	// that rebuilds some partitions only knows the checks' verdict is the
	// last one's when no partition's CheckSig changed (see plancache.go).
	CheckSig string
}

// checkSig is Desired.CheckSig of the encoded fields, for the keys the
// ConfigChecker providers rendered (by provider, in key order).
func checkSig(fields map[string]json.RawMessage, keys []checkKeys) string {
	if len(keys) == 0 {
		return ""
	}
	h := sha256.New()
	for _, ck := range keys {
		h.Write(append([]byte(ck.family), 0))
		for _, k := range ck.keys {
			h.Write(append([]byte(k), 0))
			h.Write(append(fields[k], 0))
		}
		h.Write([]byte{1})
	}
	return string(h.Sum(nil)[:16])
}

// checkKeys are the field keys a ConfigChecker provider rendered.
type checkKeys struct {
	family string
	keys   []string
}

// CheckPrevious runs d's checks against rec, the partition's last applied
// record (nil for a new partition: nothing to compare with).
func (d *Desired) CheckPrevious(rec *Record) hcl.Diagnostics {
	if d == nil || rec == nil || len(d.Checks) == 0 {
		return nil
	}
	var diags hcl.Diagnostics
	for _, field := range sortedKeys(d.Checks) {
		diags = append(diags, d.Checks[field](rec.Fields[field])...)
	}
	return diags
}

// Build runs every provider over every partition of cfg and returns the
// desired profiles keyed by partition name, with all diagnostics.
func Build(cfg *schema.Config) (map[string]*Desired, hcl.Diagnostics) {
	results, diags, _ := buildParts(cfg, cfg.Partitions, nil, true)
	out := make(map[string]*Desired, len(results))
	for _, d := range results {
		if d != nil {
			out[d.Name] = d
		}
	}
	return out, diags
}

// buildParts builds parts (partitions of cfg) and runs the
// configuration-wide checks over all of cfg's partitions. results[i] is
// parts[i]'s profile, nil when it has errors. Warnings that an
// ignore_warnings list acknowledges are marked (warning.Acknowledged), and
// repeats are dropped.
//
// pre holds partitions built while the configuration loaded (nil: none).
// Without checkAll the configuration-wide checks are not run (parts are
// some of the partitions: the checks would judge a subset); cross counts
// the diagnostics those checks returned.
func buildParts(cfg *schema.Config, parts []*schema.Partition, pre *earlyBuild, checkAll bool) (results []*Desired, diags hcl.Diagnostics, cross int) {
	provs := providers.All()
	n := len(parts)
	results = make([]*Desired, n)
	perPart := make([]hcl.Diagnostics, n)
	// Partitions are independent: build them on every core. Each gets its
	// own provider context (providers are stateless), and all share one
	// read of each referenced file, so they see the same digest.
	workers := min(runtime.GOMAXPROCS(0), n)
	files := pre.cache()
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := parts[i]
				r, ok := pre.take(p)
				d, ds := r.d, r.diags
				if !ok {
					d, ds = buildOne(providers.NewContext(cfg).WithCache(files), provs, p)
				}
				if d != nil {
					// Files read while evaluating the configuration (file(),
					// filesha256()) can change any partition: every record
					// keeps them so the no-op fast path can check them.
					d.Inputs = mergeInputs(d.Inputs, cfg.Inputs)
				}
				results[i], perPart[i] = d, cfg.AcknowledgeWarnings(p, ds)
			}
		}()
	}
	wg.Wait()
	for i := range results {
		diags = append(diags, perPart[i]...)
	}
	if checkAll {
		ctx := providers.NewContext(cfg)
		for _, pr := range provs {
			if cc, ok := pr.(providers.ConfigChecker); ok {
				cd := cc.CheckConfig(ctx, cfg.Partitions)
				cross += len(cd)
				diags = append(diags, cfg.AcknowledgeWarnings(nil, cd)...)
			}
		}
	}
	return results, warning.Dedupe(diags), cross
}

func buildOne(ctx *providers.Context, provs []providers.Provider, p *schema.Partition) (*Desired, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	fields := map[string]json.RawMessage{}
	name := p.Name
	if name == schema.PersistPrefix {
		name = "" // both spell the default session; record one name
	}
	cache := true
	if p.Cache.Set {
		cache = p.Cache.V
		if !cache && p.IsDefault() {
			diags = append(diags, providers.Warnf(warning.DefaultSessionCache, p.Cache.Range,
				"Electron creates the default session at startup with the HTTP cache on; options of an existing session are ignored (electron-facts §1). Use a named partition to run without a cache.",
				"cache = false has no effect on the default session"))
		}
	}
	fields["partition"] = mustJSON(name)
	fields["persistent"] = mustJSON(p.Persistent())
	fields["cache"] = mustJSON(cache)

	var effects []providers.Effect
	var checks map[string]providers.PreviousCheck
	var secrets []string
	// Every field is encoded into one buffer, copied once at its size at
	// the end: a buffer per field kept 64 bytes or more per boolean, and
	// growth slack on longer values (a fifth of a plan's memory).
	enc := newFieldEncoder()
	var sigKeys []checkKeys
	for _, pr := range provs {
		res, ds := safeBuild(pr, ctx, p)
		diags = append(diags, ds...)
		if res == nil {
			continue
		}
		if _, ok := pr.(providers.ConfigChecker); ok {
			if len(res.Fields) > 0 {
				sigKeys = append(sigKeys, checkKeys{pr.Family(), sortedKeys(res.Fields)})
			}
		}
		for k, v := range res.Fields {
			if coreFields[k] {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError,
					Summary: fmt.Sprintf("internal error: provider %q renders reserved field %q", pr.Family(), k)})
				continue
			}
			if v == nil {
				continue
			}
			if err := enc.add(k, v); err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError,
					Summary: fmt.Sprintf("internal error: provider %q field %q: %v", pr.Family(), k, err)})
			}
		}
		effects = append(effects, res.Effects...)
		secrets = append(secrets, res.Secrets...)
		for k, c := range res.Checks {
			if checks == nil {
				checks = map[string]providers.PreviousCheck{}
			}
			checks[k] = c
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	enc.into(fields)
	diags = append(diags, auditWarnings(ctx, provs, p)...)
	if len(p.IgnoreDrift.Items) > 0 {
		known := make(map[string]bool, len(fields))
		for k := range fields {
			known[k] = true
		}
		diags = append(diags, CheckIgnoreDrift([]*schema.Partition{p}, known)...)
	}
	d := &Desired{Name: name, Fields: fields, Effects: effects, Inputs: ctx.Inputs(), IgnoreDrift: p.IgnoreDrift.Strings(), Checks: checks, Secrets: secretMap(secrets)}
	d.CheckSig = checkSig(fields, sigKeys)
	d.Digest = contentDigest(fields)
	return d, diags
}

func mergeInputs(a, b []schema.FileInput) []schema.FileInput {
	if len(b) == 0 {
		return a
	}
	seen := make(map[string]bool, len(a))
	out := append([]schema.FileInput(nil), a...)
	for _, in := range a {
		seen[in.Path] = true
	}
	for _, in := range b {
		if !seen[in.Path] {
			seen[in.Path] = true
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// safeBuild keeps a provider bug from taking the whole run down: a panic
// becomes an error diagnostic at the partition.
func safeBuild(pr providers.Provider, ctx *providers.Context, p *schema.Partition) (res *providers.Result, diags hcl.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			rng := p.DeclRange
			res = nil
			diags = hcl.Diagnostics{{Severity: hcl.DiagError, Subject: &rng,
				Summary: fmt.Sprintf("internal error in the %s provider: %v", pr.Family(), r),
				Detail:  "This is a bug in sessctl; please report it with the configuration that triggers it."}}
		}
	}()
	return pr.Build(ctx, p)
}

// marshal encodes v as compact JSON without HTML escaping, so that rules
// such as "<local>" stay readable in profiles.
func marshal(v any) (json.RawMessage, error) {
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// fieldEncoder encodes a partition's profile fields as marshal does, all
// into one buffer.
type fieldEncoder struct {
	buf   bytes.Buffer
	enc   *json.Encoder
	spans []fieldSpan
}

type fieldSpan struct {
	key      string
	from, to int
	raw      json.RawMessage // a json.RawMessage value, kept as given
}

func newFieldEncoder() *fieldEncoder {
	e := &fieldEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// add encodes field k; a value that encodes as null is left out.
func (e *fieldEncoder) add(k string, v any) error {
	if raw, ok := v.(json.RawMessage); ok {
		if string(raw) != "null" {
			e.spans = append(e.spans, fieldSpan{key: k, raw: raw})
		}
		return nil
	}
	from := e.buf.Len()
	if err := e.enc.Encode(v); err != nil { // writes nothing on error
		return err
	}
	to := from + len(bytes.TrimRight(e.buf.Bytes()[from:], "\n"))
	if string(e.buf.Bytes()[from:to]) == "null" {
		e.buf.Truncate(from)
		return nil
	}
	e.spans = append(e.spans, fieldSpan{key: k, from: from, to: to})
	return nil
}

// into sets the encoded fields in fields, slices of one exact-size copy.
func (e *fieldEncoder) into(fields map[string]json.RawMessage) {
	all := bytes.Clone(e.buf.Bytes())
	for _, sp := range e.spans {
		if sp.raw != nil {
			fields[sp.key] = sp.raw
		} else {
			fields[sp.key] = all[sp.from:sp.to:sp.to]
		}
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := marshal(v)
	if err != nil {
		panic(err) // only called with plain strings and bools
	}
	return b
}

// sortedKeys returns the keys of m in byte order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// contentDigest hashes the canonical fields: what decides whether a
// profile changed (and its revision moves).
func contentDigest(fields map[string]json.RawMessage) string {
	h := sha256.New()
	for _, k := range sortedKeys(fields) {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write(fields[k])
		h.Write([]byte{0})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// RenderProfile returns the bytes of a profile file: format_version, the
// core fields, the provider fields in key order, then revision and digest.
func RenderProfile(fields map[string]json.RawMessage, revision uint64, digest string) []byte {
	// Indented, a profile is about twice its compact fields: one
	// allocation instead of a buffer doubling through every profile.
	n := 256 + len(digest)
	for k, v := range fields {
		n += 8 + len(k) + 2*len(v)
	}
	b := bytes.NewBuffer(make([]byte, 0, n))
	b.WriteString("{\n")
	write := func(k string, v []byte, last bool) {
		b.WriteString("  ")
		writeJSONKey(b, k)
		b.WriteString(": ")
		indentInto(b, v)
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	write("format_version", strconv.AppendInt(nil, int64(ProfileFormatVersion), 10), false)
	for _, k := range []string{"partition", "persistent", "cache"} {
		if v, ok := fields[k]; ok {
			write(k, v, false)
		}
	}
	for _, k := range sortedKeys(fields) {
		if coreFields[k] {
			continue
		}
		write(k, fields[k], false)
	}
	write("revision", strconv.AppendUint(nil, revision, 10), false)
	write("digest", mustJSON(digest), true)
	b.WriteString("}\n")
	return b.Bytes()
}

// indentInto writes compact JSON v indented to sit at the second level.
func indentInto(b *bytes.Buffer, v []byte) {
	// json.Indent writes nothing to b when v is not valid JSON.
	if err := json.Indent(b, v, "  ", "  "); err != nil {
		b.Write(v)
	}
}

// ProfileFileName derives the file name of a partition's profile. It can
// never escape the output directory: a readable slug of safe characters
// plus a hash of the exact name (so persist:Foo and persist:foo, or names
// differing only in unsafe characters, never collide).
func ProfileFileName(name string) string {
	s := safeSlug(name, 40)
	if name == "" {
		s = "default"
	}
	h := sha256.Sum256([]byte(name))
	return "p-" + s + "-" + hex.EncodeToString(h[:6]) + ".json"
}

// safeSlug keeps the first max runes of s that are ASCII letters, digits,
// '-' or '_', with '_' for any other rune: a piece of a file name that
// can never be a path.
func safeSlug(s string, max int) string {
	var slug strings.Builder
	for _, r := range s {
		if slug.Len() >= max {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			slug.WriteRune(r)
		default:
			slug.WriteByte('_')
		}
	}
	return slug.String()
}

// ContentDigest is the digest a profile with these fields carries.
func ContentDigest(fields map[string]json.RawMessage) string { return contentDigest(fields) }

// auditWarnings are the audit findings (docs/audit.md) of high or
// critical severity for partition p, as warnings with their audit codes,
// except those a provider already warns about with a W code. A partition
// that does not build gets its errors only.
func auditWarnings(ctx *providers.Context, provs []providers.Provider, p *schema.Partition) hcl.Diagnostics {
	fs, diags := providers.Audit(ctx, provs, p)
	for _, f := range fs {
		chk, ok := providers.LookupCheck(f.Code)
		if ok && chk.Severity >= providers.SeverityHigh && f.Warned == "" {
			diags = append(diags, f.Diagnostic())
		}
	}
	return diags
}

// marshalFields encodes fields exactly as marshal(fields) does (keys
// sorted, values compacted, no HTML escaping) into one buffer sized up
// front: the state commit encodes every applied profile, and
// encoding/json's map encoder allocated about three times the output.
func marshalFields(fields map[string]json.RawMessage) (json.RawMessage, error) {
	if fields == nil {
		return json.RawMessage("null"), nil
	}
	keys := make([]string, 0, len(fields))
	n := 2
	for k, v := range fields {
		keys = append(keys, k)
		n += len(k) + len(v) + 4
	}
	sort.Strings(keys)
	buf := bytes.NewBuffer(make([]byte, 0, n))
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSONKey(buf, k)
		buf.WriteByte(':')
		v := fields[k]
		if v == nil {
			buf.WriteString("null")
			continue
		}
		if err := json.Compact(buf, v); err != nil {
			return nil, fmt.Errorf("json: error calling MarshalJSON for type json.RawMessage: %w", err)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// plainKey reports whether encoding/json writes k as "k" verbatim.
// writeJSONKey writes k as a JSON string, as marshal encodes it.
func writeJSONKey(b *bytes.Buffer, k string) {
	if plainKey(k) {
		b.WriteByte('"')
		b.WriteString(k)
		b.WriteByte('"')
		return
	}
	b.Write(mustJSON(k))
}

func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
