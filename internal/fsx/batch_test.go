package fsx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/fault"
)

// A batch puts nothing in place before Commit, everything after it, with
// the permissions asked, and leaves no temporary file; both ways of
// syncing (an fsync each for a few files, syncfs for many on Linux) are
// taken.
func TestBatchCommit(t *testing.T) {
	for _, n := range []int{1, 3 * syncfsMinForTest()} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			for i := 0; i < n; i += 2 { // half the paths hold old content
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", i)), []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var b Batch
			for i := 0; i < n; i++ {
				if err := b.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", i)), []byte(fmt.Sprintf("new %d", i)), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			sub := filepath.Join(dir, "a", "b")
			if err := b.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if st, err := os.Stat(sub); err != nil || !st.IsDir() {
				t.Fatalf("MkdirAll did not create %s at once: %v", sub, err)
			}
			for i := 0; i < n; i++ {
				p := filepath.Join(dir, fmt.Sprintf("f%d", i))
				b, err := os.ReadFile(p)
				if i%2 == 0 && string(b) != "old" || i%2 == 1 && !os.IsNotExist(err) {
					t.Fatalf("%s before Commit: %q, %v; want the old content or nothing", p, b, err)
				}
			}
			if err := b.Commit(); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < n; i++ {
				p := filepath.Join(dir, fmt.Sprintf("f%d", i))
				if got := readFile(t, p); got != fmt.Sprintf("new %d", i) {
					t.Errorf("%s = %q after Commit", p, got)
				}
				if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
					t.Errorf("%s mode %v, want 0600", p, st.Mode().Perm())
				}
			}
			for _, name := range entries(t, dir) {
				if IsTempName(name) {
					t.Errorf("temporary file left: %s", name)
				}
			}
			if err := b.Commit(); err == nil {
				t.Errorf("a second Commit succeeded")
			}
		})
	}
}

// Abort, and a failure while renaming, leave no temporary file; paths not
// yet renamed keep their old content.
func TestBatchAbortAndFailedRename(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "kept")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var b Batch
	if err := b.WriteFile(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Abort()
	if got := readFile(t, p); got != "old" {
		t.Errorf("content after Abort = %q, want old", got)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory after Abort holds %q, want only kept", got)
	}
	if err := b.Commit(); err == nil {
		t.Errorf("Commit after Abort succeeded")
	}

	var c Batch
	for _, name := range []string{"a", "b", "c"} {
		if err := c.WriteFile(filepath.Join(dir, name), []byte("new "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.WriteFile(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	renamed := 0
	testHook = func(op fault.Op, tmp string) error {
		if op != fault.Rename {
			return nil
		}
		if renamed == 2 {
			return errors.New("simulated failure")
		}
		renamed++
		return nil
	}
	defer func() { testHook = nil }()
	err := c.Commit()
	if err == nil || !strings.Contains(err.Error(), "simulated failure") {
		t.Fatalf("Commit = %v, want the simulated failure", err)
	}
	if readFile(t, filepath.Join(dir, "a")) != "new a" || readFile(t, filepath.Join(dir, "b")) != "new b" {
		t.Errorf("files renamed before the failure are not in place")
	}
	if _, err := os.Stat(filepath.Join(dir, "c")); !os.IsNotExist(err) {
		t.Errorf("c, never renamed, exists: %v", err)
	}
	if got := readFile(t, p); got != "old" {
		t.Errorf("kept, never renamed, = %q, want old", got)
	}
	for _, name := range entries(t, dir) {
		if IsTempName(name) {
			t.Errorf("temporary file left: %s", name)
		}
	}
}
