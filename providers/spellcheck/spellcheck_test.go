package spellcheck

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

// rng gives each test value a distinct, recognisable range.
func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3, Byte: line * 100}, End: hcl.Pos{Line: line, Column: 20, Byte: line*100 + 17}}
}

func str(v string, line int) schema.Value[string] {
	return schema.Value[string]{V: v, Set: true, Range: rng(line)}
}

func list(line int, vs ...string) schema.StringList {
	l := schema.StringList{Set: true, Range: rng(line)}
	for i, v := range vs {
		l.Items = append(l.Items, str(v, line*10+i))
	}
	return l
}

type wantDiag struct {
	sev     hcl.DiagnosticSeverity
	summary string
	detail  string // substring; "" = not checked
	line    int
}

func checkDiags(t *testing.T, got hcl.Diagnostics, want []wantDiag) {
	t.Helper()
	if len(got) != len(want) {
		for _, d := range got {
			t.Logf("got: %v %q %q %v", d.Severity, d.Summary, d.Detail, d.Subject)
		}
		t.Fatalf("got %d diagnostics, want %d", len(got), len(want))
	}
	for i, w := range want {
		d := got[i]
		if d.Severity != w.sev || d.Summary != w.summary || !strings.Contains(d.Detail, w.detail) {
			t.Errorf("diag %d = %v %q\n  detail %q\nwant %v %q\n  detail containing %q", i, d.Severity, d.Summary, d.Detail, w.sev, w.summary, w.detail)
		}
		if d.Subject == nil || d.Subject.Start.Line != w.line {
			t.Errorf("diag %d subject = %v, want line %d", i, d.Subject, w.line)
		}
	}
}

// Cases from docs/electron-facts.md §2: exact codes are kept, region codes are
// stored under the first language whose language_region matches, matching
// is case-sensitive.
func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"en-US", "en-US", true},
		{"af-ZA", "af", true}, // facts: "af-ZA is stored as af"
		{"hi-IN", "hi", true}, // facts: "hi-IN as hi"
		{"de-DE", "de-DE", true},
		{"es-MX", "es-MX", true},
		{"es-ES", "es-ES", true},
		{"nb-NO", "nb", true},
		{"sv-SE", "sv", true},
		{"gl", "gl", true},
		{"en-GB-oxendict", "en-GB-oxendict", true},
		{"en-us", "", false}, // case-sensitive
		{"EN", "", false},
		{"", "", false},
		{"zh-CN", "", false},
		{"ko-KR", "", false}, // ko's region is "ko" itself
	} {
		got, ok := Normalize(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if n := len(Languages()); n != 57 {
		t.Errorf("len(Languages()) = %d, want 57 (docs/electron-facts.md available_languages_count)", n)
	}
}

func TestClosest(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"en-us", "en-US"},
		{"en_US", "en-US"},
		{"EN", "en"},
		{"af-za", "af-ZA"},
		{"fre", "fr"},
		{"ko-KR", "ko"},
		{"xx-YY", ""},
		{"klingon", ""},
		{strings.Repeat("a", 500), ""},
	} {
		if got := Closest(tc.in); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The two vectors of docs/electron-facts.md §2 ("Custom dictionary"), checked
// byte for byte; the MD5s were re-computed with md5sum(1).
func TestCustomDictionaryVectors(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"electron", "hcl"}, "electron\nhcl\nchecksum_v1 = 50834dfada2ed83aa06d5bf66f47a21c"},
		{[]string{"hcl", "electron", "hcl"}, "electron\nhcl\nchecksum_v1 = 50834dfada2ed83aa06d5bf66f47a21c"},
		{nil, "checksum_v1 = d41d8cd98f00b204e9800998ecf8427e"},
		// bytewise order: uppercase before lowercase, "é" (0xC3) after "z"
		{[]string{"zèbre", "Zoo", "été", "abc"}, "Zoo\nabc\nzèbre\nété\nchecksum_v1 = " + md5hex("Zoo\nabc\nzèbre\nété\n")},
	} {
		if got := string(CustomDictionary(tc.words)); got != tc.want {
			t.Errorf("CustomDictionary(%q) =\n%q\nwant\n%q", tc.words, got, tc.want)
		}
	}
}

func TestWordProblem(t *testing.T) {
	for _, tc := range []struct {
		word string
		ok   bool
	}{
		{"sessctl", true},
		{"naïve", true},
		{"two words", true}, // inner space is fine for Chromium
		{strings.Repeat("a", 99), true},
		{strings.Repeat("a", 100), false},
		{strings.Repeat("é", 49) + "a", true}, // 99 bytes
		{strings.Repeat("é", 50), false},      // 100 bytes
		{"", false},
		{" lead", false},
		{"trail\t", false},
		{"a\nb", false},
		{"a\rb", false},
		{"\xff", false},
	} {
		if got := WordProblem(tc.word) == ""; got != tc.ok {
			t.Errorf("WordProblem(%q) = %q, want ok=%v", tc.word, WordProblem(tc.word), tc.ok)
		}
	}
}

func TestDictionaryURL(t *testing.T) {
	for _, tc := range []struct {
		in, want, errSummary string
	}{
		{"https://dicts.example/hunspell/", "https://dicts.example/hunspell/", ""},
		{"https://dicts.example", "https://dicts.example/", ""}, // GURL adds the "/"
		{"http://10.0.0.1:8080/d/", "http://10.0.0.1:8080/d/", ""},
		{"https://dicts.example/hunspell", "", `spellcheck.dictionary_url must end with "/" (Chromium appends the file name to "hunspell")`},
		{"https://dicts.example/d/?v=1", "", `spellcheck.dictionary_url "https://dicts.example/d/?v=1" has a query or fragment: the file name would be appended after it`},
		{"https://dicts.example/d/#x", "", `spellcheck.dictionary_url "https://dicts.example/d/#x" has a query or fragment: the file name would be appended after it`},
		{"dicts.example/d/", "", `The URL you provided to setSpellCheckerDictionaryDownloadURL is not a valid URL: "dicts.example/d/"`},
		{"", "", `The URL you provided to setSpellCheckerDictionaryDownloadURL is not a valid URL: ""`},
		{"ftp://dicts.example/d/", "", `spellcheck.dictionary_url must be an http or https URL, not "ftp:"`},
		{"https:///d/", "", `The URL you provided to setSpellCheckerDictionaryDownloadURL is not a valid URL: "https:///d/" has no host`},
	} {
		got, diags := DictionaryURL(str(tc.in, 7))
		if tc.errSummary == "" {
			if got != tc.want || len(diags) != 0 {
				t.Errorf("DictionaryURL(%q) = %q, %v; want %q", tc.in, got, diags, tc.want)
			}
			continue
		}
		checkDiags(t, diags, []wantDiag{{hcl.DiagError, tc.errSummary, "Chromium appends the dictionary file name", 7}})
	}
}

func ctxWith(sessionData string) *providers.Context {
	cfg := &schema.Config{Dir: "/cfg"}
	if sessionData != "" {
		cfg.Settings.SessionData = str(sessionData, 1)
	}
	return providers.NewContext(cfg)
}

func TestBuildLanguages(t *testing.T) {
	p := withSpec("persist:work", hcl.Range{}, &Spec{
		Languages: list(5, "en-US", "af-ZA", "en-us", "af", "xx"),
	})
	res, diags := Provider{}.Build(ctxWith(""), p)
	checkDiags(t, diags, []wantDiag{
		{hcl.DiagWarning, `"af-ZA" is stored as "af"`, `getSpellCheckerLanguages() will return "af"`, 51},
		{hcl.DiagError, `Invalid language code provided: "en-us" is not a valid language code`, `Did you mean "en-US"? Electron's setSpellCheckerLanguages throws`, 52},
		{hcl.DiagWarning, `duplicate spellchecker language "af"`, `"af" was already listed (as "af-ZA")`, 53},
		{hcl.DiagError, `Invalid language code provided: "xx" is not a valid language code`, "Codes are case-sensitive; valid codes are: af, bg,", 54},
	})
	if strings.Contains(diags[3].Detail, "Did you mean") {
		t.Errorf("no suggestion expected for xx: %q", diags[3].Detail)
	}
	b, _ := json.Marshal(res.Fields[Field])
	if string(b) != `{"languages":["en-US","af"]}` {
		t.Errorf("field = %s", b)
	}
}

func TestBuildEmptyLanguages(t *testing.T) {
	tr := schema.Value[bool]{V: true, Set: true, Range: rng(4)}
	p := withSpec("", hcl.Range{}, &Spec{Enabled: tr, Languages: list(5)})
	res, diags := Provider{}.Build(ctxWith(""), p)
	checkDiags(t, diags, []wantDiag{{hcl.DiagWarning, "an empty spellcheck.languages disables spellchecking",
		"sets browser.enable_spellchecking to false: no word is checked in this partition. enabled = true turns the switch back on", 5}})
	b, _ := json.Marshal(res.Fields[Field])
	if string(b) != `{"enabled":true,"languages":[]}` {
		t.Errorf("field = %s", b)
	}
}

func TestBuildWordsAndDictionaryFile(t *testing.T) {
	p := withSpec("persist:Work Area", hcl.Range{}, &Spec{
		Words: list(6, "sessctl", "HCL", "sessctl"),
	})
	res, diags := Provider{}.Build(ctxWith("/data/App"), p)
	checkDiags(t, diags, []wantDiag{{hcl.DiagWarning, `duplicate spellchecker word "sessctl"`, "Chromium's dictionary is a set", 62}})
	b, _ := json.Marshal(res.Fields[Field])
	if string(b) != `{"words":["HCL","sessctl"]}` {
		t.Errorf("field = %s", b)
	}
	if len(res.Effects) != 1 {
		t.Fatalf("effects = %+v", res.Effects)
	}
	e := res.Effects[0]
	if e.Kind != providers.EffectWriteFile || e.Path != "/data/App/Partitions/work%20area/Custom Dictionary.txt" || e.Mode != 0o644 || e.Family != Family {
		t.Errorf("effect = %+v", e)
	}
	if want := "HCL\nsessctl\nchecksum_v1 = " + md5hex("HCL\nsessctl\n"); string(e.Content) != want {
		t.Errorf("content = %q, want %q", e.Content, want)
	}
	// Default session: the dictionary lives in sessionData itself.
	p.Name = "persist:"
	res, _ = Provider{}.Build(ctxWith("/data/App"), p)
	if len(res.Effects) != 1 || res.Effects[0].Path != "/data/App/Custom Dictionary.txt" {
		t.Errorf("default-session effect = %+v", res.Effects)
	}
	// No session_data: the profile carries the words, no file is written.
	res, _ = Provider{}.Build(ctxWith(""), p)
	if len(res.Effects) != 0 {
		t.Errorf("effects without session_data = %+v", res.Effects)
	}
	// An explicitly empty list empties the dictionary.
	Key.Of(p).Words = list(6)
	res, diags = Provider{}.Build(ctxWith("/data/App"), p)
	b, _ = json.Marshal(res.Fields[Field])
	if len(diags) != 0 || string(b) != `{"words":[]}` || len(res.Effects) != 1 ||
		string(res.Effects[0].Content) != "checksum_v1 = d41d8cd98f00b204e9800998ecf8427e" {
		t.Errorf("empty words: %v %s %+v", diags, b, res.Effects)
	}
}

func TestBuildWordErrors(t *testing.T) {
	p := withSpec("scratch", hcl.Range{}, &Spec{Words: list(6, "x")})
	res, diags := Provider{}.Build(ctxWith("/data/App"), p)
	checkDiags(t, diags, []wantDiag{{hcl.DiagError, `custom spellchecker words need a persistent partition; "scratch" is in memory`,
		`returns false for in-memory sessions (electron/electron#22157): the words would never be added. Use a persistent partition such as "persist:scratch".`, 6}})
	if len(res.Effects) != 0 {
		t.Errorf("effects = %+v", res.Effects)
	}
	p = withSpec("persist:w", hcl.Range{}, &Spec{Words: list(6, " pad", strings.Repeat("b", 100), "")})
	res, diags = Provider{}.Build(ctxWith("/data/App"), p)
	checkDiags(t, diags, []wantDiag{
		{hcl.DiagError, `invalid spellchecker word " pad"`, "the word starts or ends with whitespace. Chromium keeps", 60},
		{hcl.DiagError, `invalid spellchecker word "` + strings.Repeat("b", 100) + `"`, "the word is 100 bytes long", 61},
		{hcl.DiagError, `invalid spellchecker word ""`, "the word is empty", 62},
	})
	if len(res.Effects) != 0 {
		t.Errorf("effects despite errors = %+v", res.Effects)
	}
}

func TestCheckConfig(t *testing.T) {
	mk := func(name, u string, line int) *schema.Partition {
		return withSpec(name, rng(line), &Spec{DictionaryURL: str(u, line)})
	}
	parts := []*schema.Partition{ // sorted by name, as schema.Load returns them
		mk("a", "https://one.example/d/", 10),
		mk("b", "https://two.example/d/", 20),
		mk("c", "https://two.example/d/", 30),
	}
	diags := Provider{}.CheckConfig(ctxWith(""), parts)
	checkDiags(t, diags, []wantDiag{{hcl.DiagWarning,
		`spellcheck.dictionary_url of partition "a" ("https://one.example/d/") is overridden by partition "c"`,
		`setSpellCheckerDictionaryDownloadURL is process-wide: the last call wins for every session. The adapter applies partitions in index order (sorted by name), so partition "c"'s value "https://two.example/d/" is used by all sessions.`, 10}})

	// Words in a partition whose directory escapes, and a relative session_data.
	esc := withSpec("persist:..", rng(40), &Spec{Words: list(41, "w")})
	checkDiags(t, Provider{}.CheckConfig(ctxWith("/data/App"), []*schema.Partition{esc}), []wantDiag{{hcl.DiagError,
		`cannot place the custom dictionary of partition "persist:..": partition "persist:..": directory ".." climbs out of Partitions/ (Electron does not escape "..")`, "Rename the partition", 40}})
	checkDiags(t, Provider{}.CheckConfig(ctxWith("rel/App"), []*schema.Partition{esc}), []wantDiag{{hcl.DiagError,
		`session_data "rel/App" is not an absolute path`, "app.getPath('sessionData')", 1}})
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// The hand-typed table against the machine-readable facts (a copy of
// docs/electron-facts.md's spellchecker section in testdata/): same codes in
// the same order, same regions, and every accepted region alias
// normalises to the language the facts name.
func TestTableMatchesFacts(t *testing.T) {
	raw, err := os.ReadFile("testdata/electron-facts-spellchecker.json")
	if err != nil {
		t.Fatal(err)
	}
	var facts struct {
		Languages []string          `json:"available_languages"`
		Regions   map[string]string `json:"language_to_dictionary_region"`
		Aliases   map[string]string `json:"region_code_aliases_accepted"`
		Example   struct {
			Words   []string `json:"words"`
			Content string   `json:"content"`
		} `json:"custom_dictionary_example"`
		Empty string `json:"custom_dictionary_example_empty"`
	}
	if err := json.Unmarshal(raw, &facts); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(Languages(), " "); got != strings.Join(facts.Languages, " ") {
		t.Errorf("languages differ:\n got %s\nwant %s", got, strings.Join(facts.Languages, " "))
	}
	for _, r := range languageRows {
		if facts.Regions[r.language] != r.region {
			t.Errorf("%s: region %q, facts say %q", r.language, r.region, facts.Regions[r.language])
		}
	}
	for alias, lang := range facts.Aliases {
		if got, ok := Normalize(alias); !ok || got != lang {
			t.Errorf("Normalize(%q) = %q, %v; facts say %q", alias, got, ok, lang)
		}
	}
	if got := string(CustomDictionary(facts.Example.Words)); got != facts.Example.Content {
		t.Errorf("dictionary %q, facts say %q", got, facts.Example.Content)
	}
	if got := string(CustomDictionary(nil)); got != facts.Empty {
		t.Errorf("empty dictionary %q, facts say %q", got, facts.Empty)
	}
}

// withSpec returns a partition named name (declared at r) with the
// spellcheck block sc.
func withSpec(name string, r hcl.Range, sc *Spec) *schema.Partition {
	p := &schema.Partition{Name: name, NameRange: r}
	Key.Set(p, sc)
	return p
}

// TestLanguage: the spellcheck block merges from profiles attribute by
// attribute, in both syntaxes.
func TestLanguage(t *testing.T) {
	for name, src := range map[string]string{
		"c.hcl": `
profile "p" {
  spellcheck {
    enabled   = false
    languages = ["fr"]
  }
}
partition "persist:x" {
  profiles = [profile.p]
  spellcheck {
    enabled = true
    words   = ["sessctl"]
  }
}
`,
		"c.hcl.json": `{
  "profile": {"p": {"spellcheck": {"enabled": false, "languages": ["fr"]}}},
  "partition": {"persist:x": {"profiles": ["profile.p"], "spellcheck": {"enabled": true, "words": ["sessctl"]}}}
}`,
	} {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		res, diags := Provider{}.Build(providers.NewContext(cfg), cfg.Partitions[0])
		if len(diags) != 0 {
			t.Fatalf("%s: %v", name, diags)
		}
		b, _ := json.Marshal(res.Fields[Field])
		if string(b) != `{"enabled":true,"languages":["fr"],"words":["sessctl"]}` {
			t.Errorf("%s: %s", name, b)
		}
	}
}
