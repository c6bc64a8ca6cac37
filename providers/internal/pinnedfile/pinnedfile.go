// Package pinnedfile checks a local file that sessctl reads at plan time
// and may pin by SHA-256 (preload scripts, spellcheck dictionaries): it
// must exist, be a regular file (symbolic links to one are fine), stay
// under an optional size limit, and match its sha256 pin when one is set.
// The callers keep their own checks of the path itself and their own
// wording; this package holds the shared steps.
package pinnedfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Kind is how the diagnostics name the file and why sessctl reads it.
type Kind struct {
	// Noun names the file in summaries and details: "dictionary",
	// "preload script".
	Noun string
	// Missing names the file in the summary for a missing file:
	// "MISSING not found: PATH".
	Missing string
	// Kept is what the plan holds of the file: "The file must exist when
	// sessctl plans: its KEPT is part of the plan."
	Kept string
	// ReadWhy is the detail when the file cannot be read.
	ReadWhy string
	// MaxBytes, when positive, refuses larger files with the detail
	// TooLarge.
	MaxBytes int64
	TooLarge string
	// Check, when set, runs on a regular file before it is read; what it
	// returns is added to the diagnostics without stopping the load.
	Check func(c *providers.Context, path string, st os.FileInfo, rng hcl.Range) *hcl.Diagnostic
}

// File is a file read and digested.
type File struct {
	Data   []byte
	Digest string // lowercase hex SHA-256 of Data
}

// Load stats, checks and reads path (an absolute, already checked path;
// rng is where the configuration names it). On failure it returns nil and
// the diagnostics (the error last); files it could not read are tracked
// with c.Track so that a later plan notices them.
func Load(c *providers.Context, path string, rng hcl.Range, k Kind) (*File, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	st, err := c.Stat(path)
	if err != nil {
		c.Track(path)
		return nil, append(diags, providers.Errorf(rng,
			fmt.Sprintf("The file must exist when sessctl plans: its %s is part of the plan.", k.Kept),
			"%s not found: %s", k.Missing, path))
	}
	if !st.Mode().IsRegular() {
		c.Track(path)
		return nil, append(diags, providers.Errorf(rng,
			fmt.Sprintf("A %s must be a regular file (symbolic links to one are fine).", k.Noun),
			"%s %s is not a regular file", k.Noun, path))
	}
	if k.MaxBytes > 0 && st.Size() > k.MaxBytes {
		c.Track(path)
		return nil, append(diags, providers.Errorf(rng, k.TooLarge,
			"%s %s is %d bytes", k.Noun, path, st.Size()))
	}
	if k.Check != nil {
		if d := k.Check(c, path, st, rng); d != nil {
			diags = append(diags, d)
		}
	}
	data, err := c.ReadFile(path)
	if err != nil {
		return nil, append(diags, providers.Errorf(rng, k.ReadWhy,
			"cannot read %s %s: %v", k.Noun, path, err))
	}
	sum := sha256.Sum256(data)
	return &File{Data: data, Digest: hex.EncodeToString(sum[:])}, diags
}

// ParsePin returns the lowercased pin of a set sha256 attribute, or "" and
// an error when it is not 64 hex digits. noun names the block in the
// summary ("dictionary", "preload").
func ParsePin(v schema.Value[string], noun string) (string, *hcl.Diagnostic) {
	pin := strings.ToLower(v.V)
	if !IsSHA256Hex(pin) {
		return "", providers.Errorf(v.Range,
			"sha256 is the 64 hex digits of the file's SHA-256, as printed by sha256sum or filesha256(path).",
			"%s sha256 %q is not a SHA-256 digest", noun, v.V)
	}
	return pin, nil
}

// CheckPin reports a file whose digest is not its (valid, non-empty) pin;
// pinRange is the sha256 attribute's range.
func CheckPin(pinRange hcl.Range, noun, path, digest, pin string) *hcl.Diagnostic {
	if pin == digest {
		return nil
	}
	return providers.Errorf(pinRange,
		fmt.Sprintf("%s has SHA-256 %s, but sha256 pins %s. If the change is expected, update the pin.", path, digest, pin),
		"%s %s does not match its sha256 pin", noun, path)
}

// IsSHA256Hex reports whether s is 64 lowercase hex digits.
func IsSHA256Hex(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}
