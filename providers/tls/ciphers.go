package tls

// CipherSuite is a TLS cipher suite BoringSSL implements.
type CipherSuite struct {
	ID   uint16
	Name string // IANA name
	// TLS13 suites cannot be disabled through setSSLConfig.
	TLS13 bool
}

// CipherSuites is every suite in BoringSSL's kCiphers table
// (google/boringssl ssl/ssl_cipher.cc @ 66da97b942), which is what
// Chromium's SSL_get_cipher_by_value knows: Chromium turns each disabled ID
// into a "!NAME" rule only when BoringSSL knows it and ignores the rest.
// Names and values are those of the IANA "TLS Cipher Suites" registry
// (RFC 5246, RFC 5288, RFC 5289, RFC 4279, RFC 5489, RFC 7905, RFC 8446).
// 0xCCAC is per RFC 7905 and BoringSSL's tls1.h
// (TLS1_CK_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 0x0300CCAC); the comment
// "Cipher CCAB" in ssl_cipher.cc is stale.
var CipherSuites = []CipherSuite{
	{0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", false},
	{0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", false},
	{0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", false},
	{0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", false},
	{0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", false},
	{0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", false},
	{0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", false},
	{0x1301, "TLS_AES_128_GCM_SHA256", true},
	{0x1302, "TLS_AES_256_GCM_SHA384", true},
	{0x1303, "TLS_CHACHA20_POLY1305_SHA256", true},
	{0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", false},
	{0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", false},
	{0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false},
	{0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", false},
	{0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", false},
	{0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", false},
	{0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", false},
	{0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", false},
	{0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false},
	{0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false},
	{0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", false},
	{0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", false},
	{0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", false},
	{0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", false},
	{0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", false},
}

// tls13Names are the RFC 8446 suites BoringSSL does not implement; they are
// TLS 1.3 suites all the same and cannot be disabled either.
var tls13Names = map[uint16]string{
	0x1304: "TLS_AES_128_CCM_SHA256",
	0x1305: "TLS_AES_128_CCM_8_SHA256",
}

// SuiteByID returns the BoringSSL suite with id.
func SuiteByID(id uint16) (CipherSuite, bool) {
	for _, s := range CipherSuites {
		if s.ID == id {
			return s, true
		}
	}
	return CipherSuite{}, false
}

// isTLS13 reports the TLS 1.3 suites of RFC 8446 (0x1301-0x1305).
func isTLS13(id uint16) bool { return id >= 0x1301 && id <= 0x1305 }

// suiteName returns the IANA name of a TLS 1.3 or BoringSSL suite, or "".
func suiteName(id uint16) string {
	if s, ok := SuiteByID(id); ok {
		return s.Name
	}
	return tls13Names[id]
}
