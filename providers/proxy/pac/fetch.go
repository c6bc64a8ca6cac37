package pac

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
)

// MaxScriptBytes is the largest PAC script Chromium downloads
// (net/proxy_resolution/pac_file_fetcher_impl.cc kDefaultMaxResponseBytes,
// 1 MB); a larger response fails with ERR_FILE_TOO_BIG.
const MaxScriptBytes = 1 << 20

// MaxURLChars is GURL's url::kMaxURLChars (2 MiB): the longest URL Chromium
// passes between processes, which bounds data: PAC URLs.
const MaxURLChars = 2 * 1024 * 1024

// DefaultFetchTimeout bounds a whole PAC download. Chromium allows 30 s
// (kDefaultMaxDuration); sessctl runs interactively and in CI, so it gives up
// sooner. Use a Fetcher to choose another value.
const DefaultFetchTimeout = 10 * time.Second

// Errors returned (wrapped) by Fetch, so callers can tell the user which
// rule the URL broke.
var (
	// ErrScheme: the URL is not http, https or data: (Chromium:
	// ERR_DISALLOWED_URL_SCHEME).
	ErrScheme = errors.New("unsupported PAC URL scheme")
	// ErrTooBig: the script exceeds MaxScriptBytes (ERR_FILE_TOO_BIG).
	ErrTooBig = errors.New("PAC script larger than 1 MB")
	// ErrStatus: an HTTP response other than 200
	// (ERR_HTTP_RESPONSE_CODE_FAILURE).
	ErrStatus = errors.New("PAC server did not answer 200")
	// ErrRedirect: a redirect to a URL Chromium would refuse
	// (ERR_UNSAFE_REDIRECT / ERR_DISALLOWED_URL_SCHEME).
	ErrRedirect = errors.New("PAC URL redirected to a disallowed URL")
	// ErrDataURL: a data: URL without the "," that starts its content, with
	// base64 that does not decode, or longer than MaxURLChars.
	ErrDataURL = errors.New("malformed data: URL")
)

// Fetcher downloads PAC scripts. The zero value is ready to use.
type Fetcher struct {
	// Client performs http and https requests. nil means a client that never
	// uses a proxy (Chromium fetches PAC with LOAD_BYPASS_PROXY, to avoid
	// needing a proxy to find the proxy).
	Client *http.Client
	// Timeout bounds the whole download; 0 means DefaultFetchTimeout.
	Timeout time.Duration
	// MaxBytes is the size limit; 0 means MaxScriptBytes.
	MaxBytes int
}

// Fetch downloads the PAC script at rawURL with the default Fetcher.
func Fetch(ctx context.Context, rawURL string) (string, error) {
	var f Fetcher
	return f.Fetch(ctx, rawURL)
}

// Fetch downloads (http, https) or decodes (data:) the PAC script at rawURL
// and returns its text, decoded to UTF-8 the way Chromium decodes it: the
// response charset if given, else a byte-order mark, else ISO-8859-1.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (string, error) {
	maxBytes := f.MaxBytes
	if maxBytes <= 0 {
		maxBytes = MaxScriptBytes
	}
	// The URL parser removes tabs and newlines anywhere in a URL (WHATWG URL
	// standard; GURL does the same), and leading/trailing spaces.
	cleaned := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.TrimSpace(rawURL))
	scheme, _, ok := strings.Cut(cleaned, ":")
	if !ok || scheme == "" {
		return "", fmt.Errorf("%q: %w: not an absolute URL; use http://, https:// or data:", rawURL, ErrScheme)
	}
	switch strings.ToLower(scheme) {
	case "data":
		return decodeDataURL(cleaned)
	case "http", "https":
		return f.fetchHTTP(ctx, cleaned, maxBytes)
	case "file":
		// PacFileFetcherImpl::IsUrlSchemeAllowed admits only http, https and
		// data:. PAC scripts are fetched by the network service, which runs
		// without file system access; local files were dropped as PAC
		// sources and a redirect to file:// fails with ERR_UNSAFE_REDIRECT.
		return "", fmt.Errorf("%q: %w: Chromium does not load PAC scripts from file:// URLs; serve the script over http(s) or embed it as a data: URL (data:application/x-ns-proxy-autoconfig;base64,...)", rawURL, ErrScheme)
	default:
		return "", fmt.Errorf("%q: %w %q: Chromium accepts only http, https and data: PAC URLs", rawURL, ErrScheme, scheme)
	}
}

func (f *Fetcher) fetchHTTP(ctx context.Context, rawURL string, maxBytes int) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("PAC URL %q: %w", rawURL, err)
	}
	if u.Host == "" {
		return "", fmt.Errorf("PAC URL %q has no host", rawURL)
	}
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	client := f.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	}
	// Copy the client so that the redirect policy below does not change the
	// caller's client.
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		// OnReceivedRedirect: file:// is ERR_UNSAFE_REDIRECT, other schemes
		// outside http/https/data are ERR_DISALLOWED_URL_SCHEME. A network
		// request cannot redirect to data: either (URLRequest refuses it as
		// unsafe), so only http and https remain.
		if s := req.URL.Scheme; s != "http" && s != "https" {
			return fmt.Errorf("%w: %s", ErrRedirect, req.URL.Redacted())
		}
		if len(via) >= 20 { // URLRequest's kMaxRedirects
			return fmt.Errorf("%w: more than 20 redirects", ErrRedirect)
		}
		if client.CheckRedirect != nil {
			return client.CheckRedirect(req, via)
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("PAC URL %q: %w", rawURL, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetching PAC script: %w", err)
	}
	defer resp.Body.Close()
	// Chromium requires exactly 200 ("like Firefox 3"), and does not enforce
	// a MIME type.
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %w (got %s)", u.Redacted(), ErrStatus, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(maxBytes)+1))
	if err != nil {
		return "", fmt.Errorf("reading PAC script from %s: %w", u.Redacted(), err)
	}
	if len(body) > maxBytes {
		return "", fmt.Errorf("%s: %w", u.Redacted(), ErrTooBig)
	}
	charset := ""
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		charset = params["charset"]
	}
	return decodeScript(charset, body)
}

// decodeDataURL implements the parts of net/base/data_url.cc DataURL::Parse
// that matter for PAC: "data:[<mediatype>][;charset=x][;base64],<data>".
//
// The 1 MB limit does not apply: PacFileFetcherImpl::Fetch decodes data: URLs
// and returns before the download path that enforces it. The URL itself is
// bounded by GURL's url::kMaxURLChars (2 MiB); a longer URL does not survive
// the trip to the network service.
func decodeDataURL(raw string) (string, error) {
	if len(raw) > MaxURLChars {
		return "", fmt.Errorf("%w: the URL is %d bytes, longer than Chromium's %d-byte URL limit", ErrDataURL, len(raw), MaxURLChars)
	}
	_, rest, _ := strings.Cut(raw, ":")
	// GURL treats everything after '#' as the fragment, which is not part of
	// the content.
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok {
		return "", fmt.Errorf("%w: no ',' separates the media type from the script", ErrDataURL)
	}
	isBase64 := false
	charset := ""
	params := strings.Split(meta, ";")
	for i, p := range params {
		p = strings.TrimSpace(p)
		if i == 0 {
			continue // media type; Chromium does not check it for PAC
		}
		if strings.EqualFold(p, "base64") {
			isBase64 = true
			continue
		}
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(strings.TrimSpace(k), "charset") {
			charset = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	unescaped := percentDecode(data)
	var body []byte
	var err error
	if isBase64 {
		// Forgiving base64 (WHATWG infra): ASCII whitespace removed, padding
		// optional.
		clean := strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\n', '\f', '\r':
				return -1
			}
			return r
		}, unescaped)
		clean = strings.TrimRight(clean, "=")
		body, err = base64.RawStdEncoding.DecodeString(clean)
		if err != nil {
			return "", fmt.Errorf("%w: base64 content does not decode: %v", ErrDataURL, err)
		}
	} else {
		body = []byte(unescaped)
	}
	return decodeScript(charset, body)
}

// decodeScript mirrors ConvertResponseToUTF16 in pac_file_fetcher_impl.cc:
// an explicit charset wins; otherwise a UTF-16BE, UTF-16LE or UTF-8 byte
// order mark selects the encoding (and is dropped); otherwise the bytes are
// ISO-8859-1. Undecodable bytes become U+FFFD.
func decodeScript(charset string, b []byte) (string, error) {
	if charset == "" {
		switch {
		case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
			return decodeUTF16(b[2:], true), nil
		case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
			return decodeUTF16(b[2:], false), nil
		case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
			return strings.ToValidUTF8(string(b[3:]), "\uFFFD"), nil
		}
		charset = "iso-8859-1"
	}
	switch strings.ToLower(charset) {
	case "utf-8", "utf8":
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	case "utf-16be":
		return decodeUTF16(b, true), nil
	case "utf-16le":
		return decodeUTF16(b, false), nil
	case "iso-8859-1", "latin1", "l1", "us-ascii", "ascii":
		// ICU's ISO-8859-1 converter is a true Latin-1 (byte = code point).
		out, _ := charmap.ISO8859_1.NewDecoder().Bytes(b)
		return string(out), nil
	}
	enc, err := ianaindex.IANA.Encoding(charset)
	if err != nil || enc == nil {
		return "", fmt.Errorf("PAC script has an unsupported charset %q", charset)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", fmt.Errorf("PAC script is not valid %s: %w", charset, err)
	}
	if !utf8.Valid(out) {
		return strings.ToValidUTF8(string(out), "\uFFFD"), nil
	}
	return string(out), nil
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if bigEndian {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	s := string(utf16.Decode(u))
	if len(b)%2 == 1 {
		s += "\uFFFD"
	}
	return s
}

// percentDecode decodes %XX sequences and leaves malformed ones as they are
// (base::UnescapeBinaryURLComponent, which DataURL::Parse uses).
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
