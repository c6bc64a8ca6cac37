package pac

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const simplePAC = `function FindProxyForURL(url, host) { return "DIRECT"; }`

// Data URL vectors: pac_file_fetcher_impl_unittest.cc DataURLs (the base64
// script "function FindProxyForURL(x, y) {return "PROXY a:1";}" and its
// error case) plus net/base/data_url_unittest.cc forms.
func TestFetchDataURL(t *testing.T) {
	tests := []struct {
		url     string
		want    string
		wantErr error
	}{
		{"data:application/x-ns-proxy-autoconfig;base64,ZnVuY3Rpb24gRmluZFByb3h5Rm9yVVJMKHgseSl7cmV0dXJuICJQUk9YWSBhOjEiO30%3D",
			`function FindProxyForURL(x,y){return "PROXY a:1";}`, nil},
		{"data:application/x-ns-proxy-autoconfig;base64,ZnVuY3Rpb24gRmluZFByb3h5Rm9yVVJMKHgseSl7cmV0dXJuICJQUk9YWSBhOjEiO30=",
			`function FindProxyForURL(x,y){return "PROXY a:1";}`, nil},
		// Forgiving base64: whitespace and missing padding.
		{"data:;base64,ZnVu Y3Rp\nb24", "function", nil},
		{"data:;BASE64,YQ", "a", nil},
		{"data:,function%20FindProxyForURL(u,h){return%20%22DIRECT%22}", `function FindProxyForURL(u,h){return "DIRECT"}`, nil},
		// Tabs and newlines vanish from URLs; the fragment is not content.
		{"data:,a\tb\nc#frag", "abc", nil},
		// Malformed %-escapes are kept.
		{"data:,100%", "100%", nil},
		{"data:text/plain;charset=utf-8,%C3%A9", "é", nil},
		// No charset: ISO-8859-1 (pac_file_fetcher_impl.cc).
		{"data:,%C3%A9", "Ã©", nil},
		// UTF-16LE byte-order mark.
		{"data:;base64,//5hAGIA", "ab", nil},
		{"data:;base64,!!!", "", ErrDataURL},
		{"data:nocomma", "", ErrDataURL},
		{"DATA:,x", "x", nil},
		// Over 1 MB decoded is fine for data: (no download limit), but not
		// a URL over 2 MiB.
		{"data:," + strings.Repeat("a", MaxScriptBytes+10), strings.Repeat("a", MaxScriptBytes+10), nil},
		{"data:," + strings.Repeat("a", MaxURLChars), "", ErrDataURL},
	}
	for _, tc := range tests {
		got, err := Fetch(context.Background(), tc.url)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Fetch(%q) error %v, want %v", tc.url, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			short := func(s string) string {
				if len(s) > 60 {
					return s[:60] + "..."
				}
				return s
			}
			t.Errorf("Fetch(%q) = %q, %v; want %q", short(tc.url), short(got), err, short(tc.want))
		}
	}
}

func TestFetchRefusesSchemes(t *testing.T) {
	for _, u := range []string{"file:///etc/proxy.pac", "ftp://example.test/proxy.pac", "javascript:1", "proxy.pac", "", "/etc/proxy.pac"} {
		_, err := Fetch(context.Background(), u)
		if !errors.Is(err, ErrScheme) {
			t.Errorf("Fetch(%q) error %v, want ErrScheme", u, err)
		}
	}
	_, err := Fetch(context.Background(), "file:///etc/proxy.pac")
	if err == nil || !strings.Contains(err.Error(), "data:") {
		t.Errorf("file:// error should suggest a data: URL, got %v", err)
	}
}

func TestFetchHTTP(t *testing.T) {
	big := strings.Repeat("x", MaxScriptBytes+1)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok.pac", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // MIME type not enforced
		w.Write([]byte(simplePAC))
	})
	// Without a Content-Type, net/http would sniff one with charset=utf-8.
	mux.HandleFunc("/latin1.pac", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ns-proxy-autoconfig")
		w.Write([]byte("// \xe9\n"))
	})
	mux.HandleFunc("/utf8.pac", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ns-proxy-autoconfig; charset=utf-8")
		w.Write([]byte("// \xc3\xa9\n"))
	})
	mux.HandleFunc("/bom.pac", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ns-proxy-autoconfig")
		w.Write([]byte("\xef\xbb\xbf// \xc3\xa9\n"))
	})
	mux.HandleFunc("/exact.pac", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(big[:MaxScriptBytes]))
	})
	mux.HandleFunc("/big.pac", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(big))
	})
	mux.HandleFunc("/404.pac", http.NotFound)
	mux.HandleFunc("/204.pac", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/redirect-ok", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok.pac", http.StatusFound)
	})
	mux.HandleFunc("/redirect-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/redirect-data", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "data:,x", http.StatusFound)
	})
	mux.HandleFunc("/slow.pac", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		path    string
		want    string
		wantErr error
	}{
		{"/ok.pac", simplePAC, nil},
		{"/latin1.pac", "// é\n", nil},
		{"/utf8.pac", "// é\n", nil},
		{"/bom.pac", "// é\n", nil},
		{"/exact.pac", big[:MaxScriptBytes], nil},
		{"/big.pac", "", ErrTooBig},
		{"/404.pac", "", ErrStatus},
		{"/204.pac", "", ErrStatus},
		{"/redirect-ok", simplePAC, nil},
		{"/redirect-file", "", ErrRedirect},
		{"/redirect-data", "", ErrRedirect},
	}
	for _, tc := range tests {
		got, err := Fetch(context.Background(), srv.URL+tc.path)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("%s: error %v, want %v", tc.path, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			if len(got) > 40 {
				got = got[:40] + "..."
			}
			t.Errorf("%s: got %q, %v", tc.path, got, err)
		}
	}

	f := &Fetcher{Timeout: 100 * time.Millisecond}
	start := time.Now()
	if _, err := f.Fetch(context.Background(), srv.URL+"/slow.pac"); err == nil {
		t.Error("slow server: want a timeout error")
	}
	if d := time.Since(start); d > hangBound {
		t.Errorf("timeout took %v", d)
	}
}

// The fetch must not go through a proxy even when the environment names
// one (LOAD_BYPASS_PROXY).
func TestFetchIgnoresEnvironmentProxy(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.IsAbs() {
			t.Error("request arrived in proxy form")
		}
		w.Write([]byte(simplePAC))
	}))
	defer srv.Close()
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("http_proxy", "http://127.0.0.1:1")
	got, err := Fetch(context.Background(), srv.URL+"/x.pac")
	if err != nil || got != simplePAC {
		t.Fatalf("got %q, %v", got, err)
	}
}

// proxy_resolution_url_sanitizer_unittest.cc
// (ProxyResolutionUrlSanitizerTest.SanitizeUrlForProxyResolution), plus
// GURL canonical forms.
func TestSanitizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://user:pass@example.test/path?query#ref", "http://example.test/path?query"},
		{"ftp://user:pass@example.test/path?query#ref", "ftp://example.test/path?query"},
		{"https://user:pass@example.test:8080/path?query#ref", "https://example.test:8080/"},
		{"wss://user:pass@example.test/path?query#ref", "wss://example.test/"},
		{"http://example.test/", "http://example.test/"},
		{"https://example.test/", "https://example.test/"},
		// GURL canonical forms.
		{"HTTP://Example.TEST", "http://example.test/"},
		{"http://example.test:80/a", "http://example.test/a"},
		{"https://example.test:443/a?b", "https://example.test/"},
		{"http://[::1]:8080/x", "http://[::1]:8080/x"},
		{"ws://example.test/chat?x#y", "ws://example.test/chat?x"},
		{"not a url", "not a url"},
		// Path canonicalisation, checked against Chromium in
		// providers/proxy/chromium_e2e_test.go ("PAC url and host arguments").
		{"http://example.test/a/../b/./c", "http://example.test/b/c"},
		{"http://example.test/a b", "http://example.test/a%20b"},
		// RFC 3986 5.4 / GURL dot-segment cases.
		{"http://example.test/a/b/..", "http://example.test/a/"},
		{"http://example.test/a/b/.", "http://example.test/a/b/"},
		{"http://example.test/../../x", "http://example.test/x"},
		{"http://example.test/a/%2E%2e/b", "http://example.test/b"},
		{"http://example.test/a/..b/c", "http://example.test/a/..b/c"},
		{"http://example.test/?a b'c\"", "http://example.test/?a%20b%27c%22"},
		// Hosts as GURL prints them (url_canon_unittest.cc IPv4/IPv6
		// vectors; the first checked in Chromium by the e2e test).
		{"http://[2001:DB8:0:0::1]:8080/x", "http://[2001:db8::1]:8080/x"},
		{"http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/"},
		{"http://[1:0:0:2::3:0]/", "http://[1::2:0:0:3:0]/"},
		{"http://[0:0::]/", "http://[::]/"},
		{"http://[1:0:1:0:1:0:1:0]/", "http://[1:0:1:0:1:0:1:0]/"},
		{"http://0x7f.1/", "http://127.0.0.1/"},
		{"http://2130706433/", "http://127.0.0.1/"},
		{"http://0177.0.0.1:81/", "http://127.0.0.1:81/"},
		{"http://B\u00fccher.example/", "http://xn--bcher-kva.example/"},
	}
	for _, tc := range tests {
		if got := SanitizeURL(tc.in); got != tc.want {
			t.Errorf("SanitizeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := HostForPAC("http://[::1]:8080/x"); got != "::1" {
		t.Errorf("HostForPAC = %q, want ::1", got)
	}
}

// A certificate error aborts the fetch (OnSSLCertificateError cancels the
// request); a client that trusts the server's certificate fetches it.
func TestFetchHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ns-proxy-autoconfig")
		w.Write([]byte(simplePAC))
	}))
	defer srv.Close()
	if _, err := Fetch(context.Background(), srv.URL+"/p.pac"); err == nil {
		t.Fatal("untrusted certificate accepted")
	}
	f := &Fetcher{Client: srv.Client()}
	got, err := f.Fetch(context.Background(), srv.URL+"/p.pac")
	if err != nil || got != simplePAC {
		t.Fatalf("got %q, %v", got, err)
	}
	// Redirects between http and https are allowed.
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+"/p.pac", http.StatusFound)
	}))
	defer plain.Close()
	if got, err := f.Fetch(context.Background(), plain.URL+"/r"); err != nil || got != simplePAC {
		t.Fatalf("http → https redirect: %q, %v", got, err)
	}
}
