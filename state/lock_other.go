//go:build !unix

package state

import (
	"errors"
	"os"
)

// The writer lock uses flock(2); other platforms are not supported yet.
func tryLock(*os.File) (bool, error) {
	return false, errors.New("the state writer lock is only implemented on Unix systems")
}

func unlock(*os.File) error { return nil }
