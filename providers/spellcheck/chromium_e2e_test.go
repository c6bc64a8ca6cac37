//go:build linux

package spellcheck_test

// End-to-end check, against a real headless Chromium (Debian's
// /usr/bin/chromium), that a dictionary sessctl provisions is the one the
// browser uses, with the network off.
//
// What Chromium does (chrome/browser/spellchecker/
// spellcheck_hunspell_dictionary.cc @ 222a1839e4aa): for each language of
// the spellcheck.dictionaries pref, InitializeDictionaryLocation builds
// DIR_APP_DICTIONARIES/GetVersionedFileName(language) (on Linux
// <user-data-dir>/Dictionaries/fr-FR-3-0.bdic; in Electron
// <sessionData>/Dictionaries, electron_paths.cc); OpenDictionaryFile reads
// the file, runs hunspell::BDict::Verify on its bytes, and then keeps it
// open for the renderers (valid) or deletes it (invalid);
// InitializeDictionaryLocationComplete downloads
// https://redirector.gvt1.com/edgedl/chrome/dict/<lowercase file name>
// only when no valid file was opened. (At that commit the file is mapped,
// then opened a second time when valid; Debian's Chromium 156 opens it
// once and reads it whole, as strace shows, so the test counts an open
// and a read, not opens.)
//
// The network is off: --host-resolver-rules sends the dictionary server's
// name to a loopback TLS server that records the paths asked for and
// answers 404, and every other name to ~NOTFOUND. Chromium creates the
// spellcheck service on demand, so the test types into a focused textarea
// over the DevTools protocol.
//
// Three runs:
//  1. no dictionary on disk: Chromium asks the server for fr-fr-3-0.bdic
//     (the observation works, and this is what an offline fleet suffers);
//  2. a corrupt dictionary (one that sessctl's VerifyBDIC refuses):
//     Chromium deletes it and asks the server;
//  3. fr provisioned by sessctl plan/apply into the user data directory,
//     with "de" also enabled and not provisioned: Chromium opens and
//     reads the fr file, never deletes it, and asks the server for
//     de-de-3-0.bdic only. The request for de is the sign that the
//     dictionaries were initialised and the download path ran in this run;
//     one more DevTools round trip through the browser follows before the
//     server's log is read.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/net/websocket"
	"golang.org/x/sys/unix"

	"github.com/sessctl/sessctl/providers/internal/chromiumtest"
	"github.com/sessctl/sessctl/providers/spellcheck"
)

// dictPathPrefix is kDownloadServerUrl's path (GetDictionaryURL).
const dictPathPrefix = "/edgedl/chrome/dict/"

// dictServer stands in for redirector.gvt1.com: it records the dictionary
// paths Chromium asks for and has none of them.
type dictServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	paths []string
}

func newDictServer(t *testing.T) *dictServer {
	d := &dictServer{}
	d.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.paths = append(d.paths, r.URL.Path)
		d.mu.Unlock()
		http.NotFound(w, r)
	}))
	d.srv.Config.ErrorLog = nil
	d.srv.StartTLS()
	t.Cleanup(d.srv.Close)
	return d
}

func (d *dictServer) asked(file string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.paths {
		if p == dictPathPrefix+file {
			return true
		}
	}
	return false
}

func (d *dictServer) all() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.paths...)
}

// browser is one headless Chromium on userData.
type browser struct {
	devtools string
	stderr   *bytes.Buffer
}

func startChromium(t *testing.T, userData string, server *dictServer, languages []string) *browser {
	t.Helper()
	prefs, _ := json.Marshal(map[string]any{
		"spellcheck": map[string]any{"dictionaries": languages, "use_spelling_service": false},
		"browser":    map[string]any{"enable_spellchecking": true},
	})
	if err := os.MkdirAll(filepath.Join(userData, "Default"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(userData, "Default", "Preferences"), prefs, 0o644); err != nil {
		t.Fatal(err)
	}
	port := server.srv.Listener.Addr().(*net.TCPAddr).Port
	args := append(chromiumtest.Flags(userData),
		"--disable-sync", "--disable-default-apps", "--no-default-browser-check",
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--remote-allow-origins=*",
		fmt.Sprintf("--host-resolver-rules=MAP redirector.gvt1.com 127.0.0.1:%d, MAP * ~NOTFOUND", port),
		"--ignore-certificate-errors", // the stand-in server's test certificate
		"about:blank",
	)
	devtools, stderr := chromiumtest.Launch(t, userData, args)
	return &browser{devtools: devtools, stderr: stderr}
}

// waitFor polls cond; the bound only keeps a wedged browser from hanging
// the test.
func waitFor(t *testing.T, b *browser, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s; chromium stderr:\n%s", what, chromiumtest.Tail(b.stderr.String()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var devtoolsClient = &http.Client{Timeout: 20 * time.Second}

// typeText opens a page with a textarea, focuses it and types text into
// it, which makes Chromium create the spellcheck service and load the
// dictionaries of the pref.
func (b *browser) typeText(t *testing.T, text string) {
	t.Helper()
	page := "data:text/html,<textarea id=t spellcheck=true></textarea>"
	req, _ := http.NewRequest(http.MethodPut, b.devtools+"/json/new?"+strings.ReplaceAll(url.QueryEscape(page), "+", "%20"), nil)
	resp, err := devtoolsClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var target struct {
		WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
	}
	err = json.NewDecoder(resp.Body).Decode(&target)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("DevTools /json/new: %v", err)
	}
	ws, err := websocket.Dial(target.WebSocketDebuggerURL, "", "http://127.0.0.1/")
	if err != nil {
		t.Fatalf("DevTools websocket: %v", err)
	}
	defer ws.Close()
	ws.SetDeadline(time.Now().Add(20 * time.Second))
	id := 0
	call := func(method string, params map[string]any) map[string]any {
		id++
		if err := websocket.JSON.Send(ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		for {
			var m struct {
				ID     int            `json:"id"`
				Result map[string]any `json:"result"`
				Error  any            `json:"error"`
			}
			if err := websocket.JSON.Receive(ws, &m); err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			if m.ID == id {
				if m.Error != nil {
					t.Fatalf("%s: %v", method, m.Error)
				}
				return m.Result
			}
		}
	}
	call("Emulation.setFocusEmulationEnabled", map[string]any{"enabled": true})
	waitFor(t, b, "the page to load", func() bool {
		r := call("Runtime.evaluate", map[string]any{"expression": "document.getElementById('t') ? (document.getElementById('t').focus(), document.activeElement.id) : ''", "returnByValue": true})
		res, _ := r["result"].(map[string]any)
		return res["value"] == "t"
	})
	call("Input.insertText", map[string]any{"text": text})
}

// fileEvents counts inotify events on the entries of a directory.
type fileEvents struct {
	fd     int
	mu     sync.Mutex
	opens  map[string]int
	reads  map[string]int
	delete map[string]int
}

func watchDir(t *testing.T, dir string) *fileEvents {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_OPEN|unix.IN_ACCESS|unix.IN_DELETE); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	fe := &fileEvents{fd: fd, opens: map[string]int{}, reads: map[string]int{}, delete: map[string]int{}}
	// Closing an inotify descriptor does not wake a blocked read, so the
	// reader polls with a timeout and checks stop between polls.
	done, stop := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			select {
			case <-stop:
				return
			default:
			}
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			if n, err := unix.Poll(pfd, 100); err != nil && err != unix.EINTR || n <= 0 {
				if err != nil && err != unix.EINTR {
					return
				}
				continue
			}
			n, err := unix.Read(fd, buf)
			if err == unix.EAGAIN || err == unix.EINTR {
				continue
			}
			if err != nil || n <= 0 {
				return
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)], "\x00"))
				fe.mu.Lock()
				if ev.Mask&unix.IN_OPEN != 0 {
					fe.opens[name]++
				}
				if ev.Mask&unix.IN_ACCESS != 0 {
					fe.reads[name]++
				}
				if ev.Mask&unix.IN_DELETE != 0 {
					fe.delete[name]++
				}
				fe.mu.Unlock()
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done; unix.Close(fd) })
	return fe
}

func (fe *fileEvents) counts(name string) (opens, reads, deletes int) {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	return fe.opens[name], fe.reads[name], fe.delete[name]
}

func TestChromiumUsesProvisionedDictionary(t *testing.T) {
	chromiumtest.Require(t, "dictionary")
	// fr -> fr-FR-3-0.bdic in Electron 45 and in Debian's Chromium alike
	// (kSpecialVersionString names no fr-FR version).
	frFile, _ := spellcheck.DictionaryFile("fr")
	deFile, _ := spellcheck.DictionaryFile("de")
	if frFile != "fr-FR-3-0.bdic" || deFile != "de-DE-3-0.bdic" {
		t.Fatalf("file names %s %s", frFile, deFile)
	}
	frURL, deURL := strings.ToLower(frFile), strings.ToLower(deFile)

	t.Run("no dictionary: Chromium downloads it", func(t *testing.T) {
		server := newDictServer(t)
		ud := t.TempDir()
		b := startChromium(t, ud, server, []string{"fr"})
		b.typeText(t, "bonjour sessctl ")
		waitFor(t, b, "a request for "+frURL, func() bool { return server.asked(frURL) })
	})

	t.Run("corrupt dictionary: Chromium deletes it and downloads", func(t *testing.T) {
		server := newDictServer(t)
		ud := t.TempDir()
		data := spellcheck.BuildBDIC([]string{"bonjour", "sessctl"})
		data[len(data)-1] ^= 1
		if spellcheck.VerifyBDIC(data) == nil {
			t.Fatal("VerifyBDIC accepts the corrupt dictionary")
		}
		path := filepath.Join(ud, spellcheck.DictionariesDirName, frFile)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		b := startChromium(t, ud, server, []string{"fr"})
		b.typeText(t, "bonjour sessctl ")
		waitFor(t, b, "a request for "+frURL, func() bool { return server.asked(frURL) })
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("Chromium kept the corrupt dictionary (stat: %v)", err)
		}
	})

	t.Run("provisioned by sessctl: used, not downloaded", func(t *testing.T) {
		server := newDictServer(t)
		ud := t.TempDir()
		src, sum := dictFile(t, t.TempDir(), frFile, "bonjour", "sessctl")
		e := newProvisionEnv(t, "    languages = [\"fr\", \"de\"]\n"+dictBlock("fr", src, sum))
		e.sd = ud
		e.write(t, "    languages = [\"fr\", \"de\"]\n"+dictBlock("fr", src, sum))
		e.apply(t)
		path := filepath.Join(ud, spellcheck.DictionariesDirName, frFile)
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("sessctl did not provision %s: %v", path, err)
		}
		events := watchDir(t, filepath.Dir(path))

		b := startChromium(t, ud, server, []string{"fr", "de"})
		b.typeText(t, "bonjour sessctl ")
		waitFor(t, b, "Chromium to open and read "+frFile, func() bool {
			opens, reads, _ := events.counts(frFile)
			return opens >= 1 && reads >= 1
		})
		waitFor(t, b, "a request for "+deURL, func() bool { return server.asked(deURL) })
		// One more round trip through the browser before looking.
		b.typeText(t, "salut ")
		if server.asked(frURL) {
			t.Errorf("Chromium downloaded the provisioned dictionary; requests: %v", server.all())
		}
		if _, _, deletes := events.counts(frFile); deletes != 0 {
			t.Errorf("Chromium deleted the provisioned dictionary")
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Errorf("the provisioned dictionary changed: %v", err)
		}
		// And sessctl sees no drift: the file is the one it wrote.
		if p := e.plan(t); p.HasChanges() {
			t.Errorf("plan after Chromium ran: %+v", p.Changes)
		}
	})
}
