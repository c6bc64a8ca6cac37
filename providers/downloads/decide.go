package downloads

import (
	"path/filepath"
	"strings"

	"github.com/sessctl/sessctl/providers/permission"
)

// Request is a download as the adapter's will-download listener sees it
// (DownloadItem getURL, getFilename, getMimeType, getTotalBytes).
type Request struct {
	URL      string `json:"url"`
	Filename string `json:"filename"`
	MIMEType string `json:"mimeType"`
	// TotalBytes is 0 when the size is unknown (no Content-Length).
	TotalBytes int64 `json:"totalBytes"`
}

// Decisions.
const (
	// Default: no downloads block; Electron's own behaviour applies.
	Default = "default"
	// Cancel: item.cancel().
	Cancel = "cancel"
	// Save: item.setSavePath(directory/filename), no dialog.
	Save = "save"
	// Ask: no setSavePath, so Electron shows its save dialog.
	Ask = "ask"
)

// Result is a decision and the rule that made it: "no-block",
// "filename", "blocked_extensions", "blocked_mime_types",
// "blocked_origins", "allowed_extensions", "allowed_mime_types",
// "allowed_origins", "max_size", or "ask" / "directory" for downloads
// every condition lets through.
type Result struct {
	Decision string `json:"decision"`
	Rule     string `json:"rule"`
	// Filename is the safe file name saved under the directory (Save only).
	Filename string `json:"filename,omitempty"`
	// Path is directory joined with Filename (Save only).
	Path string `json:"path,omitempty"`
}

// SafeName is the last component of a suggested file name (after '/' or
// '\\'), or "" when that is empty, "." or "..", or holds a control
// character: such a download is cancelled.
func SafeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name == "" || name == "." || name == ".." {
		return ""
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	return name
}

// NormalizeMIME is the MIME type compared: ASCII lower case, parameters
// and surrounding spaces and tabs removed.
func NormalizeMIME(m string) string {
	if i := strings.IndexByte(m, ';'); i >= 0 {
		m = m[:i]
	}
	return asciiLower(strings.Trim(m, " \t"))
}

// asciiLower lowers A-Z only. Unicode case mapping differs between Go and
// JavaScript (U+0130 is "i" in Go, "i\u0307" in JS; the Kelvin sign is "k"
// in both), so a name that one side matched and the other did not could
// slip past a blocked list; extensions and MIME types are ASCII anyway.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func extMatches(list []string, name string) bool {
	lower := asciiLower(name)
	for _, e := range list {
		if strings.HasSuffix(lower, "."+e) {
			return true
		}
	}
	return false
}

func mimeMatches(list []string, m string) bool {
	for _, p := range list {
		if p == m || strings.HasSuffix(p, "/*") && strings.HasPrefix(m, p[:len(p)-1]) {
			return true
		}
	}
	return false
}

func originMatches(list []permission.OriginPattern, u *permission.URL) bool {
	for i := range list {
		if list[i].Match(u) {
			return true
		}
	}
	return false
}

// Decide applies the order of docs/downloads.md "Decision order".
func Decide(t *Table, r Request) Result {
	if t == nil {
		return Result{Decision: Default, Rule: "no-block"}
	}
	name := SafeName(r.Filename)
	if name == "" {
		return Result{Decision: Cancel, Rule: "filename"}
	}
	mime := NormalizeMIME(r.MIMEType)
	u := permission.ParseURL(r.URL)
	switch {
	case extMatches(t.BlockedExtensions, name):
		return Result{Decision: Cancel, Rule: "blocked_extensions"}
	case mimeMatches(t.BlockedMIMETypes, mime):
		return Result{Decision: Cancel, Rule: "blocked_mime_types"}
	case originMatches(t.BlockedOrigins, &u):
		return Result{Decision: Cancel, Rule: "blocked_origins"}
	case t.AllowedExtensions != nil && !extMatches(t.AllowedExtensions, name):
		return Result{Decision: Cancel, Rule: "allowed_extensions"}
	case t.AllowedMIMETypes != nil && !mimeMatches(t.AllowedMIMETypes, mime):
		return Result{Decision: Cancel, Rule: "allowed_mime_types"}
	case t.AllowedOrigins != nil && !originMatches(t.AllowedOrigins, &u):
		return Result{Decision: Cancel, Rule: "allowed_origins"}
	case t.MaxSize > 0 && r.TotalBytes > t.MaxSize:
		return Result{Decision: Cancel, Rule: "max_size"}
	case t.Ask:
		return Result{Decision: Ask, Rule: "ask"}
	}
	return Result{Decision: Save, Rule: "directory", Filename: name, Path: filepath.Join(t.Directory, name)}
}
