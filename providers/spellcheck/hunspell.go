package spellcheck

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/pinnedfile"
	"github.com/sessctl/sessctl/schema"
)

// DictBlock is a `dictionary "LANGUAGE" {}` block inside `spellcheck {}`:
// a local Hunspell .bdic file sessctl provisions into the app's
// Dictionaries directory, so that Chromium finds it instead of
// downloading it.
type DictBlock struct {
	Language      string
	LanguageRange hcl.Range
	Source        schema.Value[string]
	SHA256        schema.Value[string]
	DeclRange     hcl.Range
}

// DictEntry is one element of the spellChecker field's "dictionaries"
// member: what sessctl provisioned, for the plan and status. The adapter
// makes no call for it (Chromium reads the file itself).
type DictEntry struct {
	Language string `json:"language"`
	File     string `json:"file"`
	SHA256   string `json:"sha256"`
}

// dictionary is a validated dictionary block.
type dictionary struct {
	entry   DictEntry
	content []byte
	blk     *DictBlock
}

// dictionaries validates the partition's dictionary blocks.
func dictionaries(c *providers.Context, sc *Spec) ([]dictionary, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var out []dictionary
	files := map[string]*DictBlock{}
	for _, b := range sc.Dictionaries {
		d, ds := oneDictionary(c, b)
		diags = append(diags, ds...)
		if d == nil {
			continue
		}
		if first, dup := files[d.entry.File]; dup {
			diags = append(diags, providers.Errorf(b.LanguageRange,
				fmt.Sprintf("Chromium keeps one file per dictionary region: %q and %q both load %s. Keep one block.", first.Language, b.Language, d.entry.File),
				"dictionary %q is the same file as dictionary %q", b.Language, first.Language))
			continue
		}
		files[d.entry.File] = b
		out = append(out, *d)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	// A dictionary of a language the session does not use is never loaded.
	if sc.Languages.Set {
		used := map[string]bool{}
		for _, it := range sc.Languages.Items {
			if stored, ok := Normalize(it.V); ok {
				if f, ok := DictionaryFile(stored); ok {
					used[f] = true
				}
			}
		}
		for _, d := range out {
			want, _ := DictionaryFile(d.entry.Language)
			if !used[want] {
				diags = append(diags, providers.Warnf(warning.SpellDictionaryUnused, d.blk.LanguageRange,
					fmt.Sprintf("Chromium loads the dictionaries of the session's spellchecker languages only; %q is not among spellcheck.languages, so %s is provisioned but this partition does not read it. Add %q to languages, or drop the block.", d.entry.Language, d.entry.File, d.entry.Language),
					"dictionary %q is not one of the partition's spellchecker languages", d.blk.Language))
			}
		}
	}
	return out, diags
}

func oneDictionary(c *providers.Context, b *DictBlock) (*dictionary, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	lang, ok := Normalize(b.Language)
	if !ok {
		detail := fmt.Sprintf("The label is the dictionary's spellchecker language, one of Chromium's codes (case-sensitive): %s.", strings.Join(Languages(), ", "))
		if s := Closest(b.Language); s != "" {
			detail = fmt.Sprintf("Did you mean %q? ", s) + detail
		}
		return nil, hcl.Diagnostics{providers.Errorf(b.LanguageRange, detail,
			"%q is not a spellchecker language", b.Language)}
	}
	want, _ := DictionaryFile(lang)
	region, _ := Region(lang)
	major := providers.CurrentElectronMajor
	if c != nil && c.ElectronMajor > 0 {
		major = c.ElectronMajor
	}

	if !b.SHA256.Set {
		diags = append(diags, providers.Errorf(b.DeclRange,
			"sessctl provisions only pinned dictionaries: set sha256 to the 64 hex digits of the file's SHA-256 (sha256sum, or filesha256(path)).",
			"dictionary %q has no sha256", b.Language))
	}
	pin := ""
	if b.SHA256.Set {
		var d *hcl.Diagnostic
		if pin, d = pinnedfile.ParsePin(b.SHA256, "dictionary"); d != nil {
			diags = append(diags, d)
		}
	}
	if !b.Source.Set {
		return nil, append(diags, providers.Errorf(b.DeclRange,
			fmt.Sprintf("Set source to the absolute path of the .bdic file, named as Chromium looks for it: %q.", want),
			"dictionary %q has no source", b.Language))
	}
	path := b.Source.V
	if i := strings.IndexFunc(path, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return nil, append(diags, providers.Errorf(schema.SubRange(b.Source, i, i+1),
			"A dictionary path must not contain control characters.",
			"dictionary source contains control character %q", path[i]))
	}
	if !filepath.IsAbs(path) {
		return nil, append(diags, providers.Errorf(b.Source.Range,
			fmt.Sprintf("Write an absolute path, e.g. \"${path.config}/%s\", so that the configuration means the same file wherever sessctl runs.", filepath.ToSlash(filepath.Clean(path))),
			"dictionary source must be an absolute path: %s", path))
	}
	name := filepath.Base(path)
	if name != want {
		switch {
		case major != DictionaryVersionsElectron && versionedName(name, region):
			diags = append(diags, providers.Warnf(warning.SpellDictionaryVersion, b.Source.Range,
				fmt.Sprintf("Electron %d looks for %s; sessctl knows the names of Electron %d only and provisions the file as %s for Electron %d. Check the name against that Electron's filenames.hunspell.gni.", DictionaryVersionsElectron, want, DictionaryVersionsElectron, name, major),
				"dictionary file name %s cannot be checked for Electron %d", name, major))
		default:
			detail := fmt.Sprintf("Chromium opens Dictionaries/%s for %q (GetVersionedFileName: language region, dictionary version, .bdic) and downloads it when that file is missing; a file of any other name is never read. Rename the file to %s.", want, b.Language, want)
			if major != DictionaryVersionsElectron {
				detail = fmt.Sprintf("Chromium opens Dictionaries/%s-MAJOR-MINOR.bdic for %q (Electron %d: %s); a file of any other name is never read. Rename the file.", region, b.Language, DictionaryVersionsElectron, want)
			}
			diags = append(diags, providers.Errorf(b.Source.Range, detail,
				"dictionary %q must be a file named %s, not %s", b.Language, want, name))
		}
	}
	f, fd := pinnedfile.Load(c, path, b.Source.Range, dictionaryFile)
	diags = append(diags, fd...)
	if f == nil {
		return nil, diags
	}
	data, digest := f.Data, f.Digest
	if pin != "" {
		if d := pinnedfile.CheckPin(b.SHA256.Range, "dictionary", path, digest, pin); d != nil {
			diags = append(diags, d)
		}
	}
	if err := VerifyBDIC(data); err != nil {
		diags = append(diags, providers.Errorf(b.Source.Range,
			"Chromium checks a dictionary with hunspell::BDict::Verify when it loads it, deletes a file that fails, and downloads the dictionary instead. Provide a .bdic file built by Chromium's convert_dict (or taken from its hunspell_dictionaries).",
			"dictionary %s is %v", path, err))
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return &dictionary{entry: DictEntry{Language: lang, File: name, SHA256: digest}, content: data, blk: b}, diags
}

// dictionaryDir returns <session_data>/Dictionaries when the settings name
// an absolute session data directory.
func dictionaryDir(c *providers.Context) (string, bool) {
	if c == nil || c.Settings == nil || !c.Settings.SessionData.Set || !filepath.IsAbs(c.Settings.SessionData.V) {
		return "", false
	}
	return filepath.Join(filepath.Clean(c.Settings.SessionData.V), DictionariesDirName), true
}

// dictionaryFileEffect is the write of one dictionary into the app's
// Dictionaries directory.
func dictionaryFileEffect(dir string, d dictionary) providers.Effect {
	return providers.Effect{
		Kind:    providers.EffectWriteFile,
		Path:    filepath.Join(dir, d.entry.File),
		Mode:    0o644,
		Content: d.content,
		Family:  Family,
		Reason:  fmt.Sprintf("Hunspell dictionary %q, which Chromium loads instead of downloading it (shared by every session of the app)", d.entry.Language),
	}
}

// checkDictionaries is CheckConfig's part for dictionaries: the directory
// is per app, so every partition naming a file must provision the same
// bytes, and it needs the session data directory. It reports whether any
// partition has a dictionary block.
func checkDictionaries(c *providers.Context, parts []*schema.Partition) (hcl.Diagnostics, bool) {
	var diags hcl.Diagnostics
	type first struct {
		partition string
		sha       string
	}
	seen := map[string]first{}
	var anyBlock *DictBlock
	for _, p := range parts {
		sc := Key.Of(p)
		if sc == nil {
			continue
		}
		for _, b := range sc.Dictionaries {
			if anyBlock == nil {
				anyBlock = b
			}
			if _, ok := Normalize(b.Language); !ok || !b.Source.Set || !b.SHA256.Set {
				continue // Build reports it
			}
			file := filepath.Base(b.Source.V)
			sha := strings.ToLower(b.SHA256.V)
			if f, ok := seen[file]; ok && f.sha != sha {
				diags = append(diags, providers.Errorf(b.SHA256.Range,
					fmt.Sprintf("Electron keeps dictionaries in <session_data>/%s, one directory for the whole app, so every session loads the same %s. Partition %q pins sha256 %s; give every partition the same file.", DictionariesDirName, file, f.partition, f.sha),
					"partitions %q and %q provision different files as %s", f.partition, p.Name, file))
				continue
			} else if !ok {
				seen[file] = first{p.Name, sha}
			}
		}
	}
	// A relative session_data is reported once by CheckConfig.
	if anyBlock != nil && c != nil && c.Settings != nil && !c.Settings.SessionData.Set {
		diags = append(diags, providers.Errorf(anyBlock.DeclRange,
			"Electron reads dictionaries from <sessionData>/Dictionaries (DIR_APP_DICTIONARIES, electron_paths.cc). Set session_data in the sessctl block to the app's app.getPath('sessionData') directory.",
			"spellcheck dictionaries need sessctl.session_data"))
	}
	return diags, anyBlock != nil
}

// dictionaryFile is how pinnedfile.Load names a dictionary file.
var dictionaryFile = pinnedfile.Kind{
	Noun:     "dictionary",
	Missing:  "dictionary file",
	Kept:     "content",
	ReadWhy:  "sessctl must read the dictionary to check and provision it.",
	MaxBytes: MaxDictionaryBytes,
	TooLarge: fmt.Sprintf("Chromium's dictionaries are a few MiB; sessctl refuses files over %d MiB, which it would have to carry in the plan.", MaxDictionaryBytes>>20),
}
