package certificate

// Callback codes of ses.setCertificateVerifyProc with a special meaning
// (docs/electron-facts.md §8; electron_api_session.cc 850-868 and
// patches/chromium/network_service_allow_remote_certificate_verification_logic.patch).
const (
	// CodeAccept is net::OK: accept the certificate (and, per the Electron
	// docs, skip Certificate Transparency verification).
	CodeAccept = 0
	// CodeReject is net::ERR_FAILED: the load fails with ERR_FAILED.
	CodeReject = -2
	// CodeChromium is net::ERR_ABORTED, which Electron's patch treats as "use
	// Chromium's own verification result".
	CodeChromium = -3
)

// certErrors are the certificate error codes of Chromium's
// net/base/net_error_list.h (chromium/chromium @ 222d496edabd: the range
// -200..-219, CERT_END = -220). Removed codes (-209 CERT_NOT_IN_DNS, -215
// CERT_SYMANTEC_LEGACY, -216, -218 SSL_OBSOLETE_VERSION) are absent on
// purpose. Electron returns any other callback value as the verification
// error, so each of these makes the load fail with that error.
var certErrors = []struct {
	Name string
	Code int
}{
	{"ERR_CERT_COMMON_NAME_INVALID", -200},
	{"ERR_CERT_DATE_INVALID", -201},
	{"ERR_CERT_AUTHORITY_INVALID", -202},
	{"ERR_CERT_CONTAINS_ERRORS", -203},
	{"ERR_CERT_NO_REVOCATION_MECHANISM", -204},
	{"ERR_CERT_UNABLE_TO_CHECK_REVOCATION", -205},
	{"ERR_CERT_REVOKED", -206},
	{"ERR_CERT_INVALID", -207},
	{"ERR_CERT_WEAK_SIGNATURE_ALGORITHM", -208},
	{"ERR_CERT_NON_UNIQUE_NAME", -210},
	{"ERR_CERT_WEAK_KEY", -211},
	{"ERR_CERT_NAME_CONSTRAINT_VIOLATION", -212},
	{"ERR_CERT_VALIDITY_TOO_LONG", -213},
	{"ERR_CERTIFICATE_TRANSPARENCY_REQUIRED", -214},
	{"ERR_CERT_KNOWN_INTERCEPTION_BLOCKED", -217},
	{"ERR_CERT_SELF_SIGNED_LOCAL_NETWORK", -219},
}

// removedCertErrors were certificate errors once; naming them is an error
// that says so (net_error_list.h comments).
var removedCertErrors = map[string]string{
	"ERR_CERT_NOT_IN_DNS":      "-209 was CERT_NOT_IN_DNS and is no longer used",
	"ERR_CERT_SYMANTEC_LEGACY": "-215 (CERT_SYMANTEC_LEGACY) was removed",
	"ERR_SSL_OBSOLETE_VERSION": "-218 (SSL_OBSOLETE_VERSION) is no longer used; TLS 1.0/1.1 now fail with ERR_SSL_VERSION_OR_CIPHER_MISMATCH",
	"ERR_CERT_END":             "-220 (CERT_END) marks the end of the range and is not an error",
}

// CodeOf returns the callback code of a certificate error name, with or
// without the "net::" prefix that verificationResult strings carry.
func CodeOf(name string) (int, bool) {
	n := trimNet(name)
	for _, e := range certErrors {
		if e.Name == n {
			return e.Code, true
		}
	}
	return 0, false
}

// Meaning says what Electron does with a callback code (electron_api_session.cc
// and cert_verifier_client.cc, docs/electron-facts.md §8): the net:: name
// alone misleads for -3, which Electron's patch reads as "use Chromium's
// result", not as ERR_ABORTED.
func Meaning(code int) string {
	switch code {
	case CodeAccept:
		return "Electron accepts the certificate (and, per its docs, skips Certificate Transparency checks)"
	case CodeReject:
		return "Electron rejects the certificate: the load fails with net::ERR_FAILED"
	case CodeChromium:
		return "Electron uses Chromium's own verification result (-3 is net::ERR_ABORTED, which Electron's patch reads as this, not as an abort)"
	}
	return "Electron fails the load with " + NameOf(code) + " as the verification error"
}

// NameOf returns the net:: name of a callback code ("net::OK" for 0).
func NameOf(code int) string {
	switch code {
	case CodeAccept:
		return "net::OK"
	case CodeReject:
		return "net::ERR_FAILED"
	case CodeChromium:
		return "net::ERR_ABORTED"
	}
	for _, e := range certErrors {
		if e.Code == code {
			return "net::" + e.Name
		}
	}
	return ""
}

func trimNet(s string) string {
	if len(s) > 5 && s[:5] == "net::" {
		return s[5:]
	}
	return s
}

func certErrorNames() []string {
	out := make([]string, len(certErrors))
	for i, e := range certErrors {
		out[i] = e.Name
	}
	return out
}
