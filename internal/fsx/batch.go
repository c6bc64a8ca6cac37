package fsx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/sessctl/sessctl/internal/fault"
)

// Batch writes many files atomically, and creates directories durably,
// with a handful of syncs instead of one fsync per file and per directory:
// a first apply of 10,000 partitions otherwise spends most of its time
// waiting for 20,000 journal commits.
//
// WriteFile stages a file as WriteFileAtomic does (a temporary file next
// to it) but neither syncs nor renames it; MkdirAll creates directories at
// once and remembers their parents. Commit then makes every staged
// content durable (one syncfs(2) per file system on Linux, an fsync per
// file elsewhere), renames each temporary over its path, and fsyncs each
// directory touched once. The guarantee is WriteFileAtomic's: a crash at
// any point leaves each path with its old content or its new content,
// never a partial file, and everything is durable once Commit returns.
// Nothing staged is visible at its path before Commit.
//
// A Batch is safe for concurrent use.
type Batch struct {
	mu    sync.Mutex
	files []batchFile
	dirs  map[string]bool // directories whose entries must be synced
	used  bool
}

type batchFile struct{ tmp, path string }

// WriteFile stages data for path with permissions perm (umask ignored).
// On error nothing is staged for path and no temporary file is left.
func (b *Batch) WriteFile(path string, data []byte, perm os.FileMode) error {
	dir, tmp, err := stageTemp(path, data, perm, false)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.files = append(b.files, batchFile{tmp: tmp, path: path})
	b.noteDir(filepath.Clean(dir))
	b.mu.Unlock()
	return nil
}

// MkdirAll creates dir and any missing parents now, like the package's
// MkdirAll, and leaves the fsync of their parents to Commit.
func (b *Batch) MkdirAll(dir string, perm os.FileMode) error {
	missing, err := mkdirAll(dir, perm)
	if err != nil {
		return err
	}
	b.mu.Lock()
	for _, p := range missing {
		b.noteDir(filepath.Dir(p))
	}
	b.mu.Unlock()
	return nil
}

func (b *Batch) noteDir(d string) {
	if b.dirs == nil {
		b.dirs = map[string]bool{}
	}
	b.dirs[d] = true
}

// Commit makes the staged files durable and puts them in place (see
// Batch). On an error before the renames, no staged file is in place and
// the temporaries are removed; on an error during the renames, the files
// renamed so far are in place (each whole) and the rest removed. A Batch
// is committed (or aborted) once.
func (b *Batch) Commit() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used {
		return errors.New("fsx: batch already committed or aborted")
	}
	b.used = true
	if err := syncContents(b.files); err != nil {
		b.removeFrom(0)
		return err
	}
	for i, f := range b.files {
		if err := renameStep(f.tmp, f.path); err != nil {
			b.removeFrom(i)
			return fmt.Errorf("write %s: rename temporary file into place: %w", f.path, err)
		}
	}
	dirs := make([]string, 0, len(b.dirs))
	for d := range b.dirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		if err := SyncDir(d); err != nil {
			return fmt.Errorf("fsync of directory %s failed (the changes in it may not survive a power loss): %w", d, err)
		}
	}
	return nil
}

// Abort removes the staged temporaries; paths keep their old content.
// Directories created by MkdirAll stay.
func (b *Batch) Abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used {
		return
	}
	b.used = true
	b.removeFrom(0)
}

func (b *Batch) removeFrom(i int) {
	for _, f := range b.files[i:] {
		if err := os.Remove(f.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			continue // a leftover temporary is ignored by readers (IsTempName)
		}
	}
}

// fsyncEach is the portable way to make staged contents durable.
func fsyncEach(files []batchFile) error {
	for _, f := range files {
		if err := step(fault.Fsync, f.tmp); err != nil {
			return fmt.Errorf("write %s: fsync: %w", f.path, err)
		}
		h, err := os.OpenFile(f.tmp, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		err = h.Sync()
		if cerr := h.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: fsync: %w", f.path, err)
		}
	}
	return nil
}
