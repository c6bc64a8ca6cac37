package reconcile

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/state"
)

// State is what reconcile needs of the recorded state: meta and records.
type State struct {
	Lineage      string
	Serial       uint64
	ConfigDigest string
	OutputDir    string
	// Config is the identity of the configuration that last applied.
	Config  string
	Records map[string]*Record
	// cache is the plan cache stored with these records (raw; nil: none).
	cache []byte
}

// OutputDirOr returns the recorded output directory, or def when none was
// recorded yet.
func (s *State) OutputDirOr(def string) string {
	if s.OutputDir != "" {
		return s.OutputDir
	}
	return def
}

// Names returns the recorded partition names, sorted.
func (s *State) Names() []string { return sortedKeys(s.Records) }

// ReadState reads the state file at path. A missing file is an empty
// state; nothing is created.
func ReadState(path string) (*State, error) {
	return readState(path)
}

func readState(path string) (*State, error) { return readStateOpts(path, true) }

// readStateOpts reads the state; without decode the records' Fields stay
// nil (decoding 10,000 profiles is most of a no-op plan's cost otherwise).
func readStateOpts(path string, decode bool) (*State, error) {
	st, err := state.New(path, nil)
	if err != nil {
		return nil, err
	}
	snap, err := st.Load()
	if err != nil {
		return nil, err
	}
	out := &State{Lineage: snap.Meta.Lineage, Serial: snap.Meta.Serial, ConfigDigest: snap.Meta.ConfigDigest,
		OutputDir: snap.Meta.OutputDir, Config: snap.Meta.Config, Records: make(map[string]*Record, len(snap.Partitions)),
		cache: snap.Cache}
	for key, pr := range snap.Partitions {
		rec, err := recordFromState(key, pr, decode)
		if err != nil {
			return nil, fmt.Errorf("state %s: %w", path, err)
		}
		out.Records[rec.Name] = rec
	}
	return out, nil
}

// recordFromState converts a stored record (its Fields decoded when
// decode is set).
func recordFromState(key string, pr *state.PartitionRecord, decode bool) (*Record, error) {
	name := fromStateKey(key)
	rec := &Record{Name: name, File: pr.File, Revision: pr.Revision, ProfileSHA256: pr.ProfileSHA256}
	if decode && len(pr.Profile) > 0 {
		if err := json.Unmarshal(pr.Profile, &rec.Fields); err != nil {
			return nil, fmt.Errorf("partition %q: recorded profile is not a JSON object: %v", name, err)
		}
	}
	for _, in := range pr.Inputs {
		rec.Inputs = append(rec.Inputs, schema.FileInput{Path: in.Path, SHA256: in.SHA256})
	}
	for _, e := range pr.Effects {
		rec.Effects = append(rec.Effects, EffectRecord{Kind: providersKind(e.Kind), Path: e.Path, SHA256: e.SHA256})
	}
	return rec, nil
}

// stateKey is the state's key for a partition. bbolt keys cannot be
// empty, so Electron's default session ("" in profiles, which "persist:"
// also names) is recorded under "persist:": the two spellings are one
// session, so the key can never collide with another partition.
func stateKey(name string) string {
	if name == "" {
		return schema.PersistPrefix
	}
	return name
}

func fromStateKey(key string) string {
	if key == schema.PersistPrefix {
		return ""
	}
	return key
}

// commitState records the applied changes in one transaction.
// cache returns the plan cache to leave (see plancache.go), nil for none;
// it is called last, so that the caller can compute it meanwhile.
func commitState(plan *Plan, puts []*Record, dels []string, add, change, destroy int, cache func() []byte) (uint64, error) {
	st, err := state.New(plan.StatePath, &state.Options{CommitSize: commitSize(puts)})
	if err != nil {
		return 0, err
	}
	return st.Commit(plan.StateSerial, func(tx *state.Tx) error {
		if plan.Lineage != "" {
			if err := tx.CheckLineage(plan.Lineage); err != nil {
				return err
			}
		}
		if plan.Destroy {
			tx.SetOperation(state.OpDestroy)
		} else {
			tx.SetOperation(state.OpApply)
			tx.SetConfigDigest(plan.ConfigDigest)
		}
		tx.SetOutputDir(plan.OutputDir)
		if plan.Config != "" {
			tx.SetConfig(plan.Config)
		}
		for _, name := range dels {
			if err := tx.Delete(stateKey(name)); err != nil {
				return err
			}
		}
		recs := make([]state.PartitionRecord, 0, len(puts))
		for _, r := range puts {
			profile := r.stored
			if profile == nil {
				var err error
				if profile, err = marshalFields(r.Fields); err != nil {
					return err
				}
			}
			pr := state.PartitionRecord{Name: stateKey(r.Name), File: r.File, Profile: profile, ProfileSHA256: r.ProfileSHA256}
			for _, in := range r.Inputs {
				pr.Inputs = append(pr.Inputs, state.FileInput{Path: in.Path, SHA256: in.SHA256})
			}
			for _, e := range r.Effects {
				pr.Effects = append(pr.Effects, state.EffectRecord{Kind: string(e.Kind), Path: e.Path, SHA256: e.SHA256})
			}
			recs = append(recs, pr)
		}
		if err := tx.PutAll(recs); err != nil {
			return err
		}
		if c := cache(); c != nil {
			tx.SetCache(c)
		}
		return nil
	})
}

// commitSize estimates the bytes puts add to the state file, so that the
// writer maps it large enough at once (state.Options.CommitSize).
func commitSize(puts []*Record) int64 {
	var n int64
	for _, r := range puts {
		n += 256 + int64(len(r.Name)+len(r.File))
		for k, v := range r.Fields {
			n += int64(len(k)+len(v)) + 4
		}
		for _, in := range r.Inputs {
			n += int64(len(in.Path)) + 80
		}
		for _, e := range r.Effects {
			n += int64(len(e.Path)) + 96
		}
	}
	return n
}

// HistoryEntry is one apply or destroy recorded in the state's history.
type HistoryEntry = state.HistoryEntry

// History returns up to limit apply history entries, newest first.
func History(path string, limit int) ([]HistoryEntry, error) {
	st, err := state.New(path, nil)
	if err != nil {
		return nil, err
	}
	h, err := st.History(limit)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(h, func(i, j int) bool { return h[i].Serial > h[j].Serial })
	return h, nil
}

func resolveStatePath(flag, settings string, environ []string) (string, string, error) {
	p, src := state.ResolvePath(flag, settings, environ)
	if p == "" {
		return "", "", fmt.Errorf("cannot find a place for the state file: set --state, SESSCTL_STATE, or HOME")
	}
	return p, src, nil
}

func providersKind(k string) providers.EffectKind { return providers.EffectKind(k) }
