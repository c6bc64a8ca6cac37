package state

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Environment of the child process that holds the writer lock: the test
// binary re-executes itself with these set (see TestMain).
const (
	envChildLock = "SESSCTL_STATE_TEST_LOCK_CHILD"
	envChildOp   = "SESSCTL_STATE_TEST_LOCK_OP"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(envChildLock); path != "" {
		if os.Getenv(envChildOp) == "commit-loop" {
			os.Exit(commitLoopChild(path))
		}
		os.Exit(lockChild(path, os.Getenv(envChildOp)))
	}
	os.Exit(m.Run())
}

// commitLoopChild behaves like a busy watch: it holds the writer lock and
// commits a changed 500-partition state over and over until stdin closes.
func commitLoopChild(path string) int {
	s, err := New(path, &Options{Host: "child-host"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	l, err := s.AcquireLock(context.Background(), 10*time.Second, "watch")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer l.Release()
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	snap, err := s.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	serial := snap.Meta.Serial
	for i := 0; ; i++ {
		n, err := s.Commit(serial, func(tx *Tx) error {
			for j := range 500 {
				r := PartitionRecord{Name: fmt.Sprintf("p%04d", j), File: fmt.Sprintf("p%04d.json", j),
					Profile: []byte(fmt.Sprintf(`{"cycle":%d,"pad":"%s"}`, i, strings.Repeat("x", 500)))}
				if err := tx.Put(r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		serial = n
		if i == 0 {
			fmt.Println("locked")
		}
		select {
		case <-done:
			return 0
		default:
		}
	}
}

// lockChild takes the lock, says "locked" on stdout and holds the lock
// until its stdin is closed.
func lockChild(path, op string) int {
	s, err := New(path, &Options{Host: "child-host", Version: "child"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	l, err := s.AcquireLock(context.Background(), 10*time.Second, op)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := l.Release(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startLockHolder runs a child process that holds the writer lock of the
// state at path, and returns once it has it.
func startLockHolder(t *testing.T, path, op string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChildLock+"="+path, envChildOp+"="+op)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		c.stdin.Close()
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if s != "locked\n" {
			t.Fatalf("child said %q, want locked", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("child did not take the lock")
	}
	return c
}

func TestLockContentionBetweenProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "state.db")
	s, _ := newStore(t, path)
	c := startLockHolder(t, path, "watch")
	pid := c.cmd.Process.Pid

	start := time.Now()
	_, err := s.AcquireLock(context.Background(), 300*time.Millisecond, "apply")
	waited := time.Since(start)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("AcquireLock err = %v, want LockedError", err)
	}
	if waited < 250*time.Millisecond || waited > hangBound {
		t.Errorf("waited %v, want about 300ms", waited)
	}
	want := fmt.Sprintf(`state is locked by pid %d on host "child-host" (operation "watch", since `, pid)
	if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "); waited 300ms") {
		t.Errorf("message %q\nwant prefix %q and 'waited 300ms'", err, want)
	}
	if le.Holder == nil || le.Holder.PID != pid || le.Holder.Version != "child" || time.Since(le.Holder.Since) > time.Minute {
		t.Errorf("holder = %+v", le.Holder)
	}
	if h, err := s.LockHolder(); err != nil || h == nil || h.PID != pid {
		t.Errorf("LockHolder = %+v, %v", h, err)
	}

	// Readers and commits are not blocked by the writer lock.
	mustCommit(t, s, 0, func(tx *Tx) error { return tx.Put(rec("a", `{}`)) })
	start = time.Now()
	snap, err := s.Load()
	if err != nil || snap.Meta.Serial != 1 {
		t.Fatalf("Load while locked: %v", err)
	}
	if d := time.Since(start); d > hangBound {
		t.Errorf("Load took %v while another process held the writer lock", d)
	}

	// A waiting writer gets the lock as soon as the holder releases it.
	go func() {
		time.Sleep(200 * time.Millisecond)
		c.stdin.Close()
	}()
	start = time.Now()
	l, err := s.AcquireLock(context.Background(), 10*time.Second, "apply")
	if err != nil {
		t.Fatalf("AcquireLock after release: %v", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("got the lock after %v, before the holder released it", d)
	}
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
	if info := l.Info(); info.PID != os.Getpid() || info.Operation != "apply" || info.Host != "test-host" {
		t.Errorf("own lock info = %+v", info)
	}
	if h := readHolder(s.LockPath()); h == nil || h.PID != os.Getpid() {
		t.Errorf("lock file holds %+v, want our pid", h)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	if h, _ := s.LockHolder(); h != nil {
		t.Errorf("LockHolder after release = %+v", h)
	}
	if b, _ := os.ReadFile(s.LockPath()); len(b) != 0 {
		t.Errorf("lock file after release holds %q", b)
	}
}

// A holder that dies without releasing leaves its owner information but
// no lock: the kernel drops the flock with the process.
func TestLockOfKilledProcessIsFree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, _ := newStore(t, path)
	c := startLockHolder(t, path, "apply")
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	if h := readHolder(s.LockPath()); h == nil || h.PID != c.cmd.Process.Pid {
		t.Fatalf("stale owner information = %+v, want the dead child's", h)
	}
	if h, err := s.LockHolder(); err != nil || h != nil {
		t.Errorf("LockHolder with a dead holder = %+v, %v; want nobody", h, err)
	}
	// Windows releases a dead process's LockFileEx locks soon but not
	// necessarily before Wait returns; Unix drops the flock at exit.
	timeout := time.Duration(0)
	if runtime.GOOS == "windows" {
		timeout = hangBound
	}
	l, err := s.AcquireLock(context.Background(), timeout, "apply")
	if err != nil {
		t.Fatalf("AcquireLock after the holder died: %v", err)
	}
	l.Release()
}

func TestLockWithinProcessAndPermissions(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "new", "state.db")
	s, _ := newStore(t, path)
	l1, err := s.AcquireLock(context.Background(), 0, "watch")
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{s.LockPath(): 0o600, filepath.Dir(path): 0o700} {
		if runtime.GOOS == "windows" {
			break // no Unix modes there (os reports 0666 or 0444)
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, %v; want mode %v", p, fi.Mode().Perm(), err, want)
		}
	}
	// Timeout 0 tries once and reports at once.
	start := time.Now()
	_, err = s.AcquireLock(context.Background(), 0, "apply")
	if !errors.Is(err, ErrLocked) || time.Since(start) > hangBound {
		t.Errorf("second lock in the same process: %v after %v", err, time.Since(start))
	}
	if !strings.Contains(fmt.Sprint(err), fmt.Sprintf("pid %d", os.Getpid())) || !strings.Contains(fmt.Sprint(err), `"watch"`) {
		t.Errorf("message %q does not name the holder", err)
	}
	// A cancelled context stops the wait.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start = time.Now()
	_, err = s.AcquireLock(ctx, time.Minute, "apply")
	if !errors.Is(err, context.Canceled) || time.Since(start) > hangBound {
		t.Errorf("cancelled wait: %v after %v", err, time.Since(start))
	}
	l1.Release()
}

func TestLockedErrorWithUnreadableHolder(t *testing.T) {
	for _, content := range []string{"", "garbage{", `{"pid":0}`} {
		path := filepath.Join(t.TempDir(), "state.db")
		s, _ := newStore(t, path)
		l, err := s.AcquireLock(context.Background(), 0, "apply")
		if err != nil {
			t.Fatal(err)
		}
		// Overwrite the owner information as a holder between flock and
		// write, or a damaged file, would leave it.
		if err := os.WriteFile(s.LockPath(), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = s.AcquireLock(context.Background(), 60*time.Millisecond, "apply")
		var le *LockedError
		if !errors.As(err, &le) || le.Holder != nil || !strings.Contains(err.Error(), "state is locked by another process") ||
			!strings.Contains(err.Error(), s.LockPath()) {
			t.Errorf("content %q: err = %v", content, err)
		}
		l.Release()
	}
}

// A reader is never held up for longer than one commit of a busy writer
// in another process (the design's "plan is not blocked by watch").
func TestReaderNotBlockedByBusyWriterProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, _ := newStore(t, path)
	c := startLockHolder(t, path, "commit-loop")
	var worst time.Duration
	serials := map[uint64]bool{}
	for range 15 {
		start := time.Now()
		snap, err := s.Load()
		if err != nil {
			t.Fatalf("Load during writes: %v", err)
		}
		worst = max(worst, time.Since(start))
		serials[snap.Meta.Serial] = true
		if len(snap.Partitions) != 500 {
			t.Fatalf("snapshot has %d partitions, want all 500 (a torn read?)", len(snap.Partitions))
		}
		// Every record of one snapshot comes from the same commit.
		first := string(snap.Partitions["p0000"].Profile)
		for _, r := range snap.Partitions {
			if string(r.Profile) != first {
				t.Fatalf("snapshot mixes commits: %.20s vs %.20s", r.Profile, first)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("writer child: %v", err)
	}
	if worst > hangBound {
		t.Errorf("a read waited %v behind the writer", worst)
	}
	if len(serials) < 2 {
		t.Errorf("reads saw serials %v; the writer did not make progress between them", serials)
	}
	t.Logf("worst read latency %v across serials %d", worst, len(serials))
}

// Killing a writer at an arbitrary moment (SIGKILL: no deferred cleanup)
// leaves the last committed state intact and readable, and leaves no lock
// behind.
func TestKilledWriterLeavesLastCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, _ := newStore(t, path)
	for round, delay := range []time.Duration{0, 37 * time.Millisecond, 113 * time.Millisecond, 251 * time.Millisecond} {
		c := startLockHolder(t, path, "commit-loop")
		time.Sleep(delay)
		if err := c.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = c.cmd.Wait()

		snap, err := s.Load()
		if err != nil {
			t.Fatalf("round %d: Load after kill: %v", round, err)
		}
		hist, err := s.History(1)
		if err != nil || len(hist) != 1 || hist[0].Serial != snap.Meta.Serial {
			t.Fatalf("round %d: last history %+v (%v) does not match serial %d", round, hist, err, snap.Meta.Serial)
		}
		if len(snap.Partitions) != 500 {
			t.Fatalf("round %d: %d partitions", round, len(snap.Partitions))
		}
		first := string(snap.Partitions["p0000"].Profile)
		for _, r := range snap.Partitions {
			if string(r.Profile) != first {
				t.Fatalf("round %d: state mixes two commits", round)
			}
		}
		// The next writer gets the lock at once and can commit on top.
		l, err := s.AcquireLock(context.Background(), 0, "apply")
		if err != nil {
			t.Fatalf("round %d: lock after kill: %v", round, err)
		}
		l.Release()
		if _, err := s.Commit(snap.Meta.Serial, func(tx *Tx) error { return tx.Delete("none") }); err != nil {
			t.Fatalf("round %d: commit after kill: %v", round, err)
		}
	}
}

// hangBound is an upper bound that tells "returns" from "waits for
// something that never happens in this test" (the holder keeps its lock
// until the test releases it) on a machine however busy. Lower bounds
// (the wait lasted its timeout) are asserted as they are: a slow machine
// only makes them hold more surely.
const hangBound = 30 * time.Second
