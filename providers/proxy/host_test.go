package proxy

import "testing"

// Host canonicalization vectors from Chromium's url/url_canon_unittest.cc
// (URLCanonTest.IPv4 and URLCanonTest.IPv6): "" in want means the host is
// BROKEN (GURL rejects the URL); a NEUTRAL host stays a host name.
func TestCanonHost(t *testing.T) {
	const ipv4 = "url_canon_unittest.cc URLCanonTest.IPv4"
	const ipv6 = "url_canon_unittest.cc URLCanonTest.IPv6"
	for _, c := range []struct {
		in, want string
		kind     hostKind
		src      string
	}{
		{"192.168.0.1", "192.168.0.1", hostIPv4, ipv4},
		{"0300.0250.00.01", "192.168.0.1", hostIPv4, ipv4},
		{"0xC0.0Xa8.0x0.0x1", "192.168.0.1", hostIPv4, ipv4},
		{"192.168.9.com", "192.168.9.com", hostName, ipv4},
		{"19a.168.0.1", "", 0, ipv4},
		{"19a.168.0.1.", "", 0, ipv4},
		{"0308.0250.00.01", "", 0, ipv4},
		{"0xCG.0xA8.0x0.0x1", "", 0, ipv4},
		{"19.168.0.1a", "19.168.0.1a", hostName, ipv4},
		{"19a.168.0.1..", "19a.168.0.1..", hostName, ipv4},
		{"1.2.3.08", "", 0, ipv4},
		{"192", "0.0.0.192", hostIPv4, ipv4},
		{"0xC0a80001", "192.168.0.1", hostIPv4, ipv4},
		{"030052000001", "192.168.0.1", hostIPv4, ipv4},
		{"000030052000001", "192.168.0.1", hostIPv4, ipv4},
		{"192.168", "192.0.0.168", hostIPv4, ipv4},
		{"192.0x00A80001", "192.168.0.1", hostIPv4, ipv4},
		{"0xc0.052000001", "192.168.0.1", hostIPv4, ipv4},
		{"192.168.1", "192.168.0.1", hostIPv4, ipv4},
		{"192.168.0.0.1", "", 0, ipv4},
		{"192.168.0.1.", "192.168.0.1", hostIPv4, ipv4},
		{"192.168.0.1..", "192.168.0.1..", hostName, ipv4},
		{"192.168..1", "", 0, ipv4},
		{"0x100.0", "", 0, ipv4},
		{"0x100.0.0.0", "", 0, ipv4},
		{"0.0.0x10000", "", 0, ipv4},
		{"0x100000000", "", 0, ipv4},
		{"0xFF.0", "255.0.0.0", hostIPv4, ipv4},
		{"0.0.0xFFFF", "0.0.255.255", hostIPv4, ipv4},
		{"0xFFFFFFFF", "255.255.255.255", hostIPv4, ipv4},
		{"192.168.0.257", "", 0, ipv4},
		{"276.1.2", "", 0, ipv4},
		{"255.255.255.255.255", "", 0, ipv4},
		{"0000000000000300.0x00000000000000fF.00000000000000001", "192.255.0.1", hostIPv4, ipv4},
		{"00000000000000000001", "0.0.0.1", hostIPv4, ipv4},
		{"0000000000000000100000000000000001", "", 0, ipv4},
		{"0.0.0.000000000000000000z", "0.0.0.000000000000000000z", hostName, ipv4},
		{"0.00.0x.0x0", "0.0.0.0", hostIPv4, ipv4},
		{"[::]", "[::]", hostIPv6, ipv6},
		{"[::1]", "[::1]", hostIPv6, ipv6},
		{"[1::]", "[1::]", hostIPv6, ipv6},
		{"[000:01:02:003:004:5:6:007]", "[0:1:2:3:4:5:6:7]", hostIPv6, ipv6},
		{"[A:b:c:DE:fF:0:1:aC]", "[a:b:c:de:ff:0:1:ac]", hostIPv6, ipv6},
		{"[1:0:0:2::3:0]", "[1::2:0:0:3:0]", hostIPv6, ipv6},
		{"[::192.168.0.1]", "[::c0a8:1]", hostIPv6, ipv6},
		{"[::ffff:192.168.0.1]", "[::ffff:c0a8:1]", hostIPv6, ipv6},
		{"[2001::192.168.0.1]", "[2001::c0a8:1]", hostIPv6, ipv6},
		{"[1:2:192.168.0.1:5:6]", "", 0, ipv6},
		{"[::ffff:192.1.2]", "", 0, ipv6},
		{"[0:0::0:0:8]", "[::8]", hostIPv6, ipv6},
		{"[::ffff:0xC0.0Xa8.0x0.0x1]", "[::ffff:c0a8:1]", hostIPv6, ipv6},
		{"[::ffff:192.1]", "", 0, ipv6},
		{"[::ffff:192.1.2.3.4]", "", 0, ipv6},
		{"[::eeee:192.168.0.1]", "[::eeee:c0a8:1]", hostIPv6, ipv6},
		{"[2001::db8::1]", "", 0, ipv6},
		{"[2001:db8::1", "", 0, ipv6},
		{"[]", "", 0, ipv6},
		// proxy_string_util_unittest.cc ProxyUriToProxyServer (host canonicalization)
		{"f\u00fcpy", "xn--fpy-hoa", hostName, "proxy_string_util_unittest.cc ProxyUriToProxyServer"},
		{"FoO.tEsT", "foo.test", hostName, "proxy_string_util_unittest.cc ProxyUriToProxyServer"},
		{"foopy.111", "", 0, "proxy_string_util_unittest.cc InvalidProxyUriToProxyServer"},
		// URL Standard forbidden host code points (url_canon_host.cc).
		{"exa mple", "", 0, "URL Standard forbidden host code point"},
		{"a%20b", "", 0, "URL Standard: percent-decoded space is forbidden"},
		{"%41bc", "abc", hostName, "URL Standard: host is percent-decoded then lower-cased"},
	} {
		got, kind, ok := canonHost(c.in)
		if c.want == "" {
			if ok {
				t.Errorf("canonHost(%q) = %q, want invalid (%s)", c.in, got, c.src)
			}
			continue
		}
		if !ok || got != c.want || kind != c.kind {
			t.Errorf("canonHost(%q) = %q, %v, %v; want %q, %v (%s)", c.in, got, kind, ok, c.want, c.kind, c.src)
		}
	}
}

// TestParseTarget checks the URL pieces proxy resolution uses: scheme,
// host and effective port (GURL::EffectiveIntPort, url_constants).
func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		in           string
		scheme, host string
		eport        int
		bad          bool
	}{
		{in: "HTTP://WWW.MSNBC.MSN.COM", scheme: "http", host: "www.msnbc.msn.com", eport: 80},
		{in: "https://a.example", scheme: "https", host: "a.example", eport: 443},
		{in: "https://a.example:443/x", scheme: "https", host: "a.example", eport: 443},
		{in: "http://a.example:0443/", scheme: "http", host: "a.example", eport: 443},
		{in: "ws://a/", scheme: "ws", host: "a", eport: 80},
		{in: "wss://a/", scheme: "wss", host: "a", eport: 443},
		{in: "ftp://a/", scheme: "ftp", host: "a", eport: 21},
		{in: "unknown://www.microsoft.com", scheme: "unknown", host: "www.microsoft.com", eport: -1},
		{in: "http://foo:bar@baz.google.com#x", scheme: "http", host: "baz.google.com", eport: 80},
		{in: "http:\\\\a.example\\p", scheme: "http", host: "a.example", eport: 80},
		{in: "  http://a.example/ \n", scheme: "http", host: "a.example", eport: 80},
		{in: "http://[::ffff:127.0.0.1]:8080/", scheme: "http", host: "[::ffff:7f00:1]", eport: 8080},
		{in: "http://a:65536/", bad: true},
		{in: "http://a:8x/", bad: true},
		{in: "http:///", bad: true},
		{in: "noscheme", bad: true},
		{in: "1http://a/", bad: true},
		{in: "http://[::1/", bad: true},
	} {
		tg, err := parseTarget(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("parseTarget(%q) = %+v, want error", c.in, tg)
			}
			continue
		}
		if err != nil || tg.scheme != c.scheme || tg.host != c.host || tg.eport != c.eport {
			t.Errorf("parseTarget(%q) = %+v, %v; want %s %s %d", c.in, tg, err, c.scheme, c.host, c.eport)
		}
	}
}

// TestPACURL: SanitizeUrl (proxy_resolution_url_sanitizer.cc) strips
// userinfo and fragment, and path+query for https/wss.
func TestPACURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://user:pw@a.example:8080/p/q?x=1#frag": "http://a.example:8080/p/q?x=1",
		"https://a.example/secret/path?token=1":      "https://a.example/",
		"wss://a.example/chat":                       "wss://a.example/",
		"http://A.Example":                           "http://a.example/",
		"http://a.example:80/x":                      "http://a.example/x",
		"http://[::1]:81/":                           "http://[::1]:81/",
	} {
		tg, err := parseTarget(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := tg.pacURL(); got != want {
			t.Errorf("pacURL(%q) = %q, want %q", in, got, want)
		}
	}
}
