package spellcheck

import (
	"strings"

	"github.com/sessctl/sessctl/providers"
)

// languageRows is Chromium's kSupportedSpellCheckerLanguages as Electron 45
// reports it through ses.availableSpellCheckerLanguages: {language,
// language_region} in table order (components/spellcheck/common/
// spellcheck_common.cc; docs/electron-facts.md spellchecker.available_languages
// and language_to_dictionary_region). The 57-entry list was read from a
// Chromium 156 binary; "gl" is expected in Electron 45 because it bundles
// gl-1-0.bdic since its Chromium 144 roll, but that is not verified on a
// Chromium 153 build (docs/electron-facts.md §2).
var languageRows = [...]struct{ language, region string }{
	{"af", "af-ZA"}, {"bg", "bg-BG"}, {"ca", "ca-ES"}, {"cs", "cs-CZ"},
	{"cy", "cy-GB"}, {"da", "da-DK"}, {"de", "de-DE"}, {"de-DE", "de-DE"},
	{"el", "el-GR"}, {"en", "en-US"}, {"en-AU", "en-AU"}, {"en-CA", "en-CA"},
	{"en-GB", "en-GB"}, {"en-GB-oxendict", "en-GB-oxendict"}, {"en-US", "en-US"},
	{"es", "es-ES"}, {"es-419", "es-ES"}, {"es-AR", "es-ES"}, {"es-ES", "es-ES"},
	{"es-MX", "es-ES"}, {"es-US", "es-ES"}, {"et", "et-EE"}, {"fa", "fa-IR"},
	{"fo", "fo-FO"}, {"fr", "fr-FR"}, {"fr-FR", "fr-FR"}, {"gl", "gl"},
	{"he", "he-IL"}, {"hi", "hi-IN"}, {"hr", "hr-HR"}, {"hu", "hu-HU"},
	{"hy", "hy"}, {"id", "id-ID"}, {"it", "it-IT"}, {"it-IT", "it-IT"},
	{"ko", "ko"}, {"lt", "lt-LT"}, {"lv", "lv-LV"}, {"nb", "nb-NO"},
	{"nl", "nl-NL"}, {"pl", "pl-PL"}, {"pt", "pt-BR"}, {"pt-BR", "pt-BR"},
	{"pt-PT", "pt-PT"}, {"ro", "ro-RO"}, {"ru", "ru-RU"}, {"sh", "sh"},
	{"sk", "sk-SK"}, {"sl", "sl-SI"}, {"sq", "sq"}, {"sr", "sr"},
	{"sv", "sv-SE"}, {"ta", "ta-IN"}, {"tg", "tg-TG"}, {"tr", "tr-TR"},
	{"uk", "uk-UA"}, {"vi", "vi-VN"},
}

// Languages returns the codes Electron lists in
// ses.availableSpellCheckerLanguages, in Chromium's table order.
func Languages() []string {
	out := make([]string, len(languageRows))
	for i, r := range languageRows {
		out[i] = r.language
	}
	return out
}

// Normalize is Chromium's GetCorrespondingSpellCheckLanguage as Electron's
// setSpellCheckerLanguages applies it (electron_api_session.cc 1599-1619):
// an exact, case-sensitive match on the language column is kept; otherwise
// the first row whose language_region equals code gives its language
// ("af-ZA" -> "af", "es-MX" stays "es-MX" because it is a language itself);
// otherwise ok is false and Electron throws.
func Normalize(code string) (stored string, ok bool) {
	for _, r := range languageRows {
		if r.language == code {
			return code, true
		}
	}
	for _, r := range languageRows {
		if r.region == code {
			return r.language, true
		}
	}
	return "", false
}

// Closest suggests the valid code a user most likely meant by an invalid
// one: a case-insensitive or "_"-for-"-" match first ("en-us", "en_US" ->
// "en-US"), then the primary subtag when it is a language ("ko-KR" -> "ko"),
// else the language or region code at the smallest edit distance
// (first in table order on ties). It returns "" when nothing is within
// half the length of code, since a far-fetched suggestion misleads.
func Closest(code string) string {
	folded := strings.ReplaceAll(code, "_", "-")
	for _, r := range languageRows {
		if strings.EqualFold(r.language, folded) {
			return r.language
		}
	}
	for _, r := range languageRows {
		if strings.EqualFold(r.region, folded) {
			return r.region
		}
	}
	// "ko-KR", "en-ZZ": the primary subtag alone is a supported language.
	if i := strings.IndexByte(folded, '-'); i > 0 {
		for _, r := range languageRows {
			if strings.EqualFold(r.language, folded[:i]) {
				return r.language
			}
		}
	}
	best, bestD := "", -1
	consider := func(c string) {
		d := providers.EditDistance(strings.ToLower(folded), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	for _, r := range languageRows {
		consider(r.language)
	}
	for _, r := range languageRows {
		consider(r.region)
	}
	if bestD < 0 || bestD*2 > len(code)+1 {
		return ""
	}
	return best
}
