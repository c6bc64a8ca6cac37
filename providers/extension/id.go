package extension

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"unicode/utf16"
)

// Chromium's extension ID algorithm (components/crx_file/id_util.cc @
// 15e5cfc306ce, extensions/common/extension.cc ComputeExtensionID and
// ParsePEMKeyBytes; docs/electron-facts.md §3).

// idBytes is crx_file::id_util::kIdSize: the ID keeps the first 16 bytes of
// the SHA-256.
const idBytes = 16

// maxKeyBytes is ParsePEMKeyBytes' kMaxInputSizeBytes (100 KiB).
const maxKeyBytes = 100 * 1024

// InvalidKeyError is Chromium's errors::kInvalidKey.
const InvalidKeyError = "Value 'key' is missing or invalid."

// ErrInvalidKey is returned by IDFromKey for a key Chromium cannot parse.
var ErrInvalidKey = errors.New(InvalidKeyError)

// GenerateID is crx_file::id_util::GenerateId: SHA-256 of input, first 16
// bytes, hex-encoded, each hex digit 0-f mapped to a-p.
func GenerateID(input []byte) string {
	sum := sha256.Sum256(input)
	h := hex.EncodeToString(sum[:idBytes])
	b := []byte(h)
	for i, c := range b {
		if c >= 'a' {
			b[i] = 'a' + 10 + (c - 'a')
		} else {
			b[i] = 'a' + (c - '0')
		}
	}
	return string(b)
}

// IDForPath is GenerateIdForPath on the operating system sessctl runs on:
// the ID of an unpacked extension without a manifest key, computed over the
// path exactly as given to loadExtension (no cleaning: a trailing "/"
// changes the ID).
func IDForPath(path string) string { return IDForPathOS(path, runtime.GOOS) }

// IDForPathOS is GenerateIdForPath as Chromium computes it on goos: the
// UTF-8 bytes of the path on POSIX; on Windows the UTF-16LE code units of
// the path after MaybeNormalizePath uppercased a lowercase drive letter.
func IDForPathOS(path, goos string) string {
	if goos != "windows" {
		return GenerateID([]byte(path))
	}
	if len(path) >= 2 && path[0] >= 'a' && path[0] <= 'z' && path[1] == ':' {
		path = string(path[0]-'a'+'A') + path[1:]
	}
	units := utf16.Encode([]rune(path))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = append(b, byte(u), byte(u>>8))
	}
	return GenerateID(b)
}

// IDFromKey is the ID of an extension whose manifest has a "key": the
// GenerateId of the DER public key that ParsePEMKeyBytes extracts. A key
// that starts with "-----BEGIN" has its whitespace collapsed and the text
// between the end of the "KEY-----" header and the last "-----END" decoded;
// any other key is decoded whole. Empty input, input over 100 KiB and bad
// base64 give ErrInvalidKey.
func IDFromKey(key string) (string, error) {
	der, err := parsePEMKeyBytes(key)
	if err != nil {
		return "", err
	}
	return GenerateID(der), nil
}

func parsePEMKeyBytes(input string) ([]byte, error) {
	if len(input) == 0 || len(input) > maxKeyBytes {
		return nil, ErrInvalidKey
	}
	working := input
	const begin, end, infoEnd = "-----BEGIN", "-----END", "KEY-----"
	if strings.HasPrefix(working, begin) {
		working = collapseWhitespaceASCII(working)
		h := strings.Index(working[len(begin):], infoEnd)
		if h < 0 {
			return nil, ErrInvalidKey
		}
		start := len(begin) + h + len(infoEnd)
		stop := strings.LastIndex(working, end)
		if stop < 0 || start >= stop {
			return nil, ErrInvalidKey
		}
		working = working[start:stop]
		if working == "" {
			return nil, ErrInvalidKey
		}
	}
	// base::Base64Decode (strict policy) takes no whitespace; Go's decoder
	// would silently skip \r and \n, so refuse them first.
	if strings.ContainsAny(working, "\r\n") {
		return nil, ErrInvalidKey
	}
	der, err := base64.StdEncoding.DecodeString(working)
	if err != nil {
		return nil, ErrInvalidKey
	}
	return der, nil
}

// collapseWhitespaceASCII is base::CollapseWhitespaceASCII(text, true):
// leading and trailing whitespace removed, runs of whitespace that contain
// a line break removed entirely, other runs replaced by one space.
func collapseWhitespaceASCII(text string) string {
	var b strings.Builder
	inRun, runHasBreak := true, false // true at start: drop leading whitespace
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' {
			if !inRun {
				inRun, runHasBreak = true, false
			}
			if c == '\n' || c == '\r' {
				runHasBreak = true
			}
			continue
		}
		if inRun && b.Len() > 0 && !runHasBreak {
			b.WriteByte(' ')
		}
		inRun = false
		b.WriteByte(c)
	}
	return b.String()
}

// ValidID is crx_file::id_util::IdIsValid: 32 characters, each a-p
// (case-insensitive).
func ValidID(id string) bool {
	if len(id) != 2*idBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i] | 0x20
		if c < 'a' || c > 'p' {
			return false
		}
	}
	return true
}
