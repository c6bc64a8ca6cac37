// Package statuspage serves sessctl's read-only live status page (`/`),
// its JSON (`/api/status`), the Prometheus metrics (`/metrics`) and the
// page's update stream (`/events`, server-sent events) on one listener.
//
// Nothing here writes: every endpoint refuses methods other than GET and
// HEAD. Without a token the server only listens on a loopback address and
// only answers requests whose Host is a loopback name (a web page cannot
// rebind a DNS name onto it); with a token every request must carry it.
package statuspage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CSP is the page's Content-Security-Policy: its script and style come
// from this server only (no inline code), and it talks to no one else.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// CookieName is the cookie that carries the token for a browser.
const CookieName = "sessctl_token"

// Options configure a Server.
type Options struct {
	// Addr is the listen address (HOST:PORT).
	Addr string
	// Token, when set, is required on every request (Authorization:
	// Bearer, or the cookie set by ?token=). Required unless Addr is a
	// loopback address.
	Token string
	// Snapshot reads what the page shows.
	Snapshot func(context.Context) (*Snapshot, error)
	// Status is the JSON of /api/status.
	Status func(context.Context) (any, error)
	// Metrics serves /metrics (nil: 404).
	Metrics http.Handler
	// MaxClients bounds the open /events streams (default 16).
	MaxClients int
	// Poll is how often the snapshot is re-read while a page is open, to
	// see what no notification announces (the app writing its status,
	// another apply). Default 2s.
	Poll time.Duration
	// Heartbeat is the interval of the keep-alive comment on /events
	// (default 25s).
	Heartbeat time.Duration
}

// MinTokenLen is the shortest token accepted.
const MinTokenLen = 16

// CheckAddr refuses to serve a non-loopback address without a token, and
// a token that is short or holds spaces or control characters.
func CheckAddr(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not HOST:PORT: %v", addr, err)
	}
	if token != "" {
		if len(token) < MinTokenLen {
			return fmt.Errorf("the token is %d characters long; use at least %d (for example: openssl rand -hex 16)", len(token), MinTokenLen)
		}
		for _, r := range token {
			if r <= ' ' || r == 0x7f {
				return errors.New("the token holds a space or a control character; use printable characters only (for example: openssl rand -hex 16)")
			}
		}
	}
	if token != "" || isLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address: serving it needs --listen-token (a bearer token every request must carry)", addr)
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP. An
// empty host (all interfaces) is not.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Server serves the page. Create it with New.
type Server struct {
	opt     Options
	tokenH  [32]byte
	cookieV string        // the cookie's value: derived from the token, not the token
	clients chan struct{} // one slot per open /events stream

	mu   sync.Mutex
	gen  uint64
	last []byte // fingerprint of the last snapshot announced
	subs map[chan uint64]struct{}
	wake chan struct{}
}

// New checks o and returns a server.
func New(o Options) (*Server, error) {
	if err := CheckAddr(o.Addr, o.Token); err != nil {
		return nil, err
	}
	if o.Snapshot == nil || o.Status == nil {
		return nil, errors.New("statuspage: Snapshot and Status are required")
	}
	if o.MaxClients <= 0 {
		o.MaxClients = 16
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 25 * time.Second
	}
	s := &Server{opt: o, clients: make(chan struct{}, o.MaxClients), subs: map[chan uint64]struct{}{}, wake: make(chan struct{}, 1)}
	s.tokenH = sha256.Sum256([]byte(o.Token))
	c := sha256.Sum256([]byte("sessctl status page cookie\x00" + o.Token))
	s.cookieV = hex.EncodeToString(c[:])
	return s, nil
}

// Notify tells the open pages that something may have changed (a cycle
// ended, a file changed): the snapshot is read again and, when it differs,
// every page updates.
func (s *Server) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run re-reads the snapshot on Notify and every Poll while a page is
// open, and announces each change, until ctx ends.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(s.opt.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
		s.mu.Lock()
		n := len(s.subs)
		s.mu.Unlock()
		if n > 0 {
			s.check(ctx)
		}
	}
}

// check reads the snapshot and announces a new generation when it
// differs from the last one announced.
func (s *Server) check(ctx context.Context) {
	snap, err := s.opt.Snapshot(ctx)
	var fp []byte
	if err != nil {
		fp = []byte("error: " + err.Error())
	} else {
		fp, _ = json.Marshal(snap)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.Equal(fp, s.last) {
		return
	}
	s.last = fp
	s.gen++
	for c := range s.subs {
		select {
		case c <- s.gen:
		default: // the client has one update pending already
		}
	}
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", s.page)
	mux.HandleFunc("/app.js", asset("assets/app.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("/app.css", asset("assets/app.css", "text/css; charset=utf-8"))
	mux.HandleFunc("/api/status", s.api)
	mux.HandleFunc("/events", s.events)
	if s.opt.Metrics != nil {
		mux.Handle("/metrics", s.opt.Metrics)
	}
	return s.guard(mux)
}

// guard sets the security headers and enforces method, host and token.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "read-only: only GET and HEAD", http.StatusMethodNotAllowed)
			return
		}
		if s.opt.Token == "" {
			host := r.Host
			if hh, _, err := net.SplitHostPort(host); err == nil {
				host = hh
			}
			if !isLoopbackHost(host) {
				http.Error(w, "this server answers loopback names only (start it with --listen-token to serve other names)", http.StatusMisdirectedRequest)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if q := r.URL.Query(); q.Has("token") && r.URL.Path == "/" {
			if !s.tokenOK(q.Get("token")) {
				s.unauthorized(w)
				return
			}
			// Trade the token in the address for a cookie, and drop it
			// from the address (history, logs, Referer).
			http.SetCookie(w, &http.Cookie{Name: CookieName, Value: s.cookieV, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
			q.Del("token")
			u := url.URL{Path: "/", RawQuery: q.Encode()}
			http.Redirect(w, r, u.String(), http.StatusSeeOther)
			return
		}
		if !s.authorized(r) {
			s.unauthorized(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, tok, ok := strings.Cut(a, " ")
		return ok && strings.EqualFold(scheme, "Bearer") && s.tokenOK(strings.TrimSpace(tok))
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.cookieV)) == 1
	}
	return false
}

// tokenOK compares in constant time (both sides hashed first, so the
// length does not show either).
func (s *Server) tokenOK(tok string) bool {
	h := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(h[:], s.tokenH[:]) == 1
}

func (s *Server) unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="sessctl"`)
	http.Error(w, "a token is required: Authorization: Bearer TOKEN, or open /?token=TOKEN once in a browser", http.StatusUnauthorized)
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	v, err := s.opt.Status(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}

// events streams "update" events, one per new generation of the
// snapshot: the page fetches itself again when it gets one.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	select {
	case s.clients <- struct{}{}:
		defer func() { <-s.clients }()
	default:
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many open pages", http.StatusServiceUnavailable)
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	c := make(chan uint64, 1)
	s.mu.Lock()
	s.subs[c] = struct{}{}
	gen := s.gen
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, c)
		s.mu.Unlock()
	}()
	fmt.Fprintf(w, "retry: 2000\nevent: hello\ndata: %d\n\n", gen)
	fl.Flush()
	s.Notify() // a first check now that someone listens
	hb := time.NewTicker(s.opt.Heartbeat)
	defer hb.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case g := <-c:
			if _, err := fmt.Fprintf(w, "event: update\ndata: %d\n\n", g); err != nil {
				return
			}
			fl.Flush()
		case <-hb.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			fl.Flush()
		}
	}
}
