package reconcile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	if o := ReadOwner(outDir); o != nil && (o.Config != config || (snap.Lineage != "" && o.Lineage != snap.Lineage) ||
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
