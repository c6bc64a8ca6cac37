package state

import (
	"encoding/json"
	"time"
)

// SchemaVersion is the layout of the state file this package writes. A
// file with a higher version was written by a newer sessctl and is refused
// (NewerSchemaError) rather than misread.
const SchemaVersion = 1

// Operation says what a committed write did; it is recorded in the history.
type Operation string

// Operations recorded in the history.
const (
	OpApply   Operation = "apply"
	OpDestroy Operation = "destroy"
	// OpRecover rebuilds a lost state from the output directory; Put keeps
	// the revisions the caller gives for new records.
	OpRecover Operation = "recover"
)

// Meta is the state-wide record.
type Meta struct {
	// Lineage identifies this state file's history. It is created on the
	// first write and never changes, so a plan saved against another state
	// file can be told apart even when the serials happen to match.
	Lineage string `json:"lineage"`
	// Serial is bumped by one on every committed write; 0 means nothing was
	// ever written.
	Serial uint64 `json:"serial"`
	// SchemaVersion is the layout version of the file (see SchemaVersion).
	SchemaVersion int `json:"schema_version"`
	// ConfigDigest is the digest of the configuration inputs of the last
	// write, as given by the caller.
	ConfigDigest string `json:"config_digest,omitempty"`
	// OutputDir is where the last apply wrote profiles, so that a later run
	// (or a destroy with another configuration) finds them.
	OutputDir string `json:"output_dir,omitempty"`
	// Config identifies the configuration that owns this state (its
	// settings name or its root path, as the caller spells it); set by
	// every apply.
	Config string `json:"config,omitempty"`
	// AppliedAt is the time of the last committed write.
	AppliedAt time.Time `json:"applied_at,omitzero"`
	// CreatedAt is the time of the first write (when Lineage was created).
	CreatedAt time.Time `json:"created_at,omitzero"`
	// WrittenBy is the sessctl version of the last writer.
	WrittenBy string `json:"written_by,omitempty"`
}

// FileInput is a file a partition references (preload script, dictionary,
// extension manifest...) with the SHA-256 of its content when applied, so
// the next plan can tell that it changed.
type FileInput struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// EffectRecord is a side effect apply performed besides writing the
// profile (a created directory, a written dictionary), with the digest of
// what was written when that applies.
type EffectRecord struct {
	Kind   string `json:"kind"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256,omitempty"`
}

// PartitionRecord is what state knows about one applied partition.
type PartitionRecord struct {
	// Name is the partition name as written in HCL ("persist:work").
	Name string `json:"name"`
	// File is the profile file name inside Meta.OutputDir. It is checked
	// to be a plain file name (fsx.CheckName) when stored.
	File string `json:"file"`
	// Revision starts at 1 and is bumped by Tx.Put whenever the profile
	// content changes; values set by the caller are ignored.
	Revision uint64 `json:"revision"`
	// AppliedAt is when the record last changed; set by Tx.Put.
	AppliedAt time.Time `json:"applied_at"`
	// Profile is the normalized full profile, stored compacted.
	Profile json.RawMessage `json:"profile,omitempty"`
	// ProfileSHA256 is the hex SHA-256 of the exact bytes written to File.
	ProfileSHA256 string `json:"profile_sha256"`
	// Inputs are the referenced files and their digests.
	Inputs []FileInput `json:"inputs,omitempty"`
	// Effects are the side effects performed for this partition.
	Effects []EffectRecord `json:"effects,omitempty"`
}

// recordHeader is the stored form of a PartitionRecord without its
// profile, which lives in its own bucket.
type recordHeader struct {
	Name          string         `json:"name"`
	File          string         `json:"file"`
	Revision      uint64         `json:"revision"`
	AppliedAt     time.Time      `json:"applied_at"`
	ProfileSHA256 string         `json:"profile_sha256"`
	Inputs        []FileInput    `json:"inputs,omitempty"`
	Effects       []EffectRecord `json:"effects,omitempty"`
}

func headerOf(r *PartitionRecord) recordHeader {
	return recordHeader{
		Name: r.Name, File: r.File, Revision: r.Revision, AppliedAt: r.AppliedAt,
		ProfileSHA256: r.ProfileSHA256, Inputs: r.Inputs, Effects: r.Effects,
	}
}

func (h *recordHeader) record(profile json.RawMessage) *PartitionRecord {
	return &PartitionRecord{
		Name: h.Name, File: h.File, Revision: h.Revision, AppliedAt: h.AppliedAt,
		Profile: profile, ProfileSHA256: h.ProfileSHA256, Inputs: h.Inputs, Effects: h.Effects,
	}
}

// HistoryEntry records one committed write. Entries are never changed or
// removed.
type HistoryEntry struct {
	Serial       uint64    `json:"serial"`
	Time         time.Time `json:"time"`
	Operation    Operation `json:"operation"`
	ConfigDigest string    `json:"config_digest,omitempty"`
	Add          int       `json:"add"`
	Change       int       `json:"change"`
	Destroy      int       `json:"destroy"`
	// Partitions lists the partitions added, changed or destroyed, sorted,
	// at most maxHistoryPartitions of them; PartitionsOmitted counts the
	// rest so one huge apply does not bloat every later History read.
	Partitions        []string `json:"partitions,omitempty"`
	PartitionsOmitted int      `json:"partitions_omitted,omitempty"`
	WrittenBy         string   `json:"written_by,omitempty"`
}

// maxHistoryPartitions caps HistoryEntry.Partitions.
const maxHistoryPartitions = 100
