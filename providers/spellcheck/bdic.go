package spellcheck

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Hunspell dictionaries as Chromium finds them on disk.
//
// Where: SpellcheckHunspellDictionary::InitializeDictionaryLocation
// (chromium/chromium chrome/browser/spellchecker/
// spellcheck_hunspell_dictionary.cc @ 222a1839e4aa) opens
// GetVersionedFileName(language, chrome::DIR_APP_DICTIONARIES). Electron
// overrides DIR_APP_DICTIONARIES as DIR_SESSION_DATA + "Dictionaries"
// (electron/electron shell/common/electron_paths.cc @ 96f3996d8d, lines
// 40-45): one directory for the whole app, shared by every session and
// partition, on every platform. Plain Chromium on Linux uses
// <user-data-dir>/Dictionaries (chrome/common/chrome_paths.cc).
//
// When: OpenDictionaryFile (same file) maps the file and runs
// hunspell::BDict::Verify on it. A file that passes is opened and used:
// InitializeDictionaryLocationComplete downloads only when no valid file
// was opened. A file that fails is deleted, then downloaded from
// redirector.gvt1.com (or the URL of setSpellCheckerDictionaryDownloadURL,
// Electron's patch feat_add_support_for_overriding_the_base_spellchecker_
// download_url.patch). So a valid file in place prevents the network
// fetch; no download URL needs to be set for it.

// DictionariesDirName is the directory, in the app's session data
// directory, where Electron looks for Hunspell dictionaries.
const DictionariesDirName = "Dictionaries"

// MaxDictionaryBytes bounds a dictionary sessctl reads: Chromium's largest
// bundled dictionaries are a few MiB, and the file is carried in the plan.
const MaxDictionaryBytes = 64 << 20

// dictionaryVersions is the version suffix of each language_region whose
// dictionary is not at the default "-3-0", as Electron 45 ships them
// (electron/electron filenames.hunspell.gni @ 96f3996d8d, generated from
// its Chromium 153 checkout; GetVersionedFileName's kSpecialVersionString
// in components/spellcheck/common/spellcheck_common.cc). Chromium 156
// moved the English dictionaries to "-10-2" (docs/electron-facts.md §2):
// the suffix depends on the Chromium version.
var dictionaryVersions = map[string]string{
	"tr-TR": "-4-0", "tg-TG": "-5-0", "cy-GB": "-1-0", "hy": "-1-0",
	"sh": "-4-0", "sr": "-4-0", "fa-IR": "-9-0", "uk-UA": "-5-0", "gl": "-1-0",
	"en-AU": "-10-1", "en-CA": "-10-1", "en-GB": "-10-1", "en-GB-oxendict": "-10-1", "en-US": "-10-1",
}

// DictionaryVersionsElectron is the Electron major whose file names
// dictionaryVersions holds.
const DictionaryVersionsElectron = 45

// Region returns the language_region of a supported language code
// (GetSpellCheckLanguageRegion: "fr" -> "fr-FR", "es-MX" -> "es-ES").
func Region(language string) (string, bool) {
	for _, r := range languageRows {
		if r.language == language {
			return r.region, true
		}
	}
	return "", false
}

// DictionaryFile is GetVersionedFileName for Electron 45: the file name
// Chromium looks for in Dictionaries/ for language (a code of the
// language column, as Normalize returns it), e.g. "fr" -> "fr-FR-3-0.bdic",
// "en-US" -> "en-US-10-1.bdic".
func DictionaryFile(language string) (string, bool) {
	region, ok := Region(language)
	if !ok {
		return "", false
	}
	v, ok := dictionaryVersions[region]
	if !ok {
		v = "-3-0"
	}
	return region + v + ".bdic", true
}

// versionedName reports whether name is REGION-MAJOR-MINOR.bdic for
// region, the shape of every name GetVersionedFileName builds.
func versionedName(name, region string) bool {
	rest, ok := strings.CutPrefix(name, region+"-")
	if !ok {
		return false
	}
	rest, ok = strings.CutSuffix(rest, ".bdic")
	if !ok {
		return false
	}
	maj, min, ok := strings.Cut(rest, "-")
	return ok && digits(maj) && digits(min)
}

func digits(s string) bool {
	return s != "" && len(s) <= 4 && strings.Trim(s, "0123456789") == ""
}

// The BDIC header (third_party/hunspell/google/bdict.h @ 11792108ac3e),
// little endian: "BDic", major and minor version (uint16 each), the
// offsets of the aff section and of the dic section (uint32 each), then
// since major version 2 the MD5 of everything from the aff section to the
// end of the file. The aff section starts with four uint32 offsets, the
// first being the affix group table's.
const (
	bdicSignature    = "BDic"
	bdicHeaderLen    = 4 + 2 + 2 + 4 + 4 + md5.Size
	bdicAffHeaderLen = 4 * 4
	bdicMajorVersion = 2
)

// ErrNotBDIC is wrapped by VerifyBDIC's errors.
var ErrNotBDIC = errors.New("not a Hunspell dictionary Chromium accepts")

// VerifyBDIC checks data the way hunspell::BDict::Verify does
// (third_party/hunspell/google/bdict.cc @ 11792108ac3e): longer than the
// header, the "BDic" signature, a major version of at most 2, both section
// offsets within the file, room for the aff header and for the affix group
// table's first uint32, and for version 2 and later an MD5 of the bytes
// from the aff section to the end equal to the header's. Chromium deletes
// a file that fails these checks and downloads the dictionary instead.
func VerifyBDIC(data []byte) error {
	n := uint64(len(data))
	if n <= bdicHeaderLen {
		return fmt.Errorf("%w: %d bytes is no longer than the %d-byte header", ErrNotBDIC, n, bdicHeaderLen)
	}
	if string(data[:4]) != bdicSignature {
		return fmt.Errorf("%w: it does not start with %q", ErrNotBDIC, bdicSignature)
	}
	major := binary.LittleEndian.Uint16(data[4:])
	aff := uint64(binary.LittleEndian.Uint32(data[8:]))
	dic := uint64(binary.LittleEndian.Uint32(data[12:]))
	switch {
	case major > bdicMajorVersion:
		return fmt.Errorf("%w: format version %d is newer than Chromium's %d", ErrNotBDIC, major, bdicMajorVersion)
	case aff > n || dic > n:
		return fmt.Errorf("%w: a section offset points past the end of the file", ErrNotBDIC)
	case aff+bdicAffHeaderLen > n:
		return fmt.Errorf("%w: the file ends inside the aff header", ErrNotBDIC)
	}
	group := uint64(binary.LittleEndian.Uint32(data[aff:]))
	if group+4 > n {
		return fmt.Errorf("%w: the affix group table offset points past the end of the file", ErrNotBDIC)
	}
	if major >= 2 {
		sum := md5.Sum(data[aff:])
		if string(sum[:]) != string(data[16:16+md5.Size]) {
			return fmt.Errorf("%w: the MD5 checksum in its header does not match its content (truncated or corrupted)", ErrNotBDIC)
		}
	}
	return nil
}
