package schema

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
)

// maxNameBytes bounds partition names: a persistent partition becomes one
// directory name, and common file systems (ext4, NTFS, APFS) cap a name
// component at 255 bytes.
const maxNameBytes = 255

// sessionKey is what identifies a session in Electron: "" and "persist:"
// are the same (default) session (docs/electron-facts.md §1,
// Session::FromPartition).
func sessionKey(name string) string {
	if name == PersistPrefix {
		return ""
	}
	return name
}

// PartitionDirName is the directory name Electron gives a persistent
// partition under <sessionData>/Partitions: MakePartitionName lowercases
// ASCII A-Z, then base::EscapePath percent-encodes (uppercase hex) control
// characters, bytes >= 0x80, space and "#%:<>?[\]^`{|} (docs/electron-facts.md
// §1, electron_browser_context.cc 235-238, base/strings/escape.cc
// kPathCharmap). It returns "" for the default session and in-memory
// partitions, which have no directory of their own.
func PartitionDirName(name string) string {
	if !strings.HasPrefix(name, PersistPrefix) || name == PersistPrefix {
		return ""
	}
	rest := name[len(PersistPrefix):]
	var b strings.Builder
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c < 0x20 || c >= 0x7f || strings.IndexByte(" \"#%:<>?[\\]^`{|}", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// checkPartitionName reports names that Electron would map outside the
// partition directory, onto another partition's directory, or that cannot
// be stored or displayed safely. rng is the label's range.
func checkPartitionName(name string, rng hcl.Range) hcl.Diagnostics {
	bad := func(summary, detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}}
	}
	if !utf8.ValidString(name) {
		return bad("Invalid partition name", "The partition name is not valid UTF-8. Electron partition names are JavaScript strings; use valid UTF-8 text.")
	}
	for i, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return bad("Invalid partition name", fmt.Sprintf("The partition name contains the control character %U at byte %d. Control characters (including NUL) are refused because they are invisible in plans and logs and are escaped into the directory name by Electron.", r, i))
		}
	}
	if len(name) > maxNameBytes {
		return bad("Partition name too long", fmt.Sprintf("The partition name is %d bytes; at most %d are allowed, because a persistent partition becomes one directory name and file systems cap names at 255 bytes.", len(name), maxNameBytes))
	}
	if strings.ContainsAny(name, `/\`) {
		return bad("Invalid partition name", `The partition name contains "/" or "\". Electron does not escape "/" when it turns "persist:NAME" into a directory, so "persist:a/b" becomes the nested directory Partitions/a/b (and "\" is a separator on Windows). sessctl refuses both characters in every partition name so that no name can reach outside its own directory; use "-" or "_" instead.`)
	}
	persistent := strings.HasPrefix(name, PersistPrefix)
	if persistent {
		rest := name[len(PersistPrefix):]
		if rest == "." || rest == ".." {
			return bad("Invalid partition name", fmt.Sprintf(`Electron stores "persist:%s" in the directory Partitions/%s, which is %s, not a directory of its own: the session would share or overwrite other sessions' data. Choose another name.`,
				rest, rest, map[string]string{".": "the Partitions directory itself", "..": "the sessionData root (the default session's storage)"}[rest]))
		}
		if dir := PartitionDirName(name); len(dir) > maxNameBytes {
			return bad("Partition name too long", fmt.Sprintf("Electron percent-encodes this name into a %d-byte directory name (each non-ASCII byte, space and some punctuation become three bytes); at most %d bytes fit in a file name. Use a shorter name.", len(dir), maxNameBytes))
		}
	}
	var diags hcl.Diagnostics
	if persistent {
		if why := windowsTrouble(PartitionDirName(name)); why != "" {
			diags = append(diags, warning.New(warning.PartitionNotPortable, rng,
				"Partition directory is not portable to Windows",
				fmt.Sprintf("Electron stores %q in the directory Partitions/%s; %s. The name works on Linux and macOS; choose another if the app also runs on Windows.", name, PartitionDirName(name), why)))
		}
	}
	if !persistent && len(name) >= len(PersistPrefix) && strings.EqualFold(name[:len(PersistPrefix)], PersistPrefix) {
		diags = append(diags, warning.New(warning.PartitionInMemory, rng,
			"Partition is in-memory",
			fmt.Sprintf(`Electron matches the "persist:" prefix case-sensitively, so %q is an in-memory partition whose data is lost when the app quits. Write "persist:%s" for a persistent partition.`, name, name[len(PersistPrefix):])))
	}
	return diags
}

// nameIndex detects partitions that are the same session, or distinct
// sessions sharing one directory, in time linear in the number of names.
type nameIndex struct {
	sessions map[string]hcl.Range
	dirs     map[string]dirOwner
}

type dirOwner struct {
	name string
	rng  hcl.Range
}

func newNameIndex(n int) *nameIndex {
	return &nameIndex{sessions: make(map[string]hcl.Range, n), dirs: make(map[string]dirOwner)}
}

// add records name; it reports an error when the name is already taken.
func (x *nameIndex) add(name string, rng hcl.Range) hcl.Diagnostics {
	key := sessionKey(name)
	if prev, ok := x.sessions[key]; ok {
		detail := fmt.Sprintf("Partition %q is already defined at %s.", name, prev)
		if key == "" {
			detail = fmt.Sprintf(`The default session is already defined at %s: "" and "persist:" both name Electron's default session. Merge the two blocks.`, prev)
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Duplicate partition",
			Detail:   detail,
			Subject:  rng.Ptr(),
		}}
	}
	x.sessions[key] = rng
	if dir := PartitionDirName(name); dir != "" {
		if prev, ok := x.dirs[dir]; ok {
			return hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Partitions share a directory",
				Detail: fmt.Sprintf("Electron lowercases ASCII letters when it names a partition's directory, so %q and %q (at %s) are two different sessions stored in the same directory Partitions/%s, overwriting each other's data. Use names that differ in more than letter case.",
					name, prev.name, prev.rng, dir),
				Subject: rng.Ptr(),
			}}
		}
		x.dirs[dir] = dirOwner{name, rng}
	}
	return nil
}

// windowsTrouble says why a partition directory name misbehaves on Windows,
// or returns "". Electron's escaping leaves "*" and trailing dots alone
// (docs/electron-facts.md §1); Windows refuses "*" in file names, strips
// trailing dots (so "a." and "a" share a directory) and reserves device
// names such as CON and COM1 even with an extension (Microsoft, "Naming
// Files, Paths, and Namespaces").
func windowsTrouble(dir string) string {
	if dir == "" {
		return ""
	}
	if strings.Contains(dir, "*") {
		return `Windows does not allow "*" in file names`
	}
	if strings.HasSuffix(dir, ".") {
		return "Windows removes trailing dots from file names, so this directory is the one of the name without them"
	}
	base := dir
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	switch base { // dir is already lowercase
	case "con", "prn", "aux", "nul":
		return fmt.Sprintf("%q is a reserved device name on Windows", base)
	}
	if len(base) == 4 && (strings.HasPrefix(base, "com") || strings.HasPrefix(base, "lpt")) && base[3] >= '0' && base[3] <= '9' {
		return fmt.Sprintf("%q is a reserved device name on Windows", base)
	}
	return ""
}
