package reconcile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"reflect"
	"strings"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Action is what a change does. Its value is the symbol the plan prints.
type Action rune

const (
	NoOp    Action = ' '
	Create  Action = '+'
	Update  Action = '~'
	Delete  Action = '-'
	Replace Action = '±' // delete then create: printed as -/+
)

// String returns the word users see.
func (a Action) String() string {
	switch a {
	case Create:
		return "create"
	case Update:
		return "update"
	case Delete:
		return "delete"
	case Replace:
		return "replace"
	default:
		return "no-op"
	}
}

// Symbol returns the plan gutter symbol.
func (a Action) Symbol() string {
	if a == Replace {
		return "-/+"
	}
	return string(rune(a))
}

// MarshalJSON encodes the action as its word.
func (a Action) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON decodes the word.
func (a *Action) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for _, c := range []Action{NoOp, Create, Update, Delete, Replace} {
		if c.String() == s {
			*a = c
			return nil
		}
	}
	return &json.UnsupportedValueError{Str: s}
}

// Record is what state remembers of one applied partition.
type Record struct {
	Name          string
	File          string
	Revision      uint64
	Fields        map[string]json.RawMessage
	ProfileSHA256 string
	Inputs        []schema.FileInput
	Effects       []EffectRecord

	// digest is the content digest read back from the profile file when
	// Fields were not decoded (the no-op fast path).
	digest string
	// stored is marshalFields(Fields) when the apply that wrote the
	// profile encoded it already (on its writer goroutines), for the
	// state transaction.
	stored json.RawMessage
}

// indexEntry is the record's line in index.json.
func (r *Record) indexEntry() IndexEntry {
	e := IndexEntry{Partition: r.Name, File: r.File, Revision: r.Revision}
	if r.Fields == nil {
		e.Persistent = r.Name == "" || strings.HasPrefix(r.Name, schema.PersistPrefix)
		e.Digest = r.digest
		return e
	}
	if v, ok := r.Fields["persistent"]; ok {
		e.Persistent = string(v) == "true"
	}
	e.Digest = contentDigest(r.Fields)
	return e
}

// EffectRecord remembers an applied side effect so drift can be seen.
type EffectRecord struct {
	Kind   providers.EffectKind `json:"kind"`
	Path   string               `json:"path"`
	SHA256 string               `json:"sha256,omitempty"`
}

// AttrChange is one profile field's before and after value.
type AttrChange struct {
	Name   string          `json:"name"`
	Action Action          `json:"action"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	// ForcesReplacement is set when Electron cannot change the field on an
	// existing session (cache).
	ForcesReplacement bool `json:"forces_replacement,omitempty"`
	// Reencoded is set when Before and After are the same JSON value in
	// other bytes (string escapes, number spelling, key order): the
	// profile is rewritten, though the adapter would apply the same
	// value, because its digest covers the bytes.
	Reencoded bool `json:"reencoded,omitempty"`
}

// Change is what the plan does to one partition.
type Change struct {
	Partition string `json:"partition"`
	File      string `json:"file"`
	Action    Action `json:"action"`
	Reason    string `json:"reason,omitempty"`
	// Attrs are the attribute changes; read them with Attributes: for a
	// partition created, they are derived from Fields when asked for
	// (10,000 new partitions would otherwise keep a quarter of a million
	// of them for the plan's whole life).
	Attrs []AttrChange `json:"attributes,omitempty"`
	// Drift lists what the world changed without the configuration
	// changing (profile edited, directory removed).
	Drift []string `json:"drift,omitempty"`
	// Findings are the same observations as Drift with their kind, path
	// and the profile fields concerned (see drift.go): corrective drift,
	// as opposed to the intentional changes in Attrs.
	Findings []Finding `json:"findings,omitempty"`
	// Revision is the revision the profile will carry after apply.
	Revision uint64 `json:"revision,omitempty"`
	Digest   string `json:"digest,omitempty"`
	// Fields is the full desired profile (nil for delete).
	Fields  map[string]json.RawMessage `json:"fields,omitempty"`
	Effects []providers.Effect         `json:"effects,omitempty"`
	Inputs  []schema.FileInput         `json:"inputs,omitempty"`
	// Secrets are the sensitive values Fields stands for (Desired.Secrets):
	// never in the plan's JSON; a saved plan keeps them beside it.
	Secrets map[string]string `json:"-"`
}

// Attributes returns the attribute changes: Attrs, or for a created
// partition whose Attrs were left to derive, every field of its profile
// in key order, each created.
func (c *Change) Attributes() []AttrChange {
	if c.Action != Create || c.Attrs != nil || len(c.Fields) == 0 {
		return c.Attrs
	}
	keys := sortedKeys(c.Fields)
	out := make([]AttrChange, len(keys))
	for i, k := range keys {
		out[i] = AttrChange{Name: k, Action: Create, After: c.Fields[k]}
	}
	return out
}

// MarshalJSON writes the change with its Attributes.
func (c *Change) MarshalJSON() ([]byte, error) {
	type plain Change // without this method
	cp := plain(*c)
	cp.Attrs = c.Attributes()
	// Not json.Marshal: it would escape "<" in the profile's fields, and
	// the encoder that writes the plan decides that (encoding/json
	// re-encodes what a Marshaler returns with its own setting).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&cp); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Plan is pure data: what apply will do, computed from the configuration,
// the recorded state and the observed world.
type Plan struct {
	FormatVersion int `json:"format_version"`
	// Lineage and StateSerial identify the state the plan was made
	// against; apply refuses a plan whose state moved on.
	Lineage     string `json:"lineage,omitempty"`
	StateSerial uint64 `json:"state_serial"`
	// ConfigDigest is the input digest of the configuration.
	ConfigDigest string `json:"config_digest"`
	StatePath    string `json:"state_path"`
	OutputDir    string `json:"output_dir"`
	Destroy      bool   `json:"destroy,omitempty"`
	// Config is the identity of the configuration the plan was made from
	// (ConfigIdentity); apply records it as the owner of the state and of
	// the output directory.
	Config string `json:"config,omitempty"`
	// TakeOwnership is set when the plan was made with --take-ownership:
	// apply then records Config as the owner even if another one was.
	TakeOwnership bool      `json:"take_ownership,omitempty"`
	Changes       []*Change `json:"changes"`
	// Unchanged counts partitions with nothing to do (not listed).
	Unchanged int `json:"unchanged"`
	// IndexStale is set when index.json must be rewritten even though no
	// partition changed (it was edited or removed).
	IndexStale bool `json:"index_stale,omitempty"`
	// OwnerStale is set when the output directory's owner file must be
	// (re)written even though no partition changes: it is missing or names
	// another state (an apply killed between its state commit and the
	// owner file, or --take-ownership of an identical configuration).
	OwnerStale bool `json:"owner_stale,omitempty"`
	// FastPath is set when the plan was decided without evaluating the
	// configuration: every input is byte-identical to the last apply.
	FastPath bool `json:"fast_path,omitempty"`
	// MovedFrom is the output directory of the last apply when the
	// configuration moved it: every profile is written in OutputDir, and
	// DeleteFiles (what sessctl wrote there: index.json first, then the
	// profiles, then the owner file) are removed after OutputDir's index
	// is written.
	MovedFrom   string   `json:"moved_from,omitempty"`
	DeleteFiles []string `json:"delete_files,omitempty"`

	// remember records the configuration's locations in the user's cache
	// once the plan is applied (never saved in a plan file).
	remember func()
	// eval is the block table of the configuration planned, for the plan
	// cache apply leaves (nil: none; never saved in a plan file).
	eval *evalTable
	// verified says this process just found every recorded profile the
	// plan leaves alone intact (by content, or by a stamp that proves
	// it): apply may stamp them. Never saved in a plan file: a saved
	// plan's check is old by the time it is applied.
	verified bool
}

// PlanFormatVersion is the format_version of saved and JSON plans.
const PlanFormatVersion = 1

// Counts returns how many partitions are added, changed and destroyed. A
// replacement counts as one add and one destroy, as in Terraform.
func (p *Plan) Counts() (add, change, destroy int) {
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			add++
		case Update:
			change++
		case Delete:
			destroy++
		case Replace:
			add++
			destroy++
		}
	}
	return
}

// HasChanges reports whether applying the plan would do anything.
func (p *Plan) HasChanges() bool { return len(p.Changes) > 0 || p.IndexStale || p.OwnerStale }

// diffPartition compares a desired partition with its record and the
// world. It returns nil when nothing is to be done.
func diffPartition(d *Desired, rec *Record, outDir string) *Change {
	file := ProfileFileName(d.Name)
	if rec == nil {
		c := &Change{Partition: d.Name, File: file, Action: Create, Revision: 1, Digest: d.Digest,
			Fields: d.Fields, Effects: d.Effects, Inputs: d.Inputs, Secrets: d.Secrets}
		return c // Attributes derives the attribute list from Fields
	}
	c := &Change{Partition: d.Name, File: file, Action: NoOp, Digest: d.Digest,
		Fields: d.Fields, Effects: d.Effects, Inputs: d.Inputs, Revision: rec.Revision, Secrets: d.Secrets}
	keys := map[string]bool{}
	for k := range d.Fields {
		keys[k] = true
	}
	for k := range rec.Fields {
		keys[k] = true
	}
	for _, k := range sortedKeys(keys) {
		before, after := rec.Fields[k], d.Fields[k]
		if bytes.Equal(before, after) {
			continue
		}
		ac := AttrChange{Name: k, Before: before, After: after}
		switch {
		case before == nil:
			ac.Action = Create
		case after == nil:
			ac.Action = Delete
		default:
			ac.Action = Update
		}
		ac.Reencoded = ac.Action == Update && SameJSONValue(before, after)
		if k == "cache" || k == "persistent" {
			ac.ForcesReplacement = true
		}
		c.Attrs = append(c.Attrs, ac)
	}
	if len(c.Attrs) > 0 {
		c.Action = Update
		c.Revision = rec.Revision + 1
		for _, a := range c.Attrs {
			if a.ForcesReplacement {
				c.Action = Replace
				c.Reason = "Electron reads fromPartition options only when a session is first created: the app must start this partition afresh"
			}
		}
	}
	if rec.File != file {
		c.Findings = append(c.Findings, Finding{Partition: d.Name, Kind: DriftProfileRenamed, Path: rec.File,
			Message: "profile file name changed from " + rec.File})
	}
	c.Findings = append(c.Findings, observeFindings(rec, outDir, d.Effects, d.IgnoreDrift)...)
	c.Findings = append(c.Findings, inputFindings(rec, d.Inputs)...)
	for _, f := range c.Findings {
		c.Drift = append(c.Drift, f.Message)
	}
	if c.Action == NoOp && len(c.Drift) > 0 {
		c.Action = Update
		c.Reason = "the world drifted from what was applied"
	}
	if c.Action == NoOp {
		return nil
	}
	return c
}

// observeWorld checks what apply wrote for rec: the profile file and the
// side effects. It returns one line per finding.
func observeWorld(rec *Record, outDir string, effects []providers.Effect) []string {
	var drift []string
	for _, f := range observeFindings(rec, outDir, effects, nil) {
		drift = append(drift, f.Message)
	}
	return drift
}

// SameJSONValue reports whether a and b encode the same JSON value:
// equal after decoding, with numbers compared by their decimal text.
func SameJSONValue(a, b json.RawMessage) bool {
	va, okA := decodeValue(a)
	vb, okB := decodeValue(b)
	return okA && okB && reflect.DeepEqual(va, vb)
}

func decodeValue(b json.RawMessage) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return normNumbers(v), true
}

// normNumbers rewrites json.Number values to a canonical spelling (1.0,
// 1e0 and 1 are one number to JSON.parse).
func normNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case []any:
		for i := range x {
			x[i] = normNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normNumbers(x[k])
		}
	}
	return v
}

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return sha256Hex(b), nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func deleteChange(rec *Record) *Change {
	c := &Change{Partition: rec.Name, File: rec.File, Action: Delete}
	for _, k := range sortedKeys(rec.Fields) {
		c.Attrs = append(c.Attrs, AttrChange{Name: k, Action: Delete, Before: rec.Fields[k]})
	}
	return c
}
