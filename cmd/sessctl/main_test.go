package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
			"freeport": cmdFreePort,
			"httpget":  cmdHTTPGet,
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

// cmdFreePort sets an environment variable to a TCP port free on
// 127.0.0.1 right now: `freeport VAR`. (A process started next may still
// lose a race for it; the scripts using it fail clearly if so.)
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("freeport: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// cmdHTTPGet fetches URL until it answers 200 and, when REGEXP is given,
// until a line of the body matches it (up to 30 s, for a server still
// starting or a value still to come), then writes the body to the
// script's stdout: `httpget URL [REGEXP]`.
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: httpget URL [REGEXP]")
	}
	var want *regexp.Regexp
	if len(args) == 2 {
		var err error
		if want, err = regexp.Compile("(?m)" + args[1]); err != nil {
			ts.Fatalf("httpget: %v", err)
		}
	}
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		resp, err := client.Get(args[0])
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode != http.StatusOK || rerr != nil:
				err = fmt.Errorf("status %s, read error %v", resp.Status, rerr)
			case want != nil && !want.Match(body):
				err = fmt.Errorf("no line matches %s in:\n%s", args[1], body)
			default:
				fmt.Fprint(ts.Stdout(), string(body))
				return
			}
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("httpget %s: %v", args[0], last)
}
