package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the sessctl binary in-process: scripts call
// `sessctl ...` and get this package's main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sessctl": func() { os.Exit(run(os.Args[1:])) },
	})
}

// TestScripts runs every testdata/script/*.txtar end to end. Each script
// gets a fresh $WORK; HOME, XDG_STATE_HOME and XDG_CACHE_HOME point inside
// it so the default state path is isolated.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir+"/home")
			env.Setenv("XDG_STATE_HOME", env.WorkDir+"/home/.local/state")
			env.Setenv("XDG_CACHE_HOME", env.WorkDir+"/home/.cache")
			env.Setenv("NO_COLOR", "1")
			// The repository's examples/, for scripts that run them as a
			// user would after cloning.
			if wd, err := os.Getwd(); err == nil {
				env.Setenv("EXAMPLES", filepath.Join(wd, "..", "..", "examples"))
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"holdlock": cmdHoldLock,
		},
	})
}

// cmdExitCode runs `exitcode N prog args...` and fails unless prog exits
// with exactly N (testscript's `exec` only tells zero from non-zero, and
// --detailed-exitcode needs 2 told from 1).
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N prog [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdHoldLock starts `sessctl apply DIR` in another process and leaves it
// waiting at the confirmation prompt, which holds the state's writer lock,
// until the script ends: `holdlock STATEFILE DIR`. It returns once the lock
// file names a holder.
func cmdHoldLock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: holdlock STATEFILE DIR")
	}
	bin, err := exec.LookPath("sessctl")
	if err != nil {
		// testscript puts its programs in $WORK/.bin? Search PATH as the script sees it.
		for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
			if p := filepath.Join(dir, "sessctl"); fileExists(p) {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		ts.Fatalf("holdlock: sessctl not found in PATH")
	}
	cmd := exec.Command(bin, "apply", ts.MkAbs(args[1]))
	cmd.Dir = ts.Getenv("WORK")
	env := []string{}
	for _, k := range []string{"PATH", "HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "NO_COLOR", "SESSCTL_STATE"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	cmd.Env = env
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		ts.Fatalf("holdlock: %v", err)
	}
	cmd.Stdin = stdinR
	if err := cmd.Start(); err != nil {
		ts.Fatalf("holdlock: %v", err)
	}
	stdinR.Close()
	ts.Defer(func() {
		stdinW.Close() // EOF at the prompt: the apply is cancelled and releases the lock
		_ = cmd.Wait()
	})
	lockFile := ts.MkAbs(args[0]) + ".lock"
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(lockFile); err == nil && strings.Contains(string(b), `"pid"`) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("holdlock: no holder appeared in %s", lockFile)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
