package extension

import "testing"

// Pairs from Chromium's components/crx_file/id_util_unittest.cc @
// 19369e17dec9 (docs/electron-facts.md §3 "Known pairs").
const unittestKey = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC4fysg3HybDNxRYZkNNg/UZogIVYTVOr8rpGSFewwEEz+N9Lw4DUn+a8RasEBTOtdmCQ+eNnQw2ooxTx8UUNfHIJQX3k65V15+CuWyZXqJTrZH/xy9tzgTr0eFhDIz8xdJv+mW0NYUbxONxfwscrqs6n4YU1amg6LOk5PnHw/mDwIDAQAB"

func TestGenerateIDChromiumPairs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"test", "jpignaibiiemhngfjkcpokkamffknabf"},
		{"_", "ncocknphbhhlhkikpnnlmbcnbgdempcd"},
		{"this_string_is_longer_than_a_single_sha256_hash_digest", "jimneklojkjdibfkgiiophfhjhbdgcfi"},
	} {
		if got := GenerateID([]byte(tc.in)); got != tc.want {
			t.Errorf("GenerateID(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := IDForPathOS("/path/to/file.ext", "linux"); got != "lnkgfdknojmdambfcanadbhmfjfljobb" {
		t.Errorf("POSIX GenerateIdForPath = %s", got)
	}
	if got := IDForPathOS("/path/to/file.ext", "windows"); got != "jjlkojfgbeklddcpckipekckcmgcbfjn" {
		t.Errorf("Windows GenerateIdForPath = %s", got)
	}
	if got, err := IDFromKey(unittestKey); err != nil || got != "melddjfinppjdikinhbgehiennejpfhp" {
		t.Errorf("IDFromKey(unittest key) = %s, %v", got, err)
	}
}

func TestIDForPathWindowsDriveLetter(t *testing.T) {
	// MaybeNormalizePath uppercases a lowercase drive letter only.
	if IDForPathOS(`c:\ext`, "windows") != IDForPathOS(`C:\ext`, "windows") {
		t.Error("lowercase drive letter not normalised")
	}
	if IDForPathOS(`C:\Ext`, "windows") == IDForPathOS(`C:\ext`, "windows") {
		t.Error("path case must matter beyond the drive letter")
	}
	// POSIX: no normalisation at all, a trailing slash changes the ID.
	if IDForPathOS("/opt/ext", "linux") == IDForPathOS("/opt/ext/", "linux") {
		t.Error("trailing slash must change the POSIX ID")
	}
}

func TestIDFromKeyPEM(t *testing.T) {
	const want = "melddjfinppjdikinhbgehiennejpfhp"
	pem := "-----BEGIN PUBLIC KEY-----\n" + unittestKey[:64] + "\n" + unittestKey[64:128] + "\n" + unittestKey[128:] + "\n-----END PUBLIC KEY-----\n"
	for _, tc := range []struct {
		name, key string
		ok        bool
	}{
		{"plain", unittestKey, true},
		{"pem with line breaks", pem, true},
		{"pem with CRLF", "-----BEGIN PUBLIC KEY-----\r\n" + unittestKey + "\r\n-----END PUBLIC KEY-----", true},
		// a space run without a line break collapses to one space, which
		// strict base64 refuses
		{"pem with space after header", "-----BEGIN PUBLIC KEY----- " + unittestKey + "\n-----END PUBLIC KEY-----", false},
		{"empty", "", false},
		{"not base64", "not base64!", false},
		{"line break outside PEM", unittestKey[:64] + "\n" + unittestKey[64:], false},
		{"pem without footer", "-----BEGIN PUBLIC KEY-----\n" + unittestKey, false},
		{"pem without KEY----- header end", "-----BEGIN PUBLIC\n" + unittestKey + "\n-----END PUBLIC KEY-----", false},
		{"too large", string(make([]byte, 100*1024+1)), false},
	} {
		got, err := IDFromKey(tc.key)
		if tc.ok && (err != nil || got != want) {
			t.Errorf("%s: IDFromKey = %s, %v; want %s", tc.name, got, err, want)
		}
		if !tc.ok && err == nil {
			t.Errorf("%s: IDFromKey accepted the key (%s)", tc.name, got)
		}
	}
}

func TestCollapseWhitespaceASCII(t *testing.T) {
	// base::CollapseWhitespaceASCII(text, trim_sequences_with_line_breaks=true)
	for _, tc := range []struct{ in, want string }{
		{"  a  b  ", "a b"},
		{"a\n b", "ab"},
		{"a \r\n\tb", "ab"},
		{"a\t\tb", "a b"},
		{"\n\na", "a"},
		{"", ""},
	} {
		if got := collapseWhitespaceASCII(tc.in); got != tc.want {
			t.Errorf("collapseWhitespaceASCII(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"melddjfinppjdikinhbgehiennejpfhp", true},
		{"MELDDJFINPPJDIKINHBGEHIENNEJPFHP", true},
		{"melddjfinppjdikinhbgehiennejpfhq", false},
		{"melddjfinppjdikinhbgehiennejpfh", false},
		{"", false},
	} {
		if ValidID(tc.id) != tc.ok {
			t.Errorf("ValidID(%q) = %v", tc.id, !tc.ok)
		}
	}
}
