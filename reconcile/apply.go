package reconcile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/state"
)

// ErrStalePlan is returned when the state changed since a saved plan was
// made: the plan no longer describes what apply would do.
var ErrStalePlan = errors.New("saved plan is stale")

// Applied summarises what Apply did.
type Applied struct {
	Add, Change, Destroy int
	Serial               uint64
	Duration             time.Duration
}

func writeAtomic(path string, data []byte, perm os.FileMode) error {
	return fsx.WriteFileAtomic(path, data, perm)
}

// Apply carries out plan: profile files and side effects first, each
// written atomically, then index.json, then one state transaction. The
// caller holds the writer lock. The plan is refused if the state serial
// moved since it was made.
func Apply(plan *Plan) (*Applied, error) {
	start := time.Now()
	snap, err := readState(plan.StatePath)
	if err != nil {
		return nil, err
	}
	if snap.Serial != plan.StateSerial || (plan.Lineage != "" && snap.Lineage != plan.Lineage) {
		return nil, fmt.Errorf("%w: it was made against state serial %d, the state is now at serial %d; run plan again", ErrStalePlan, plan.StateSerial, snap.Serial)
	}
	if !plan.TakeOwnership {
		if err := checkOwnership(snap, plan.StatePath, plan.OutputDir, plan.Config); err != nil {
			return nil, err
		}
	}
	r, err := applyOnto(plan, snap, applyHooks{index: renderIndex, cache: decodePlanCache(snap.cache)})
	if err != nil {
		return nil, err
	}
	r.Duration = time.Since(start)
	return &r.Applied, nil
}

// applyHooks are what the one-shot Apply and the watch Engine do
// differently around the shared apply steps.
type applyHooks struct {
	// index renders index.json for the records after the apply.
	index func(map[string]*Record) []byte
	// beforeCommit runs after the profiles and index.json are written,
	// before the state transaction (the engine computes the digest to
	// record there, off the path to the profiles).
	beforeCommit func()
	// cache is the plan cache of the state applied onto (nil: none).
	cache *planCache
}

// applyResult is what applyOnto did, for the engine's caches.
type applyResult struct {
	Applied
	// Records are the records after the apply; Puts and Dels what changed.
	Records map[string]*Record
	Puts    []*Record
	Dels    []string
	Lineage string
	Index   []byte
}

// applyOnto carries out plan over snap, the state it was checked against:
// profiles and side effects, index.json, removal of replaced files, one
// state transaction, then the output directory's owner file. It is the
// one apply implementation: Apply and Engine.Apply only check and cache
// around it.
func applyOnto(plan *Plan, snap *State, h applyHooks) (*applyResult, error) {
	if !plan.HasChanges() && !ownerChanges(plan, snap) {
		if plan.verified {
			refreshCache(plan, snap, h.cache)
		}
		return &applyResult{Applied: Applied{Serial: snap.Serial}, Records: snap.Records, Lineage: snap.Lineage}, nil
	}
	outDir := plan.OutputDir
	if err := fsx.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory: %w", err)
	}
	if err := removeStaleTemps(outDir); err != nil {
		return nil, err
	}
	recs, writes, dels, removeFiles, err := splitChanges(plan, snap)
	if err != nil {
		return nil, err
	}
	if snap.OutputDir != "" && snap.OutputDir != outDir && len(snap.Records) > 0 {
		// The output moved: everything sessctl wrote in the old directory
		// goes, as the plan showed (Plan.DeleteFiles), derived again from
		// the state rather than taken from a saved plan.
		removeFiles = moveDeletes(snap, plan.Config)
	}
	puts, index, err := writeAndIndex(outDir, writes, recs, h.index)
	if err != nil {
		return nil, err
	}
	if err := removeEffectTemps(puts); err != nil {
		return nil, err
	}
	// Stamped now, before index.json is written: its mtime is the
	// reference that says these stamps are not racy (plancache.go).
	stamps := stampWritten(outDir, puts)
	if plan.verified {
		stampVerified(outDir, recs, h.cache, stamps)
	}
	indexPath := filepath.Join(outDir, IndexFile)
	if err := fsx.WriteFileAtomic(indexPath, index, 0o644); err != nil {
		return nil, fmt.Errorf("writing %s: %w", IndexFile, err)
	}
	indexStamp, _ := lstamp(indexPath)
	// Old files go only after the index no longer names them, so the
	// adapter never follows the index to a missing file.
	for _, f := range removeFiles {
		if err := fsx.Remove(f); err != nil {
			return nil, fmt.Errorf("removing %s: %w", f, err)
		}
	}
	if h.beforeCommit != nil {
		h.beforeCommit()
	}
	add, change, destroy := plan.Counts()
	// The plan cache is encoded while the state transaction stores the
	// records, and set last.
	cacheDone := make(chan []byte, 1)
	go func() { cacheDone <- newPlanCache(h.cache, recs, stamps, index, indexStamp, plan.eval) }()
	serial, err := commitState(plan, puts, dels, add, change, destroy, sync.OnceValue(func() []byte { return <-cacheDone }))
	for _, r := range puts {
		r.stored = nil // the engine keeps its records across cycles
	}
	if err != nil {
		return nil, err
	}
	lineage, err := recordOwner(plan, snap)
	if err != nil {
		return nil, err
	}
	if plan.remember != nil {
		plan.remember()
	}
	return &applyResult{Applied: Applied{Add: add, Change: change, Destroy: destroy, Serial: serial},
		Records: recs, Puts: puts, Dels: dels, Lineage: lineage, Index: index}, nil
}

// splitChanges sorts plan's changes into the profiles to write, the
// partitions to forget and the files to remove (deleted partitions, and
// the old file of a partition whose file name or output directory
// changed), and returns the records that stay.
func splitChanges(plan *Plan, snap *State) (recs map[string]*Record, writes []*Change, dels, removeFiles []string, err error) {
	recs = make(map[string]*Record, len(snap.Records))
	for k, v := range snap.Records {
		recs[k] = v
	}
	outDir := plan.OutputDir
	oldDir := snap.OutputDirOr(outDir)
	for _, c := range plan.Changes {
		switch c.Action {
		case Delete:
			if rec := snap.Records[c.Partition]; rec != nil {
				removeFiles = append(removeFiles, filepath.Join(oldDir, rec.File))
			}
			delete(recs, c.Partition)
			dels = append(dels, c.Partition)
		case Create, Update, Replace:
			if _, err := fsx.SafeJoin(outDir, c.File); err != nil {
				return nil, nil, nil, nil, fmt.Errorf("partition %q: %w", c.Partition, err)
			}
			if old := snap.Records[c.Partition]; old != nil && (old.File != c.File || oldDir != outDir) {
				removeFiles = append(removeFiles, filepath.Join(oldDir, old.File))
			}
			writes = append(writes, c)
		}
	}
	return recs, writes, dels, removeFiles, nil
}

// ownerChanges reports whether applying plan changes who owns the state or
// the output directory, even with no partition to change (a first apply of
// an empty configuration, or --take-ownership over an identical one).
func ownerChanges(plan *Plan, snap *State) bool {
	if plan.Config == "" || plan.Destroy && len(snap.Records) == 0 {
		return false
	}
	if snap.Config != plan.Config {
		return snap.Serial > 0
	}
	o := ReadOwner(plan.OutputDir)
	return snap.Serial > 0 && (o == nil || o.Config != plan.Config || o.Lineage != snap.Lineage || o.State != plan.StatePath)
}

// recordOwner writes the output directory's owner file after the state
// transaction (so that it names the state's lineage, created by the first
// commit), and returns that lineage. A crash before it leaves a directory without owner, which the
// next apply takes and records.
func recordOwner(plan *Plan, snap *State) (lineage string, err error) {
	lineage = snap.Lineage
	if lineage == "" {
		// The first apply created the lineage: read it back (the
		// metadata only, not the partitions just written).
		st, err := state.New(plan.StatePath, nil)
		if err != nil {
			return "", err
		}
		meta, err := st.Meta()
		if err != nil {
			return "", err
		}
		lineage = meta.Lineage
	}
	if plan.Config == "" {
		return lineage, nil
	}
	want := Owner{FormatVersion: "1", Config: plan.Config, Lineage: lineage, State: plan.StatePath}
	if o := ReadOwner(plan.OutputDir); o != nil && *o == want {
		return lineage, nil
	}
	if err := writeOwner(plan.OutputDir, want); err != nil {
		return "", fmt.Errorf("writing %s: %w", OwnerFile, err)
	}
	return lineage, nil
}

// writeAndIndex writes the profiles (writeProfiles), files their records
// in recs and renders index.json for recs with index. The index (a digest
// of every profile) is rendered while the staged files are synced and
// renamed, which waits on the disk; it is waited for on every return, as
// the engine's index hook keeps state and two must never run at once.
func writeAndIndex(outDir string, writes []*Change, recs map[string]*Record, index func(map[string]*Record) []byte) ([]*Record, []byte, error) {
	done := make(chan []byte, 1)
	indexing := false
	puts, err := writeProfiles(outDir, writes, func(puts []*Record) {
		for _, rec := range puts {
			recs[rec.Name] = rec
		}
		indexing = true
		go func() { done <- index(recs) }()
	})
	var idx []byte
	if indexing {
		idx = <-done
	}
	if err != nil {
		return nil, nil, err
	}
	return puts, idx, nil
}

// writeWorkers bounds the profiles written at once. With an fsync per
// file, running several lets the filesystem batch them into fewer journal
// commits; with a batch (bulkWrites or more) they still overlap the
// directory operations, which wait on the disk (measured: fewer workers
// are slower).
const writeWorkers = 16

// bulkWrites is the number of profiles from which an apply stages every
// file and syncs the file system once (fsx.Batch) instead of an fsync per
// profile, per download directory and per dictionary.
const bulkWrites = 64

// writeProfiles writes the profile file and the side effects of every
// change, in parallel, then fsyncs the output directory once.
func writeProfiles(outDir string, writes []*Change, staged func([]*Record)) ([]*Record, error) {
	var batch *fsx.Batch
	if len(writes) >= bulkWrites {
		batch = &fsx.Batch{}
	}
	puts := make([]*Record, len(writes))
	errs := make([]error, len(writes))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < writeWorkers && w < len(writes); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				puts[i], errs[i] = writeOne(outDir, writes[i], batch)
			}
		}()
	}
	for i := range writes {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		if batch != nil {
			batch.Abort()
		}
		return nil, err
	}
	staged(puts)
	if batch != nil {
		// Commit fsyncs every directory it wrote in, outDir included.
		if err := batch.Commit(); err != nil {
			return nil, err
		}
	} else if len(writes) > 0 {
		if err := fsx.SyncDir(outDir); err != nil {
			return nil, fmt.Errorf("fsync of %s: %w", outDir, err)
		}
	}
	return puts, nil
}

// writeOne writes one profile and its side effects, staged in batch when
// it is not nil.
func writeOne(outDir string, c *Change, batch *fsx.Batch) (*Record, error) {
	fields, err := revealFields(c.Fields, c.Secrets)
	if err != nil {
		return nil, fmt.Errorf("partition %q: %w", c.Partition, err)
	}
	body := RenderProfile(fields, c.Revision, c.Digest)
	path := filepath.Join(outDir, c.File)
	// A profile that holds sensitive values is readable by its owner only.
	mode := os.FileMode(0o644)
	if hasTokens(c.Fields) {
		mode = 0o600
	}
	if batch != nil {
		err = batch.WriteFile(path, body, mode)
	} else {
		err = fsx.WriteFileAtomicNoDirSync(path, body, mode)
	}
	if err != nil {
		return nil, fmt.Errorf("writing profile of partition %q: %w", c.Partition, err)
	}
	effs, err := applyEffects(c.Effects, batch)
	if err != nil {
		return nil, fmt.Errorf("partition %q: %w", c.Partition, err)
	}
	// Encoded here, on the writers, rather than in the state
	// transaction that runs on one core after every write.
	stored, err := marshalFields(c.Fields)
	if err != nil {
		return nil, fmt.Errorf("partition %q: %w", c.Partition, err)
	}
	return &Record{Name: c.Partition, File: c.File, Revision: c.Revision, Fields: c.Fields,
		ProfileSHA256: sha256Hex(body), Inputs: c.Inputs, Effects: effs, stored: stored}, nil
}

// applyEffects performs side effects and returns what to remember of them
// (staging files and deferring directory syncs in batch when not nil).
func applyEffects(effs []providers.Effect, batch *fsx.Batch) ([]EffectRecord, error) {
	mkdirAll, writeFile := fsx.MkdirAll, fsx.WriteFileAtomic
	if batch != nil {
		mkdirAll, writeFile = batch.MkdirAll, batch.WriteFile
	}
	var out []EffectRecord
	for _, e := range effs {
		if !filepath.IsAbs(e.Path) {
			return nil, fmt.Errorf("%s: refusing relative path %q", e.Family, e.Path)
		}
		switch e.Kind {
		case providers.EffectMkdir:
			mode := e.Mode
			if mode == 0 {
				mode = 0o755
			}
			if err := mkdirAll(e.Path, mode); err != nil {
				return nil, fmt.Errorf("%s: creating %s: %w", e.Family, e.Path, err)
			}
			out = append(out, EffectRecord{Kind: e.Kind, Path: e.Path})
		case providers.EffectWriteFile:
			mode := e.Mode
			if mode == 0 {
				mode = 0o644
			}
			if err := mkdirAll(filepath.Dir(e.Path), 0o755); err != nil {
				return nil, fmt.Errorf("%s: creating %s: %w", e.Family, filepath.Dir(e.Path), err)
			}
			if err := writeFile(e.Path, e.Content, mode); err != nil {
				return nil, fmt.Errorf("%s: writing %s: %w", e.Family, e.Path, err)
			}
			out = append(out, EffectRecord{Kind: e.Kind, Path: e.Path, SHA256: sha256Hex(e.Content)})
		default:
			return nil, fmt.Errorf("%s: unknown effect kind %q", e.Family, e.Kind)
		}
	}
	return out, nil
}
