package state

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/sessctl/sessctl/internal/fault"
	"github.com/sessctl/sessctl/internal/fsx"
)

// File and directory permissions: state can name internal hosts and file
// paths, so it is private to its owner.
const (
	FileMode os.FileMode = 0o600
	DirMode  os.FileMode = 0o700
)

// DefaultOpenTimeout is how long View and Commit wait for another process
// that has the database open read-write (which only lasts one commit).
const DefaultOpenTimeout = 10 * time.Second

// Bucket names and the key of the meta record.
var (
	bucketMeta       = []byte("meta")
	bucketPartitions = []byte("partitions")
	bucketProfiles   = []byte("profiles")
	bucketHistory    = []byte("history")
	keyMeta          = []byte("meta")
)

// Options tune a Store. The zero value is usable.
type Options struct {
	// OpenTimeout bounds the wait for the bbolt file lock held by another
	// process's transaction; 0 means DefaultOpenTimeout.
	OpenTimeout time.Duration
	// Now returns the current time; nil means time.Now. Tests pin it.
	Now func() time.Time
	// Version is the sessctl version recorded as the writer and lock
	// holder; empty means the main module version from the build info.
	Version string
	// Host is the host name recorded in the lock; empty means os.Hostname.
	Host string
	// CommitSize is about how many bytes a Commit adds to the file (0:
	// unknown, small). A writer maps the file that much larger up front:
	// bbolt maps a file at a power of two of its size and, each time a
	// transaction outgrows the mapping, maps it again after copying every
	// key and value the transaction holds onto the heap. A first apply of
	// 10,000 partitions (a 45 MB file) remapped about ten times and
	// copied 450 MB. A larger mapping costs address space only (the file
	// grows as written; bbolt sizes a file under 16 MiB to its mapping,
	// so a small state may be created larger, sparse: 8 MB instead of 4 MB
	// at 1,000 partitions, the same blocks on disk). Ignored on Windows,
	// where bbolt grows the file to the mapping, and on 32-bit systems.
	CommitSize int64
}

// Store is a handle on a state file. It holds no open file: every View and
// Commit opens the bbolt database for one transaction and closes it, so
// that no process blocks others for longer than a transaction. A Store is
// safe for concurrent use.
type Store struct {
	path    string
	timeout time.Duration
	now     func() time.Time
	version string
	host    string
	mapSize int64
}

// New returns a Store for the state file at path without touching the file
// system. Use ResolvePath to pick path.
func New(path string, opts *Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("no state path: pass --state, set SESSCTL_STATE or XDG_STATE_HOME, or set HOME")
	}
	if strings.IndexByte(path, 0) >= 0 {
		return nil, fmt.Errorf("state path %q contains a NUL byte", path)
	}
	if opts == nil {
		opts = &Options{}
	}
	s := &Store{path: filepath.Clean(path), timeout: opts.OpenTimeout, now: opts.Now, version: opts.Version, host: opts.Host}
	if opts.CommitSize > 0 && runtime.GOOS != "windows" && strconv.IntSize == 64 {
		// Twice the size: bbolt's pages are partly filled, and the old
		// pages stay until the transaction commits.
		s.mapSize = min(2*opts.CommitSize, 1<<40)
	}
	if s.timeout <= 0 {
		s.timeout = DefaultOpenTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.version == "" {
		s.version = buildVersion()
	}
	return s, nil
}

// buildVersion is the main module's version, "(devel)" in a plain build.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// Path is the state file path.
func (s *Store) Path() string { return s.path }

// View loads the whole state into memory with one read-only transaction,
// closes the database, then calls fn with the snapshot. If the state file
// does not exist, fn gets an empty snapshot and nothing is created: a plan
// on a fresh machine leaves no trace.
func (s *Store) View(fn func(*Snapshot) error) error {
	snap, err := s.Load()
	if err != nil {
		return err
	}
	return fn(snap)
}

// Load is View without the callback.
func (s *Store) Load() (*Snapshot, error) {
	snap := &Snapshot{Path: s.path, Partitions: map[string]*PartitionRecord{}}
	err := s.read(snap, func(btx *bolt.Tx, meta Meta) error {
		snap.Meta, snap.Cache = meta, cacheOf(btx, meta)
		return loadPartitions(btx, s.path, snap)
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// Meta returns the state's metadata without reading its partitions (the
// zero Meta when the file does not exist).
func (s *Store) Meta() (Meta, error) {
	var m Meta
	err := s.read(nil, func(_ *bolt.Tx, meta Meta) error {
		m = meta
		return nil
	})
	return m, err
}

// History returns the last limit history entries (all when limit <= 0),
// oldest first. A missing state file has no history.
func (s *Store) History(limit int) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := s.read(nil, func(btx *bolt.Tx, _ Meta) error {
		b := btx.Bucket(bucketHistory)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var e HistoryEntry
			if err := json.Unmarshal(v, &e); err != nil || len(k) != 8 || binary.BigEndian.Uint64(k) != e.Serial {
				return &CorruptError{Path: s.path, Err: fmt.Errorf("history entry %x does not decode", k)}
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Collected newest first; return in chronological order.
	slices.Reverse(out)
	return out, nil
}

// List returns every partition record, sorted by name.
func (s *Store) List() ([]*PartitionRecord, error) {
	snap, err := s.Load()
	if err != nil {
		return nil, err
	}
	return snap.Records(), nil
}

// read runs fn in a read-only transaction. A missing or empty file calls
// nothing and returns nil; snap, when non-nil, gets Exists set.
func (s *Store) read(snap *Snapshot, fn func(*bolt.Tx, Meta) error) error {
	fi, err := os.Stat(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("state %s: %w", s.path, err)
	case fi.IsDir():
		return fmt.Errorf("state %s is a directory; --state must name a file", s.path)
	}
	if snap != nil {
		snap.Exists = true
	}
	if fi.Size() == 0 {
		// A crash while the first writer created the file; nothing was
		// committed.
		return nil
	}
	return s.protect(nil, func() error {
		db, err := s.open(true)
		if err != nil {
			return err
		}
		defer db.Close()
		return db.View(func(btx *bolt.Tx) error {
			meta, err := readMeta(btx, s.path)
			if err != nil {
				return err
			}
			return fn(btx, meta)
		})
	})
}

// open opens the bbolt database, translating bbolt's errors into ones that
// name the file and say what to do.
func (s *Store) open(readOnly bool) (db *bolt.DB, err error) {
	if perr := poisonedErr(s.path); perr != nil {
		return nil, perr
	}
	// bbolt can panic inside Open (loading a damaged freelist) after it
	// has opened, flocked and mmapped the file. Closing the descriptor is
	// not enough to drop the flock: the mapping, which bbolt never unmaps
	// on that path, keeps the open file description alive. The file is
	// then remembered as poisoned so later opens in this process fail at
	// once with the same error instead of waiting for a lock that this
	// process itself leaked. Other processes are unaffected once this one
	// exits, and a replaced file (new inode) is not poisoned.
	deadline := time.Now().Add(s.timeout)
	leave, gated, err := enterGate(filepath.Dir(s.path), deadline)
	if err != nil {
		return nil, &BusyError{Path: s.path, Waited: s.timeout.String()}
	}
	if gated {
		defer leave()
	}
	var file *os.File
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, &CorruptError{Path: s.path, Err: fmt.Errorf("bbolt failed opening it: %v", r)}
			poison(s.path, err)
			if file != nil {
				_ = file.Close()
			}
		}
	}()
	mapSize := 0
	if !readOnly && s.mapSize > 0 {
		if fi, err := os.Stat(s.path); err == nil {
			mapSize = int(fi.Size() + s.mapSize)
		} else {
			mapSize = int(s.mapSize)
		}
	}
	db, err = bolt.Open(s.path, FileMode, &bolt.Options{
		ReadOnly:        readOnly,
		InitialMmapSize: mapSize,
		// bbolt treats 0 as "wait forever"; never pass less than 1ms.
		Timeout: max(time.Until(deadline), time.Millisecond),
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			file = f
			if err == nil {
				if ferr := fault.Step(fault.Open, name); ferr != nil {
					f.Close()
					file = nil
					return nil, ferr
				}
			}
			return f, err
		},
	})
	if err == nil {
		return db, nil
	}
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, &BusyError{Path: s.path, Waited: s.timeout.String()}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping),
		strings.Contains(err.Error(), "file size too small"):
		return nil, &CorruptError{Path: s.path, Err: err}
	}
	return nil, fmt.Errorf("open state %s: %w", s.path, err)
}

// protect runs f and turns a panic into an error. bbolt panics on some
// damaged pages instead of returning errors, and a truncated file makes
// the mmap fault; SetPanicOnFault turns that fault into a recoverable
// panic for this goroutine. A panic raised while inCallback reports true
// comes from the caller's Commit function, not from the file, and is
// reported as such.
func (s *Store) protect(inCallback *bool, f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if inCallback != nil && *inCallback {
			err = fmt.Errorf("state %s: internal error in the commit function (nothing was written): %v", s.path, r)
			return
		}
		err = &CorruptError{Path: s.path, Err: fmt.Errorf("bbolt failed reading it: %v", r)}
	}()
	return f()
}

// readMeta returns the meta record; a database without buckets is a fresh
// state (zero Meta). It refuses foreign bbolt files and newer schemas.
func readMeta(btx *bolt.Tx, path string) (Meta, error) {
	var meta Meta
	b := btx.Bucket(bucketMeta)
	if b == nil {
		var names []string
		_ = btx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, string(name))
			return nil
		})
		if len(names) > 0 {
			return meta, &CorruptError{Path: path, Err: fmt.Errorf("it is a bbolt database of another program (buckets %q, no sessctl meta)", names)}
		}
		return meta, nil
	}
	v := b.Get(keyMeta)
	if v == nil {
		return meta, &CorruptError{Path: path, Err: errors.New("the meta record is missing")}
	}
	if err := json.Unmarshal(v, &meta); err != nil {
		return meta, &CorruptError{Path: path, Err: fmt.Errorf("the meta record does not decode: %v", err)}
	}
	if meta.SchemaVersion > SchemaVersion {
		return meta, &NewerSchemaError{Path: path, Version: meta.SchemaVersion}
	}
	if meta.SchemaVersion < 1 {
		return meta, &CorruptError{Path: path, Err: fmt.Errorf("the meta record has schema version %d", meta.SchemaVersion)}
	}
	return meta, nil
}

// errGateTimeout is returned by enterGate when the turnstile stayed taken
// until the deadline.
var errGateTimeout = errors.New("timed out at the state turnstile")

// errNoChange rolls back a Commit whose function changed nothing.
var errNoChange = errors.New("no change")

// Commit runs fn in one read-write transaction and commits what it did.
//
// It first checks that the current serial equals expectSerial (the serial
// of the snapshot the caller planned from; 0 for a fresh state) and
// returns a *StaleError (errors.Is ErrStale) otherwise. fn then puts and
// deletes partition records and sets meta fields through tx; if fn returns
// an error nothing is written. If fn changed anything, one history entry
// is appended, the serial is bumped by one, the lineage is created on the
// first write, and the transaction is committed (fsynced) before Commit
// returns the new serial. If fn changed nothing, nothing is written and
// the serial stays expectSerial.
//
// Commit creates the state directory (0700) and file (0600) when missing
// (even when fn then changes nothing: the file is an empty database, which
// reads as a fresh state).
// It does not take the writer lock; callers that write profiles hold it
// (AcquireLock) around writing them and calling Commit.
func (s *Store) Commit(expectSerial uint64, fn func(*Tx) error) (newSerial uint64, err error) {
	dir := filepath.Dir(s.path)
	if err := fsx.MkdirAll(dir, DirMode); err != nil {
		return 0, fmt.Errorf("create state directory for %s: %w", s.path, err)
	}
	fi, statErr := os.Stat(s.path)
	created := errors.Is(statErr, fs.ErrNotExist)
	if statErr == nil && fi.IsDir() {
		return 0, fmt.Errorf("state %s is a directory; --state must name a file", s.path)
	}
	inCallback := false
	err = s.protect(&inCallback, func() error {
		db, err := s.open(false)
		if err != nil {
			return err
		}
		defer db.Close()
		if created {
			// bbolt passes FileMode to open(2), where the umask could only
			// narrow it; chmod makes it exact.
			if err := os.Chmod(s.path, FileMode); err != nil {
				return fmt.Errorf("state %s: %w", s.path, err)
			}
		}
		return db.Update(func(btx *bolt.Tx) error {
			meta, err := readMeta(btx, s.path)
			if err != nil {
				return err
			}
			if meta.Serial != expectSerial {
				return &StaleError{Path: s.path, Expect: expectSerial, Actual: meta.Serial}
			}
			tx, err := s.beginTx(btx, meta)
			if err != nil {
				return err
			}
			inCallback = true
			err = fn(tx)
			inCallback = false
			if err != nil {
				return err
			}
			if newSerial, err = tx.finish(); err != nil {
				return err
			}
			// Everything is staged in bbolt's transaction; a crash from
			// here until Update returns leaves the previous state.
			return fault.Step(fault.Commit, s.path)
		})
	})
	if errors.Is(err, errNoChange) {
		return expectSerial, nil
	}
	if err != nil {
		return 0, err
	}
	// Committed and fsynced: a crash from here on keeps this state.
	if err := fault.Step(fault.Done, s.path); err != nil {
		return newSerial, fmt.Errorf("state %s: committed, but: %w", s.path, err)
	}
	if created {
		// Make the new directory entry durable, not only its content.
		if err := fsx.SyncDir(dir); err != nil {
			return newSerial, fmt.Errorf("state %s: committed, but fsync of %s failed: %w", s.path, dir, err)
		}
	}
	return newSerial, nil
}

// historyKey is the big-endian serial, so keys sort in commit order.
func historyKey(serial uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], serial)
	return k[:]
}

// poisoned lists files whose bbolt Open panicked in this process; see open.
var poisoned struct {
	sync.Mutex
	files []poisonedFile
}

type poisonedFile struct {
	fi  os.FileInfo
	err error
}

func poison(path string, err error) {
	fi, serr := os.Stat(path)
	if serr != nil {
		return
	}
	poisoned.Lock()
	defer poisoned.Unlock()
	poisoned.files = append(poisoned.files, poisonedFile{fi, err})
}

func poisonedErr(path string) error {
	poisoned.Lock()
	defer poisoned.Unlock()
	if len(poisoned.files) == 0 {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	for _, p := range poisoned.files {
		if os.SameFile(fi, p.fi) {
			return p.err
		}
	}
	return nil
}
