package fsx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sessctl/sessctl/internal/fault"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entries lists dir, so tests can assert that no temporary file is left.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWriteFileAtomicCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "profile.json")

	if err := WriteFileAtomic(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "one" {
		t.Fatalf("content = %q, want %q", got, "one")
	}
	if err := WriteFileAtomic(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "two" {
		t.Fatalf("content = %q, want %q", got, "two")
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600 (the perm of the last write)", fi.Mode().Perm())
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != "profile.json" {
		t.Errorf("directory holds %q, want only profile.json", got)
	}
}

func TestWriteFileAtomicPermIgnoresUmask(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	// 0o666 would become 0o644 under the usual umask 022 if it were
	// passed to open(2) instead of chmod(2).
	if err := WriteFileAtomic(p, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o666 {
		t.Errorf("mode = %v, want 0666", fi.Mode().Perm())
	}
	if fi.Size() != 0 {
		t.Errorf("size = %d, want 0", fi.Size())
	}
}

func TestWriteFileAtomicFailureKeepsOldContent(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "profile.json")
	if err := WriteFileAtomic(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}

	var sawTemp string
	testHook = func(op fault.Op, tmp string) error {
		if op != fault.Rename {
			return nil
		}
		sawTemp = tmp
		// The temp file must be complete and beside the target.
		if got := readFile(t, tmp); got != "new" {
			t.Errorf("temp content = %q, want %q", got, "new")
		}
		return errors.New("simulated failure")
	}
	defer func() { testHook = nil }()

	err := WriteFileAtomic(p, []byte("new"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "simulated failure") {
		t.Fatalf("err = %v, want the simulated failure", err)
	}
	if filepath.Dir(sawTemp) != dir {
		t.Errorf("temp %s not in %s", sawTemp, dir)
	}
	base := filepath.Base(sawTemp)
	if !strings.HasPrefix(base, ".profile.json.tmp-") || !IsTempName(base) {
		t.Errorf("temp name %q does not start with .profile.json.tmp-", base)
	}
	if got := readFile(t, p); got != "old" {
		t.Errorf("content after failed write = %q, want the old %q", got, "old")
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %q, want the temp file cleaned up", got)
	}
}

func TestWriteFileAtomicOntoDirectoryFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "sub")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), []byte("k"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFileAtomic(target, []byte("x"), 0o644)
	if err == nil {
		t.Fatal("writing over a non-empty directory succeeded")
	}
	if !strings.Contains(err.Error(), target) {
		t.Errorf("error %q does not name the path", err)
	}
	got := entries(t, dir)
	if len(got) != 1 || got[0] != "sub" {
		t.Errorf("directory holds %q, want only sub (temp removed)", got)
	}
}

func TestWriteFileAtomicMissingDirectory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope", "f")
	if err := WriteFileAtomic(p, []byte("x"), 0o644); err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
}

func TestWriteFileAtomicReplacesSymlinkNotTarget(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "profile.json")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, victim); got != "precious" {
		t.Errorf("symlink target was written through: %q", got)
	}
	fi, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() {
		t.Errorf("path is %v, want a regular file", fi.Mode())
	}
}

func TestWriteFileAtomicBadPath(t *testing.T) {
	for _, p := range []string{"", "a\x00b", "/tmp/x/..", "dir/"} {
		if err := WriteFileAtomic(p, nil, 0o644); err == nil {
			t.Errorf("WriteFileAtomic(%q) succeeded, want an error", p)
		}
	}
}

func TestSafeJoin(t *testing.T) {
	tests := []struct {
		name    string
		want    string // joined path, empty when an error is expected
		wantErr string
	}{
		{"persist_work.json", "/out/persist_work.json", ""},
		{"..hidden", "/out/..hidden", ""}, // a name that merely starts with dots is fine
		{"é.json", "/out/é.json", ""},
		{"", "", "empty"},
		{".", "", "refers to a directory"},
		{"..", "", "refers to a directory"},
		{"a/b", "", "path separator"},
		{"../etc", "", "path separator"},
		{"/etc", "", "path separator"},
		{`a\b`, "", "path separator"},
		{"a\x00b", "", "NUL"},
		{"a\nb", "", "control character"},
		{"a\x7fb", "", "control character"},
		{"a\u0085b", "", "control character"}, // C1 control (NEL)
		{"a\xffb", "", "UTF-8"},
	}
	for _, tt := range tests {
		got, err := SafeJoin("/out", tt.name)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("SafeJoin(%q) = %q, %v; want error containing %q", tt.name, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("SafeJoin(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestMkdirAll(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	if err := MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b"), deep} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want a 0700 directory", p, fi.Mode())
		}
	}
	// Existing directories are left as they are.
	if err := os.Chmod(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(deep); fi.Mode().Perm() != 0o755 {
		t.Errorf("existing directory mode changed to %v", fi.Mode().Perm())
	}
	// A file in the way is an error naming it.
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := MkdirAll(filepath.Join(file, "sub"), 0o700)
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("MkdirAll under a file: err = %v, want 'not a directory'", err)
	}
}

func TestRemove(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "profile.json")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Remove(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(p); !os.IsNotExist(err) {
		t.Errorf("file still there: %v", err)
	}
	if err := Remove(p); err != nil {
		t.Errorf("removing a missing file: %v", err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Remove(sub); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("removing a directory: %v", err)
	}
	// A symlink is removed, not its target.
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("t"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(target, link)
	if err := Remove(link); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("symlink target removed: %v", err)
	}
}

// A writer that fails at any step (ENOSPC or EIO from write, fsync or
// rename) leaves the old content in place and no temporary file behind,
// for every writer: WriteFileAtomic, the no-dir-sync variant and a Batch
// (whose fsyncs and renames happen in Commit). The cleanup once removed ""
// instead of the temporary file. A failed fsync of the directory comes
// after the rename: the new content is then in place, whole, and the
// error says that only its durability is in doubt.
func TestFaultsLeaveOldContentAndNoTemp(t *testing.T) {
	defer func() { testHook = nil }()
	writers := []struct {
		name  string
		write func(path string) error
	}{
		{"WriteFileAtomic", func(p string) error { return WriteFileAtomic(p, []byte("new"), 0o644) }},
		{"NoDirSync", func(p string) error { return WriteFileAtomicNoDirSync(p, []byte("new"), 0o644) }},
		{"Batch", func(p string) error {
			b := &Batch{}
			if err := b.WriteFile(p, []byte("new"), 0o644); err != nil {
				b.Abort()
				return err
			}
			return b.Commit()
		}},
		{"BatchSyncfs", func(p string) error {
			// Enough files for syncfs on Linux; the others go to siblings.
			b := &Batch{}
			for i := range syncfsMinForTest() {
				q := p
				if i > 0 {
					q = fmt.Sprintf("%s.%d", p, i)
				}
				if err := b.WriteFile(q, []byte("new"), 0o644); err != nil {
					b.Abort()
					return err
				}
			}
			return b.Commit()
		}},
	}
	for _, w := range writers {
		for _, op := range []fault.Op{fault.Create, fault.Write, fault.Fsync, fault.Rename, fault.SyncDir} {
			for _, errno := range []error{syscall.ENOSPC, syscall.EIO} {
				if op == fault.SyncDir && w.name == "NoDirSync" {
					continue // it never syncs the directory
				}
				t.Run(fmt.Sprintf("%s/%s/%v", w.name, op, errno), func(t *testing.T) {
					dir := t.TempDir()
					path := filepath.Join(dir, "p.json")
					if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
						t.Fatal(err)
					}
					injected := 0
					testHook = func(o fault.Op, p string) error {
						if o != op || injected > 0 {
							return nil
						}
						injected++
						return &fs.PathError{Op: string(o), Path: p, Err: errno}
					}
					err := w.write(path)
					testHook = nil
					if injected == 0 {
						t.Fatalf("no %s step was taken", op)
					}
					if !errors.Is(err, errno) {
						t.Fatalf("err = %v, want %v", err, errno)
					}
					want := "old"
					if op == fault.SyncDir {
						want = "new"
						if !strings.Contains(err.Error(), "fsync of") {
							t.Errorf("err = %v, want it to say the directory fsync failed", err)
						}
					}
					if b, _ := os.ReadFile(path); string(b) != want {
						t.Fatalf("p.json = %q, want %q", b, want)
					}
					for _, name := range entries(t, dir) {
						if IsTempName(name) {
							t.Fatalf("temporary file left: %s", name)
						}
						if name != "p.json" && op != fault.SyncDir {
							t.Fatalf("%s is in place after a failed batch", name)
						}
					}
				})
			}
		}
	}
}

// Removing and creating directories report injected faults too, and
// change nothing then.
func TestFaultsRemoveMkdir(t *testing.T) {
	defer func() { testHook = nil }()
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	testHook = func(o fault.Op, p string) error { return &fs.PathError{Op: string(o), Path: p, Err: syscall.EIO} }
	if err := Remove(path); !errors.Is(err, syscall.EIO) {
		t.Errorf("Remove = %v, want EIO", err)
	}
	if readFile(t, path) != "old" {
		t.Errorf("file changed by a failed Remove")
	}
	sub := filepath.Join(dir, "a", "b")
	if err := MkdirAll(sub, 0o755); !errors.Is(err, syscall.EIO) {
		t.Errorf("MkdirAll = %v, want EIO", err)
	}
	var b Batch
	if err := b.MkdirAll(sub, 0o755); !errors.Is(err, syscall.EIO) {
		t.Errorf("Batch.MkdirAll = %v, want EIO", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
		t.Errorf("a failed MkdirAll created %s: %v", filepath.Join(dir, "a"), err)
	}
}
