package state_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/state"
)

// The apply sequence: lock, read, write outputs, then record them in one
// transaction that refuses a state changed since it was read.
func Example() {
	dir, _ := os.MkdirTemp("", "sessctl-example")
	defer os.RemoveAll(dir)
	path, source := state.ResolvePath("", "", []string{"XDG_STATE_HOME=" + dir})
	fmt.Println(filepath.Base(filepath.Dir(path)), filepath.Base(path), "from", source)

	s, err := state.New(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	lock, err := s.AcquireLock(context.Background(), state.DefaultLockTimeout, "apply")
	if err != nil {
		log.Fatal(err) // *state.LockedError names the holder
	}
	defer lock.Release()

	snap, err := s.Load()
	if err != nil {
		log.Fatal(err)
	}

	// 1. Outputs first, atomically.
	out := filepath.Join(dir, "profiles")
	profile := []byte(`{"format_version":1,"proxy":{"mode":"direct"}}`)
	if err := fsx.MkdirAll(out, 0o755); err != nil {
		log.Fatal(err)
	}
	file, err := fsx.SafeJoin(out, "persist_work.json")
	if err != nil {
		log.Fatal(err)
	}
	if err := fsx.WriteFileAtomic(file, profile, 0o644); err != nil {
		log.Fatal(err)
	}

	// 2. Then state, in one transaction based on the serial read above.
	sum := sha256.Sum256(profile)
	serial, err := s.Commit(snap.Meta.Serial, func(tx *state.Tx) error {
		tx.SetOutputDir(out)
		tx.SetConfigDigest("sha256:example")
		return tx.Put(state.PartitionRecord{
			Name:          "persist:work",
			File:          "persist_work.json",
			Profile:       profile,
			ProfileSHA256: hex.EncodeToString(sum[:]), // of the bytes written
		})
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, state.ErrStale) when another apply ran
	}
	fmt.Println("serial", serial)

	recs, _ := s.List()
	fmt.Println(recs[0].Name, "revision", recs[0].Revision)
	// Output:
	// sessctl state.db from default ($XDG_STATE_HOME/sessctl/state.db)
	// serial 1
	// persist:work revision 1
}
