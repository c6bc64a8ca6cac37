package state

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A large commit with CommitSize maps the file once: bbolt no longer
// copies the transaction's keys and values onto the heap at every
// remapping, so the commit allocates about the data it stores, not a
// multiple of it; the state reads back the same and the file is no larger
// than a few allocation steps past its data.
func TestCommitSizeAvoidsRemaps(t *testing.T) {
	if runtime.GOOS == "windows" || strconv.IntSize < 64 {
		t.Skip("CommitSize is ignored here")
	}
	const n = 2000
	profile := `{"fields":"` + strings.Repeat("x", 3000) + `"}`
	commit := func(size int64) (alloc uint64, fileSize int64) {
		path := filepath.Join(t.TempDir(), "state.db")
		s, err := New(path, &Options{Version: "test", Host: "test-host", OpenTimeout: 2 * time.Second, CommitSize: size})
		if err != nil {
			t.Fatal(err)
		}
		recs := make([]PartitionRecord, n)
		for i := range recs {
			recs[i] = rec(fmt.Sprintf("p%05d", i), profile)
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		if _, err := s.Commit(0, func(tx *Tx) error {
			for _, r := range recs {
				if err := tx.Put(r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		snap, err := s.Load()
		if err != nil || len(snap.Partitions) != n || string(snap.Partitions["p01999"].Profile) != profile {
			t.Fatalf("state after the commit: %d partitions, %v", len(snap.Partitions), err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return m1.TotalAlloc - m0.TotalAlloc, fi.Size()
	}
	data := uint64(n * len(profile))
	without, _ := commit(0)
	with, size := commit(int64(data) + n*200)
	t.Logf("commit of %d MB: %d MB allocated without CommitSize, %d MB with; file %d MB", data>>20, without>>20, with>>20, size>>20)
	if with > 4*data {
		t.Errorf("a commit of %d bytes allocated %d bytes with CommitSize, want under 4 times the data", data, with)
	}
	if with >= without {
		t.Errorf("CommitSize did not reduce allocation: %d with, %d without", with, without)
	}
	if size > int64(data)+64<<20 {
		t.Errorf("state file is %d bytes for %d bytes of data", size, data)
	}
}
