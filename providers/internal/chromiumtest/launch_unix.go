//go:build unix

package chromiumtest

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Launch starts Chromium with args, which must include Flags(userDataDir)
// and --remote-debugging-port=0, in its own process group (so that its
// helper processes end with it when the test ends), and waits up to 20 s
// for the DevTools port Chromium writes to userDataDir. It returns the
// DevTools base URL (http://127.0.0.1:PORT) and the browser's stderr.
func Launch(t testing.TB, userDataDir string, args []string) (devtools string, stderr *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(Path, args...)
	stderr = &bytes.Buffer{}
	cmd.Stderr = stderr
	cmd.Stdout = io.Discard
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	portFile := filepath.Join(userDataDir, "DevToolsActivePort")
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, err := os.ReadFile(portFile)
		if line, _, _ := strings.Cut(string(data), "\n"); err == nil && line != "" {
			return "http://127.0.0.1:" + strings.TrimSpace(line), stderr
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium did not open its DevTools port within 20s; stderr:\n%s", Tail(stderr.String()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Tail is the end of a long browser log, for failure messages.
func Tail(s string) string {
	if len(s) > 3000 {
		return "..." + s[len(s)-3000:]
	}
	return s
}
