package statuspage

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const hostile = `<script>alert(1)</script>"'&`

func testSnapshot() *Snapshot {
	return &Snapshot{
		Config:    "/etc/app/" + hostile,
		StatePath: "/var/lib/state.db",
		OutputDir: "/var/lib/profiles",
		Errors:    []Problem{{Where: "main.hcl:3:1", Message: "bad " + hostile}},
		Partitions: []Partition{
			{Name: "persist:" + hostile, File: "a.json", Revision: 2,
				Settings: []Setting{{Name: "user_agent", Where: "main.hcl:4", Source: `user_agent = "` + hostile + `"`}},
				Rows:     []Row{{Field: "userAgent", Desired: `"A"`, Reported: `"` + hostile + `"`, Match: "differs"}}},
			{Name: "persist:calm", File: "b.json", Revision: 1,
				Rows: []Row{{Field: "revision", Desired: "1", Reported: "1", Match: "same"}}},
		},
	}
}

func newTest(t *testing.T, o Options) (*Server, http.Handler) {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Snapshot == nil {
		o.Snapshot = func(context.Context) (*Snapshot, error) { return testSnapshot(), nil }
	}
	if o.Status == nil {
		o.Status = func(context.Context) (any, error) {
			return map[string]any{"format_version": "1.0", "name": hostile}, nil
		}
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s, s.Handler()
}

// openEvents runs a server made of o (see newTest) behind an httptest
// server and opens its /events stream; the stream, the httptest server and
// the server are closed and stopped when the test ends.
func openEvents(t *testing.T, o Options) (*Server, *httptest.Server, *http.Response) {
	t.Helper()
	s, h := newTest(t, o)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go s.Run(ctx)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return s, srv, resp
}

func get(h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	r.Host = "127.0.0.1:8080"
	for k, v := range hdr {
		if k == "Host" {
			r.Host = v
			continue
		}
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestPageEscapesEverything(t *testing.T) {
	_, h := newTest(t, Options{})
	w := get(h, "GET", "/", nil)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	body := w.Body.String()
	if strings.Contains(body, "<script>alert") {
		t.Fatalf("a configuration string reached the page unescaped:\n%s", body)
	}
	// The page's only script element is the external one.
	if n := strings.Count(body, "<script"); n != 1 || !strings.Contains(body, `<script src="/app.js" defer></script>`) {
		t.Errorf("want exactly the /app.js script element, found %d <script", n)
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<style") {
		t.Error("inline style: the CSP would block it")
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "main.hcl:4", "main.hcl:3:1", `class="differs"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	_, h := newTest(t, Options{Metrics: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "m 1\n") })})
	for _, path := range []string{"/", "/app.js", "/app.css", "/api/status", "/metrics", "/nope"} {
		w := get(h, "GET", path, nil)
		for k, v := range map[string]string{
			"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		} {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
	}
	for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'"} {
		if !strings.Contains(CSP, d) {
			t.Errorf("CSP lacks %s", d)
		}
	}
	if strings.Contains(CSP, "unsafe") {
		t.Error("CSP allows unsafe-*")
	}
	if w := get(h, "GET", "/metrics", nil); w.Code != 200 || w.Body.String() != "m 1\n" {
		t.Errorf("/metrics: %d %q", w.Code, w.Body)
	}
	if w := get(h, "GET", "/api/status", nil); w.Code != 200 || w.Header().Get("Content-Type") != "application/json" ||
		!strings.Contains(w.Body.String(), `"format_version": "1.0"`) {
		t.Errorf("/api/status: %d %s %q", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := get(h, "GET", "/app.js", nil); !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("/app.js type %q", w.Header().Get("Content-Type"))
	}
}

func TestReadOnly(t *testing.T) {
	_, h := newTest(t, Options{})
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		for _, path := range []string{"/", "/api/status", "/events", "/metrics"} {
			w := get(h, m, path, nil)
			if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d (Allow %q), want 405", m, path, w.Code, w.Header().Get("Allow"))
			}
		}
	}
	if w := get(h, "HEAD", "/", nil); w.Code != 200 {
		t.Errorf("HEAD /: %d", w.Code)
	}
}

func TestLoopbackWithoutToken(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "192.168.1.2:80", "[::]:80", "example.com:80"} {
		if err := CheckAddr(addr, ""); err == nil {
			t.Errorf("%s without a token: accepted", addr)
		} else if !strings.Contains(err.Error(), "--listen-token") {
			t.Errorf("%s: %v does not say what to do", addr, err)
		}
		if _, err := New(Options{Addr: addr, Snapshot: func(context.Context) (*Snapshot, error) { return nil, nil }, Status: func(context.Context) (any, error) { return nil, nil }}); err == nil {
			t.Errorf("New(%s) without a token: accepted", addr)
		}
		if err := CheckAddr(addr, "secret-0123456789"); err != nil {
			t.Errorf("%s with a token: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:8080", "[::1]:80", "localhost:1", "127.8.9.1:2"} {
		if err := CheckAddr(addr, ""); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	for _, bad := range []string{"short", "has a space in it!!", "tab\tin-the-token-here"} {
		if err := CheckAddr("0.0.0.0:1", bad); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
	if err := CheckAddr("nonsense", ""); err == nil {
		t.Error("an address without a port: accepted")
	}
	// DNS rebinding: a loopback server answers loopback names only.
	_, h := newTest(t, Options{})
	for host, want := range map[string]int{"evil.example": 421, "evil.example:8080": 421, "localhost:8080": 200, "[::1]:8080": 200, "127.0.0.1": 200} {
		if w := get(h, "GET", "/api/status", map[string]string{"Host": host}); w.Code != want {
			t.Errorf("Host %s: %d, want %d", host, w.Code, want)
		}
	}
}

func TestToken(t *testing.T) {
	_, h := newTest(t, Options{Addr: "0.0.0.0:8080", Token: "s3cret-0123456789"})
	for _, path := range []string{"/", "/api/status", "/events", "/app.js"} {
		if w := get(h, "GET", path, nil); w.Code != 401 || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s without token: %d", path, w.Code)
		}
		for _, bad := range []string{"Bearer s3cret-012345678", "Bearer s3cret-01234567890", "Basic s3cret-0123456789", "s3cret-0123456789", "Bearer "} {
			if w := get(h, "GET", path, map[string]string{"Authorization": bad}); w.Code != 401 {
				t.Errorf("%s with Authorization %q: %d", path, bad, w.Code)
			}
		}
	}
	if w := get(h, "GET", "/api/status", map[string]string{"Authorization": "Bearer s3cret-0123456789", "Host": "anything.example"}); w.Code != 200 {
		t.Errorf("good bearer: %d", w.Code)
	}
	if w := get(h, "GET", "/?token=wrong", nil); w.Code != 401 || len(w.Result().Cookies()) != 0 {
		t.Errorf("?token=wrong: %d %v", w.Code, w.Result().Cookies())
	}
	w := get(h, "GET", "/?token=s3cret-0123456789&problems=1", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/?problems=1" {
		t.Fatalf("?token=: %d to %q", w.Code, w.Header().Get("Location"))
	}
	cs := w.Result().Cookies()
	if len(cs) != 1 || cs[0].Name != CookieName || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode || cs[0].Value == "s3cret-0123456789" || cs[0].Value == "" {
		t.Fatalf("cookie %+v", cs)
	}
	if w := get(h, "GET", "/api/status", map[string]string{"Cookie": CookieName + "=" + cs[0].Value}); w.Code != 200 {
		t.Errorf("with the cookie: %d", w.Code)
	}
	// The cookie is not the token: the token as a cookie is refused.
	if w := get(h, "GET", "/api/status", map[string]string{"Cookie": CookieName + "=s3cret-0123456789"}); w.Code != 401 {
		t.Errorf("with the token as the cookie: %d", w.Code)
	}
	if w := get(h, "GET", "/api/status", map[string]string{"Cookie": CookieName + "=nope"}); w.Code != 401 {
		t.Errorf("with a wrong cookie: %d", w.Code)
	}
}

func TestFilters(t *testing.T) {
	_, h := newTest(t, Options{})
	all := get(h, "GET", "/", nil).Body.String()
	if strings.Count(all, `<section class="partition`) != 2 {
		t.Fatalf("want 2 partitions:\n%s", all)
	}
	only := get(h, "GET", "/?problems=1", nil).Body.String()
	if strings.Count(only, `<section class="partition`) != 1 || strings.Contains(only, `data-partition="persist:calm"`) {
		t.Errorf("only problems kept the calm partition")
	}
	one := get(h, "GET", "/?partition=persist:calm", nil).Body.String()
	if strings.Count(one, `<section class="partition`) != 1 || !strings.Contains(one, `data-partition="persist:calm"`) {
		t.Errorf("partition filter")
	}
	if !strings.Contains(one, `<option value="persist:calm" selected>`) {
		t.Errorf("the filter does not show its selection")
	}
	none := get(h, "GET", "/?partition=persist:calm&problems=1", nil).Body.String()
	if !strings.Contains(none, "No partition matches the filter.") {
		t.Errorf("empty filter result")
	}
}

func TestSnapshotError(t *testing.T) {
	_, h := newTest(t, Options{Snapshot: func(context.Context) (*Snapshot, error) { return nil, errors.New("state " + hostile) }})
	w := get(h, "GET", "/", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "The status cannot be read: state &lt;script&gt;") {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

// TestEventsStream: a change of the snapshot after Notify reaches an open
// stream as an "update"; a stream over MaxClients is refused.
func TestEventsStream(t *testing.T) {
	var mu sync.Mutex
	rev := uint64(1)
	snap := func(context.Context) (*Snapshot, error) {
		mu.Lock()
		defer mu.Unlock()
		return &Snapshot{Partitions: []Partition{{Name: "persist:a", Revision: rev}}}, nil
	}
	s, srv, resp := openEvents(t, Options{Snapshot: snap, MaxClients: 1, Poll: time.Hour})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("/events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	second, err := http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	second.Body.Close()
	if second.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a stream over MaxClients: %d", second.StatusCode)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(prefix string) string {
		timeout := time.After(30 * time.Second) // a hang bound, not a timing assertion
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stream ended waiting for %q", prefix)
				}
				if strings.HasPrefix(l, prefix) {
					return l
				}
			case <-timeout:
				t.Fatalf("no %q", prefix)
			}
		}
	}
	next("event: hello")
	// The first check after subscribing announces generation 1.
	next("event: update")
	if l := next("data: "); l != "data: 1" {
		t.Errorf("first update %q", l)
	}
	mu.Lock()
	rev = 2
	mu.Unlock()
	s.Notify()
	next("event: update")
	if l := next("data: "); l != "data: 2" {
		t.Errorf("second update %q", l)
	}
}

// TestEventsPoll: with no notification at all, a change of the snapshot
// (the app writing its status file) reaches an open stream through the
// periodic re-read; an unchanged snapshot announces nothing.
func TestEventsPoll(t *testing.T) {
	var mu sync.Mutex
	state := "applied"
	reads := 0
	snap := func(context.Context) (*Snapshot, error) {
		mu.Lock()
		defer mu.Unlock()
		reads++
		return &Snapshot{Partitions: []Partition{{Name: "persist:a", App: AppInfo{State: state}}}}, nil
	}
	_, _, resp := openEvents(t, Options{Snapshot: snap, Poll: 5 * time.Millisecond})
	sc := bufio.NewScanner(resp.Body)
	data := func() string {
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data: ") {
				return sc.Text()
			}
		}
		t.Fatal("stream ended")
		return ""
	}
	data() // hello
	if d := data(); d != "data: 1" {
		t.Fatalf("first update %q", d)
	}
	// Several re-reads of an unchanged snapshot, then a change.
	for {
		mu.Lock()
		n := reads
		mu.Unlock()
		if n >= 5 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	state = "rejected"
	mu.Unlock()
	if d := data(); d != "data: 2" {
		t.Errorf("after the change %q, want the next generation (2): unchanged reads announced something", d)
	}
}
