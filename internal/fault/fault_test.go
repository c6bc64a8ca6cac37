package fault

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	for _, v := range []string{"kill@1", "kill@300", "fsync:EIO@2", "write:ENOSPC@1", "rename:EROFS@7", "commit:EDQUOT@1", "count"} {
		if _, err := parse(v); err != nil {
			t.Errorf("parse(%q): %v", v, err)
		}
	}
	for _, v := range []string{"kill", "kill@0", "kill@-1", "kill@x", "fsync@2", "fsync:EPERM@2", "flush:EIO@1", "fsync:EIO", ":EIO@1", "counts"} {
		if _, err := parse(v); err == nil {
			t.Errorf("parse(%q) succeeded, want an error", v)
		}
	}
}

// OP:ERRNO@K fails exactly the K-th step of kind OP, once, counting only
// steps of that kind; with no plan every step succeeds.
func TestStepFailsTheKthStepOfItsKind(t *testing.T) {
	defer active.Store(nil)
	active.Store(nil)
	if err := Step(Fsync, "/x"); err != nil {
		t.Fatalf("Step with no plan = %v", err)
	}
	p, err := parse("fsync:EIO@2")
	if err != nil {
		t.Fatal(err)
	}
	active.Store(p)
	var failed []int
	for i := 1; i <= 5; i++ {
		if err := Step(Write, "/w"); err != nil {
			t.Fatalf("a write step failed: %v", err)
		}
		if err := Step(Fsync, "/f"); err != nil {
			var pe *fs.PathError
			if !errors.Is(err, syscall.EIO) || !errors.As(err, &pe) || pe.Path != "/f" || pe.Op != "fsync" {
				t.Errorf("injected error = %#v", err)
			}
			failed = append(failed, i)
		}
	}
	if len(failed) != 1 || failed[0] != 2 {
		t.Errorf("fsync steps that failed: %v, want [2]", failed)
	}
	if got := p.steps.Load(); got != 10 {
		t.Errorf("steps counted = %d, want 10", got)
	}
}
