package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/state"
)

// Recovered says what RecoverState did.
type Recovered struct {
	StatePath string `json:"state_path"`
	OutputDir string `json:"output_dir"`
	// MovedAside is where the damaged state file was kept ("" when there
	// was none).
	MovedAside string `json:"moved_aside,omitempty"`
	// Partitions lists the partitions recorded, sorted.
	Partitions []string `json:"partitions"`
	Serial     uint64   `json:"serial"`
}

// ErrStateReadable refuses to recover a state that opens and records
// partitions: recovery is for a state that is lost or damaged.
var ErrStateReadable = errors.New("the state opens and records partitions")

// RecoverState rebuilds a missing or unreadable state from the output
// directory from (loc.OutputDir when empty): index.json and every profile
// it names, each checked against its digest and re-rendered byte for byte,
// so only what sessctl wrote is trusted. Nothing is written unless every
// profile verifies. A damaged state file is renamed aside (never deleted);
// the new state keeps the profiles' revisions and records loc.Config as its
// owner. Referenced-file digests are not in the profiles, so the first
// plan after a recovery evaluates the configuration in full. The caller
// holds the writer lock. With force, a readable state is replaced too (it
// is moved aside like a damaged one).
func RecoverState(loc Locations, from string, force bool) (*Recovered, error) {
	outDir := loc.OutputDir
	if from != "" {
		abs, err := filepath.Abs(from)
		if err != nil {
			return nil, err
		}
		outDir = abs
	}
	res := &Recovered{StatePath: loc.StatePath, OutputDir: outDir, Partitions: []string{}}
	if snap, err := readStateOpts(loc.StatePath, false); err == nil && len(snap.Records) > 0 && !force {
		return nil, fmt.Errorf("%w: %s records %d partitions (serial %d); recover rebuilds a lost or damaged state only (--force replaces it, keeping it aside)",
			ErrStateReadable, loc.StatePath, len(snap.Records), snap.Serial)
	}
	recs, err := readOutputs(outDir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(loc.StatePath); err == nil {
		aside := loc.StatePath + ".damaged-" + time.Now().UTC().Format("20060102T150405Z")
		for i := 1; ; i++ {
			if _, err := os.Lstat(aside); os.IsNotExist(err) {
				break
			}
			aside = loc.StatePath + ".damaged-" + time.Now().UTC().Format("20060102T150405Z") + "." + strconv.Itoa(i)
		}
		if err := fsx.Rename(loc.StatePath, aside); err != nil {
			return nil, fmt.Errorf("keeping the damaged state aside: %w", err)
		}
		res.MovedAside = aside
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	if err := fsx.MkdirAll(filepath.Dir(loc.StatePath), 0o700); err != nil {
		return nil, err
	}
	st, err := state.New(loc.StatePath, nil)
	if err != nil {
		return nil, err
	}
	serial, err := st.Commit(0, func(tx *state.Tx) error {
		tx.SetOperation(state.OpRecover)
		tx.SetOutputDir(outDir)
		if loc.Config != "" {
			tx.SetConfig(loc.Config)
		}
		for _, r := range recs {
			profile, err := marshalFields(r.Fields)
			if err != nil {
				return err
			}
			if err := tx.Put(state.PartitionRecord{Name: stateKey(r.Name), File: r.File, Revision: r.Revision,
				Profile: profile, ProfileSHA256: r.ProfileSHA256}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Serial = serial
	for _, r := range recs {
		res.Partitions = append(res.Partitions, r.Name)
	}
	sort.Strings(res.Partitions)
	plan := &Plan{StatePath: loc.StatePath, OutputDir: outDir, Config: loc.Config}
	if _, err := recordOwner(plan, &State{}); err != nil {
		return nil, err
	}
	return res, nil
}

// readOutputs reads index.json in dir and every profile it names, and
// returns one record per profile whose bytes are exactly what sessctl
// renders for its fields, revision and digest.
func readOutputs(dir string) ([]*Record, error) {
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return nil, fmt.Errorf("cannot recover from %s: %w (recover needs the %s apply wrote there)", dir, err, IndexFile)
	}
	var idx Index
	if err := json.Unmarshal(b, &idx); err != nil || idx.FormatVersion != ProfileFormatVersion {
		return nil, fmt.Errorf("cannot recover from %s: %s is not an index sessctl wrote (format_version %d, %v)", dir, IndexFile, idx.FormatVersion, err)
	}
	var recs []*Record
	var bad []error
	seen := map[string]bool{}
	for _, e := range idx.Partitions {
		rec, err := readProfile(dir, e)
		if err == nil && seen[stateKey(e.Partition)] {
			err = fmt.Errorf("partition %q is listed twice", e.Partition)
		}
		if err != nil {
			bad = append(bad, err)
			continue
		}
		seen[stateKey(e.Partition)] = true
		recs = append(recs, rec)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("cannot recover from %s: nothing was written, because these profiles do not verify (run 'sessctl apply' once the state is rebuilt by hand, or remove them from %s):\n%w", dir, IndexFile, errors.Join(bad...))
	}
	return recs, nil
}

func readProfile(dir string, e IndexEntry) (*Record, error) {
	if e.File != ProfileFileName(e.Partition) {
		return nil, fmt.Errorf("partition %q: file %q is not the name sessctl gives its profile", e.Partition, e.File)
	}
	path, err := fsx.SafeJoin(dir, e.File)
	if err != nil {
		return nil, fmt.Errorf("partition %q: %w", e.Partition, err)
	}
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("partition %q: %s is missing or not a regular file", e.Partition, path)
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("partition %q: %w", e.Partition, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("partition %q: %s is not a JSON object: %v", e.Partition, path, err)
	}
	var name, digest string
	var rev uint64
	if json.Unmarshal(raw["partition"], &name) != nil || name != e.Partition ||
		json.Unmarshal(raw["digest"], &digest) != nil || json.Unmarshal(raw["revision"], &rev) != nil || rev == 0 {
		return nil, fmt.Errorf("partition %q: %s does not carry this partition's name, a revision and a digest", e.Partition, path)
	}
	fields := make(map[string]json.RawMessage, len(raw))
	for k, v := range raw {
		if k == "format_version" || k == "revision" || k == "digest" {
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return nil, fmt.Errorf("partition %q: field %q: %v", e.Partition, k, err)
		}
		fields[k] = buf.Bytes()
	}
	// State keeps sensitive values as their tokens, never the values.
	redacted := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		redacted[k] = redactJSON(v)
	}
	if contentDigest(redacted) != digest || digest != e.Digest || rev != e.Revision {
		return nil, fmt.Errorf("partition %q: %s does not match its digest or the index (edited after apply?)", e.Partition, path)
	}
	if !bytes.Equal(RenderProfile(fields, rev, digest), body) {
		return nil, fmt.Errorf("partition %q: %s is not byte for byte what sessctl writes for its content (reformatted?)", e.Partition, path)
	}
	return &Record{Name: e.Partition, File: e.File, Revision: rev, Fields: redacted, ProfileSHA256: sha256Hex(body)}, nil
}
