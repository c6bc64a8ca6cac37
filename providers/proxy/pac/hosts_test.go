package pac

import (
	"context"
	"testing"
)

// TestHelpersCanonicalHosts: the DNS helpers convert names with UTS #46
// non-transitional IDNA and print addresses as IPAddress::ToString.
// Checked in Chromium 156 with a PAC script and --host-resolver-rules
// "MAP xn--fa-hia.de 1.2.3.4, MAP fass.de 5.6.7.8": dnsResolve("faß.de")
// and dnsResolve("FAß.de") are "1.2.3.4", dnsResolveEx("::ffff:1.2.3.4")
// is "::ffff:102:304", dnsResolveEx("0:0:0:0:0:0:0:1") is "::1".
func TestHelpersCanonicalHosts(t *testing.T) {
	env := &Env{
		Resolver: StaticResolver{
			"xn--fa-hia.de": mustAddrs("1.2.3.4"),
			"fass.de":       mustAddrs("5.6.7.8"),
		},
		MyIP: func(context.Context) IPProbes { return IPProbes{} },
	}
	s, err := Compile(evalScript, env)
	if err != nil {
		t.Fatal(err)
	}
	runVectors(t, s, []vector{
		{`dnsResolve("fa\u00df.de")`, `"1.2.3.4"`},
		{`dnsResolve("FA\u00df.de")`, `"1.2.3.4"`},
		{`dnsResolve("a\u200cb.de")`, `null`},
		{`dnsResolveEx("::ffff:1.2.3.4")`, `"::ffff:102:304"`},
		{`dnsResolveEx("0:0:0:0:0:0:0:1")`, `"::1"`},
		{`dnsResolve("::ffff:1.2.3.4")`, `null`},
	})
}
