package reconcile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sessctl/sessctl/internal/actionq"
	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/providers"
)

// Ownership: a state file and an output directory belong to one
// configuration. The state records the configuration's identity (meta
// "config") at every apply, and the output directory carries OwnerFile
// with the state's lineage and the same identity. A plan or apply of
// another configuration onto either is refused before any change, naming
// both and --take-ownership, as Terraform refuses a plan against a state
// of another lineage.

// OwnerFile is the output directory's record of who writes it. The adapter
// reads only index.json and the files it names, so this file is invisible
// to the app.
const OwnerFile = ".sessctl-owner.json"

// ErrOwnedByOther is wrapped by the refusal to plan or apply onto a state
// or an output directory of another configuration.
var ErrOwnedByOther = errors.New("owned by another configuration")

// ownershipError is a refusal that reads as one sentence and matches
// ErrOwnedByOther with errors.Is.
type ownershipError struct{ msg string }

func (e *ownershipError) Error() string        { return e.msg }
func (e *ownershipError) Is(target error) bool { return target == ErrOwnedByOther }

// Owner is the content of OwnerFile.
type Owner struct {
	FormatVersion string `json:"format_version"`
	// Config is the identity of the owning configuration.
	Config string `json:"config"`
	// Lineage is the lineage of the state that records this directory.
	Lineage string `json:"lineage"`
	// State is the path of that state file.
	State string `json:"state"`
}

// ConfigIdentity names a configuration: "name:NAME" for a settings block
// with a name, else "path:" and the absolute root path it was loaded from
// (a directory or a single file).
func ConfigIdentity(name, root string) string {
	if name != "" {
		return "name:" + name
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = filepath.Clean(root)
	}
	return "path:" + abs
}

// ConfigSlug is the directory name of a configuration's default state: its
// name, else the base name of its root path (safe characters only) and the
// first 12 hex digits of the SHA-256 of the absolute root path.
func ConfigSlug(name, root string) string {
	if name != "" {
		return name
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = filepath.Clean(root)
	}
	h := sha256.Sum256([]byte(abs))
	return strings.TrimLeft(safeSlug(filepath.Base(abs), 32), "_-") + "-" + hex.EncodeToString(h[:6])
}

// ReadOwner reads dir's OwnerFile; nil when there is none (or it cannot be
// parsed: a damaged owner file does not block, the next apply rewrites it).
func ReadOwner(dir string) *Owner {
	b, err := os.ReadFile(filepath.Join(dir, OwnerFile))
	if err != nil {
		return nil
	}
	var o Owner
	if json.Unmarshal(b, &o) != nil || o.Config == "" {
		return nil
	}
	return &o
}

func writeOwner(dir string, o Owner) error {
	o.FormatVersion = "1"
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, OwnerFile), append(b, '\n'), 0o644)
}

// checkOwnership refuses a configuration (config) that does not own the
// state snap (at statePath) or the output directory outDir. A state or a
// directory with no owner recorded (new, or written by a sessctl before
// ownership) is taken silently.
func checkOwnership(snap *State, statePath, outDir, config string) error {
	if config == "" {
		return nil
	}
	if snap.Config != "" && snap.Config != config {
		return &ownershipError{fmt.Sprintf("the state %s belongs to configuration %s, not to %s; "+
			"give this configuration its own state (the default, or sessctl { name = \"...\" }), "+
			"or pass --take-ownership to make %s its owner (its other partitions would be destroyed)",
			statePath, describeConfig(snap.Config), describeConfig(config), describeConfig(config))}
	}
	o := ReadOwner(outDir)
	if o != nil && o.Config == config && snap.Lineage == "" && o.Lineage != "" && o.State == statePath {
		// The state that wrote these profiles is gone (deleted, emptied):
		// applying afresh would restart every revision at 1 under an app
		// that has seen higher ones.
		return &ownershipError{fmt.Sprintf("the state %s is missing or empty, but the output directory %s was written by it (lineage %s): "+
			"run 'sessctl state recover' to rebuild it from the profiles, or pass --take-ownership to start a new state (revisions restart at 1)",
			statePath, outDir, o.Lineage)}
	}
	if o != nil && (o.Config != config || (snap.Lineage != "" && o.Lineage != snap.Lineage) ||
		(snap.Lineage == "" && o.State != statePath)) {
		return &ownershipError{fmt.Sprintf("the output directory %s belongs to configuration %s (state %s), not to %s (state %s); "+
			"set another output directory, or pass --take-ownership to make %s its owner",
			outDir, describeConfig(o.Config), o.State, describeConfig(config), statePath, describeConfig(config))}
	}
	return nil
}

func describeConfig(id string) string {
	switch {
	case strings.HasPrefix(id, "name:"):
		return fmt.Sprintf("%q", strings.TrimPrefix(id, "name:"))
	case strings.HasPrefix(id, "path:"):
		return strings.TrimPrefix(id, "path:")
	}
	return id
}

// ownTempName reports whether name is a temporary file that an apply into
// an output directory stages (a profile, index.json or the owner file,
// written by fsx as "." + name + ".tmp-" + 16 hex digits). Nothing else
// is ever removed as a leftover.
func ownTempName(name string) bool {
	i := strings.LastIndex(name, ".tmp-")
	if i < 0 || !strings.HasPrefix(name, ".") {
		return false
	}
	base, suffix := name[1:i], name[i+len(".tmp-"):]
	if len(suffix) != 16 || strings.Trim(suffix, "0123456789abcdef") != "" {
		return false
	}
	return base == IndexFile || base == OwnerFile ||
		(strings.HasPrefix(base, "p-") && strings.HasSuffix(base, ".json") && fsx.CheckName(base) == nil)
}

// removeStaleTemps removes the temporary files a killed apply left in
// outDir. The caller holds the writer lock, and a configuration owns its
// output directory, so no other writer can be staging there.
func removeStaleTemps(outDir string) error {
	entries, err := os.ReadDir(outDir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && ownTempName(e.Name()) {
			if err := os.Remove(filepath.Join(outDir, e.Name())); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("removing leftover %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}

// removeEffectTemps removes, beside each file effect of recs (custom
// dictionaries in the session data directory), the temporary files a
// killed apply left while writing that same file: ".NAME.tmp-<16 hex>",
// never anything else. A write killed before its rename is never
// committed, so the next apply writes the file again and passes here.
// The caller holds the writer lock.
func removeEffectTemps(recs []*Record) error {
	for _, rec := range recs {
		for _, e := range rec.Effects {
			if e.Kind != providers.EffectWriteFile {
				continue
			}
			dir, base := filepath.Split(e.Path)
			entries, err := os.ReadDir(dir)
			if err != nil {
				continue // written just now: gone means someone else's business
			}
			prefix := "." + base + ".tmp-"
			for _, ent := range entries {
				name := ent.Name()
				suffix, ok := strings.CutPrefix(name, prefix)
				if !ok || !ent.Type().IsRegular() || len(suffix) != 16 || strings.Trim(suffix, "0123456789abcdef") != "" {
					continue
				}
				if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
					return fmt.Errorf("removing leftover %s: %w", filepath.Join(dir, name), err)
				}
			}
		}
	}
	return nil
}

// UnknownOutputFiles lists the entries of outDir that sessctl did not
// write and the adapter does not own: not index.json, the owner file, the
// status directory, a profile named by recs, or an apply's leftover
// temporary file (which the next apply removes). Drift reports them.
func UnknownOutputFiles(outDir string, recs map[string]*Record) []string {
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return nil
	}
	// actions.json is the queue of `sessctl action` (internal/actionq).
	known := map[string]bool{IndexFile: true, OwnerFile: true, StatusDir: true, actionq.QueueFile: true}
	for _, r := range recs {
		known[r.File] = true
	}
	var out []string
	for _, e := range entries {
		if !known[e.Name()] && !ownTempName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}
