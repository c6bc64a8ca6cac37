package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sessctl/sessctl/internal/fault"
	"github.com/sessctl/sessctl/internal/fsx"
)

// DefaultLockTimeout is the default of --lock-timeout.
const DefaultLockTimeout = 10 * time.Second

// lockPoll is how often a waiting writer retries the lock.
const lockPoll = 50 * time.Millisecond

// LockInfo says who holds the writer lock. The holder writes it into the
// lock file right after acquiring the lock.
type LockInfo struct {
	PID       int       `json:"pid"`
	Host      string    `json:"host"`
	Operation string    `json:"operation"`
	Since     time.Time `json:"since"`
	Version   string    `json:"version,omitempty"`
}

func (i *LockInfo) String() string {
	return fmt.Sprintf("pid %d on host %q (operation %q, since %s)", i.PID, i.Host, i.Operation, i.Since.UTC().Format(time.RFC3339))
}

// ErrLocked is matched (errors.Is) by a *LockedError.
var ErrLocked = errors.New("state is locked")

// LockedError is returned by AcquireLock when another process kept the
// writer lock for the whole timeout.
type LockedError struct {
	// LockPath is the lock file.
	LockPath string
	// Holder is the owner information from the lock file; nil when it
	// could not be read (the holder may be between locking and writing it).
	Holder *LockInfo
	// Waited is the timeout that elapsed.
	Waited time.Duration
}

func (e *LockedError) Error() string {
	who := "another process (its owner information in the lock file is missing or unreadable)"
	if e.Holder != nil {
		who = e.Holder.String()
	}
	return fmt.Sprintf("state is locked by %s; waited %s (lock file %s); retry when it finishes or raise --lock-timeout", who, e.Waited, e.LockPath)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Lock is a held writer lock. Release it when the write is done; if the
// process dies first, the kernel releases it.
type Lock struct {
	f    *os.File
	info LockInfo
}

// LockPath is the writer lock file: the state path plus ".lock". The file
// is never removed (removing it would let two writers lock two different
// files); only its content is cleared on release.
func (s *Store) LockPath() string { return s.path + ".lock" }

// AcquireLock takes the writer lock, retrying every 50ms until timeout
// (timeout <= 0 tries once) or until ctx is done. While waiting, readers
// are not affected. On timeout it returns a *LockedError naming the holder.
// operation ("apply", "watch", "destroy") is recorded for whoever waits
// next.
//
// The lock is flock(2) on LockPath, created 0600 with its directory (0700)
// when missing. Within one process, two AcquireLock calls exclude each
// other too (flock locks belong to the open file, not the process).
func (s *Store) AcquireLock(ctx context.Context, timeout time.Duration, operation string) (*Lock, error) {
	if err := fsx.MkdirAll(filepath.Dir(s.path), DirMode); err != nil {
		return nil, fmt.Errorf("create state directory for %s: %w", s.path, err)
	}
	path := s.LockPath()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return nil, fmt.Errorf("open state lock %s: %w", path, err)
	}
	deadline := time.Now().Add(timeout)
	var timer *time.Timer
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			if err := fault.Step(fault.Lock, path); err != nil {
				_ = unlock(f)
				f.Close()
				return nil, fmt.Errorf("lock %s: %w", path, err)
			}
			break
		}
		left := time.Until(deadline)
		if left <= 0 {
			f.Close()
			return nil, &LockedError{LockPath: path, Holder: readHolder(path), Waited: max(timeout, 0)}
		}
		if timer == nil {
			timer = time.NewTimer(min(lockPoll, left))
			defer timer.Stop()
		} else {
			timer.Reset(min(lockPoll, left))
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for state lock %s: %w", path, context.Cause(ctx))
		case <-timer.C:
		}
	}

	host := s.host
	if host == "" {
		host, _ = os.Hostname()
	}
	l := &Lock{f: f, info: LockInfo{PID: os.Getpid(), Host: host, Operation: operation, Since: s.now().UTC().Truncate(time.Second), Version: s.version}}
	b, _ := json.Marshal(l.info)
	// Owner information is advisory: failing to write it must not fail the
	// operation, a waiter then reports an unknown holder.
	if f.Truncate(0) == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return l, nil
}

// Info is the owner information this lock recorded.
func (l *Lock) Info() LockInfo { return l.info }

// Release clears the owner information and unlocks. Calling it twice is
// harmless.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	_ = f.Truncate(0)
	err := unlock(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readHolder reads the owner information; nil if missing or garbled.
func readHolder(path string) *LockInfo {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return nil
	}
	var info LockInfo
	if json.Unmarshal(b, &info) != nil || info.PID <= 0 {
		return nil
	}
	return &info
}

// LockHolder returns who holds the writer lock now, or nil when nobody
// does. It briefly tries the lock itself to tell a live holder from
// information left by a process that died.
func (s *Store) LockHolder() (*LockInfo, error) {
	path := s.LockPath()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ok, err := tryLock(f)
	if err != nil {
		return nil, err
	}
	if ok {
		_ = unlock(f)
		return nil, nil
	}
	return readHolder(path), nil
}
