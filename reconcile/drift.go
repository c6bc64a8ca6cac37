package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// DriftKind says what part of the world moved away from what apply wrote
// or read. Its value is what text and JSON reports print.
type DriftKind string

const (
	// DriftProfileMissing: the profile file is gone.
	DriftProfileMissing DriftKind = "profile-missing"
	// DriftProfileNotRegular: the profile path is now a symlink, a
	// directory or another non-regular file. Apply replaces it with a
	// regular file (rename over a symlink replaces the link, never its
	// target).
	DriftProfileNotRegular DriftKind = "profile-not-regular"
	// DriftProfileModified: the profile file's bytes differ from what was
	// written. Fields lists the top-level keys whose values differ.
	DriftProfileModified DriftKind = "profile-modified"
	// DriftProfileRenamed: the partition's profile file name changed
	// (a sessctl upgrade changed the naming rule).
	DriftProfileRenamed DriftKind = "profile-renamed"
	// DriftDirectoryMissing: a directory apply created (download
	// directory) is gone or is no longer a directory.
	DriftDirectoryMissing DriftKind = "directory-missing"
	// DriftFileModified: a file apply wrote outside the profile directory
	// (custom dictionary) is missing or differs from what was written.
	DriftFileModified DriftKind = "file-modified"
	// DriftInputChanged: a file the configuration references (preload
	// script, extension manifest, PAC file, file() argument) has other
	// content than when the partition was last applied.
	DriftInputChanged DriftKind = "input-changed"
	// DriftInputMissing: a referenced file that existed at the last apply
	// is gone (or one that was missing now exists).
	DriftInputMissing DriftKind = "input-missing"
)

// Finding is one observation that the world differs from what was
// recorded at the last apply. Findings are "corrective" drift: the
// configuration did not ask for them; apply repairs (profiles, files,
// directories) or re-records (referenced files) them.
type Finding struct {
	Partition string    `json:"partition"`
	Kind      DriftKind `json:"kind"`
	// Path is the file or directory concerned.
	Path string `json:"path,omitempty"`
	// Fields are the profile keys whose values differ (profile-modified
	// only; empty when the file is not a JSON object at all).
	Fields []string `json:"fields,omitempty"`
	// Message is the sentence printed in plans.
	Message string `json:"message"`
}

// coreProfileKeys are keys every profile carries besides the provider
// fields; ignore_drift may not name them (the adapter needs them to trust
// the file at all).
var coreProfileKeys = map[string]bool{
	"format_version": true, "partition": true, "persistent": true, "cache": true,
	"revision": true, "digest": true,
}

// observeFindings checks the world against what apply wrote for rec: the
// profile file and the side effects of the desired partition. ignore lists
// the profile keys whose edits are not drift (ignore_drift).
func observeFindings(rec *Record, outDir string, effects []providers.Effect, ignore []string) []Finding {
	var out []Finding
	path := filepath.Join(outDir, rec.File)
	add := func(k DriftKind, p, msg string, fields []string) {
		out = append(out, Finding{Partition: rec.Name, Kind: k, Path: p, Message: msg, Fields: fields})
	}
	if st, err := os.Lstat(path); err != nil {
		add(DriftProfileMissing, path, "profile file "+path+" is missing", nil)
	} else if !st.Mode().IsRegular() {
		add(DriftProfileNotRegular, path, "profile file "+path+" is no longer a regular file ("+fileKind(st.Mode())+")", nil)
	} else if b, err := os.ReadFile(path); err != nil {
		add(DriftProfileModified, path, "profile file "+path+" cannot be read: "+err.Error(), nil)
	} else if sha256Hex(b) != rec.ProfileSHA256 {
		fields, ok := differingFields(b, rec)
		switch {
		case !ok:
			add(DriftProfileModified, path, "profile file "+path+" was modified outside sessctl (it is no longer a JSON object)", nil)
		case len(fields) == 0:
			// Same values, other bytes (reformatted): the adapter reads
			// the same profile, but the digest no longer matches the
			// bytes, so it is still repaired.
			add(DriftProfileModified, path, "profile file "+path+" was reformatted outside sessctl", nil)
		case !allIgnored(fields, ignore):
			add(DriftProfileModified, path, fmt.Sprintf("profile file %s was modified outside sessctl (fields %s)", path, quoteList(fields)), fields)
		}
	}
	for _, e := range effects {
		switch e.Kind {
		case providers.EffectMkdir:
			if st, err := os.Stat(e.Path); err != nil || !st.IsDir() {
				add(DriftDirectoryMissing, e.Path, "directory "+e.Path+" is missing", nil)
			}
		case providers.EffectWriteFile:
			if sum, err := fileSHA256(e.Path); err != nil {
				add(DriftFileModified, e.Path, "file "+e.Path+" is missing", nil)
			} else if sum != sha256Hex(e.Content) {
				add(DriftFileModified, e.Path, "file "+e.Path+" differs from what was written", nil)
			}
		}
	}
	return out
}

// inputFindings compares the referenced files recorded at the last apply
// with the digests the build just read. Files only one side knows are not
// drift: a configuration that starts or stops referencing a file is an
// intentional change, shown by the fields it changes.
func inputFindings(rec *Record, now []schema.FileInput) []Finding {
	if len(rec.Inputs) == 0 || len(now) == 0 {
		return nil
	}
	cur := make(map[string]string, len(now))
	for _, in := range now {
		cur[in.Path] = in.SHA256
	}
	var out []Finding
	for _, in := range rec.Inputs {
		sum, ok := cur[in.Path]
		if !ok || sum == in.SHA256 {
			continue
		}
		switch {
		case sum == "":
			out = append(out, Finding{Partition: rec.Name, Kind: DriftInputMissing, Path: in.Path,
				Message: "referenced file " + in.Path + " is missing (it existed at the last apply)"})
		case in.SHA256 == "":
			out = append(out, Finding{Partition: rec.Name, Kind: DriftInputMissing, Path: in.Path,
				Message: "referenced path " + in.Path + " was missing or not a file at the last apply and now is one"})
		default:
			out = append(out, Finding{Partition: rec.Name, Kind: DriftInputChanged, Path: in.Path,
				Message: "referenced file " + in.Path + " changed since the last apply"})
		}
	}
	return out
}

// differingFields parses a profile file and lists the top-level keys whose
// values differ from what apply wrote for rec (added and removed keys
// too), comparing compacted JSON. ok is false when b is not a JSON object.
func differingFields(b []byte, rec *Record) ([]string, bool) {
	var disk map[string]json.RawMessage
	if err := json.Unmarshal(b, &disk); err != nil || disk == nil {
		return nil, false
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(RenderProfile(rec.Fields, rec.Revision, contentDigest(rec.Fields)), &want); err != nil {
		return nil, false
	}
	keys := map[string]bool{}
	for k := range disk {
		disk[k] = redactJSON(disk[k])
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if !jsonEqual(disk[k], want[k]) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, true
}

func jsonEqual(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

func allIgnored(fields, ignore []string) bool {
	if len(ignore) == 0 {
		return false
	}
	for _, f := range fields {
		ok := false
		for _, ig := range ignore {
			if f == ig && !coreProfileKeys[f] {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

func quoteList(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", s)
	}
	return b.String()
}

// CheckIgnoreDrift validates the ignore_drift lists of a configuration:
// every entry should name a profile field, and never a core field (whose
// drift is always repaired). Both are warnings: the entry is harmless, it
// only does not do what it reads. known, when non-nil, is the set of
// field names a partition's profile can have.
func CheckIgnoreDrift(parts []*schema.Partition, known map[string]bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, p := range parts {
		for _, it := range p.IgnoreDrift.Items {
			switch {
			case coreProfileKeys[it.V]:
				diags = append(diags, providers.Warnf(warning.IgnoreDriftCoreField, it.Range,
					"format_version, partition, persistent, cache, revision and digest are written by sessctl itself and the adapter checks the digest against the content, so edits of these fields are always drift and always repaired; remove the entry.",
					"ignore_drift has no effect on the core profile field %q", it.V))
			case known != nil && !known[it.V]:
				diags = append(diags, providers.Warnf(warning.IgnoreDriftUnknown, it.Range,
					"ignore_drift names top-level keys of the profile file (for example \"userAgent\", \"proxy\", \"permissions\"); see `sessctl show` for the keys of this partition's profile.",
					"ignore_drift names %q, which is not a field of this partition's profile", it.V))
			}
		}
	}
	return diags
}

// Intentional reports whether the change comes from the configuration:
// a partition added or removed, or profile fields whose desired value
// differs from the recorded one.
func (c *Change) Intentional() bool {
	return c.Action == Create || c.Action == Delete || len(c.Attrs) > 0
}

// DriftClass tells configuration changes from world changes.
type DriftClass string

const (
	// Corrective: the world moved; apply puts it back (or re-records a
	// referenced file that was edited).
	Corrective DriftClass = "corrective"
	// Intentional: the configuration changed; apply carries it out.
	Intentional DriftClass = "intentional"
)

// IntentionalChange is one configuration change in a drift report.
type IntentionalChange struct {
	Partition string   `json:"partition"`
	Action    Action   `json:"action"`
	Fields    []string `json:"fields,omitempty"`
	// Reencoded lists the fields of Fields whose value is the same and
	// only its bytes differ (see AttrChange.Reencoded).
	Reencoded []string `json:"reencoded,omitempty"`
}

// DriftReport separates what the world changed (corrective) from what the
// configuration changed (intentional) in a plan.
type DriftReport struct {
	FormatVersion int    `json:"format_version"`
	StatePath     string `json:"state_path"`
	OutputDir     string `json:"output_dir"`
	StateSerial   uint64 `json:"state_serial"`
	// Corrective lists every drift finding, partition by partition.
	Corrective []Finding `json:"corrective"`
	// IndexModified is set when index.json differs from what the records
	// imply (edited, deleted).
	IndexModified bool `json:"index_modified,omitempty"`
	// App lists what the Electron app (through the adapter's status
	// files) did not apply of what sessctl applied.
	App []Finding `json:"app"`
	// Intentional lists configuration changes not applied yet.
	Intentional []IntentionalChange `json:"intentional"`
	// Unknown lists entries of the output directory that sessctl did not
	// write and the adapter does not own (reported, never removed, and not
	// drift: apply does not change them).
	Unknown []string `json:"unknown_files,omitempty"`
	// Partitions is the number of partitions the plan considered.
	Partitions int `json:"partitions"`
}

// DriftReportFormatVersion is the format_version of `sessctl drift --json`.
const DriftReportFormatVersion = 1

// NewDriftReport classifies the changes of plan.
func NewDriftReport(plan *Plan) *DriftReport {
	r := &DriftReport{FormatVersion: DriftReportFormatVersion, StatePath: plan.StatePath, OutputDir: plan.OutputDir,
		StateSerial: plan.StateSerial, Corrective: []Finding{}, App: []Finding{}, Intentional: []IntentionalChange{},
		Partitions: plan.Unchanged + len(plan.Changes)}
	r.IndexModified = plan.IndexStale
	for _, c := range plan.Changes {
		r.Corrective = append(r.Corrective, c.Findings...)
		if c.Intentional() {
			ic := IntentionalChange{Partition: c.Partition, Action: c.Action}
			for _, a := range c.Attributes() {
				ic.Fields = append(ic.Fields, a.Name)
				if a.Reencoded {
					ic.Reencoded = append(ic.Reencoded, a.Name)
				}
			}
			r.Intentional = append(r.Intentional, ic)
		}
	}
	return r
}

// HasDrift reports whether the world differs from what was applied.
func (r *DriftReport) HasDrift() bool {
	return len(r.Corrective) > 0 || r.IndexModified || len(r.App) > 0
}

// CountFindings returns the number of corrective findings in plan
// (index.json counts as one).
func CountFindings(plan *Plan) int {
	n := 0
	for _, c := range plan.Changes {
		n += len(c.Findings)
	}
	if plan.IndexStale {
		n++
	}
	return n
}
