package state

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"github.com/sessctl/sessctl/internal/fsx"
)

// Tx is the write side of Commit. It is valid only inside the Commit
// function and must not be used from other goroutines.
type Tx struct {
	s      *Store
	btx    *bolt.Tx
	parts  *bolt.Bucket
	profs  *bolt.Bucket
	orig   Meta // meta as read
	meta   Meta // meta as it will be written
	op     Operation
	now    time.Time
	before map[string]stored // each touched partition as it was when the transaction began
	// cache is what SetCache set (see keyCache).
	cache    []byte
	cacheSet bool
}

// stored is the raw stored form of one partition; hdr == nil means absent.
// The slices point into bbolt's memory, which stays valid for the life of
// the transaction (bbolt's Bucket.Get contract). written says whether this
// transaction has since put or deleted the partition.
type stored struct {
	hdr     []byte
	profile []byte
	written bool
}

func (s *Store) beginTx(btx *bolt.Tx, meta Meta) (*Tx, error) {
	tx := &Tx{s: s, btx: btx, orig: meta, meta: meta, op: OpApply, now: s.now().UTC(), before: map[string]stored{}}
	for _, name := range [][]byte{bucketMeta, bucketPartitions, bucketProfiles, bucketHistory} {
		if _, err := btx.CreateBucketIfNotExists(name); err != nil {
			return nil, fmt.Errorf("state %s: create bucket %s: %w", s.path, name, err)
		}
	}
	tx.parts = btx.Bucket(bucketPartitions)
	tx.profs = btx.Bucket(bucketProfiles)
	return tx, nil
}

// Meta returns the meta record as it stands in this transaction (serial
// and lineage as read; they change only when the transaction commits).
func (tx *Tx) Meta() Meta { return tx.meta }

// Now is the time this transaction records as applied-at.
func (tx *Tx) Now() time.Time { return tx.now }

// CheckLineage returns an error wrapping ErrLineage unless the state's
// lineage is want. An empty want or a state never written accepts any
// lineage. Applying a saved plan calls it with the plan's lineage, so a
// plan made against another state file is refused even if serials match.
func (tx *Tx) CheckLineage(want string) error {
	if want == "" || tx.orig.Lineage == "" || want == tx.orig.Lineage {
		return nil
	}
	return fmt.Errorf("%w: state %s has lineage %s, the plan was made against lineage %s; run plan again against this state",
		ErrLineage, tx.s.path, tx.orig.Lineage, want)
}

// SetOperation sets the operation recorded in the history (default
// OpApply).
func (tx *Tx) SetOperation(op Operation) { tx.op = op }

// SetConfigDigest records the digest of the configuration being applied.
func (tx *Tx) SetConfigDigest(d string) { tx.meta.ConfigDigest = d }

// SetConfig records the identity of the configuration that owns the state.
func (tx *Tx) SetConfig(id string) { tx.meta.Config = id }

// SetOutputDir records where profiles are written.
func (tx *Tx) SetOutputDir(dir string) { tx.meta.OutputDir = dir }

// Get returns the record of a partition as it stands in this transaction.
func (tx *Tx) Get(name string) (*PartitionRecord, bool, error) {
	hdr := tx.parts.Get([]byte(name))
	if hdr == nil {
		return nil, false, nil
	}
	r, err := decodeRecord(tx.s.path, []byte(name), hdr, tx.profs.Get([]byte(name)), true)
	return r, err == nil, err
}

// Names returns the names of all partitions in this transaction, sorted.
func (tx *Tx) Names() []string {
	var names []string
	_ = tx.parts.ForEach(func(k, _ []byte) error {
		names = append(names, string(k))
		return nil
	})
	return names
}

// remember records how a partition looked before this transaction first
// touched it.
func (tx *Tx) remember(key []byte) stored {
	if st, ok := tx.before[string(key)]; ok {
		return st
	}
	st := stored{hdr: tx.parts.Get(key), profile: tx.profs.Get(key)}
	tx.before[string(key)] = st
	return st
}

// markWritten notes that the partition now differs from what remember saw.
func (tx *Tx) markWritten(key []byte) {
	st := tx.before[string(key)]
	st.written = true
	tx.before[string(key)] = st
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// Put stores rec (replacing any record of the same name). Revision and
// AppliedAt are set here: a new partition starts at revision 1; a change of
// the profile (bytes or ProfileSHA256) bumps the revision of the record as
// it was before this transaction; AppliedAt becomes the transaction time
// when anything in the record changed and is kept otherwise. Putting a
// record identical to the stored one writes nothing.
func (tx *Tx) Put(rec PartitionRecord) error {
	if err := checkRecord(&rec); err != nil {
		return fmt.Errorf("state: partition %q: %w", rec.Name, err)
	}
	return tx.put(rec, false)
}

// PutAll is Put for each of recs, in order, stopping at the first error.
// Checking the records and compacting their profiles needs nothing from
// the transaction and runs on every core first: on one core it was a
// third of the state commit of a first apply of 10,000 partitions.
func (tx *Tx) PutAll(recs []PartitionRecord) error {
	errs := make([]error, len(recs))
	workers := min(runtime.GOMAXPROCS(0), (len(recs)+255)/256)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(recs); i += workers {
				errs[i] = prepareRecord(&recs[i])
			}
		}()
	}
	wg.Wait()
	for i := range recs {
		if errs[i] != nil {
			return errs[i]
		}
		if err := tx.put(recs[i], true); err != nil {
			return err
		}
	}
	return nil
}

// prepareRecord checks r and compacts its profile in place.
func prepareRecord(r *PartitionRecord) error {
	if err := checkRecord(r); err != nil {
		return fmt.Errorf("state: partition %q: %w", r.Name, err)
	}
	if len(r.Profile) == 0 {
		return nil
	}
	p, err := compactProfile(r.Name, r.Profile)
	r.Profile = p
	return err
}

func compactProfile(name string, profile []byte) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, len(profile)))
	if err := json.Compact(buf, profile); err != nil {
		return nil, fmt.Errorf("state: partition %q: profile is not valid JSON: %w", name, err)
	}
	return buf.Bytes(), nil
}

// put is Put for a checked record; compacted says its profile is
// compacted already.
func (tx *Tx) put(rec PartitionRecord, compacted bool) error {
	key := []byte(rec.Name)
	before := tx.remember(key)
	var profile []byte
	switch {
	case len(rec.Profile) == 0:
	case bytes.Equal(rec.Profile, before.profile):
		// The common case in a watch cycle: unchanged, and already
		// validated and compacted when it was stored.
		profile = before.profile
	case compacted:
		profile = rec.Profile
	default:
		var err error
		if profile, err = compactProfile(rec.Name, rec.Profile); err != nil {
			return err
		}
	}

	// A recovery rebuilds records from the profiles on disk and keeps
	// their revisions, so the app never sees a revision go back.
	rev := uint64(1)
	if tx.op == OpRecover && rec.Revision > 0 {
		rev = rec.Revision
	}
	rec.Revision, rec.AppliedAt = rev, tx.now
	if before.hdr != nil {
		var old recordHeader
		if err := decodeHeader(before.hdr, &old); err != nil {
			return &CorruptError{Path: tx.s.path, Err: fmt.Errorf("partition %q does not decode: %v", rec.Name, err)}
		}
		rec.Revision, rec.AppliedAt = old.Revision, old.AppliedAt
		if old.ProfileSHA256 != rec.ProfileSHA256 || !bytes.Equal(before.profile, profile) {
			rec.Revision++
		}
	}
	h := headerOf(&rec)
	hdr := encodeHeader(nil, &h)
	if before.hdr != nil && !(bytes.Equal(hdr, before.hdr) && bytes.Equal(profile, before.profile)) {
		h.AppliedAt = tx.now
		hdr = encodeHeader(hdr[:0], &h)
	}
	curHdr, curProf := before.hdr, before.profile
	if before.written {
		curHdr, curProf = tx.parts.Get(key), tx.profs.Get(key)
	}
	sameHdr, sameProf := bytes.Equal(hdr, curHdr), bytes.Equal(profile, curProf)
	if sameHdr && sameProf {
		return nil // identical to what is stored: leave the pages clean
	}
	tx.markWritten(key)
	if !sameHdr {
		if err := tx.parts.Put(key, hdr); err != nil {
			return fmt.Errorf("state: partition %q: %w", rec.Name, err)
		}
	}
	switch {
	case sameProf:
		return nil
	case profile == nil:
		return tx.profs.Delete(key)
	}
	if err := tx.profs.Put(key, profile); err != nil {
		return fmt.Errorf("state: partition %q: %w", rec.Name, err)
	}
	return nil
}

// checkRecord validates what a caller can get wrong. Names come from HCL
// and are hostile; File is later joined onto the output directory.
func checkRecord(r *PartitionRecord) error {
	switch {
	case r.Name == "":
		return errors.New("name is empty")
	case len(r.Name) > bolt.MaxKeySize:
		return fmt.Errorf("name is %d bytes long, the limit is %d", len(r.Name), bolt.MaxKeySize)
	case !utf8.ValidString(r.Name):
		return errors.New("name is not valid UTF-8")
	}
	if err := fsx.CheckName(r.File); err != nil {
		return fmt.Errorf("profile file: %w", err)
	}
	if err := checkSHA(r.ProfileSHA256, true); err != nil {
		return fmt.Errorf("profile_sha256: %w", err)
	}
	for _, in := range r.Inputs {
		if err := checkSHA(in.SHA256, true); err != nil {
			return fmt.Errorf("input %s: %w", in.Path, err)
		}
	}
	for _, ef := range r.Effects {
		if err := checkSHA(ef.SHA256, true); err != nil {
			return fmt.Errorf("effect %s %s: %w", ef.Kind, ef.Path, err)
		}
	}
	return nil
}

// checkSHA accepts a lowercase hex SHA-256 (or "" when emptyOK).
func checkSHA(s string, emptyOK bool) error {
	if s == "" && emptyOK {
		return nil
	}
	if len(s) != 64 {
		return fmt.Errorf("%q is not a hex SHA-256 (64 hex digits)", s)
	}
	if _, err := hex.DecodeString(s); err != nil || s != toLowerASCII(s) {
		return fmt.Errorf("%q is not a lowercase hex SHA-256", s)
	}
	return nil
}

func toLowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Delete removes a partition's record. Deleting an absent partition is not
// an error and changes nothing.
func (tx *Tx) Delete(name string) error {
	key := []byte(name)
	if len(key) == 0 || len(key) > bolt.MaxKeySize {
		return nil // such a key can never have been stored
	}
	if tx.remember(key).hdr == nil && !tx.before[string(key)].written {
		return nil
	}
	tx.markWritten(key)
	if err := tx.parts.Delete(key); err != nil {
		return err
	}
	return tx.profs.Delete(key)
}

// finish compares every touched partition with how it was, appends the
// history entry, bumps the serial and writes meta. It returns errNoChange
// when nothing changed so that Commit rolls back.
func (tx *Tx) finish() (uint64, error) {
	entry := HistoryEntry{Time: tx.now, Operation: tx.op, ConfigDigest: tx.meta.ConfigDigest, WrittenBy: tx.s.version}
	var changed []string
	for name, was := range tx.before {
		if !was.written {
			continue
		}
		key := []byte(name)
		hdr, prof := tx.parts.Get(key), tx.profs.Get(key)
		switch {
		case was.hdr == nil && hdr == nil:
			continue
		case was.hdr == nil:
			entry.Add++
		case hdr == nil:
			entry.Destroy++
		case bytes.Equal(was.hdr, hdr) && bytes.Equal(was.profile, prof):
			continue
		default:
			entry.Change++
		}
		changed = append(changed, name)
	}
	if len(changed) == 0 && tx.meta.ConfigDigest == tx.orig.ConfigDigest && tx.meta.OutputDir == tx.orig.OutputDir &&
		tx.meta.Config == tx.orig.Config {
		if tx.cacheChanged() {
			// Only the cache: no history entry, the serial stays.
			return tx.orig.Serial, tx.putCache(tx.orig.Serial)
		}
		return 0, errNoChange
	}
	slices.Sort(changed)
	if len(changed) > maxHistoryPartitions {
		entry.PartitionsOmitted = len(changed) - maxHistoryPartitions
		changed = changed[:maxHistoryPartitions]
	}
	entry.Partitions = changed

	m := &tx.meta
	if m.Lineage == "" {
		m.Lineage = uuid.NewString()
		m.CreatedAt = tx.now
	}
	m.Serial = tx.orig.Serial + 1
	m.SchemaVersion = SchemaVersion
	m.AppliedAt = tx.now
	m.WrittenBy = tx.s.version
	entry.Serial = m.Serial

	hist := tx.btx.Bucket(bucketHistory)
	key := historyKey(m.Serial)
	if hist.Get(key) != nil {
		// History is append-only: an existing entry for a new serial means
		// the file was tampered with; do not overwrite it.
		return 0, &CorruptError{Path: tx.s.path, Err: fmt.Errorf("history already has an entry for serial %d", m.Serial)}
	}
	hv, err := json.Marshal(entry)
	if err != nil {
		return 0, err
	}
	if err := hist.Put(key, hv); err != nil {
		return 0, err
	}
	mv, err := json.Marshal(m)
	if err != nil {
		return 0, err
	}
	if err := tx.btx.Bucket(bucketMeta).Put(keyMeta, mv); err != nil {
		return 0, err
	}
	if err := tx.putCache(m.Serial); err != nil {
		return 0, err
	}
	return m.Serial, nil
}
