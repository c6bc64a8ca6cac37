# Transcription of Chromium and Electron test vectors into vectors.json.
# Every expectation is copied from the cited test or source, not computed.
# Run: python3 providers/proxy/testdata/vectors.py
import json
V=[]
PCU="net/proxy_resolution/proxy_config_unittest.cc@09e934c2"
BRU="net/proxy_resolution/proxy_bypass_rules_unittest.cc@4c58b9ed"
PSU="net/base/proxy_string_util_unittest.cc@1a4f344c"
PLU="net/proxy_resolution/proxy_list_unittest.cc@11e321eb"
CRS="net/proxy_resolution/configured_proxy_resolution_service_unittest.cc@f24a8e13"
ES="electron spec/api-session-spec.ts ses.setProxy(options)"
SEM="chromium-proxy-semantics.md"

# ---- ParseProxyRules table
def rules(r, typ, single=None, http=None, https=None, ftp=None, fallback=None, test="ProxyConfigTest.ParseProxyRules"):
    V.append(dict(kind="rules", source=PCU+" "+test, rules=r, type=typ, single=single, http=http, https=https, ftp=ftp, fallback=fallback))
L,S="PROXY_LIST","PROXY_LIST_PER_SCHEME"
rules("myproxy:80",L,single="PROXY myproxy:80")
rules("myproxy:80,https://myotherproxy",L,single="PROXY myproxy:80;HTTPS myotherproxy:443")
rules("http=myproxy:80",S,http="PROXY myproxy:80")
rules("ftp=ftp-proxy ; https=socks4://foopy",S,https="SOCKS foopy:1080",ftp="PROXY ftp-proxy:80")
rules("foopy ; ftp=ftp-proxy",L,single="PROXY foopy:80")
rules("ftp=ftp-proxy ; foopy",S,ftp="PROXY ftp-proxy:80")
rules("ftp=ftp1,ftp2,ftp3",S,ftp="PROXY ftp1:80;PROXY ftp2:80;PROXY ftp3:80")
rules("http=http1,http2; http=http3",S,http="PROXY http1:80;PROXY http2:80;PROXY http3:80")
rules("ftp=ftp1,ftp2,ftp3 ; http=http1,http2; ",S,http="PROXY http1:80;PROXY http2:80",ftp="PROXY ftp1:80;PROXY ftp2:80;PROXY ftp3:80")
rules("http=https://secure_proxy; ftp=socks4://socks_proxy; https=socks://foo",S,http="HTTPS secure_proxy:443",https="SOCKS5 foo:1080",ftp="SOCKS socks_proxy:1080")
rules("socks=foopy",S,fallback="SOCKS foopy:1080")
rules("http=httpproxy ; https=httpsproxy ; ftp=ftpproxy ; socks=foopy ",S,http="PROXY httpproxy:80",https="PROXY httpsproxy:80",ftp="PROXY ftpproxy:80",fallback="SOCKS foopy:1080")
rules("http=httpproxy ; https=httpsproxy ; socks=socks5://foopy ",S,http="PROXY httpproxy:80",https="PROXY httpsproxy:80",fallback="SOCKS5 foopy:1080")
rules("crazy=foopy ; foo=bar ; https=myhttpsproxy",S,https="PROXY myhttpsproxy:80")
rules("http=direct://,myhttpproxy; https=direct://",S,http="DIRECT;PROXY myhttpproxy:80",https="DIRECT")
rules("http=myhttpproxy,direct://",S,http="PROXY myhttpproxy:80;DIRECT")
rules("http=[https://proxy1:8080 https://proxy2:8080]",S)
rules("https://proxy1:8080",L,single="HTTPS proxy1:8080",test="ProxyConfigToValueTest GetTestCaseSingleProxy")
rules("http=https://proxy1:8080;https=socks5://proxy2",S,http="HTTPS proxy1:8080",https="SOCKS5 proxy2:1080",test="ProxyConfigToValueTest GetTestCaseProxyPerScheme")
rules("https://proxy1:8080,http://proxy2,direct://",L,single="HTTPS proxy1:8080;PROXY proxy2:80;DIRECT",test="ProxyConfigToValueTest GetTestCaseSingleProxyList")
rules("http=proxy:3128 ; https=sslproxy:3128; socks=https://httpsproxy",S,http="PROXY proxy:3128",https="PROXY sslproxy:3128",fallback="HTTPS httpsproxy:443",test="ProxyConfigWebSocketTest.PrefersNonSocksFallbackOverHttps")
rules("quic://foopy:443",L,test="ProxyConfigTest.ParseProxyRulesQuicIsNotAllowed (release: is_quic_allowed=false)")
# from the semantics doc (read from ParseFromString source)
for r,typ,single,note in [("a:1;b:2",L,"PROXY a:1","only the first key-less entry"),("http=",L,"PROXY http:80","key without value is a key-less entry"),(" ;http=foo",L,None,"whitespace entry makes an empty PROXY_LIST")]:
    V.append(dict(kind="rules",source="net/proxy_resolution/proxy_config.cc@09e934c2 ProxyRules::ParseFromString ("+SEM+" §2: "+note+")",rules=r,type=typ,single=single,http=None,https=None,ftp=None,fallback=None))
V.append(dict(kind="rules",source="net/proxy_resolution/proxy_config.cc@09e934c2 ProxyRules::ParseFromString (keys are compared case-sensitively, "+SEM+" §2)",rules="HTTP=foo;https=bar",type=S,single=None,http=None,https="PROXY bar:80",ftp=None,fallback=None))
V.append(dict(kind="rules",source="net/proxy_resolution/proxy_config.cc@09e934c2 ProxyRules::ParseFromString (socks= accepts any proxy scheme, "+SEM+" §8)",rules="socks=https://x",type=S,single=None,http=None,https=None,ftp=None,fallback="HTTPS x:443"))

# ---- ProxyUriToProxyServer
def uri(u, want, test="ProxySpecificationUtilTest.ProxyUriToProxyServer"):
    V.append(dict(kind="uri", source=PSU+" "+test, uri=u, want=want))
for u,w in [("foopy:10","PROXY foopy:10"),("http://foopy","PROXY foopy:80"),("http://foopy:10","PROXY foopy:10"),
 ("[fedc:ba98:7654:3210:fedc:ba98:7654:3210]:10","PROXY [fedc:ba98:7654:3210:fedc:ba98:7654:3210]:10"),
 ("http://[3ffe:2a00:100:7031::1]","PROXY [3ffe:2a00:100:7031::1]:80"),
 ("socks4://foopy","SOCKS foopy:1080"),("socks4://foopy:10","SOCKS foopy:10"),("socks5://foopy","SOCKS5 foopy:1080"),("socks5://foopy:10","SOCKS5 foopy:10"),
 ("socks://foopy","SOCKS5 foopy:1080"),("socks://foopy:10","SOCKS5 foopy:10"),("https://foopy","HTTPS foopy:443"),("https://foopy:10","HTTPS foopy:10"),("https://1.2.3.4:10","HTTPS 1.2.3.4:10"),
 ("[FEDC:BA98:7654:3210:FEDC:BA98:7654:3210]:10","PROXY [fedc:ba98:7654:3210:fedc:ba98:7654:3210]:10"),
 ("http://[::192.9.5.5]","PROXY [::c009:505]:80"),("http://[::FFFF:129.144.52.38]:80","PROXY [::ffff:8190:3426]:80"),
 ("http://f\u00fcpy:85","PROXY xn--fpy-hoa:85"),("https://0xA.020.3.4:443","HTTPS 10.16.3.4:443"),("http://FoO.tEsT:80","PROXY foo.test:80")]:
    uri(u,w)
for u in ["direct://","DIRECT://","DiReCt://"]:
    uri(u,"DIRECT","ProxySpecificationUtilTest.DirectProxyUriToProxyChain")
uri("direct://xyz","","ProxySpecificationUtilTest.DirectProxyUriToProxyChain")
for u in ["","   ","dddf:","dddd:d","http://","http:/","http:","foopy.111","foo.test/foo.test:123/foo.test/foo"]:
    uri(u,"","ProxySpecificationUtilTest.InvalidProxyUriToProxyServer")
for u in ["  foopy:80","foopy:80   \t","  \tfoopy:80  "]:
    uri(u,"PROXY foopy:80","ProxySpecificationUtilTest.WhitespaceProxyUriToProxyServer")

# ---- PAC elements and lists
def pac(p, want, test):
    V.append(dict(kind="pac", source=test, pac=p, want=want))
for p,w in [("PROXY foopy:10","PROXY foopy:10"),("   PROXY    foopy:10   ","PROXY foopy:10"),("pRoXy foopy:10","PROXY foopy:10"),("PROXY foopy","PROXY foopy:80"),
  ("socks foopy","SOCKS foopy:1080"),("socks4 foopy","SOCKS foopy:1080"),("socks5 foopy","SOCKS5 foopy:1080"),("socks5 foopy:11","SOCKS5 foopy:11"),
  ("https foopy","HTTPS foopy:443"),("https foopy:10","HTTPS foopy:10"),("PROXY [FEDC:BA98:7654:3210:FEDC:BA98:7654:3210]:10","PROXY [fedc:ba98:7654:3210:fedc:ba98:7654:3210]:10"),
  ("PROXY f\u00fcpy:85","PROXY xn--fpy-hoa:85")]:
    pac(p,w,PSU+" ProxySpecificationUtilTest.PacResultElementToProxyServer")
# invalid single elements: the list falls back to DIRECT
for p in ["PROXY","HTTPS","SOCKS","DIRECT foopy:10","INVALIDSCHEME","INVALIDSCHEME foopy:10","HTTP foopy:10"]:
    pac(p,"DIRECT",PSU+" ProxySpecificationUtilTest.InvalidPacResultElementToProxyServer + "+PLU+" SetFromPacString (empty -> DIRECT)")
for p,w in [("PROXY foopy:10","PROXY foopy:10"),(" DIRECT","DIRECT"),("PROXY foopy1 ; proxy foopy2;\t DIRECT","PROXY foopy1:80;PROXY foopy2:80;DIRECT"),
  ("proxy foopy1 ; SOCKS foopy2","PROXY foopy1:80;SOCKS foopy2:1080"),("DIRECT ; proxy foopy1 ; DIRECT ; SOCKS5 foopy2;DIRECT ","DIRECT;PROXY foopy1:80;DIRECT;SOCKS5 foopy2:1080;DIRECT"),
  ("DIRECT ; proxy foopy1:80; DIRECT ; DIRECT","DIRECT;PROXY foopy1:80;DIRECT;DIRECT"),("PROXY-foopy:10","DIRECT"),("PROXY","DIRECT"),
  ("PROXY foopy1 ; JUNK ; JUNK ; SOCKS5 foopy2 ; ;","PROXY foopy1:80;SOCKS5 foopy2:1080"),("HTTPS foo:333; DIRECT","HTTPS foo:333;DIRECT")]:
    pac(p,w,PLU+" ProxyListTest.SetFromPacString")

# ---- bypass matching (rules.Matches incl. implicit rules)
def byp(rule, url, want, test, prefix=BRU+" "):
    V.append(dict(kind="bypass", source=prefix+test, bypass=rule, url=url, want=want))
def many(rule, test, yes, no):
    for u in yes: byp(rule,u,True,test)
    for u in no: byp(rule,u,False,test)
many("wWw.gOogle.com","ProxyBypassRulesTest.ParseAndMatchBasicHost",["http://www.google.com","ftp://www.google.com:99","https://www.google.com:81"],["http://foo.www.google.com","http://xxx.google.com","http://google.com","http://www.google.com.baz.org"])
many(".gOOgle.com","ProxyBypassRulesTest.ParseAndMatchBasicDomain",["http://www.google.com","ftp://www.google.com:99","https://a.google.com:81","http://foo.google.com/x/y?q","http://foo:bar@baz.google.com#x"],["http://google.com","http://foo.google.com.baz.org"])
many("*.GOOGLE.com:80","ProxyBypassRulesTest.ParseAndMatchBasicDomainWithPort",["http://www.google.com","ftp://www.google.com:80","https://a.google.com:80?x"],["http://google.com","http://foo.google.com.baz.org","http://www.google.com:90","https://www.google.com"])
many("*","ProxyBypassRulesTest.MatchAll",["http://www.google.com","ftp://www.foobar.com:99","https://a.google.com:80?x"],[])
many("*.org:443","ProxyBypassRulesTest.WildcardAtStart",["http://www.google.org:443","https://www.google.org"],["http://www.google.org","https://www.google.com","https://www.google.org.com"])
many("192.168.1.1","ProxyBypassRulesTest.IPV4Address",["http://192.168.1.1","https://192.168.1.1:90"],["http://www.google.com","http://sup.192.168.1.1"])
many("192.168.1.1:33","ProxyBypassRulesTest.IPV4AddressWithPort",["http://192.168.1.1:33"],["http://www.google.com","http://192.168.1.1","http://sup.192.168.1.1:33"])
many("[3ffe:2a00:100:7031:0:0::1]","ProxyBypassRulesTest.IPV6Address",["http://[3ffe:2a00:100:7031::1]","http://[3ffe:2a00:100:7031::1]:33"],["http://www.google.com","http://sup.192.168.1.1:33"])
many("[3ffe:2a00:100:7031::1]:33","ProxyBypassRulesTest.IPV6AddressWithPort",["http://[3ffe:2a00:100:7031::1]:33"],["http://[3ffe:2a00:100:7031::1]","http://www.google.com"])
many("http://www.google.com","ProxyBypassRulesTest.HTTPOnly",["http://www.google.com/foo","http://www.google.com:99"],["https://www.google.com","ftp://www.google.com","http://foo.www.google.com","http://www.google.com.org"])
many("http://*www.google.com","ProxyBypassRulesTest.HTTPOnlyWithWildcard",["http://www.google.com/foo","http://www.google.com:99","http://foo.www.google.com"],["https://www.google.com","ftp://www.google.com","http://www.google.com.org"])
many("foo1.com, .foo2.com, 192.168.1.1, *foobar.com:80, *.foo, http://baz, <local>","ProxyBypassRulesTest.DoesNotUseSuffixMatching",["http://foo1.com"],["http://aaafoo1.com","http://aaafoo1.com.net"])
many(".google.com , .foobar.com:30","ProxyBypassRulesTest.MultipleRules",["http://baz.google.com:40","http://bar.foobar.com:30"],["http://google.com:40","http://bar.foobar.com","http://bar.foobar.com:33"])
many("<-loopback>; <local>","ProxyBypassRulesTest.BypassSimpleHostnames",["http://example/"],["http://example./","http://example.com/","http://[dead::beef]/","http://192.168.1.1/"])
many("192.168.1.1/16","ProxyBypassRulesTest.ParseAndMatchCIDR_IPv4",["http://192.168.1.1","ftp://192.168.4.4","https://192.168.0.0:81","http://[::ffff:192.168.11.11]"],["http://foobar.com","http://192.169.1.1","http://xxx.192.168.1.1","http://192.168.1.1.xx"])
many("a:b:c:d::/48","ProxyBypassRulesTest.ParseAndMatchCIDR_IPv6",["http://[A:b:C:9::]"],["http://foobar.com","http://192.169.1.1"])
many("::ffff:192.168.1.1/112","ProxyBypassRulesTest.ParseAndMatchCIDR_IPv6",["http://[::ffff:192.168.1.3]","http://192.168.11.11"],["http://10.10.1.1"])
many("::fffe:192.168.1.1/112","ProxyBypassRulesTest.ParseAndMatchCIDR_IPv6",["http://[::fffe:192.168.1.3]"],["http://[::ffff:192.168.1.3]","http://192.168.11.11","http://10.10.1.1"])
byp(".com","http://example.com",True,PCU+" ProxyConfigTest.ProxyRulesSetBypassFlag","")
byp(".com","http://example.org",False,PCU+" ProxyConfigTest.ProxyRulesSetBypassFlag","")
byp("*.org","http://www.webkit.org",True,CRS+" ProxyBypassList","")
byp("*.org","http://www.webkit.com",False,CRS+" ProxyBypassList","")


# ---- historical ProxyService bypass tests (net/proxy/proxy_service_unittest.cc,
# pre-2018 revisions; the matching code they exercise is unchanged)
OLD="net/proxy/proxy_service_unittest.cc (historical) ProxyServiceTest.ProxyBypassList"
byp("*.MSN.COM","http://www.msnbc.msn.com",True,OLD,"")
byp("*.msn.com","HTTP://WWW.MSNBC.MSN.COM",True,OLD,"")
byp("<local>;*.org","http://www.webkit.org",True,OLD,"")
byp("<local>;*.org;7*","http://74.125.19.147",True,OLD+" (a hostname pattern also matches IP hosts as text)","")
byp("<local>;*.org;","http://www.msn.com",False,OLD,"")

# helper host lists (ExpectBypassLocalhost / LinkLocal / Misc), schemes http https ftp
LOCAL=["localhost","localhost.","foo.localhost","127.0.0.1","127.100.0.2","[::1]","[::0:FFFF:127.0.0.1]","[::fFfF:127.100.0.0]","[0::ffff:7f00:1]"]
LINK=["169.254.3.2","169.254.100.1","[FE80::8]","[fe91::1]","[::ffff:169.254.3.2]"]
MISC=["192.168.0.1","170.254.0.0","128.0.0.1","[::2]","[FD80::1]","foo","www.example3.com","[::ffff:128.0.0.1]","[::ffff:126.100.0.0]","[::ffff::ffff:127.0.0.1]","[::ffff:0:127.0.0.1]","[::127.0.0.1]","loopback","loopback."]
def hosts(rule, test, lst, want, inverted=()):
    for sch in ["http://","https://","ftp://"]:
        for h in lst:
            w = want if h not in inverted else (not want)
            byp(rule, sch+h, w, test)
hosts("", "ProxyBypassRulesTest.DefaultImplicitRules", LOCAL, True)
hosts("", "ProxyBypassRulesTest.DefaultImplicitRules", LINK, True)
hosts("", "ProxyBypassRulesTest.DefaultImplicitRules", MISC, False)
hosts("www.example.com;<-loopback>", "ProxyBypassRulesTest.NegativeWinLoopback", LOCAL+LINK+MISC, False)
byp("www.example.com;<-loopback>","http://www.example.com/",True,"ProxyBypassRulesTest.NegativeWinLoopback")
hosts("<-loopback>; localhost", "ProxyBypassRulesTest.RemoveImplicitAndAddLocalhost", LOCAL, False, inverted=("localhost",))
hosts("<-loopback>; localhost", "ProxyBypassRulesTest.RemoveImplicitAndAddLocalhost", LINK+MISC, False)
hosts("localhost; <-loopback>", "ProxyBypassRulesTest.AddLocalhostThenRemoveImplicit", LOCAL+LINK+MISC, False)
hosts("<-loopback>; <local>", "ProxyBypassRulesTest.BypassSimpleHostnames", LOCAL, False, inverted=("localhost",))
hosts("<-loopback>; <local>", "ProxyBypassRulesTest.BypassSimpleHostnames", LINK, False)
hosts("<-loopback>; <local>", "ProxyBypassRulesTest.BypassSimpleHostnames", MISC, False, inverted=("foo","loopback"))

# ---- bypass parse: number of rules and ToString
def bparse(rule, want, test):
    V.append(dict(kind="bypassparse", source=BRU+" "+test, bypass=rule, want=want))
bparse("wWw.gOogle.com",["www.google.com"],"ProxyBypassRulesTest.ParseAndMatchBasicHost")
bparse(".gOOgle.com",["*.google.com"],"ProxyBypassRulesTest.ParseAndMatchBasicDomain")
bparse("*.GOOGLE.com:80",["*.google.com:80"],"ProxyBypassRulesTest.ParseAndMatchBasicDomainWithPort")
bparse("*",["*"],"ProxyBypassRulesTest.MatchAll")
bparse("*.org:443",["*.org:443"],"ProxyBypassRulesTest.WildcardAtStart")
bparse("*.com:+443",[],"ProxyBypassRulesTest.ParseInvalidPort")
bparse("*.com:-443",[],"ProxyBypassRulesTest.ParseInvalidPort")
bparse("192.168.1.1",["192.168.1.1"],"ProxyBypassRulesTest.IPV4Address")
bparse("192.168.1.1:33",["192.168.1.1:33"],"ProxyBypassRulesTest.IPV4AddressWithPort")
bparse("[3ffe:2a00:100:7031:0:0::1]",["[3ffe:2a00:100:7031::1]"],"ProxyBypassRulesTest.IPV6Address")
bparse("[3ffe:2a00:100:7031::1]:33",["[3ffe:2a00:100:7031::1]:33"],"ProxyBypassRulesTest.IPV6AddressWithPort")
bparse("http://www.google.com",["http://www.google.com"],"ProxyBypassRulesTest.HTTPOnly")
bparse("http://*www.google.com",["http://*www.google.com"],"ProxyBypassRulesTest.HTTPOnlyWithWildcard")
bparse("foo1.com, .foo2.com, 192.168.1.1, *foobar.com:80, *.foo, http://baz, <local>",["foo1.com","*.foo2.com","192.168.1.1","*foobar.com:80","*.foo","http://baz","<local>"],"ProxyBypassRulesTest.DoesNotUseSuffixMatching")
for r in ["://","  ","http://","*.foo.com:-34"]:
    bparse(r,[],"ProxyBypassRulesTest.BadInputs")
bparse("<-loopback>; <local>",["<-loopback>","<local>"],"ProxyBypassRulesTest.BypassSimpleHostnames")
bparse("192.168.1.1/16",["192.168.1.1/16"],"ProxyBypassRulesTest.ParseAndMatchCIDR_IPv4")
bparse("a:b:c:d::/48",["a:b:c:d::/48"],"ProxyBypassRulesTest.ParseAndMatchCIDR_IPv6")
bparse("[a:b:c:d::]/48",[],"ProxyBypassRulesTest.ParseBracketedIPv6Range")
bparse("www.example.com;<-loopback>",["www.example.com","<-loopback>"],"ProxyBypassRulesTest.NegativeWinLoopback")
bparse("<Local>; <-LoopBacK>; <LoCaL>; <-LoOpBack>",["<local>","<-loopback>","<local>","<-loopback>"],"ProxyBypassRulesTest.LoopbackAndLocalCaseInsensitive")
bparse("foo1.com,.FOo2.com",["foo1.com","*.foo2.com"],"ProxyBypassRulesTest.Equals")

# ---- full resolution (fixed_servers)
def res(rules_, bypass, url, want, test, mode=None, pac=None):
    cfg={"proxyRules":rules_} if rules_ is not None else {}
    if bypass: cfg["proxyBypassRules"]=bypass
    if mode: cfg["mode"]=mode
    if pac: cfg["pacScript"]=pac
    V.append(dict(kind="resolve", source=test, config=cfg, url=url, want=want))
W=PCU+" ProxyConfigWebSocketTest."
res("proxy:3128",None,"ws://example.com/echo","PROXY proxy:3128",W+"UsesProxy")
res("http=proxy:3128 ; https=sslproxy:3128 ; socks=socksproxy:1080",None,"ws://example.com/echo","SOCKS socksproxy:1080",W+"PrefersSocksV4")
res("http=proxy:3128 ; https=sslproxy:3128 ; socks=socks5://socksproxy:1080",None,"ws://example.com/echo","SOCKS5 socksproxy:1080",W+"PrefersSocksV5")
res("http=proxy:3128 ; https=sslproxy:3128",None,"wss://example.com/echo","PROXY sslproxy:3128",W+"PrefersHttpsToHttp")
res("http=proxy:3128 ; https=sslproxy:3128; socks=https://httpsproxy",None,"wss://example.com/echo","HTTPS httpsproxy:443",W+"PrefersNonSocksFallbackOverHttps")
res("ftp=ftpproxy:3128; socks=https://httpsproxy",None,"wss://example.com/echo","HTTPS httpsproxy:443",W+"UsesNonSocksFallbackProxy")
res("http=proxy:3128 ; https=sslproxy:3128",None,"ws://example.com/echo","PROXY sslproxy:3128",W+"PrefersHttpsEvenForWs")
res("http=proxy:3128",None,"wss://example.com/echo","PROXY proxy:3128",W+"PrefersHttpToDirect")
res("ftp=ftpproxy:3128",None,"wss://example.com/echo","DIRECT",W+"IgnoresFtpProxy")
res("http=proxy:3128 ; https=sslproxy:3128",".chromium.org","wss://codereview.chromium.org/feed","DIRECT",W+"ObeysBypassRules")
res("http=proxy:3128 ; https=sslproxy:3128","<local>","ws://localhost/feed","DIRECT",W+"ObeysLocalBypass")
res("http=httpproxy:80",".com","http://example.com","DIRECT",PCU+" ProxyConfigTest.ProxyRulesSetBypassFlag")
res("http=httpproxy:80",".com","http://example.org","PROXY httpproxy:80",PCU+" ProxyConfigTest.ProxyRulesSetBypassFlag")
C=CRS+" ConfiguredProxyResolutionServiceTest."
res("foopy1:8080;foopy2:9090","*.org","http://www.webkit.org","DIRECT",C+"ProxyBypassList")
res("foopy1:8080;foopy2:9090","*.org","http://www.webkit.com","PROXY foopy1:8080",C+"ProxyBypassList")
res("http=foopy1:8080;https=foopy2:8080",None,"http://www.msn.com","PROXY foopy1:8080",C+"PerProtocolProxyTests")
res("http=foopy1:8080;https=foopy2:8080",None,"ftp://ftp.google.com","DIRECT",C+"PerProtocolProxyTests")
res("http=foopy1:8080;https=foopy2:8080",None,"https://webbranch.techcu.com","PROXY foopy2:8080",C+"PerProtocolProxyTests")
res("foopy1:8080",None,"http://www.microsoft.com","PROXY foopy1:8080",C+"PerProtocolProxyTests")
res("http=foopy1:8080;socks=foopy2:1080",None,"http://www.msn.com","PROXY foopy1:8080",C+"DefaultProxyFallbackToSOCKS")
res("http=foopy1:8080;socks=foopy2:1080",None,"ftp://ftp.google.com","SOCKS foopy2:1080",C+"DefaultProxyFallbackToSOCKS")
res("http=foopy1:8080;socks=foopy2:1080",None,"https://webbranch.techcu.com","SOCKS foopy2:1080",C+"DefaultProxyFallbackToSOCKS")
res("http=foopy1:8080;socks=foopy2:1080",None,"unknown://www.microsoft.com","SOCKS foopy2:1080",C+"DefaultProxyFallbackToSOCKS")
res("https=foopy2:8080",None,"http://www.google.com","DIRECT",C+"ProxyConfigTrafficAnnotationPropagates")
res("https=foopy2:8080",None,"https://www.google.com","PROXY foopy2:8080",C+"ProxyConfigTrafficAnnotationPropagates")
# Electron spec
res("http=myproxy:80",None,"http://example.com/","PROXY myproxy:80",ES+" 'allows configuring proxy settings'")
res("http=myproxy:80","<-loopback>","http://localhost","PROXY myproxy:80",ES+" 'allows removing the implicit bypass rules for localhost'")
res("http=myproxy:80","<local>","http://example/","DIRECT",ES+" 'allows bypassing proxy settings'")
res("http=myproxy:80",None,"http://example.com/","DIRECT",ES+" 'allows configuring proxy settings with mode `direct`'",mode="direct")
res(None,None,"http://example.com/","DIRECT",ES+" 'allows configuring proxy settings with mode `pac_script`'",mode="pac_script")
res("http=myproxy:80",None,"http://example.com/","PROXY myproxy:80",ES+" 'allows configuring proxy settings with mode `fixed_servers`'",mode="fixed_servers")
V.append(dict(kind="resolve",source=ES+" 'disallows configuring proxy settings with mode `invalid`'",config={"mode":"invalid"},url="http://example.com/",want=None,error="Invalid mode, must be one of direct, auto_detect, pac_script, fixed_servers or system"))
# electron-facts.md §6 / semantics §1
res("foopy:80,bar,direct://",None,"http://example.com/","PROXY foopy:80;PROXY bar:80;DIRECT","electron-facts.md §6 resolveProxy (documented rule semantics)")
res(None,None,"http://example.com/","DIRECT",SEM+" §1: setProxy({}) == direct (CreateFixedServers with empty rules)")
res("",".example.com","http://a.example.com/","DIRECT",SEM+" §1: empty proxyRules -> direct dict")
res("https=httpsproxy",None,"https://example.com/","PROXY httpsproxy:80",SEM+" §8: https= key selects proxies for https URLs, proxy itself is HTTP")
res("p:1","https://192.168.0.0/16","http://192.168.1.1/","DIRECT",SEM+" §5: real Chromium 156 ignores the scheme of a CIDR rule")
res("p:1","<-loopback>;https://2001:db8::/32","http://[2001:db8::1]/","DIRECT",SEM+" §5: real Chromium 156 ignores the scheme of a CIDR rule (IPv6)")
res("p:1","https://foo.example","http://foo.example/","PROXY p:1",SEM+" §5: scheme-qualified hostname rules honour the scheme")
res("p:1","https://10.1.2.3","http://10.1.2.3/","PROXY p:1",SEM+" §5: scheme-qualified IP host rules honour the scheme")
res("p:1",None,"http://0x7f.1/","DIRECT",SEM+" §5: URL hosts are canonicalized first (0x7f.1 -> 127.0.0.1)")
res("p:1",None,"http://[::127.0.0.1]/","PROXY p:1",SEM+" §5: [::127.0.0.1] is not implicitly bypassed")
res("p:1",None,"http://170.254.0.0/","PROXY p:1",SEM+" §5: 170.254.0.0 is not link-local")
res("p:1","foo1.com","http://aaafoo1.com/","PROXY p:1",SEM+" §5: no implicit suffix matching")
res("p:1","foo?.com","http://foo.com/","DIRECT",SEM+" §5: ? matches zero or one character (base/strings/pattern.h)")
res("p:1","foo?.com","http://foo12.com/","PROXY p:1",SEM+" §5: ? matches zero or one character (base/strings/pattern.h)")
res("p:1","<local>","http://intranet./","PROXY p:1",SEM+" §5: a trailing dot counts for <local>")
res("p:1","<local>","http://127.1/","DIRECT",SEM+" §5: <local> excludes IP literals; 127.1 is implicitly bypassed anyway")
res("p:1","<-loopback>;<local>","http://[::1]/","PROXY p:1",SEM+" §5: <local> does not match IP literals")
res("a:1;b:2",None,"https://x.example/","PROXY a:1",SEM+" §2: only the first key-less entry is used")
res("socks=https://x",None,"https://example.com/","HTTPS x:443",SEM+" §8: socks= accepts any proxy scheme")
res("quic://foopy:443",None,"http://example.com/","",SEM+" §1/§7: quic:// invalid in release -> empty list -> \"\"")
res("http=proxy:80;socks=s:1080",None,"wss://example.com/","SOCKS s:1080",SEM+" §4: ws/wss prefer the socks= fallback")

# ---- system mode from the environment (Linux, no desktop settings)
LSU="net/proxy_resolution/proxy_config_service_linux_unittest.cc ProxyConfigServiceLinuxTest.BasicEnvTest"
def sysv(desc, env, mode, single=None, http=None, https=None, ftp=None, bypass="", pac=""):
    V.append(dict(kind="system", source=LSU+" '"+desc+"'", env=env, want=dict(mode=mode, single=single, http=http, https=https, ftp=ftp, bypass=bypass, pac=pac)))
sysv("No proxying", ["no_proxy=*"], "direct")
sysv("Auto detect", ["auto_proxy="], "auto_detect")
sysv("Valid PAC URL", ["auto_proxy=http://wpad/wpad.dat"], "pac_script", pac="http://wpad/wpad.dat")
sysv("Invalid PAC URL", ["auto_proxy=wpad.dat"], "direct")
sysv("Single-host in proxy list", ["all_proxy=www.google.com"], "fixed_servers", single="PROXY www.google.com:80")
sysv("Single-host, different port", ["all_proxy=www.google.com:99"], "fixed_servers", single="PROXY www.google.com:99")
sysv("Tolerate a scheme", ["all_proxy=http://www.google.com:99"], "fixed_servers", single="PROXY www.google.com:99")
sysv("Per-scheme proxy rules", ["http_proxy=www.google.com:80","https_proxy=www.foo.com:110","ftp_proxy=ftp.foo.com:121"], "fixed_servers", http="PROXY www.google.com:80", https="PROXY www.foo.com:110", ftp="PROXY ftp.foo.com:121")
sysv("socks", ["all_proxy=","SOCKS_SERVER=socks.com:888"], "fixed_servers", single="SOCKS5 socks.com:888")
sysv("socks4", ["all_proxy=","SOCKS_SERVER=socks.com:888","SOCKS_VERSION=4"], "fixed_servers", single="SOCKS socks.com:888")
sysv("socks default port", ["all_proxy=","SOCKS_SERVER=socks.com"], "fixed_servers", single="SOCKS5 socks.com:1080")
sysv("bypass", ["all_proxy=www.google.com","no_proxy=.google.com, foo.com:99, 1.2.3.4:22, 127.0.0.1/8"], "fixed_servers", single="PROXY www.google.com:80", bypass="*.google.com;*foo.com:99;1.2.3.4:22;127.0.0.1/8")
json.dump(V, open(__import__("os").path.join(__import__("os").path.dirname(__file__),"vectors.json"),"w"), indent=1, ensure_ascii=False)
print(len(V), {k:sum(1 for v in V if v["kind"]==k) for k in set(v["kind"] for v in V)})
