package hostcanon

import (
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// profile is UTS #46 processing configured as Chromium configures ICU's
// (url/url_idna_icu.cc CreateIDNA and IDNToASCII), which is also the URL
// Standard's "domain to ASCII" with beStrict false:
//
//   - MapForLookup: the UTS #46 mapping table (case folding, width and
//     compatibility mappings, ignored characters), normalisation to NFC and
//     validation of the labels, as uidna_openUTS46 does. It also turns on
//     STD3 rules, hyphen checks and joiner checks, adjusted below.
//   - Transitional(false): UIDNA_NONTRANSITIONAL_TO_ASCII. The deviation
//     characters are kept, so "faß.de" is "xn--fa-hia.de", not "fass.de"
//     (url_canon_unittest.cc URLCanonHostTest with kNonTransitional:
//     "fußball.de" is "xn--fuball-cta.de").
//   - BidiRule(): UIDNA_CHECK_BIDI, the RFC 5893 Bidi rule ("جارxyz" is
//     rejected, "جار2" is "xn--2-ymcov").
//   - StrictDomainName(false): Chromium does not pass UIDNA_USE_STD3_RULES
//     ("Do not apply STD3 rules"), so '_' and other ASCII punctuation, and
//     fullwidth forms of them, stay ("wow！" is "wow!").
//   - CheckHyphens(false): IDNToASCII clears UIDNA_ERROR_LEADING_HYPHEN,
//     TRAILING_HYPHEN and HYPHEN_3_4 (crbug.com/804688).
//   - VerifyDNSLength(false): IDNToASCII clears UIDNA_ERROR_EMPTY_LABEL,
//     LABEL_TOO_LONG and DOMAIN_NAME_TOO_LONG ("a..ü" is valid).
//   - Joiners stay checked (MapForLookup's CheckJoiners): Chromium 156
//     rejects "a\u200cb\u200dc" although the url_idna_icu.cc we read passes
//     no UIDNA_CHECK_CONTEXTJ; the browser is what counts (see the
//     Chromium test). In x/net this setting also carries the check that a
//     label does not start with a combining mark, which ICU always makes.
//
// Known differences: x/net's tables follow the Unicode version of the Go
// release (15.0 before Go 1.27), while Chromium's ICU may be newer, so
// characters whose UTS #46 status changed (U+2132 is disallowed in 15.0 and
// mapped in 16.0) can be rejected here and accepted by the browser.
var profile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.StrictDomainName(false),
	idna.CheckHyphens(false),
	idna.VerifyDNSLength(false),
)

// ToASCII is url::IDNToASCII (url/url_idna_icu.cc): a host name, possibly
// with non-ASCII characters, to its ASCII form with "xn--" labels. ok is
// false for invalid UTF-8, when IDNA processing reports an error Chromium
// does not ignore, or when the result is empty. The result is not checked for forbidden host
// characters (Canonicalize does that): the PAC helpers call IDNToASCII
// directly (proxy_resolver_v8.cc GetHostnameArgument).
func ToASCII(name string) (string, bool) {
	if !utf8.ValidString(name) {
		// x/net/idna would quietly read invalid bytes as U+FFFD; Chromium
		// fails the UTF-8 to UTF-16 conversion before IDNA
		// (url_canon_host.cc DoComplexHost).
		return "", false
	}
	out, err := profile.ToASCII(name)
	if err != nil || out == "" {
		return "", false
	}
	return out, true
}
