package state

import (
	"errors"
	"fmt"
)

// ErrStale is matched (errors.Is) by a *StaleError.
var ErrStale = errors.New("state changed since it was read")

// StaleError is returned by Commit when the state serial is not the one the
// caller based its work on, typically a saved plan applied after another
// apply.
type StaleError struct {
	Path   string
	Expect uint64 // serial the caller read
	Actual uint64 // serial in the file now
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("state %s changed since it was read: expected serial %d, found serial %d; run plan again", e.Path, e.Expect, e.Actual)
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// ErrLineage is returned by Tx.CheckLineage when the state file is not the
// one the caller read from.
var ErrLineage = errors.New("state lineage differs")

// NewerSchemaError refuses a state file written by a newer sessctl.
type NewerSchemaError struct {
	Path    string
	Version int
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("state %s has schema version %d, but this sessctl understands up to version %d; upgrade sessctl (the file is left untouched)", e.Path, e.Version, SchemaVersion)
}

// CorruptError reports a state file that cannot be read as sessctl state:
// not a bbolt database, damaged pages, or values that do not decode.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("state %s is not a readable sessctl state file: %v; run 'sessctl state recover' to rebuild it from the output directory (the damaged file is kept aside), or point --state elsewhere", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// BusyError reports that the state database stayed open read-write in
// another process for longer than the store's timeout.
type BusyError struct {
	Path   string
	Waited string
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("state %s is held open by another process (waited %s); retry, or look for a sessctl or bbolt process that keeps it open", e.Path, e.Waited)
}
