//go:build unix

package state

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// tryLock takes an exclusive flock without blocking; false when another
// open file holds it.
func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		default:
			return false, err
		}
	}
}

func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// gatePoll is how often a caller waiting at the gate retries. Holders
// keep the gate only while they obtain bbolt's own lock, so waits are
// short and a fine poll keeps readers from missing their turn.
const gatePoll = 2 * time.Millisecond

// enterGate takes an exclusive flock on dir, the turnstile every opener of
// a state database passes before bbolt's own flock and leaves right after
// getting it. bbolt retries its lock only every 50ms with LOCK_NB, so a
// writer that commits back to back would otherwise win every race and
// starve readers; with the turnstile, a reader that arrived during a
// commit is let in before the writer's next commit. A flock on the
// directory needs no extra file and no write permission.
//
// It returns ok=false without error when the gate cannot be used (the
// directory cannot be opened): callers then fall back to bbolt's lock
// alone, which is still correct, only less fair.
func enterGate(dir string, deadline time.Time) (leave func(), ok bool, err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, false, nil
	}
	for {
		got, err := tryLock(d)
		if err != nil {
			d.Close()
			return nil, false, nil
		}
		if got {
			return func() { _ = unlock(d); _ = d.Close() }, true, nil
		}
		if time.Now().After(deadline) {
			d.Close()
			return nil, false, errGateTimeout
		}
		time.Sleep(gatePoll)
	}
}
