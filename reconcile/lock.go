package reconcile

import (
	"context"
	"sync"
	"time"

	"github.com/sessctl/sessctl/state"
)

// Unlocker releases a held writer lock.
type Unlocker interface{ Release() error }

// lockWaitNotice is how long a writer waits for the state lock before
// LockState tells who holds it, as Terraform does ("Acquiring state
// lock. This may take a few moments..."). A variable for tests.
var lockWaitNotice = time.Second

// LockState takes the writer lock of the state at statePath for op
// ("apply", "destroy", "recover"), waiting up to timeout. If the lock is
// still held after a second, onWait (when not nil) is called once
// with a description of the holder, so a waiting writer is never silent.
func LockState(ctx context.Context, statePath, op string, timeout time.Duration, onWait func(holder string)) (Unlocker, error) {
	st, err := state.New(statePath, nil)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	var mu sync.Mutex
	finished := false
	defer func() {
		mu.Lock()
		finished = true
		mu.Unlock()
		close(done)
	}()
	if onWait != nil && timeout > lockWaitNotice {
		notice := time.NewTimer(lockWaitNotice)
		defer notice.Stop()
		go func() {
			select {
			case <-done:
			case <-notice.C:
				who := "another process (its owner information is missing)"
				if h, err := st.LockHolder(); err == nil && h != nil {
					who = h.String()
				} else if err == nil && h == nil {
					return // released meanwhile
				}
				mu.Lock()
				defer mu.Unlock()
				if !finished {
					onWait(who)
				}
			}
		}()
	}
	lk, err := st.AcquireLock(ctx, timeout, op)
	if err != nil {
		return nil, err
	}
	return lk, nil
}
