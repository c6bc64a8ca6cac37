package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// clock is a settable time source for deterministic applied-at values.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newStore(t testing.TB, path string) (*Store, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	s, err := New(path, &Options{Now: c.now, Version: "test", Host: "test-host", OpenTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func shaHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func rec(name, profile string) PartitionRecord {
	return PartitionRecord{
		Name:          name,
		File:          strings.NewReplacer(":", "_").Replace(name) + ".json",
		Profile:       json.RawMessage(profile),
		ProfileSHA256: shaHex(profile),
	}
}

func mustLoad(t *testing.T, s *Store) *Snapshot {
	t.Helper()
	snap, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func mustCommit(t *testing.T, s *Store, expect uint64, fn func(*Tx) error) uint64 {
	t.Helper()
	n, err := s.Commit(expect, fn)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestViewMissingFileCreatesNothing(t *testing.T) {
	root := t.TempDir()
	s, _ := newStore(t, filepath.Join(root, "state", "sessctl", "state.db"))
	called := false
	err := s.View(func(snap *Snapshot) error {
		called = true
		if snap.Exists || snap.Meta.Serial != 0 || len(snap.Partitions) != 0 || len(snap.Names()) != 0 {
			t.Errorf("fresh snapshot = %+v, want empty", snap)
		}
		return nil
	})
	if err != nil || !called {
		t.Fatalf("View: err=%v called=%v", err, called)
	}
	h, err := s.History(0)
	if err != nil || len(h) != 0 {
		t.Errorf("History on missing file = %v, %v", h, err)
	}
	holder, err := s.LockHolder()
	if err != nil || holder != nil {
		t.Errorf("LockHolder on missing file = %v, %v", holder, err)
	}
	if ents, _ := os.ReadDir(root); len(ents) != 0 {
		t.Errorf("reading created %v", ents)
	}
}

func TestViewPassesCallbackError(t *testing.T) {
	s, _ := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	want := errors.New("boom")
	if err := s.View(func(*Snapshot) error { return want }); err != want {
		t.Errorf("View err = %v, want the callback's", err)
	}
}

func TestFirstCommitCreatesPrivateFile(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "xdg", "sessctl")
	path := filepath.Join(dir, "state.db")
	s, c := newStore(t, path)

	serial := mustCommit(t, s, 0, func(tx *Tx) error {
		if tx.Meta().Serial != 0 || tx.Meta().Lineage != "" {
			t.Errorf("fresh tx meta = %+v", tx.Meta())
		}
		tx.SetConfigDigest("sha256:abc")
		tx.SetOutputDir("/out")
		return tx.Put(rec("persist:work", `{"proxy": {"mode": "direct"}}`))
	})
	if serial != 1 {
		t.Fatalf("first serial = %d, want 1", serial)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700, filepath.Join(root, "xdg"): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode = %v, want %v", p, fi.Mode().Perm(), want)
		}
	}

	snap := mustLoad(t, s)
	m := snap.Meta
	if !snap.Exists || m.Serial != 1 || m.SchemaVersion != SchemaVersion || m.ConfigDigest != "sha256:abc" ||
		m.OutputDir != "/out" || !m.AppliedAt.Equal(c.t) || !m.CreatedAt.Equal(c.t) || m.WrittenBy != "test" {
		t.Errorf("meta = %+v", m)
	}
	if _, err := uuid.Parse(m.Lineage); err != nil {
		t.Errorf("lineage %q is not a UUID: %v", m.Lineage, err)
	}
	r, ok := snap.Get("persist:work")
	if !ok {
		t.Fatal("record missing")
	}
	if r.Revision != 1 || !r.AppliedAt.Equal(c.t) || r.File != "persist_work.json" ||
		string(r.Profile) != `{"proxy":{"mode":"direct"}}` || r.ProfileSHA256 != shaHex(`{"proxy": {"mode": "direct"}}`) {
		t.Errorf("record = %+v profile=%s", r, r.Profile)
	}
}

func TestSerialRevisionAndAppliedAt(t *testing.T) {
	s, c := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	t0 := c.t
	mustCommit(t, s, 0, func(tx *Tx) error {
		if err := tx.Put(rec("a", `{"v":1}`)); err != nil {
			return err
		}
		return tx.Put(rec("b", `{"v":1}`))
	})
	lineage := mustLoad(t, s).Meta.Lineage

	// Change a's profile, keep b identical: a's revision bumps, b's
	// revision and applied-at stay.
	c.t = t0.Add(time.Hour)
	serial := mustCommit(t, s, 1, func(tx *Tx) error {
		if err := tx.Put(rec("a", `{"v":2}`)); err != nil {
			return err
		}
		return tx.Put(rec("b", `{"v":1}`))
	})
	if serial != 2 {
		t.Fatalf("serial = %d, want 2", serial)
	}
	snap := mustLoad(t, s)
	a, _ := snap.Get("a")
	b, _ := snap.Get("b")
	if a.Revision != 2 || !a.AppliedAt.Equal(c.t) {
		t.Errorf("a = rev %d at %v, want rev 2 at %v", a.Revision, a.AppliedAt, c.t)
	}
	if b.Revision != 1 || !b.AppliedAt.Equal(t0) {
		t.Errorf("b = rev %d at %v, want rev 1 at %v", b.Revision, b.AppliedAt, t0)
	}
	if snap.Meta.Lineage != lineage {
		t.Errorf("lineage changed from %s to %s", lineage, snap.Meta.Lineage)
	}

	// Only inputs change: a change (applied-at moves) but the same
	// profile revision.
	c.t = t0.Add(2 * time.Hour)
	mustCommit(t, s, 2, func(tx *Tx) error {
		r := rec("b", `{"v":1}`)
		r.Inputs = []FileInput{{Path: "/opt/preload.js", SHA256: shaHex("js")}}
		return tx.Put(r)
	})
	b, _ = mustLoad(t, s).Get("b")
	if b.Revision != 1 || !b.AppliedAt.Equal(c.t) || len(b.Inputs) != 1 {
		t.Errorf("b after input change = %+v", b)
	}

	// Putting it twice in one transaction counts as one revision step.
	mustCommit(t, s, 3, func(tx *Tx) error {
		if err := tx.Put(rec("a", `{"v":3}`)); err != nil {
			return err
		}
		return tx.Put(rec("a", `{"v":4}`))
	})
	a, _ = mustLoad(t, s).Get("a")
	if a.Revision != 3 || string(a.Profile) != `{"v":4}` {
		t.Errorf("a after double put = rev %d %s, want rev 3 {\"v\":4}", a.Revision, a.Profile)
	}
}

func TestCommitWithoutChangeWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, _ := newStore(t, path)
	mustCommit(t, s, 0, func(tx *Tx) error {
		tx.SetConfigDigest("d1")
		return tx.Put(rec("a", `{"v":1}`))
	})
	before, _ := os.ReadFile(path)
	serial := mustCommit(t, s, 1, func(tx *Tx) error {
		tx.SetConfigDigest("d1")
		if err := tx.Delete("absent"); err != nil {
			return err
		}
		// Put then restore: net effect nothing.
		if err := tx.Put(rec("a", `{"v":9}`)); err != nil {
			return err
		}
		return tx.Put(rec("a", `{"v":1}`))
	})
	if serial != 1 {
		t.Errorf("serial after no-op commit = %d, want 1", serial)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("a no-op commit changed the file")
	}
	if h, _ := s.History(0); len(h) != 1 {
		t.Errorf("history has %d entries, want 1", len(h))
	}
	// A changed config digest alone is a write.
	if serial := mustCommit(t, s, 1, func(tx *Tx) error { tx.SetConfigDigest("d2"); return nil }); serial != 2 {
		t.Errorf("serial after digest change = %d, want 2", serial)
	}
}

func TestStaleSerialRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, _ := newStore(t, path)
	mustCommit(t, s, 0, func(tx *Tx) error { return tx.Put(rec("a", `{}`)) })
	mustCommit(t, s, 1, func(tx *Tx) error { return tx.Put(rec("b", `{}`)) })

	called := false
	_, err := s.Commit(1, func(tx *Tx) error { called = true; return tx.Put(rec("c", `{}`)) })
	var se *StaleError
	if !errors.Is(err, ErrStale) || !errors.As(err, &se) || se.Expect != 1 || se.Actual != 2 {
		t.Fatalf("err = %v, want StaleError 1 vs 2", err)
	}
	for _, want := range []string{path, "expected serial 1", "found serial 2", "plan again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if called {
		t.Error("the commit function ran on a stale serial")
	}
	if _, ok := mustLoad(t, s).Get("c"); ok {
		t.Error("stale commit wrote a record")
	}
	// A fresh state is serial 0: expecting 1 there is stale too.
	s2, _ := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	if _, err := s2.Commit(1, func(*Tx) error { return nil }); !errors.Is(err, ErrStale) {
		t.Errorf("commit expecting 1 on a fresh state: %v", err)
	}
}

func TestCommitFunctionErrorWritesNothing(t *testing.T) {
	s, _ := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	mustCommit(t, s, 0, func(tx *Tx) error { return tx.Put(rec("a", `{"v":1}`)) })
	want := errors.New("profile write failed")
	_, err := s.Commit(1, func(tx *Tx) error {
		if err := tx.Put(rec("a", `{"v":2}`)); err != nil {
			return err
		}
		if err := tx.Delete("a"); err != nil {
			return err
		}
		return want
	})
	if !errors.Is(err, want) {
		t.Fatalf("err = %v", err)
	}
	snap := mustLoad(t, s)
	if a, ok := snap.Get("a"); !ok || string(a.Profile) != `{"v":1}` || snap.Meta.Serial != 1 {
		t.Errorf("after failed commit: %+v serial %d", a, snap.Meta.Serial)
	}

	// A panic in the function is an error, not a crash, and not blamed on
	// the file.
	_, err = s.Commit(1, func(tx *Tx) error { panic("bug") })
	var ce *CorruptError
	if err == nil || errors.As(err, &ce) || !strings.Contains(err.Error(), "bug") {
		t.Errorf("panicking function: err = %v", err)
	}
	if mustLoad(t, s).Meta.Serial != 1 {
		t.Error("panicking function committed")
	}
}

func TestHistoryAppendOnly(t *testing.T) {
	s, c := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	t0 := c.t
	mustCommit(t, s, 0, func(tx *Tx) error {
		tx.SetConfigDigest("d1")
		for _, n := range []string{"c", "a", "b"} {
			if err := tx.Put(rec(n, `{"v":1}`)); err != nil {
				return err
			}
		}
		return nil
	})
	c.t = t0.Add(time.Minute)
	mustCommit(t, s, 1, func(tx *Tx) error {
		tx.SetConfigDigest("d2")
		if err := tx.Put(rec("a", `{"v":2}`)); err != nil {
			return err
		}
		if err := tx.Put(rec("d", `{"v":1}`)); err != nil {
			return err
		}
		return tx.Delete("b")
	})
	c.t = t0.Add(2 * time.Minute)
	mustCommit(t, s, 2, func(tx *Tx) error {
		tx.SetOperation(OpDestroy)
		for _, n := range tx.Names() {
			if err := tx.Delete(n); err != nil {
				return err
			}
		}
		return nil
	})

	want := []HistoryEntry{
		{Serial: 1, Time: t0, Operation: OpApply, ConfigDigest: "d1", Add: 3, Partitions: []string{"a", "b", "c"}, WrittenBy: "test"},
		{Serial: 2, Time: t0.Add(time.Minute), Operation: OpApply, ConfigDigest: "d2", Add: 1, Change: 1, Destroy: 1, Partitions: []string{"a", "b", "d"}, WrittenBy: "test"},
		{Serial: 3, Time: t0.Add(2 * time.Minute), Operation: OpDestroy, ConfigDigest: "d2", Destroy: 3, Partitions: []string{"a", "c", "d"}, WrittenBy: "test"},
	}
	got, err := s.History(0)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("history\n got %s\nwant %s", g, w)
	}
	last, err := s.History(2)
	if err != nil || len(last) != 2 || last[0].Serial != 2 || last[1].Serial != 3 {
		t.Errorf("History(2) = %+v, %v; want serials 2, 3", last, err)
	}
	if snap := mustLoad(t, s); len(snap.Partitions) != 0 || snap.Meta.Serial != 3 {
		t.Errorf("after destroy: %d partitions, serial %d", len(snap.Partitions), snap.Meta.Serial)
	}
}

func TestHistoryCapsPartitionList(t *testing.T) {
	s, _ := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	mustCommit(t, s, 0, func(tx *Tx) error {
		for i := range maxHistoryPartitions + 5 {
			if err := tx.Put(rec(fmt.Sprintf("p%04d", i), `{}`)); err != nil {
				return err
			}
		}
		return nil
	})
	h, err := s.History(1)
	if err != nil || len(h) != 1 {
		t.Fatal(h, err)
	}
	if h[0].Add != maxHistoryPartitions+5 || len(h[0].Partitions) != maxHistoryPartitions || h[0].PartitionsOmitted != 5 || h[0].Partitions[0] != "p0000" {
		t.Errorf("entry: add %d, %d names, %d omitted", h[0].Add, len(h[0].Partitions), h[0].PartitionsOmitted)
	}
}

func TestPutValidation(t *testing.T) {
	s, _ := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	good := rec("persist:work", `{}`)
	tests := []struct {
		name    string
		mutate  func(*PartitionRecord)
		wantErr string
	}{
		{"empty name", func(r *PartitionRecord) { r.Name = "" }, "name is empty"},
		{"huge name", func(r *PartitionRecord) { r.Name = strings.Repeat("x", bolt.MaxKeySize+1) }, "limit"},
		{"invalid utf8 name", func(r *PartitionRecord) { r.Name = "a\xff" }, "UTF-8"},
		{"file escapes", func(r *PartitionRecord) { r.File = "../../etc/passwd" }, "path separator"},
		{"file dotdot", func(r *PartitionRecord) { r.File = ".." }, "directory"},
		{"file empty", func(r *PartitionRecord) { r.File = "" }, "empty"},
		{"bad sha", func(r *PartitionRecord) { r.ProfileSHA256 = "abc" }, "SHA-256"},
		{"uppercase sha", func(r *PartitionRecord) { r.ProfileSHA256 = strings.ToUpper(shaHex("")) }, "lowercase"},
		{"bad input sha", func(r *PartitionRecord) { r.Inputs = []FileInput{{Path: "/x", SHA256: "zz"}} }, "input /x"},
		{"profile not json", func(r *PartitionRecord) { r.Profile = json.RawMessage(`{"a":`) }, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.mutate(&r)
			_, err := s.Commit(0, func(tx *Tx) error { return tx.Put(r) })
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			// PutAll checks as Put does, wherever the bad record is.
			many := make([]PartitionRecord, 600)
			for i := range many {
				many[i] = rec(fmt.Sprintf("persist:p%d", i), `{}`)
			}
			many[417] = r
			_, err = s.Commit(0, func(tx *Tx) error { return tx.PutAll(many) })
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("PutAll: err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	if snap := mustLoad(t, s); snap.Meta.Serial != 0 || len(snap.Partitions) != 0 {
		t.Errorf("rejected puts left serial %d, %d records", snap.Meta.Serial, len(snap.Partitions))
	}
}

func TestCheckLineage(t *testing.T) {
	s, _ := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	// Fresh state accepts any lineage.
	mustCommit(t, s, 0, func(tx *Tx) error {
		if err := tx.CheckLineage("0b0e0b0e-0000-4000-8000-000000000000"); err != nil {
			return err
		}
		return tx.Put(rec("a", `{}`))
	})
	lineage := mustLoad(t, s).Meta.Lineage
	_, err := s.Commit(1, func(tx *Tx) error {
		if err := tx.CheckLineage("0b0e0b0e-0000-4000-8000-000000000000"); err != nil {
			return err
		}
		return tx.Put(rec("b", `{}`))
	})
	if !errors.Is(err, ErrLineage) || !strings.Contains(err.Error(), lineage) {
		t.Errorf("err = %v, want ErrLineage naming %s", err, lineage)
	}
	mustCommit(t, s, 1, func(tx *Tx) error {
		if err := tx.CheckLineage(lineage); err != nil {
			return err
		}
		return tx.Put(rec("b", `{}`))
	})
}

func TestTxGetAndNames(t *testing.T) {
	s, _ := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	mustCommit(t, s, 0, func(tx *Tx) error {
		if err := tx.Put(rec("b", `{"x":1}`)); err != nil {
			return err
		}
		if err := tx.Put(rec("a", `{"x":2}`)); err != nil {
			return err
		}
		if got := tx.Names(); fmt.Sprint(got) != "[a b]" {
			t.Errorf("Names = %v", got)
		}
		r, ok, err := tx.Get("b")
		if err != nil || !ok || string(r.Profile) != `{"x":1}` || r.Revision != 1 {
			t.Errorf("Get(b) = %+v %v %v", r, ok, err)
		}
		if _, ok, _ := tx.Get("zz"); ok {
			t.Error("Get of absent name found something")
		}
		return nil
	})
	recs, err := s.List()
	if err != nil || len(recs) != 2 || recs[0].Name != "a" || recs[1].Name != "b" {
		t.Errorf("List = %v, %v", recs, err)
	}
}

func TestDamagedFiles(t *testing.T) {
	validDB := func(t *testing.T, path string) {
		s, _ := newStore(t, path)
		mustCommit(t, s, 0, func(tx *Tx) error {
			for i := range 500 {
				if err := tx.Put(rec(fmt.Sprintf("p%03d", i), `{"pad":"`+strings.Repeat("x", 200)+`"}`)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	rawBolt := func(t *testing.T, path string, fn func(*bolt.Tx) error) {
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string)
		wantErr string // "" means: reads as a fresh state
		target  any    // error type expected (pointer to pointer)
	}{
		{"text file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(strings.Repeat("this is not a database\n", 500)), 0o600)
		}, "not a readable sessctl state file", new(*CorruptError)},
		{"short garbage", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("xx"), 0o600)
		}, "not a readable sessctl state file", new(*CorruptError)},
		{"empty file", func(t *testing.T, path string) {
			os.WriteFile(path, nil, 0o600)
		}, "", nil},
		{"empty bbolt database", func(t *testing.T, path string) {
			rawBolt(t, path, func(*bolt.Tx) error { return nil })
		}, "", nil},
		{"foreign bbolt database", func(t *testing.T, path string) {
			rawBolt(t, path, func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
		}, "another program", new(*CorruptError)},
		{"garbled meta", func(t *testing.T, path string) {
			rawBolt(t, path, func(tx *bolt.Tx) error {
				b, _ := tx.CreateBucket(bucketMeta)
				return b.Put(keyMeta, []byte("{nope"))
			})
		}, "meta record does not decode", new(*CorruptError)},
		{"newer schema", func(t *testing.T, path string) {
			rawBolt(t, path, func(tx *bolt.Tx) error {
				b, _ := tx.CreateBucket(bucketMeta)
				return b.Put(keyMeta, []byte(`{"lineage":"x","serial":7,"schema_version":99}`))
			})
		}, "schema version 99, but this sessctl understands up to version 1", new(*NewerSchemaError)},
		{"record under wrong key", func(t *testing.T, path string) {
			validDB(t, path)
			rawBolt(t, path, func(tx *bolt.Tx) error {
				return tx.Bucket(bucketPartitions).Put([]byte("p000"), encodeHeader(nil, &recordHeader{Name: "other", File: "x"}))
			})
		}, "stored under the key", new(*CorruptError)},
		{"truncated database", func(t *testing.T, path string) {
			validDB(t, path)
			fi, _ := os.Stat(path)
			os.Truncate(path, fi.Size()/3)
		}, "not a readable sessctl state file", new(*CorruptError)},
		{"zeroed data pages", func(t *testing.T, path string) {
			validDB(t, path)
			b, _ := os.ReadFile(path)
			// Keep the two meta pages (first 2 pages), wipe the rest with
			// a pattern that is not a valid page header.
			ps := os.Getpagesize()
			for i := 2 * ps; i < len(b); i++ {
				b[i] = 0xA5
			}
			os.WriteFile(path, b, 0o600)
		}, "not a readable sessctl state file", new(*CorruptError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			tt.setup(t, path)
			before, _ := os.ReadFile(path)
			s, _ := newStore(t, path)
			snap, err := s.Load()
			if tt.wantErr == "" {
				if err != nil || snap.Meta.Serial != 0 || len(snap.Partitions) != 0 {
					t.Fatalf("Load = %+v, %v; want a fresh state", snap, err)
				}
				// And it can be written to.
				if n, err := s.Commit(0, func(tx *Tx) error { return tx.Put(rec("a", `{}`)) }); err != nil || n != 1 {
					t.Fatalf("Commit on %s = %d, %v", tt.name, n, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Load err = %v; want it to name %s and contain %q", err, path, tt.wantErr)
			}
			if !errors.As(err, tt.target) {
				t.Errorf("Load err type %T, want %T", err, tt.target)
			}
			_, err = s.Commit(0, func(tx *Tx) error { return tx.Put(rec("a", `{}`)) })
			if err == nil {
				t.Error("Commit on a damaged file succeeded")
			}
			// History reads only meta and history, so some damage goes unseen
			// by it; it must still never hang or panic.
			start := time.Now()
			_, herr := s.History(0)
			if time.Since(start) > hangBound {
				t.Errorf("History took %v: a lock leaked by an earlier failure?", time.Since(start))
			}
			// A database left open by an earlier failure shows as a
			// BusyError once the open timeout passes: say it by type, not
			// by how long it took.
			var busy *BusyError
			if errors.As(herr, &busy) {
				t.Errorf("History: %v: a lock leaked by an earlier failure", herr)
			}
			if err := herr; err == nil && tt.name != "record under wrong key" && tt.name != "zeroed data pages" {
				t.Error("History on a damaged file succeeded")
			}
			after, _ := os.ReadFile(path)
			if string(before) != string(after) {
				t.Error("a refused file was modified")
			}
		})
	}
}

func TestStatePathIsDirectory(t *testing.T) {
	dir := t.TempDir()
	s, _ := newStore(t, dir)
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Load err = %v", err)
	}
	if _, err := s.Commit(0, func(*Tx) error { return nil }); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Commit err = %v", err)
	}
}

// A reader waits for a process that has the database open read-write only
// up to OpenTimeout, then fails with a message naming the file.
func TestViewBusyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, _ := newStore(t, path)
	mustCommit(t, s, 0, func(tx *Tx) error { return tx.Put(rec("a", `{}`)) })

	db, err := bolt.Open(path, 0o600, nil) // holds flock LOCK_EX like a commit in progress
	if err != nil {
		t.Fatal(err)
	}
	short, _ := New(path, &Options{OpenTimeout: 200 * time.Millisecond})
	start := time.Now()
	_, err = short.Load()
	var be *BusyError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), path) {
		t.Errorf("Load err = %v, want BusyError naming the path", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > hangBound {
		t.Errorf("waited %v, want about 200ms", d)
	}
	db.Close()
	if _, err := short.Load(); err != nil {
		t.Errorf("Load after close: %v", err)
	}
}

func TestRevisionFollowsProfileOnly(t *testing.T) {
	s, _ := newStore(t, filepath.Join(t.TempDir(), "state.db"))
	mustCommit(t, s, 0, func(tx *Tx) error { return tx.Put(rec("a", `{"v":1}`)) })
	steps := []struct {
		name   string
		mutate func(*PartitionRecord)
		rev    uint64
		serial uint64
	}{
		// Same JSON with other whitespace: compacts to the same bytes, but
		// the written file's digest differs, so the profile changed.
		{"reformatted, new digest", func(r *PartitionRecord) { r.Profile = []byte(`{ "v" : 1 }`); r.ProfileSHA256 = shaHex(`{ "v" : 1 }`) }, 2, 2},
		{"file renamed only", func(r *PartitionRecord) {
			r.Profile = []byte(`{ "v" : 1 }`)
			r.ProfileSHA256 = shaHex(`{ "v" : 1 }`)
			r.File = "renamed.json"
		}, 2, 3},
		{"profile dropped", func(r *PartitionRecord) {
			r.Profile = nil
			r.File = "renamed.json"
			r.ProfileSHA256 = shaHex(`{ "v" : 1 }`)
		}, 3, 4},
	}
	for _, st := range steps {
		r := rec("a", `{"v":1}`)
		st.mutate(&r)
		serial := mustCommit(t, s, st.serial-1, func(tx *Tx) error { return tx.Put(r) })
		got, _ := mustLoad(t, s).Get("a")
		if serial != st.serial || got.Revision != st.rev || got.File != r.File {
			t.Errorf("%s: serial %d rev %d file %s; want serial %d rev %d", st.name, serial, got.Revision, got.File, st.serial, st.rev)
		}
	}
	got, _ := mustLoad(t, s).Get("a")
	if got.Profile != nil {
		t.Errorf("dropped profile still stored: %s", got.Profile)
	}
}

// TestPutAllIsPutEach: PutAll (which checks and compacts on every core)
// leaves the same records as a Put of each in order: compacted profiles,
// revisions bumped only by a changed profile, a name put twice counting
// once, the later value winning.
func TestPutAllIsPutEach(t *testing.T) {
	dir := t.TempDir()
	one, c1 := newStore(t, filepath.Join(dir, "one.db"))
	all, c2 := newStore(t, filepath.Join(dir, "all.db"))
	batches := [][]PartitionRecord{{}, {}}
	for i := range 700 {
		batches[0] = append(batches[0], rec(fmt.Sprintf("persist:p%d", i), fmt.Sprintf("{ \"v\" : [ %d , \"x y\" ] }", i)))
		v := i
		if i%3 == 0 {
			v = i + 1 // changed
		}
		batches[1] = append(batches[1], rec(fmt.Sprintf("persist:p%d", i), fmt.Sprintf("{\"v\":[%d,\"x y\"]}", v)))
	}
	batches[1] = append(batches[1], rec("persist:p5", `{"v":"again"}`), rec("persist:new", ` { } `))
	for i, b := range batches {
		c1.t = c1.t.Add(time.Hour)
		c2.t = c1.t
		mustCommit(t, one, uint64(i), func(tx *Tx) error {
			for _, r := range b {
				if err := tx.Put(r); err != nil {
					return err
				}
			}
			return nil
		})
		mustCommit(t, all, uint64(i), func(tx *Tx) error { return tx.PutAll(slices.Clone(b)) })
	}
	a, b := mustLoad(t, one), mustLoad(t, all)
	if len(a.Partitions) != 701 || len(b.Partitions) != len(a.Partitions) {
		t.Fatalf("%d and %d records, want 701", len(a.Partitions), len(b.Partitions))
	}
	for name, ra := range a.Partitions {
		rb := b.Partitions[name]
		if rb == nil || string(ra.Profile) != string(rb.Profile) || ra.Revision != rb.Revision || !ra.AppliedAt.Equal(rb.AppliedAt) {
			t.Fatalf("%s: Put each gave %+v, PutAll %+v", name, ra, rb)
		}
	}
	if p := a.Partitions["persist:p3"]; p.Revision != 2 || string(p.Profile) != `{"v":[4,"x y"]}` {
		t.Errorf("persist:p3 = rev %d %s, want rev 2 and a compacted profile", p.Revision, p.Profile)
	}
	if p := a.Partitions["persist:p5"]; p.Revision != 2 || string(p.Profile) != `{"v":"again"}` {
		t.Errorf("persist:p5 put twice = rev %d %s", p.Revision, p.Profile)
	}
}
