package spellcheck

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
)

// bundledDictionaries is the list of .bdic files Electron 45 bundles
// (electron/electron filenames.hunspell.gni @ 96f3996d8d, generated from
// its Chromium 153 checkout): each is named as GetVersionedFileName names
// it. Where two versions of a region are bundled (sh, sr, uk-UA), the
// newer is the one kSpecialVersionString names; xx-XX is Chromium's test
// dictionary, not a language.
var bundledDictionaries = strings.Fields(`af-ZA-3-0.bdic bg-BG-3-0.bdic ca-ES-3-0.bdic cs-CZ-3-0.bdic
cy-GB-1-0.bdic da-DK-3-0.bdic de-DE-3-0.bdic el-GR-3-0.bdic en-AU-10-1.bdic en-CA-10-1.bdic
en-GB-10-1.bdic en-GB-oxendict-10-1.bdic en-US-10-1.bdic es-ES-3-0.bdic et-EE-3-0.bdic
fa-IR-9-0.bdic fo-FO-3-0.bdic fr-FR-3-0.bdic gl-1-0.bdic he-IL-3-0.bdic hi-IN-3-0.bdic
hr-HR-3-0.bdic hu-HU-3-0.bdic hy-1-0.bdic id-ID-3-0.bdic it-IT-3-0.bdic ko-3-0.bdic
lt-LT-3-0.bdic lv-LV-3-0.bdic nb-NO-3-0.bdic nl-NL-3-0.bdic pl-PL-3-0.bdic pt-BR-3-0.bdic
pt-PT-3-0.bdic ro-RO-3-0.bdic ru-RU-3-0.bdic sh-3-0.bdic sh-4-0.bdic sk-SK-3-0.bdic
sl-SI-3-0.bdic sq-3-0.bdic sr-3-0.bdic sr-4-0.bdic sv-SE-3-0.bdic ta-IN-3-0.bdic
tg-TG-5-0.bdic tr-TR-4-0.bdic uk-UA-4-0.bdic uk-UA-5-0.bdic vi-VN-3-0.bdic xx-XX-3-0.bdic`)

// TestDictionaryFileBundled: every supported language names a file
// Electron 45 bundles, and the newest of a region's versions.
func TestDictionaryFileBundled(t *testing.T) {
	bundled := map[string]bool{}
	for _, f := range bundledDictionaries {
		bundled[f] = true
	}
	superseded := map[string]bool{"sh-3-0.bdic": true, "sr-3-0.bdic": true, "uk-UA-4-0.bdic": true, "xx-XX-3-0.bdic": true}
	used := map[string]bool{}
	for _, lang := range Languages() {
		f, ok := DictionaryFile(lang)
		if !ok || !bundled[f] {
			t.Errorf("DictionaryFile(%q) = %q, %v: not a file Electron 45 bundles", lang, f, ok)
		}
		used[f] = true
	}
	for _, f := range bundledDictionaries {
		if !used[f] && !superseded[f] {
			t.Errorf("bundled %s is the file of no language", f)
		}
	}
	// Spot checks of the language -> language_region step
	// (kSupportedSpellCheckerLanguages, spellcheck_common.cc @ 01167526dff9).
	for lang, want := range map[string]string{"fr": "fr-FR-3-0.bdic", "en": "en-US-10-1.bdic", "es-MX": "es-ES-3-0.bdic",
		"pt": "pt-BR-3-0.bdic", "tr": "tr-TR-4-0.bdic", "ko": "ko-3-0.bdic", "nb": "nb-NO-3-0.bdic"} {
		if got, _ := DictionaryFile(lang); got != want {
			t.Errorf("DictionaryFile(%q) = %q, want %q", lang, got, want)
		}
	}
	if _, ok := DictionaryFile("fr-FR-x"); ok {
		t.Error("DictionaryFile accepted an unknown language")
	}
}

// TestVerifyBDIC: the checks of hunspell::BDict::Verify
// (third_party/hunspell/google/bdict.cc @ 11792108ac3e), each broken once.
func TestVerifyBDIC(t *testing.T) {
	good := buildBDIC([]string{"bonjour", "salut", "sessctl"})
	if err := VerifyBDIC(good); err != nil {
		t.Fatalf("generated dictionary: %v", err)
	}
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	resum := func(b []byte) []byte {
		aff := binary.LittleEndian.Uint32(b[8:])
		s := md5.Sum(b[aff:])
		copy(b[16:], s[:])
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string // "" = accepted
	}{
		{"empty", nil, "no longer than the 32-byte header"},
		{"header only", good[:32], "no longer than the 32-byte header"},
		{"signature", mut(func(b []byte) []byte { b[0] = 'b'; return b }), `does not start with "BDic"`},
		{"major 3", mut(func(b []byte) []byte { b[4] = 3; return b }), "format version 3"},
		{"aff offset past the end", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], uint32(len(b)+1)); return b }), "past the end"},
		{"dic offset past the end", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], uint32(len(b)+1)); return b }), "past the end"},
		{"aff header cut", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], uint32(len(b)-8)); return b }), "inside the aff header"},
		{"aff offset near 2^32", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 0xFFFFFFF8); return b }), "past the end"},
		{"affix group offset past the end", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[32:], uint32(len(b)-2)); return resum(b) }), "affix group"},
		{"one flipped byte", mut(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), "MD5"},
		{"truncated", good[:len(good)-1], "MD5"},
		// Version 1 files carry no digest: Verify skips the MD5.
		{"major 1 without digest", mut(func(b []byte) []byte { b[4] = 1; b[20] ^= 0xff; return b }), ""},
		{"minor version ignored", mut(func(b []byte) []byte { b[6] = 9; return b }), ""},
	} {
		err := VerifyBDIC(tc.data)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrNotBDIC)):
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func writeDict(t *testing.T, dir, name string, data []byte) (path, sum string) {
	t.Helper()
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return path, hex.EncodeToString(s[:])
}

// dictConfig loads a configuration whose settings name sessionData (when
// not "") and which has one partition with body as its spellcheck block.
func dictConfig(t *testing.T, sessionData, electron, body string) (*providers.Result, hcl.Diagnostics, *providers.Context) {
	t.Helper()
	settings := ""
	if sessionData != "" || electron != "" {
		settings = "sessctl {\n"
		if sessionData != "" {
			settings += fmt.Sprintf("  session_data = %q\n", sessionData)
		}
		if electron != "" {
			settings += "  electron_version = " + electron + "\n"
		}
		settings += "}\n"
	}
	cfg := familytest.MustLoad(t, map[string]string{"main.hcl": settings + "partition \"persist:w\" {\n  spellcheck {\n" + body + "  }\n}\n"})
	c := providers.NewContext(cfg)
	res, diags := Provider{}.Build(c, cfg.Partitions[0])
	diags = append(diags, Provider{}.CheckConfig(c, cfg.Partitions)...)
	return res, diags, c
}

func TestDictionaryProvisioned(t *testing.T) {
	src := t.TempDir()
	data := buildBDIC([]string{"bonjour", "sessctl"})
	path, sum := writeDict(t, src, "fr-FR-3-0.bdic", data)
	sd := filepath.Join(t.TempDir(), "sd")
	res, diags, c := dictConfig(t, sd, "", fmt.Sprintf("    languages = [\"fr\"]\n    dictionary \"fr\" {\n      source = %q\n      sha256 = %q\n    }\n", path, strings.ToUpper(sum)))
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	if len(res.Effects) != 1 {
		t.Fatalf("effects = %+v", res.Effects)
	}
	e := res.Effects[0]
	// <sessionData>/Dictionaries/<GetVersionedFileName> (electron_paths.cc 40-45).
	if e.Kind != providers.EffectWriteFile || e.Path != filepath.Join(sd, "Dictionaries", "fr-FR-3-0.bdic") || string(e.Content) != string(data) || e.Family != Family {
		t.Errorf("effect = %s %s %d bytes %s", e.Kind, e.Path, len(e.Content), e.Family)
	}
	b, _ := json.Marshal(res.Fields[Field])
	if want := `{"dictionaries":[{"language":"fr","file":"fr-FR-3-0.bdic","sha256":"` + sum + `"}],"languages":["fr"]}`; string(b) != want {
		t.Errorf("field = %s\nwant    %s", b, want)
	}
	// The source is an input of the plan: an edit of it shows.
	found := false
	for _, in := range c.Inputs() {
		found = found || (in.Path == path && in.SHA256 == sum)
	}
	if !found {
		t.Errorf("inputs %v do not record %s", c.Inputs(), path)
	}
}

func TestDictionaryErrors(t *testing.T) {
	src := t.TempDir()
	data := buildBDIC([]string{"bonjour"})
	fr, frSum := writeDict(t, src, "fr-FR-3-0.bdic", data)
	badName, badNameSum := writeDict(t, src, "fr.bdic", data)
	en9, en9Sum := writeDict(t, src, "en-US-9-0.bdic", data)
	corrupt := append([]byte(nil), data...)
	corrupt[len(corrupt)-1] ^= 1
	cor, corSum := writeDict(t, t.TempDir(), "fr-FR-3-0.bdic", corrupt)
	if err := os.Mkdir(filepath.Join(src, "de-DE-3-0.bdic"), 0o755); err != nil {
		t.Fatal(err)
	}
	sd := "/sd"
	blk := func(label, source, sum string) string {
		return fmt.Sprintf("    dictionary %q {\n      source = %q\n      sha256 = %q\n    }\n", label, source, sum)
	}
	for _, tc := range []struct {
		name, sd, electron, body string
		want                     []string // summaries, in order
	}{
		{"unknown language", sd, "", blk("fr_FR", fr, frSum), []string{`"fr_FR" is not a spellchecker language`}},
		{"no sha256", sd, "", fmt.Sprintf("    dictionary \"fr\" {\n      source = %q\n    }\n", fr), []string{`dictionary "fr" has no sha256`}},
		{"not a digest", sd, "", blk("fr", fr, "abc"), []string{`dictionary sha256 "abc" is not a SHA-256 digest`}},
		{"pin mismatch", sd, "", blk("fr", fr, badNameSum[:63]+"0"), []string{"dictionary " + fr + " does not match its sha256 pin"}},
		{"no source", sd, "", "    dictionary \"fr\" {\n      sha256 = \"" + frSum + "\"\n    }\n", []string{`dictionary "fr" has no source`}},
		{"relative", sd, "", blk("fr", "dicts/fr-FR-3-0.bdic", frSum), []string{"dictionary source must be an absolute path: dicts/fr-FR-3-0.bdic"}},
		{"control character", sd, "", strings.Replace(blk("fr", "/d/fr.bdic", frSum), "/d/fr", `/d/fr\u0001`, 1), []string{`dictionary source contains control character '\x01'`}},
		{"other name", sd, "", blk("fr", badName, badNameSum), []string{`dictionary "fr" must be a file named fr-FR-3-0.bdic, not fr.bdic`}},
		{"other version for Electron 45", sd, "", blk("en-US", en9, en9Sum), []string{`dictionary "en-US" must be a file named en-US-10-1.bdic, not en-US-9-0.bdic`}},
		{"missing", sd, "", blk("fr", filepath.Join(src, "x", "fr-FR-3-0.bdic"), frSum), []string{"dictionary file not found: " + filepath.Join(src, "x", "fr-FR-3-0.bdic")}},
		{"directory", sd, "", blk("de", filepath.Join(src, "de-DE-3-0.bdic"), frSum), []string{"dictionary " + filepath.Join(src, "de-DE-3-0.bdic") + " is not a regular file"}},
		{"corrupt", sd, "", blk("fr", cor, corSum), []string{"dictionary " + cor + " is not a Hunspell dictionary Chromium accepts: the MD5 checksum in its header does not match its content (truncated or corrupted)"}},
		{"same region twice", sd, "", blk("es", filepath.Join(src, "es-ES-3-0.bdic"), frSum) + blk("es-MX", filepath.Join(src, "es-ES-3-0.bdic"), frSum), nil},
		{"no session_data", "", "", blk("fr", fr, frSum), []string{"spellcheck dictionaries need sessctl.session_data"}},
		{"relative session_data", "sd", "", blk("fr", fr, frSum), []string{`session_data "sd" is not an absolute path`}},
		{"other Electron, other version", sd, "44", blk("en-US", en9, en9Sum), []string{"dictionary file name en-US-9-0.bdic cannot be checked for Electron 44"}},
		{"other Electron, other name", sd, "44", blk("fr", badName, badNameSum), []string{`dictionary "fr" must be a file named fr-FR-3-0.bdic, not fr.bdic`}},
		{"not a language of the partition", sd, "", "    languages = [\"de\"]\n" + blk("fr", fr, frSum), []string{`dictionary "fr" is not one of the partition's spellchecker languages`}},
		{"a language stored under the same file", sd, "", "    languages = [\"fr-FR\"]\n" + blk("fr", fr, frSum), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "same region twice" {
				es, esSum := writeDict(t, t.TempDir(), "es-ES-3-0.bdic", data)
				tc.body = blk("es", es, esSum) + blk("es-MX", es, esSum)
				tc.want = []string{`dictionary "es-MX" is the same file as dictionary "es"`}
			}
			res, diags, _ := dictConfig(t, tc.sd, tc.electron, tc.body)
			var got []string
			for _, d := range diags {
				got = append(got, d.Summary)
				if d.Subject == nil || d.Subject.Filename == "" || d.Detail == "" {
					t.Errorf("%q has no location or no detail", d.Summary)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if diags.HasErrors() && len(res.Effects) != 0 {
				t.Errorf("an invalid dictionary is still written: %+v", res.Effects[0].Path)
			}
		})
	}
}

// TestDictionaryWarnings: the codes raised, and the file Electron 44 gets.
func TestDictionaryWarnings(t *testing.T) {
	src := t.TempDir()
	en9, en9Sum := writeDict(t, src, "en-US-9-0.bdic", buildBDIC([]string{"hello"}))
	res, diags, _ := dictConfig(t, "/sd", "44", fmt.Sprintf("    languages = [\"fr\"]\n    dictionary \"en-US\" {\n      source = %q\n      sha256 = %q\n    }\n", en9, en9Sum))
	var codes []string
	for _, d := range diags {
		codes = append(codes, string(warning.CodeOf(d)))
	}
	if strings.Join(codes, " ") != "W606 W605" {
		t.Errorf("codes = %v (%v)", codes, diags)
	}
	if len(res.Effects) != 1 || res.Effects[0].Path != "/sd/Dictionaries/en-US-9-0.bdic" {
		t.Errorf("effects = %+v", res.Effects)
	}
}

// TestDictionaryConflict: Dictionaries/ is one directory for the app, so
// two partitions may not provision different bytes under one name.
func TestDictionaryConflict(t *testing.T) {
	a, aSum := writeDict(t, t.TempDir(), "fr-FR-3-0.bdic", buildBDIC([]string{"un"}))
	b, bSum := writeDict(t, t.TempDir(), "fr-FR-3-0.bdic", buildBDIC([]string{"deux"}))
	blk := func(src, sum string) string {
		return fmt.Sprintf("  spellcheck {\n    dictionary \"fr\" {\n      source = %q\n      sha256 = %q\n    }\n  }\n", src, sum)
	}
	for _, tc := range []struct {
		name, second string
		want         string
	}{
		{"same file", blk(a, aSum), ""},
		{"different files", blk(b, bSum), `partitions "persist:a" and "persist:b" provision different files as fr-FR-3-0.bdic`},
	} {
		cfg := familytest.MustLoad(t, map[string]string{"main.hcl": "sessctl {\n  session_data = \"/sd\"\n}\npartition \"persist:a\" {\n" + blk(a, aSum) + "}\npartition \"persist:b\" {\n" + tc.second + "}\n"})
		diags := Provider{}.CheckConfig(providers.NewContext(cfg), cfg.Partitions)
		var got []string
		for _, d := range diags {
			got = append(got, d.Summary)
		}
		if strings.Join(got, "\n") != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, got, tc.want)
		}
	}
}
