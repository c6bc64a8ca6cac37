// Package spellcheck is the spellchecker setting family: the `spellcheck {}`
// block of a partition, rendered as the profile field "spellChecker" and,
// when the settings block names the app's session data directory, the
// partition's custom dictionary file written in Chromium's format.
//
// Electron facts it relies on (docs/electron-facts.md §2, Electron 45):
//   - setSpellCheckerLanguages accepts only Chromium's codes, case-sensitive,
//     stores region codes under their language ("af-ZA" as "af"), throws on
//     the first unknown code, and disables spellchecking for an empty list;
//   - setSpellCheckerDictionaryDownloadURL is process-wide and concatenates
//     the lowercase .bdic file name to the URL, so it must end in "/";
//   - custom words only work on persistent sessions (in-memory: false).
package spellcheck

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "spellcheck"

// Field is the profile key this family renders.
const Field = "spellChecker"

func init() { providers.Register(Provider{}) }

// Spec is the `spellcheck {}` block of a partition.
type Spec struct {
	Enabled       schema.Value[bool]
	Languages     schema.StringList
	DictionaryURL schema.Value[string]
	Words         schema.StringList
	Dictionaries  []*DictBlock
	DeclRange     hcl.Range
}

// Key reads a partition's spellcheck block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "spellcheck",
		Doc:  "the session's spellchecker: `ses.setSpellCheckerEnabled`, `setSpellCheckerLanguages`, `setSpellCheckerDictionaryDownloadURL` and the custom dictionary",
		Attrs: []schema.AttrSpec{
			{Name: "enabled", Doc: "`ses.setSpellCheckerEnabled(enabled)`"},
			{Name: "languages", Doc: "`ses.setSpellCheckerLanguages(languages)`: Chromium's language codes, case-sensitive; an empty list disables spellchecking"},
			{Name: "dictionary_url", Doc: "`ses.setSpellCheckerDictionaryDownloadURL(url)`: where Hunspell dictionaries are fetched (process-wide; must end in `/`)"},
			{Name: "words", Doc: "the custom dictionary's words (`addWordToSpellCheckerDictionary`); persistent partitions only"},
		},
		Blocks: []*schema.BlockSpec{{
			Type: "dictionary", Kind: schema.Labelled, LabelName: "language",
			Doc: "a local Hunspell dictionary (`.bdic`) sessctl writes into `<session_data>/Dictionaries`, where Chromium looks before downloading one; the label is a spellchecker language",
			Attrs: []schema.AttrSpec{
				{Name: "source", Doc: "absolute path of the `.bdic` file, named as Chromium looks for it (`fr-FR-3-0.bdic`, `en-US-10-1.bdic`)"},
				{Name: "sha256", Doc: "hex SHA-256 the file must have (required; checked at plan and apply)"},
			},
		}},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("spellcheck")
		if !ok {
			return nil
		}
		return &Spec{
			Enabled:       d.Bool(blk.Body, "enabled"),
			Languages:     d.StringList(blk.Body, "languages", false),
			DictionaryURL: d.String(blk.Body, "dictionary_url"),
			Words:         d.StringList(blk.Body, "words", false),
			Dictionaries: schema.DecodeLabelled(blk.Body, "dictionary", func(db schema.Block) *DictBlock {
				return &DictBlock{
					Language: db.Label, LanguageRange: db.LabelRange,
					Source:    d.String(db.Body, "source"),
					SHA256:    d.String(db.Body, "sha256"),
					DeclRange: db.DefRange,
				}
			}),
			DeclRange: blk.DefRange,
		}
	},
})

// Provider implements providers.Provider and providers.ConfigChecker.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "spellcheck", Keys: map[string]string{"dictionaryDownloadURL": "dictionary_url"}}}
}

// Config is the "spellChecker" profile field. Absent members mean "leave
// Electron's value alone"; the adapter calls, in this order,
// setSpellCheckerLanguages(languages), setSpellCheckerEnabled(enabled),
// setSpellCheckerDictionaryDownloadURL(dictionaryDownloadURL) and
// addWordToSpellCheckerDictionary for each word.
type Config struct {
	Enabled               *bool    `json:"enabled,omitempty"`
	Languages             []string `json:"languages,omitempty"`
	DictionaryDownloadURL string   `json:"dictionaryDownloadURL,omitempty"`
	Words                 []string `json:"words,omitempty"`
	// Dictionaries are the Hunspell files sessctl provisions (no Electron
	// call: Chromium reads them from the Dictionaries directory).
	Dictionaries []DictEntry `json:"dictionaries,omitempty"`
	// languagesSet/wordsSet distinguish an empty list from an absent one.
	languagesSet, wordsSet bool
}

// MarshalJSON keeps an explicitly empty languages or words list (an empty
// languages list disables spellchecking, an empty words list empties the
// dictionary) while omitting unset members.
func (c Config) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	if c.Enabled != nil {
		m["enabled"] = *c.Enabled
	}
	if c.languagesSet {
		m["languages"] = nonNil(c.Languages)
	}
	if c.DictionaryDownloadURL != "" {
		m["dictionaryDownloadURL"] = c.DictionaryDownloadURL
	}
	if c.wordsSet {
		m["words"] = nonNil(c.Words)
	}
	if len(c.Dictionaries) > 0 {
		m["dictionaries"] = c.Dictionaries
	}
	return json.Marshal(m)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	sc := Key.Of(p)
	if sc == nil {
		return res, nil
	}
	var diags hcl.Diagnostics
	var cfg Config
	if sc.Enabled.Set {
		v := sc.Enabled.V
		cfg.Enabled = &v
	}
	if sc.Languages.Set {
		langs, d := languages(sc)
		diags = append(diags, d...)
		cfg.Languages, cfg.languagesSet = langs, true
	}
	if sc.DictionaryURL.Set {
		u, d := DictionaryURL(sc.DictionaryURL)
		diags = append(diags, d...)
		cfg.DictionaryDownloadURL = u
	}
	if sc.Words.Set {
		words, d := customWords(p, sc)
		diags = append(diags, d...)
		cfg.Words, cfg.wordsSet = words, true
		if !d.HasErrors() {
			if eff := dictionaryEffect(c, p, words); eff != nil {
				res.Effects = append(res.Effects, *eff)
			}
		}
	}
	if len(sc.Dictionaries) > 0 {
		dicts, d := dictionaries(c, sc)
		diags = append(diags, d...)
		dir, ok := dictionaryDir(c)
		for _, dict := range dicts {
			cfg.Dictionaries = append(cfg.Dictionaries, dict.entry)
			if ok { // CheckConfig reports a missing or relative session_data once
				res.Effects = append(res.Effects, dictionaryFileEffect(dir, dict))
			}
		}
	}
	res.Fields[Field] = cfg
	return res, diags
}

// languages validates and normalises spellcheck.languages.
func languages(sc *Spec) ([]string, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	out := []string{}
	seen := map[string]string{} // stored code -> code as written
	for _, it := range sc.Languages.Items {
		stored, ok := Normalize(it.V)
		if !ok {
			detail := fmt.Sprintf("Electron's setSpellCheckerLanguages throws `Invalid language code provided: %q is not a valid language code` and changes nothing. Codes are case-sensitive; valid codes are: %s.", it.V, strings.Join(Languages(), ", "))
			if s := Closest(it.V); s != "" {
				detail = fmt.Sprintf("Did you mean %q? ", s) + detail
			}
			diags = append(diags, providers.Errorf(it.Range, detail,
				"Invalid language code provided: %q is not a valid language code", it.V))
			continue
		}
		if stored != it.V {
			diags = append(diags, providers.Warnf(warning.SpellLanguageStored, it.Range,
				fmt.Sprintf("Electron stores the language of a dictionary region code: getSpellCheckerLanguages() will return %q. Write %q to make the configuration read as what Electron keeps.", stored, stored),
				"%q is stored as %q", it.V, stored))
		}
		if first, dup := seen[stored]; dup {
			diags = append(diags, providers.Warnf(warning.SpellLanguageTwice, it.Range,
				fmt.Sprintf("%q was already listed (as %q); Electron would store it twice. sessctl keeps the first.", stored, first),
				"duplicate spellchecker language %q", stored))
			continue
		}
		seen[stored] = it.V
		out = append(out, stored)
	}
	if len(sc.Languages.Items) == 0 {
		detail := "Electron's setSpellCheckerLanguages([]) sets browser.enable_spellchecking to false: no word is checked in this partition."
		if sc.Enabled.Set && sc.Enabled.V {
			detail += " enabled = true turns the switch back on, but with no dictionary loaded nothing is checked either."
		}
		diags = append(diags, providers.Warnf(warning.SpellNoLanguages, sc.Languages.Range, detail, "an empty spellcheck.languages disables spellchecking"))
	}
	return out, diags
}

// DictionaryURL validates spellcheck.dictionary_url and returns the value
// to pass to setSpellCheckerDictionaryDownloadURL. Chromium builds the
// download URL as url.spec() + lowercase(file name) (e.g. ".../en-us-10-1.bdic"),
// so the URL must end in "/"; a bare origin is fine because GURL
// canonicalises "https://h" to "https://h/", and sessctl renders that form.
func DictionaryURL(v schema.Value[string]) (string, hcl.Diagnostics) {
	allowed := "Write an absolute http(s) URL of a directory, ending in \"/\", for example \"https://dicts.corp.example/hunspell/\": Chromium appends the dictionary file name (e.g. \"en-us-10-1.bdic\") to it."
	u, err := url.Parse(v.V)
	if err != nil || !u.IsAbs() || strings.ContainsAny(v.V, " \t\r\n") {
		return "", hcl.Diagnostics{providers.Errorf(v.Range, allowed,
			"The URL you provided to setSpellCheckerDictionaryDownloadURL is not a valid URL: %q", v.V)}
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", hcl.Diagnostics{providers.Errorf(v.Range, allowed,
			"spellcheck.dictionary_url must be an http or https URL, not %q", u.Scheme+":")}
	}
	if u.Host == "" {
		return "", hcl.Diagnostics{providers.Errorf(v.Range, allowed,
			"The URL you provided to setSpellCheckerDictionaryDownloadURL is not a valid URL: %q has no host", v.V)}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.Contains(v.V, "#") {
		return "", hcl.Diagnostics{providers.Errorf(v.Range, allowed,
			"spellcheck.dictionary_url %q has a query or fragment: the file name would be appended after it", v.V)}
	}
	if u.Path == "" && u.RawPath == "" {
		return v.V + "/", nil
	}
	if !strings.HasSuffix(v.V, "/") {
		i := strings.LastIndexByte(v.V, '/')
		return "", hcl.Diagnostics{providers.Errorf(v.Range, allowed+fmt.Sprintf(" As written, en-US would be fetched from %q.", v.V+"en-us-10-1.bdic"),
			"spellcheck.dictionary_url must end with \"/\" (Chromium appends the file name to %q)", v.V[i+1:])}
	}
	return v.V, nil
}

// customWords validates spellcheck.words and returns the sorted, unique
// list Chromium would hold.
func customWords(p *schema.Partition, sc *Spec) ([]string, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if !p.Persistent() {
		diags = append(diags, providers.Errorf(sc.Words.Range,
			fmt.Sprintf("Electron's addWordToSpellCheckerDictionary returns false for in-memory sessions (electron/electron#22157): the words would never be added. Use a persistent partition such as %q.", schema.PersistPrefix+p.Name),
			"custom spellchecker words need a persistent partition; %q is in memory", p.Name))
		return nil, diags
	}
	seen := map[string]bool{}
	var words []string
	for _, it := range sc.Words.Items {
		if why := WordProblem(it.V); why != "" {
			diags = append(diags, providers.Errorf(it.Range,
				why+". Chromium keeps non-empty words of at most 99 bytes of UTF-8 without leading or trailing whitespace; addWordToSpellCheckerDictionary returns false for others.",
				"invalid spellchecker word %q", it.V))
			continue
		}
		if seen[it.V] {
			diags = append(diags, providers.Warnf(warning.SpellWordTwice, it.Range,
				"Chromium's dictionary is a set: the second copy is ignored (addWordToSpellCheckerDictionary returns false for it).",
				"duplicate spellchecker word %q", it.V))
			continue
		}
		seen[it.V] = true
		words = append(words, it.V)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	// The profile lists the words in the order Chromium holds them (a
	// bytewise-sorted set), so reordering the HCL list is not a change.
	sort.Strings(words)
	return words, diags
}

// dictionaryEffect returns the write of the partition's custom dictionary
// file when the settings name the app's session data directory, or nil.
func dictionaryEffect(c *providers.Context, p *schema.Partition, words []string) *providers.Effect {
	if c == nil || c.Settings == nil || !c.Settings.SessionData.Set || !filepath.IsAbs(c.Settings.SessionData.V) {
		return nil // CheckConfig reports a relative session_data once
	}
	dir, err := providers.PartitionDir(c.Settings.SessionData.V, p.Name)
	if err != nil {
		return nil // CheckConfig reports partitions whose directory escapes
	}
	return &providers.Effect{
		Kind:    providers.EffectWriteFile,
		Path:    filepath.Join(dir, DictionaryFileName),
		Mode:    0o644,
		Content: CustomDictionary(words),
		Family:  Family,
		Reason:  fmt.Sprintf("custom dictionary of partition %q (%d words), read by Chromium when the session starts", p.Name, len(words)),
	}
}

// CheckConfig implements providers.ConfigChecker: checks that span
// partitions or concern the settings block, reported once.
func (Provider) CheckConfig(c *providers.Context, parts []*schema.Partition) hcl.Diagnostics {
	diags, needDir := checkDictionaries(c, parts)
	for _, p := range parts {
		if sc := Key.Of(p); sc != nil && sc.Words.Set && p.Persistent() {
			needDir = true
			if c != nil && c.Settings != nil && c.Settings.SessionData.Set && filepath.IsAbs(c.Settings.SessionData.V) {
				if _, err := providers.PartitionDir(c.Settings.SessionData.V, p.Name); err != nil {
					diags = append(diags, providers.Errorf(p.NameRange,
						"sessctl writes the custom dictionary into the partition's directory and refuses directories outside <session_data>/Partitions/. Rename the partition.",
						"cannot place the custom dictionary of partition %q: %s", p.Name, err))
				}
			}
		}
	}
	if needDir && c != nil && c.Settings != nil && c.Settings.SessionData.Set && !filepath.IsAbs(c.Settings.SessionData.V) {
		diags = append(diags, providers.Errorf(c.Settings.SessionData.Range,
			"session_data must be the absolute path of the app's sessionData directory (app.getPath('sessionData')); sessctl writes each persistent partition's \"Custom Dictionary.txt\" and the spellcheck dictionaries (Dictionaries/) under it.",
			"session_data %q is not an absolute path", c.Settings.SessionData.V))
	}
	// setSpellCheckerDictionaryDownloadURL is process-wide: the last call wins.
	type setting struct {
		p   *schema.Partition
		val string
	}
	var urls []setting
	for _, p := range parts {
		sc := Key.Of(p)
		if sc == nil || !sc.DictionaryURL.Set {
			continue
		}
		if u, d := DictionaryURL(sc.DictionaryURL); !d.HasErrors() {
			urls = append(urls, setting{p, u})
		}
	}
	diags = append(diags, providers.LastCallWins(len(urls), func(i int) (string, string, hcl.Range) {
		return urls[i].p.Name, urls[i].val, Key.Of(urls[i].p).DictionaryURL.Range
	}, "spellcheck.dictionary_url", "setSpellCheckerDictionaryDownloadURL")...)
	return diags
}
