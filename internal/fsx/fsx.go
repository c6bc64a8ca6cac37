// Package fsx holds the file-system helpers sessctl uses to publish output:
// atomic replacement of a file, joining an untrusted name onto a directory,
// and creating directories durably.
//
// Guarantee of WriteFileAtomic: a reader of path sees either the complete
// old content or the complete new content, never a mix or a truncated
// file, even if the process or the machine crashes midway. The temporary
// file is written and fsynced before it is renamed over path (rename(2) is
// atomic within one file system), and the directory is fsynced after the
// rename so the new name itself survives a power loss.
package fsx

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sessctl/sessctl/internal/fault"
)

// tempInfix marks temporary files: "." + base + tempInfix + random hex.
// The leading dot keeps them out of naive directory listings and out of
// the glob an Electron adapter would use to find profiles.
const tempInfix = ".tmp-"

// testHook, when set by this package's tests, runs at every step (see
// step); a non-nil error fails that step as the system call would.
var testHook func(op fault.Op, path string) error

// step marks one step of publishing output: creating a temporary file
// (fault.Create), after writing its data (fault.Write), before an fsync or
// syncfs (fault.Fsync), a rename (fault.Rename), a directory fsync
// (fault.SyncDir), a removal (fault.Remove) and creating directories
// (fault.Mkdir). A non-nil error is an injected fault (testHook, or
// SESSCTL_TEST_FAULT through package fault) that the caller treats as the
// failure of that step; with SESSCTL_TEST_FAULT=kill@K the process may die
// here. Without either, it costs one atomic load.
func step(op fault.Op, path string) error {
	if testHook != nil {
		if err := testHook(op, path); err != nil {
			return err
		}
	}
	return fault.Step(op, path)
}

// WriteFileAtomic replaces the file at path with data, with permissions
// perm (applied with chmod, so the umask does not narrow them).
//
// It writes a temporary file in the same directory (created with O_EXCL
// under a random name starting with "." + base name + ".tmp-"), fsyncs it,
// renames it over path and fsyncs the directory. On any error before the
// rename the temporary file is removed and path keeps its old content. If
// only the final directory fsync fails, path already holds the new
// content but its durability across a power loss is not guaranteed; the
// error says so.
//
// If path is a symbolic link, the link itself is replaced by a regular
// file; the target is not written through. This keeps a planted link from
// redirecting sessctl's output.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	return writeFileAtomic(path, data, perm, true)
}

// WriteFileAtomicNoDirSync is WriteFileAtomic without the final fsync of
// the directory, for callers that write many files into one directory and
// call SyncDir once afterwards (one directory fsync instead of thousands).
// Until that SyncDir returns, a power loss may lose the rename (the old
// content, never a partial file, is then what survives).
func WriteFileAtomicNoDirSync(path string, data []byte, perm os.FileMode) error {
	return writeFileAtomic(path, data, perm, false)
}

func writeFileAtomic(path string, data []byte, perm os.FileMode, syncParent bool) (err error) {
	dir, tmp, err := stageTemp(path, data, perm, true)
	if err != nil {
		return err
	}
	if err = renameStep(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: rename temporary file into place: %w", path, err)
	}
	if !syncParent {
		return nil
	}
	if serr := SyncDir(dir); serr != nil {
		// The rename happened: the content is in place, so do not remove
		// anything; only report that durability is not assured.
		return fmt.Errorf("write %s: content replaced, but fsync of directory failed (the change may not survive a power loss): %w", path, serr)
	}
	return nil
}

// stageTemp writes data to a new temporary file beside path (see
// createTemp) with permissions perm, fsynced when sync, and closes it. It
// returns path's directory and the temporary's name; on error no
// temporary is left.
func stageTemp(path string, data []byte, perm os.FileMode, sync bool) (dir, tmp string, err error) {
	if strings.IndexByte(path, 0) >= 0 {
		return "", "", fmt.Errorf("write %q: path contains a NUL byte", path)
	}
	dir, base := filepath.Split(path)
	if base == "" || base == "." || base == ".." {
		return "", "", fmt.Errorf("write %q: path does not name a file", path)
	}
	if dir == "" {
		dir = "."
	}
	f, name, err := createTemp(dir, base)
	if err != nil {
		return "", "", fmt.Errorf("write %s: create temporary file: %w", path, err)
	}
	// The deferred cleanup uses name, not the named result tmp: every
	// error return below sets tmp to "" before deferred functions run, and
	// removing "" once left every failed write's temporary file behind.
	defer func() {
		if err != nil {
			_ = f.Close() // may already be closed; the error is irrelevant then
			_ = os.Remove(name)
		}
	}()
	if err = step(fault.Create, name); err != nil {
		return "", "", fmt.Errorf("write %s: create temporary file: %w", path, err)
	}
	if _, err = f.Write(data); err == nil {
		err = step(fault.Write, name)
	}
	if err != nil {
		return "", "", fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Chmod(perm.Perm()); err != nil {
		return "", "", fmt.Errorf("write %s: chmod temporary file: %w", path, err)
	}
	if sync {
		if err = step(fault.Fsync, name); err == nil {
			err = f.Sync()
		}
		if err != nil {
			return "", "", fmt.Errorf("write %s: fsync: %w", path, err)
		}
	}
	if err = f.Close(); err != nil {
		return "", "", fmt.Errorf("write %s: close: %w", path, err)
	}
	return dir, name, nil
}

// createTemp opens a new file next to base with O_EXCL. A name collision
// (practically impossible with 64 random bits) is retried a few times.
func createTemp(dir, base string) (*os.File, string, error) {
	var lastErr error
	for range 5 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, "", err
		}
		tmp := filepath.Join(dir, "."+base+tempInfix+hex.EncodeToString(b[:]))
		f, err := createExcl(tmp)
		if err == nil {
			return f, tmp, nil
		}
		lastErr = err
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	return nil, "", lastErr
}

// IsTempName reports whether name (a base name) is a temporary file left by
// WriteFileAtomic, for example after a crash. Cleanup code can remove such
// files; they are never the published content.
func IsTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempInfix)
}

// CheckName reports why name cannot be used as a single file name directly
// inside a directory, or nil if it can. Rejected: the empty string, "."
// and "..", anything containing a path separator ("/" and, on every
// platform, "\"), NUL or another control character, and invalid UTF-8.
// The rules are deliberately stricter than the kernel's so that a name
// taken from a configuration file can never address another directory.
func CheckName(name string) error {
	switch name {
	case "":
		return errors.New("file name is empty")
	case ".", "..":
		return fmt.Errorf("file name %q refers to a directory", name)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("file name %q is not valid UTF-8", name)
	}
	for _, r := range name {
		switch {
		case r == '/' || r == '\\' || r == filepath.Separator:
			return fmt.Errorf("file name %q contains a path separator %q", name, r)
		case r == 0:
			return fmt.Errorf("file name %q contains a NUL byte", name)
		case unicode.IsControl(r):
			return fmt.Errorf("file name %q contains the control character %U", name, r)
		}
	}
	return nil
}

// SafeJoin joins name onto dir after checking with CheckName that name is
// a single file name that stays directly inside dir. Use it for every
// file name derived from configuration or state.
func SafeJoin(dir, name string) (string, error) {
	if err := CheckName(name); err != nil {
		return "", fmt.Errorf("cannot place %q in %s: %w", name, dir, err)
	}
	return filepath.Join(dir, name), nil
}

// MkdirAll creates dir and any missing parents with permissions perm, like
// os.MkdirAll, and then fsyncs the parent of every directory it created so
// the new entries survive a power loss. Existing directories are left
// untouched (their permissions are not changed).
func MkdirAll(dir string, perm os.FileMode) error {
	missing, err := mkdirAll(dir, perm)
	if err != nil {
		return err
	}
	for _, p := range missing {
		if err := SyncDir(filepath.Dir(p)); err != nil {
			return fmt.Errorf("mkdir %s: fsync %s: %w", filepath.Clean(dir), filepath.Dir(p), err)
		}
	}
	return nil
}

// mkdirAll creates dir and any missing parents and returns those it
// created, deepest first; their parents still need an fsync.
func mkdirAll(dir string, perm os.FileMode) ([]string, error) {
	dir = filepath.Clean(dir)
	// The common cases first, in one or two system calls instead of a
	// stat of every ancestor: dir exists, or only dir is missing (an
	// apply creates thousands of download directories side by side).
	fi, err := os.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return nil, nil
	case errors.Is(err, fs.ErrNotExist) && filepath.Dir(dir) != dir:
		if err := step(fault.Mkdir, dir); err != nil {
			return nil, err
		}
		err := os.Mkdir(dir, perm)
		if err == nil {
			return []string{dir}, nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		// A parent is missing too, or dir appeared meanwhile: the
		// general case below, without a second fault step.
		return mkdirAllSlow(dir, perm, false)
	}
	return mkdirAllSlow(dir, perm, true)
}

// mkdirAllSlow is mkdirAll walking up from dir; withStep says whether to
// take the fault step before creating.
func mkdirAllSlow(dir string, perm os.FileMode, withStep bool) ([]string, error) {
	// Find the missing directories, deepest first.
	var missing []string
	for p := dir; ; {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return nil, fmt.Errorf("mkdir %s: %s exists and is not a directory", dir, p)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("mkdir %s: %w", dir, err)
		}
		missing = append(missing, p)
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		p = parent
	}
	if len(missing) == 0 {
		return nil, nil
	}
	if withStep {
		if err := step(fault.Mkdir, dir); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, perm); err != nil {
		return nil, err
	}
	return missing, nil
}

// Remove deletes the file at path and fsyncs its directory so the removal
// survives a power loss. A file that does not exist is not an error (the
// goal, no file, holds). Directories are not removed.
func Remove(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("remove %s: is a directory, not a file", path)
	}
	if err := step(fault.Remove, path); err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	if err := SyncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("remove %s: removed, but fsync of the directory failed (the removal may not survive a power loss): %w", path, err)
	}
	return nil
}

// Rename moves from to to (same directory or file system) and fsyncs the
// directory of to, so the move survives a power loss.
func Rename(from, to string) error {
	if err := renameStep(from, to); err != nil {
		return err
	}
	if err := SyncDir(filepath.Dir(to)); err != nil {
		return fmt.Errorf("rename %s: done, but fsync of the directory failed: %w", to, err)
	}
	return nil
}

// SyncDir fsyncs a directory so that entries created, renamed or removed in
// it survive a power loss (a no-op on Windows, where renames are written
// through instead).
func SyncDir(dir string) error {
	if err := step(fault.SyncDir, dir); err != nil {
		return err
	}
	return syncDir(dir)
}

// renameStep renames from over to (atomically replacing to) without
// syncing the directory: the rename step.
func renameStep(from, to string) error {
	if err := step(fault.Rename, from); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return rename(from, to)
}
