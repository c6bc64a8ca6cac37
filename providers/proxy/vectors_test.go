package proxy

import (
	"encoding/json"
	"os"
	"testing"
)

// vector is one case transcribed from Chromium's or Electron's own tests
// and sources; Source names the file and test it comes from.
type vector struct {
	Kind   string `json:"kind"`
	Source string `json:"source"`

	// kind "rules": ProxyRules::ParseFromString; list fields are PAC
	// strings (ToDebugString), null for an empty list.
	Rules    string  `json:"rules"`
	Type     string  `json:"type"`
	Single   *string `json:"single"`
	HTTP     *string `json:"http"`
	HTTPS    *string `json:"https"`
	FTP      *string `json:"ftp"`
	Fallback *string `json:"fallback"`

	// kind "uri": ProxyUriToProxyChain; want is the PAC element, "" invalid.
	URI string `json:"uri"`
	// kind "pac": ProxyList::SetFromPacString then ToPacString.
	PAC string `json:"pac"`

	// kind "bypass": ProxyBypassRules::Matches(GURL(url)) (implicit rules
	// included); kind "bypassparse": the rules' ToString in order.
	Bypass string `json:"bypass"`
	URL    string `json:"url"`

	// kind "system": SystemConfig(env); want holds mode, lists, bypass
	// rules (ToString joined by ";") and the PAC URL.
	Env []string `json:"env"`

	// kind "resolve": a setProxy config and resolveProxy(url).
	Config json.RawMessage `json:"config"`
	Error  string          `json:"error"`

	Want json.RawMessage `json:"want"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func wantString(t *testing.T, v vector) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(v.Want, &s); err != nil {
		t.Fatalf("%s: want is not a string: %s", v.Source, v.Want)
	}
	return s
}

func listPAC(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// bypassMatches is ProxyHostMatchingRules::Matches (reverse=false): an
// invalid URL matches nothing.
func bypassMatches(b *Bypass, rawURL string) bool {
	tg, err := parseTarget(rawURL)
	if err != nil {
		return false
	}
	switch _, res := b.match(&tg); res {
	case include:
		return true
	case exclude:
		return false
	}
	return matchesImplicit(&tg)
}

func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) < 150 {
		t.Fatalf("only %d vectors", len(vs))
	}
	for i, v := range vs {
		v := v
		t.Run(v.Kind, func(t *testing.T) {
			switch v.Kind {
			case "rules":
				r, _ := ParseRules(v.Rules)
				typ := map[RulesType]string{RulesEmpty: "EMPTY", RulesList: "PROXY_LIST", RulesPerScheme: "PROXY_LIST_PER_SCHEME"}[r.Type]
				if typ != v.Type {
					t.Errorf("#%d %q: type %s, want %s (%s)", i, v.Rules, typ, v.Type, v.Source)
				}
				for _, c := range []struct {
					name string
					got  List
					want *string
				}{{"single", r.Single, v.Single}, {"http", r.HTTP, v.HTTP}, {"https", r.HTTPS, v.HTTPS}, {"ftp", r.FTP, v.FTP}, {"fallback", r.Fallback, v.Fallback}} {
					if got := c.got.PAC(); got != listPAC(c.want) {
						t.Errorf("#%d %q: %s = %q, want %q (%s)", i, v.Rules, c.name, got, listPAC(c.want), v.Source)
					}
				}
			case "uri":
				got := ""
				if s, bad := parseProxyURI(v.URI, SchemeHTTP); bad == nil {
					got = s.PAC()
				}
				if want := wantString(t, v); got != want {
					t.Errorf("#%d %q: got %q, want %q (%s)", i, v.URI, got, want, v.Source)
				}
			case "pac":
				if got, want := ParsePACResult(v.PAC).PAC(), wantString(t, v); got != want {
					t.Errorf("#%d %q: got %q, want %q (%s)", i, v.PAC, got, want, v.Source)
				}
			case "bypass":
				b, _ := ParseBypass(v.Bypass)
				var want bool
				_ = json.Unmarshal(v.Want, &want)
				if got := bypassMatches(b, v.URL); got != want {
					t.Errorf("#%d rules %q url %q: matches=%v, want %v (%s)", i, v.Bypass, v.URL, got, want, v.Source)
				}
			case "bypassparse":
				b, _ := ParseBypass(v.Bypass)
				var want []string
				_ = json.Unmarshal(v.Want, &want)
				var got []string
				for j := range b.Rules {
					got = append(got, b.Rules[j].String())
				}
				if len(got) != len(want) {
					t.Errorf("#%d %q: rules %q, want %q (%s)", i, v.Bypass, got, want, v.Source)
					return
				}
				for j := range got {
					if got[j] != want[j] {
						t.Errorf("#%d %q: rule %d = %q, want %q (%s)", i, v.Bypass, j, got[j], want[j], v.Source)
					}
				}
			case "resolve":
				cfg, _, err := ParseElectronJSON(v.Config)
				if v.Error != "" {
					if err == nil || err.Error() != v.Error {
						t.Errorf("#%d %s: error %v, want %q (%s)", i, v.Config, err, v.Error, v.Source)
					}
					return
				}
				if err != nil {
					t.Fatalf("#%d %s: %v", i, v.Config, err)
				}
				r := Resolve(cfg, v.URL)
				if want := wantString(t, v); r.PAC != want || r.Err != nil {
					t.Errorf("#%d %s %q: got %q (err %v, %+v), want %q (%s)", i, v.Config, v.URL, r.PAC, r.Err, r.Explain, want, v.Source)
				}
			case "system":
				var want struct {
					Mode, Bypass, PAC        string
					Single, HTTP, HTTPS, FTP *string
				}
				if err := json.Unmarshal(v.Want, &want); err != nil {
					t.Fatal(err)
				}
				c := SystemConfig(v.Env)
				if string(c.Mode) != want.Mode || c.PACURL != want.PAC {
					t.Errorf("#%d %q: mode %s pac %q, want %s %q (%s)", i, v.Env, c.Mode, c.PACURL, want.Mode, want.PAC, v.Source)
				}
				if c.Mode == ModeFixedServers {
					for _, l := range []struct {
						got  List
						want *string
					}{{c.Rules.Single, want.Single}, {c.Rules.HTTP, want.HTTP}, {c.Rules.HTTPS, want.HTTPS}, {c.Rules.FTP, want.FTP}} {
						if l.got.PAC() != listPAC(l.want) {
							t.Errorf("#%d %q: list %q, want %q (%s)", i, v.Env, l.got.PAC(), listPAC(l.want), v.Source)
						}
					}
					if got := c.Bypass.String(); got != want.Bypass {
						t.Errorf("#%d %q: bypass %q, want %q (%s)", i, v.Env, got, want.Bypass, v.Source)
					}
				}
			default:
				t.Fatalf("unknown kind %q", v.Kind)
			}
		})
	}
}
