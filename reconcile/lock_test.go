package reconcile

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/state"
)

// A writer that waits for the lock says who holds it, once, and then gets
// the lock when the holder lets go. The holder releases the lock only
// when told, so the test does not depend on how long anything takes.
func TestLockStateTellsWhoHoldsIt(t *testing.T) {
	old := lockWaitNotice
	lockWaitNotice = 10 * time.Millisecond
	defer func() { lockWaitNotice = old }()

	path := filepath.Join(t.TempDir(), "state.db")
	st, err := state.New(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	held, err := st.AcquireLock(context.Background(), 0, "apply")
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	lk, err := LockState(context.Background(), path, "destroy", time.Minute, func(holder string) {
		notices = append(notices, holder)
		_ = held.Release()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Release()
	if len(notices) != 1 || !strings.Contains(notices[0], `operation "apply"`) || !strings.Contains(notices[0], "pid ") {
		t.Fatalf("notices = %q; want one naming the holder", notices)
	}
	// Nobody waits for a free lock, so nothing is said.
	_ = lk.Release()
	notices = nil
	lk2, err := LockState(context.Background(), path, "apply", time.Minute, func(h string) { notices = append(notices, h) })
	if err != nil {
		t.Fatal(err)
	}
	_ = lk2.Release()
	if len(notices) != 0 {
		t.Fatalf("notice for a free lock: %q", notices)
	}
}
