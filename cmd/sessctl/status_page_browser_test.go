//go:build unix

package main

// The status page in a real browser: headless Chromium, driven through the
// DevTools protocol (chromedp), loads the page `sessctl watch --listen`
// serves, finds each partition and the drift planted in the app's status
// file, sees the page update in place after a configuration edit (one
// watch cycle, no reload), and keeps a screenshot. Injected markup in a
// partition name and a user agent must render as text and never run.
// Skipped with -short; under CI=true a missing Chromium fails.

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const browserPath = "/usr/bin/chromium"

// statusPageHCL has a hostile partition name ("/" is refused in names, so
// the script element stays open) and a hostile user agent.
const statusPageHCL = `
partition "persist:work" {
  permissions { default = "deny" }
  user_agent = "WorkApp/1.0 <script>document.title='pwned-ua'</script>"
}

partition "lab:<script>document.title='pwned-name'<img src=x onerror=document.title='pwned-img'>" {
  permissions { default = "deny" }
}
`

// appStatusUA is a status file whose read-back user agent differs from
// the one applied: the planted drift.
const appStatusUA = `{"format_version": 1, "partition": "persist:work", "file": "p-persist_work-ca49179c791a.json",
 "state": "applied", "revision": 1, "errors": [], "rejected": null, "retained": [],
 "readback": {"read_at": "2026-12-01T10:05:00.000Z", "persistent": true, "user_agent": "Tampered/9.9 <script>document.title='pwned-status'</script>", "errors": [], "truncated": []},
 "pid": 4242}`

func TestStatusPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("real Chromium: skipped with -short")
	}
	if _, err := os.Stat(browserPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI=true: %v", browserPath, err)
		}
		t.Skipf("no %s: %v", browserPath, err)
	}
	bin, err := exec.LookPath("sessctl") // this test binary, put in PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	cfg := filepath.Join(work, "cfg")
	if err := os.MkdirAll(cfg, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(cfg, "main.hcl"), statusPageHCL)
	state := filepath.Join(work, "st", "state.db")
	outDir := filepath.Join(work, "st", "profiles")

	cmd := exec.Command(bin, "watch", "--serial-poll", "0", "--listen", "127.0.0.1:0", cfg)
	cmd.Env = append(os.Environ(), "SESSCTL_STATE="+state, "HOME="+work, "XDG_STATE_HOME="+work, "XDG_CACHE_HOME="+work)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, _ := cmd.StderrPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	// The address from stderr; the first cycle's end from stdout.
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`Serving the status page on (http://[^/]+/)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
	}()
	var linesMu sync.Mutex
	var lines []string
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			linesMu.Lock()
			lines = append(lines, sc.Text())
			linesMu.Unlock()
			if strings.Contains(sc.Text(), " ready: ") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	var base string
	select { // hang bounds, not timings
	case base = <-addrc:
	case <-time.After(30 * time.Second):
		t.Fatal("watch never said where it serves")
	}
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("watch never got ready")
	}
	// The planted drift: the app reports another user agent.
	if err := os.MkdirAll(filepath.Join(outDir, "status"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(outDir, "status", "p-persist_work-ca49179c791a.json"), appStatusUA)

	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browserPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 1600),
	)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatal(err)
	}
	var consoleMu sync.Mutex
	var console []string
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			consoleMu.Lock()
			console = append(console, string(m.Type)+": "+m.Text)
			consoleMu.Unlock()
		}
	}()
	step := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 30*time.Second) // a hang bound
		defer cancel()
		if err := chromedp.Do(c, a); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(expr string) any {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Evaluate[any](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	poll := func(what, expr string) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if _, err := chromedp.Run(c, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			linesMu.Lock()
			defer linesMu.Unlock()
			t.Fatalf("%s: %v\npage text: %v\nwatch log:\n%s", what, err, eval("document.body.innerText"), strings.Join(lines, "\n"))
		}
	}

	step("load the page", chromedp.Navigate(base))
	// The script subscribed to /events.
	poll("live updates", `document.getElementById('live').classList.contains('on')`)
	// Each partition, by its (hostile) name, read back from the DOM.
	poll("both partitions", `document.querySelectorAll('section.partition').length === 2`)
	names := eval(`Array.from(document.querySelectorAll('section.partition')).map(s => s.dataset.partition).join('\n')`)
	if want := "lab:<script>document.title='pwned-name'<img src=x onerror=document.title='pwned-img'>\npersist:work"; names != want {
		t.Errorf("partitions on the page:\n%v\nwant:\n%s", names, want)
	}
	// The planted drift: the page may have been served before the status
	// file was written; it updates itself.
	poll("the planted drift", `(() => { const s = document.querySelector('section[data-partition="persist:work"]');
		const r = s && Array.from(s.querySelectorAll('tr.differs')).find(tr => tr.cells[1].textContent === 'userAgent');
		return !!r && r.cells[3].textContent.includes("Tampered/9.9 <script>") && s.classList.contains('has-problems'); })()`)

	// Injected markup is text: no script ran, no element was created.
	if title := eval(`document.title`); title != "sessctl status" {
		t.Errorf("document.title = %v: injected script ran", title)
	}
	if n := eval(`document.scripts.length`); n != float64(1) {
		t.Errorf("%v script elements, want 1 (/app.js)", n)
	}
	if n := eval(`document.querySelectorAll('main img').length`); n != float64(0) {
		t.Errorf("%v img elements in the content: injected markup became elements", n)
	}
	if txt := eval(`document.getElementById('content').textContent`); !strings.Contains(txt.(string), "WorkApp/1.0 <script>document.title='pwned-ua'</script>") {
		t.Errorf("the user agent is not shown as text")
	}

	// An edit: the page changes in place (the marker survives: no reload)
	// once watch has applied it.
	eval(`window.sessctlMarker = 42`)
	before := eval(`Number(document.body.dataset.updates || 0)`).(float64)
	write(filepath.Join(cfg, "main.hcl"), strings.Replace(statusPageHCL, "WorkApp/1.0", "WorkApp/2.0", 1))
	poll("the edit on the page", `document.getElementById('content').textContent.includes('user_agent = "WorkApp/2.0 <script>')`)
	if m := eval(`window.sessctlMarker`); m != float64(42) {
		t.Errorf("the page reloaded instead of updating in place")
	}
	if after := eval(`Number(document.body.dataset.updates || 0)`).(float64); after <= before {
		t.Errorf("updates %v → %v: the content was not swapped by the script", before, after)
	}
	// And the applied revision, read back from the page, is the new one.
	poll("revision 2", `document.querySelector('section[data-partition="persist:work"] h2').textContent.includes('revision 2')`)

	// The screenshot, kept.
	dir := os.Getenv("SESSCTL_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sessctl-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c, cancelShot := context.WithTimeout(ctx, 30*time.Second)
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100)) // 100: PNG
	cancelShot()
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "status-page.png")
	write(shot, string(png))
	t.Logf("screenshot: %s", shot)

	// The page broke none of its own Content-Security-Policy and threw
	// nothing.
	consoleMu.Lock()
	defer consoleMu.Unlock()
	for _, m := range console {
		if strings.Contains(m, "Content Security Policy") || strings.HasPrefix(m, "exception") {
			t.Errorf("console: %s", m)
		}
	}
}
