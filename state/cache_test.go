package state

import (
	"encoding/json"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func mustMeta(t *testing.T, s *Store) Meta {
	t.Helper()
	m, err := s.Meta()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCacheFollowsCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := New(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	put := func(name, sha string, cache []byte, set bool) uint64 {
		t.Helper()
		serial, err := s.Commit(mustMeta(t, s).Serial, func(tx *Tx) error {
			if set {
				tx.SetCache(cache)
			}
			return tx.Put(PartitionRecord{Name: name, File: "p-" + name + ".json", ProfileSHA256: sha})
		})
		if err != nil {
			t.Fatal(err)
		}
		return serial
	}
	cacheOf := func() []byte {
		t.Helper()
		_, c, err := s.Cache()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := cacheOf(); c != nil {
		t.Fatalf("a missing state has cache %q", c)
	}
	sha1 := "1111111111111111111111111111111111111111111111111111111111111111"
	sha2 := "2222222222222222222222222222222222222222222222222222222222222222"
	put("a", sha1, []byte("one"), true)
	if c := cacheOf(); string(c) != "one" {
		t.Fatalf("cache = %q, want one", c)
	}
	// A commit that changes only the cache writes it without a new serial
	// or history entry.
	before := mustMeta(t, s).Serial
	if got := put("a", sha1, []byte("two"), true); got != before {
		t.Fatalf("cache-only commit moved the serial %d -> %d", before, got)
	}
	if c := cacheOf(); string(c) != "two" {
		t.Fatalf("cache = %q, want two", c)
	}
	if h, _ := s.History(0); len(h) != 1 {
		t.Fatalf("history has %d entries, want 1", len(h))
	}
	// A commit that does not set it drops it: it would describe the state
	// before that commit.
	put("b", sha2, nil, false)
	if c := cacheOf(); c != nil {
		t.Fatalf("cache %q survived a commit that did not set it", c)
	}
	// A cache written at an older serial is not returned (a writer that
	// does not know the key committed since).
	put("c", sha1, []byte("three"), true)
	if c := cacheOf(); string(c) != "three" {
		t.Fatalf("cache = %q, want three", c)
	}
	// An older writer bumps the serial and leaves the key alone.
	db, err := bolt.Open(path, FileMode, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketMeta)
		var m Meta
		if err := json.Unmarshal(b.Get(keyMeta), &m); err != nil {
			return err
		}
		m.Serial++
		v, _ := json.Marshal(m)
		return b.Put(keyMeta, v)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if c := cacheOf(); c != nil {
		t.Fatalf("cache %q of serial %d returned at serial %d", c, mustMeta(t, s).Serial-1, mustMeta(t, s).Serial)
	}
	snap, err := s.LoadSome([]string{"a", "c", "zz", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Partitions) != 2 || snap.Partitions["a"] == nil || snap.Partitions["c"] == nil {
		t.Fatalf("LoadSome = %v", snap.Names())
	}
	if n := snap.Names(); len(n) != 2 || n[0] != "a" || n[1] != "c" {
		t.Fatalf("LoadSome names = %v", n)
	}
}
