// Package fault lets tests stop or fail a real sessctl process at a chosen
// step of publishing its output, counted in work done rather than time:
// the crash trials (cmd/sessctl TestCrashTrials) kill the process at the
// K-th step, the fault-injection tests make the K-th fsync return EIO.
//
// The steps are the file-system calls of internal/fsx (creating, writing,
// fsyncing and renaming temporary files, fsyncing directories, removing
// files, creating directories) and the state's own (taking the writer
// lock, opening the bbolt file, committing a transaction). Each calls
// Step.
//
// Nothing happens unless the environment variable SESSCTL_TEST_FAULT is
// set when the process starts (it is read once). Its forms:
//
//	kill@K          the process SIGKILLs itself at its K-th step (any kind)
//	OP:ERRNO@K      the K-th step of kind OP fails with ERRNO (ENOSPC, EIO,
//	                EROFS or EDQUOT), once; OP is one of the Op constants
//	count           the process prints the number of steps, in all and of
//	                each kind, on standard error when the command ends
//	                (Report)
//
// An invalid value is reported on standard error and ignored. With the
// variable unset, Step is one atomic load. See docs/development.md.
package fault

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// EnvVar is the environment variable read at start-up.
const EnvVar = "SESSCTL_TEST_FAULT"

// Op is a kind of step.
type Op string

// The steps.
const (
	Create  Op = "create"  // a temporary file was created
	Write   Op = "write"   // data was written to a temporary file
	Fsync   Op = "fsync"   // a file's content is about to be fsynced (or the file system synced)
	Rename  Op = "rename"  // a file is about to be renamed into place
	SyncDir Op = "syncdir" // a directory is about to be fsynced
	Remove  Op = "remove"  // a file is about to be removed
	Mkdir   Op = "mkdir"   // directories are about to be created
	Lock    Op = "lock"    // the writer lock was taken, its owner information not yet written
	Open    Op = "open"    // the state file was opened (and created, if missing)
	Commit  Op = "commit"  // a state transaction is about to be committed
	Done    Op = "done"    // a state transaction was committed
)

var ops = [...]Op{Create, Write, Fsync, Rename, SyncDir, Remove, Mkdir, Lock, Open, Commit, Done}

func opIndex(op Op) int {
	for i, o := range ops {
		if o == op {
			return i
		}
	}
	return -1
}

var errnos = map[string]syscall.Errno{
	"ENOSPC": syscall.ENOSPC,
	"EIO":    syscall.EIO,
	"EROFS":  syscall.EROFS,
	"EDQUOT": syscall.EDQUOT,
}

// plan is the parsed SESSCTL_TEST_FAULT; nil when unset.
type plan struct {
	kill  int64         // kill at this step (any kind); 0: never
	op    Op            // fail the at-th step of this kind
	at    int64         //
	errno syscall.Errno //
	count bool          // report the number of steps at the end

	steps   atomic.Int64           // steps of every kind so far
	opSteps [len(ops)]atomic.Int64 // steps of each kind so far, in ops' order
}

var active atomic.Pointer[plan]

func init() {
	if v, ok := os.LookupEnv(EnvVar); ok && v != "" {
		p, err := parse(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "sessctl: ignoring %s=%q: %v\n", EnvVar, v, err)
			return
		}
		active.Store(p)
	}
}

func parse(v string) (*plan, error) {
	if v == "count" {
		return &plan{count: true}, nil
	}
	what, at, ok := strings.Cut(v, "@")
	if !ok {
		return nil, fmt.Errorf(`want "kill@K", "OP:ERRNO@K" or "count"`)
	}
	k, err := strconv.ParseInt(at, 10, 64)
	if err != nil || k < 1 {
		return nil, fmt.Errorf("step %q is not a positive number", at)
	}
	if what == "kill" {
		return &plan{kill: k}, nil
	}
	opName, errName, ok := strings.Cut(what, ":")
	if !ok {
		return nil, fmt.Errorf(`want "kill@K", "OP:ERRNO@K" or "count"`)
	}
	errno, ok := errnos[errName]
	if !ok {
		return nil, fmt.Errorf("unknown errno %q (ENOSPC, EIO, EROFS, EDQUOT)", errName)
	}
	if opIndex(Op(opName)) < 0 {
		return nil, fmt.Errorf("unknown step %q", opName)
	}
	return &plan{op: Op(opName), at: k, errno: errno}, nil
}

// Step marks one step of kind op on path. It returns the injected error
// (a *fs.PathError wrapping the errno) when this is the step to fail, and
// does not return when this is the step to die at.
func Step(op Op, path string) error {
	p := active.Load()
	if p == nil {
		return nil
	}
	n := p.steps.Add(1)
	if n == p.kill {
		die()
	}
	i := opIndex(op)
	if i < 0 {
		return nil
	}
	if p.opSteps[i].Add(1) == p.at && op == p.op {
		return &fs.PathError{Op: string(op), Path: path, Err: p.errno}
	}
	return nil
}

// die ends the process at once, as a crash or kill -9 would: no deferred
// function, no cleanup.
func die() {
	if pr, err := os.FindProcess(os.Getpid()); err == nil {
		_ = pr.Kill()
	}
	// The signal is delivered asynchronously to the other threads; make
	// sure this one does nothing more meanwhile.
	for {
		time.Sleep(time.Hour)
	}
}

// Report prints, when SESSCTL_TEST_FAULT=count, the number of steps taken
// and of each kind on standard error, as one line:
//
//	sessctl-test-fault: 312 steps create=83 write=83 fsync=1 ...
//
// The CLI calls it when a command ends.
func Report() {
	p := active.Load()
	if p == nil || !p.count {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sessctl-test-fault: %d steps", p.steps.Load())
	for i, op := range ops {
		fmt.Fprintf(&b, " %s=%d", op, p.opSteps[i].Load())
	}
	fmt.Fprintln(os.Stderr, b.String())
}
