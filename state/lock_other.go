//go:build !unix && !windows

package state

import (
	"errors"
	"os"
	"time"
)

// The writer lock uses flock(2) on Unix and LockFileEx on Windows; other
// platforms are not supported yet.
func tryLock(*os.File) (bool, error) {
	return false, errors.New("the state writer lock is only implemented on Unix systems")
}

func unlock(*os.File) error { return nil }

func enterGate(string, time.Time) (func(), bool, error) { return nil, false, nil }
