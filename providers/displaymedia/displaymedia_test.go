package displaymedia

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
)

func compileOne(t *testing.T, src string) (*Table, hcl.Diagnostics) {
	t.Helper()
	return Compile(familytest.One(t, map[string]string{"c.hcl": src}))
}

var diagLines = familytest.DiagLines

func TestGlob(t *testing.T) {
	for _, tt := range []struct {
		pat, name string
		want      bool
	}{
		{"*", "", true},
		{"*", "Entire Screen", true},
		{"Entire Screen", "Entire Screen", true},
		{"Entire Screen", "entire screen", false}, // case-sensitive
		{"Entire", "Entire Screen", false},        // whole name
		{"Screen *", "Screen 2", true},
		{"Screen *", "Screen ", true},
		{"Screen *", "Screen", false},
		{"*Slack*", "Slack | general", true},
		{"*Slack*", "slack", false},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
		{"a*b*c", "axxbyybc", true},
		{"**", "x", true},
		{"?", "x", false}, // only * is special
		{"[a]", "a", false},
	} {
		if got := Glob(tt.pat, tt.name); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pat, tt.name, got, tt.want)
		}
	}
}

func TestCompile(t *testing.T) {
	tab, diags := compileOne(t, `
partition "persist:p" {
  display_media {
    rule "meet" {
      origins  = ["https://meet.example.com"]
      decision = "allow"
      screens  = ["Entire Screen", "Screen *"]
      windows  = ["*Slack*"]
    }
    rule "rest" {
      decision = "deny"
    }
  }
}
`)
	if len(diags) != 0 {
		t.Fatalf("diags: %s", diagLines(diags))
	}
	b, _ := json.Marshal(tab)
	want := `{"formatVersion":1,"useSystemPicker":false,"rules":[{"name":"meet","decision":"allow","origins":[{"source":"https://meet.example.com","scheme":"https","host":"meet.example.com","subdomains":false,"port":"*"}],"screens":["Entire Screen","Screen *"],"windows":["*Slack*"],"audio":false},{"name":"rest","decision":"deny","origins":null,"screens":[],"windows":[],"audio":false}]}`
	if string(b) != want {
		t.Errorf("table:\n%s\nwant:\n%s", b, want)
	}
}

func TestNoBlockNoTable(t *testing.T) {
	tab, diags := compileOne(t, `partition "persist:p" {}`)
	if tab != nil || len(diags) != 0 {
		t.Errorf("no block: %v %v", tab, diags)
	}
	if d := Decide(nil, Request{Origin: "https://a"}); d.Reason != "no-handler" || d.Allow {
		t.Errorf("nil table: %+v", d)
	}
}

func TestDiagnostics(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"no rules", `
partition "persist:p" {
  display_media {}
}`, "warning display_media block without rules denies every request @3:3"},
		{"system picker", `
partition "persist:p" {
  display_media {
    use_system_picker = true
    rule "a" {
      decision = "deny"
    }
  }
}`, "warning use_system_picker replaces the rules on macOS 15+ and does nothing elsewhere @4:25"},
		{"bad decision and missing decision", `
partition "persist:p" {
  display_media {
    rule "a" {
      decision = "grant"
    }
    rule "b" {
      origins = ["https://x.example"]
    }
  }
}`, `error invalid decision "grant" in display_media rule "a" @5:18
error display_media rule "b" has no decision @7:5`},
		{"bad origin", `
partition "persist:p" {
  display_media {
    rule "a" {
      origins  = ["ftp://x.example"]
      decision = "deny"
    }
  }
}`, `error invalid origin pattern "ftp://x.example": unsupported scheme "ftp" in origin pattern @5:20`},
		{"empty and spaced patterns", `
partition "persist:p" {
  display_media {
    rule "a" {
      decision = "allow"
      screens  = ["", "*"]
      windows  = [" Slack"]
    }
  }
}`, `error empty name pattern in screens of display_media rule "a" @6:19
error name pattern " Slack" in windows has surrounding spaces @7:19`},
		{"deny with sources", `
partition "persist:p" {
  display_media {
    rule "a" {
      decision = "deny"
      screens  = ["*"]
      audio    = true
    }
  }
}`, `error screens in deny rule "a" @6:18
error audio in deny rule "a" @7:18`},
		{"allow without sources", `
partition "persist:p" {
  display_media {
    rule "a" {
      decision = "allow"
    }
  }
}`, `warning allow rule "a" names no screen or window @4:5`},
		{"loopback", `
partition "persist:p" {
  display_media {
    rule "a" {
      decision = "allow"
      screens  = ["*"]
      audio    = true
    }
  }
}`, `warning audio loopback works on Windows only @7:18`},
		{"shadowed", `
partition "persist:p" {
  display_media {
    rule "all" {
      decision = "allow"
      screens  = ["*"]
    }
    rule "meet" {
      origins  = ["https://meet.example.com"]
      decision = "deny"
    }
    rule "x" {
      origins  = ["https://x.example", "https://y.example"]
      decision = "deny"
    }
    rule "x2" {
      origins  = ["https://y.example:443"]
      decision = "deny"
    }
  }
}`, `warning display_media rule "meet" is shadowed by rule "all" @8:5
warning display_media rule "x" is shadowed by rule "all" @12:5
warning display_media rule "x2" is shadowed by rule "all" @16:5`},
		{"shadowed by origin", `
partition "persist:p" {
  display_media {
    rule "x" {
      origins  = ["https://x.example", "https://y.example"]
      decision = "deny"
    }
    rule "y" {
      origins  = ["https://y.example:443"]
      decision = "deny"
    }
    rule "z" {
      origins  = ["https://z.example"]
      decision = "deny"
    }
  }
}`, `warning display_media rule "y" is shadowed by rule "x" @8:5`},
		{"empty origins", `
partition "persist:p" {
  display_media {
    rule "a" {
      origins  = []
      decision = "deny"
    }
  }
}`, `warning display_media rule "a" can never match @5:18`},
		{"duplicate", `
partition "persist:p" {
  display_media {
    rule "x" {
      decision = "deny"
      origins  = ["https://a.example"]
    }
    rule "x" {
      decision = "deny"
      origins  = ["https://b.example"]
    }
  }
}`, `error Duplicate rule block "x" @8:10`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := familytest.Load(t, map[string]string{"c.hcl": tc.src})
			if !diags.HasErrors() {
				_, d := Compile(providers.NewContext(cfg), cfg.Partitions[0])
				diags = append(diags, d...)
			}
			if got := diagLines(diags); got != tc.want {
				t.Errorf("diags:\n%s\nwant:\n%s", got, tc.want)
			}
			for _, d := range diags {
				if d.Subject == nil || d.Subject.Filename == "" || d.Detail == "" {
					t.Errorf("diagnostic without location or detail: %+v", d)
				}
			}
		})
	}
}

func TestDecide(t *testing.T) {
	tab, diags := compileOne(t, `
partition "persist:p" {
  display_media {
    rule "blocked" {
      origins  = ["https://evil.meet.example.com"]
      decision = "deny"
    }
    rule "meet" {
      origins  = ["[*.]meet.example.com"]
      decision = "allow"
      windows  = ["*Slack*"]
      screens  = ["Screen 2"]
    }
    rule "nothing" {
      origins  = ["https://empty.example"]
      decision = "allow"
      windows  = ["Nope"]
    }
  }
}
`)
	if diags.HasErrors() {
		t.Fatal(diagLines(diags))
	}
	srcs := []Source{{ID: "screen:1:0", Type: "screen", Name: "Screen 1"}, {ID: "window:7:0", Type: "window", Name: "Slack | general"}, {ID: "screen:2:0", Type: "screen", Name: "Screen 2"}}
	for _, tc := range []struct {
		origin string
		audio  bool
		want   string
	}{
		{"https://meet.example.com", false, "rule meet window:7:0 "},
		{"https://meet.example.com", true, "rule meet window:7:0 "}, // audio = false in the rule
		{"https://a.meet.example.com:443", false, "rule meet window:7:0 "},
		{"https://evil.meet.example.com", false, "deny-rule blocked  "},
		{"http://other.example", false, "default   "},
		{"https://empty.example", false, "no-source nothing  "},
		{"filesystem:https://meet.example.com/temporary/", false, "rule meet window:7:0 "},
	} {
		d := Decide(tab, Request{Origin: tc.origin, AudioRequested: tc.audio, Sources: srcs})
		id := ""
		if d.Source != nil {
			id = d.Source.ID
		}
		if got := fmt.Sprintf("%s %s %s %s", d.Reason, d.Rule, id, d.Audio); got != tc.want || d.Allow != (d.Source != nil) {
			t.Errorf("%s: %q (%+v), want %q", tc.origin, got, d, tc.want)
		}
	}
	// Sources are tried in Electron's order: the first one the rule grants.
	d := Decide(tab, Request{Origin: "https://meet.example.com", Sources: []Source{srcs[2], srcs[1]}})
	if d.Source == nil || d.Source.ID != "screen:2:0" {
		t.Errorf("order: %+v", d)
	}
	// Audio loopback when the rule allows it and the page asked.
	tab.Rules[1].Audio = true
	for _, asked := range []bool{false, true} {
		d := Decide(tab, Request{Origin: "https://meet.example.com", AudioRequested: asked, Sources: srcs})
		if (d.Audio == "loopback") != asked {
			t.Errorf("audio asked=%v: %+v", asked, d)
		}
	}
}

func TestSourceType(t *testing.T) {
	for id, want := range map[string]string{"screen:0:0": "screen", "window:123:1": "window", "": "", "tab": "tab"} {
		if got := SourceType(id); got != want {
			t.Errorf("SourceType(%q) = %q", id, got)
		}
	}
}

// TestDeclaredLanguage: the block in both syntaxes, merged from a profile
// (rules by label, attribute by attribute: the partition's screens replace
// the profile's, its decision and origins stay) and expanded under
// for_each.
func TestDeclaredLanguage(t *testing.T) {
	hclSrc := `
profile "base" {
  display_media {
    rule "meet" {
      origins  = ["https://meet.example"]
      decision = "allow"
      screens  = ["*"]
    }
  }
}
partition "persist:a" {
  profiles = [profile.base]
  display_media {
    rule "meet" {
      screens = ["Screen 1"]
    }
    rule "more" {
      decision = "deny"
    }
  }
}
partition "persist:d" {
  profiles = [profile.base]
  display_media {
    rule "meet" {
      decision = "deny"
      screens  = []
    }
  }
}
partition "persist:${each.key}" {
  for_each = { b = "Screen *", c = "Entire Screen" }
  display_media {
    rule "r" {
      decision = "allow"
      screens  = [each.value]
    }
  }
}
`
	jsonSrc := `{
  "profile": {"base": {"display_media": {"rule": {"meet": {"origins": ["https://meet.example"], "decision": "allow", "screens": ["*"]}}}}},
  "partition": {
    "persist:a": {"profiles": ["profile.base"], "display_media": {"rule": {
      "meet": {"screens": ["Screen 1"]},
      "more": {"decision": "deny"}}}},
    "persist:d": {"profiles": ["profile.base"], "display_media": {"rule": {"meet": {"decision": "deny", "screens": []}}}},
    "persist:${each.key}": {"for_each": "${ {b = \"Screen *\", c = \"Entire Screen\"} }",
      "display_media": {"rule": {"r": {"decision": "allow", "screens": ["${each.value}"]}}}}
  }
}`
	for name, files := range map[string]map[string]string{"hcl": {"main.hcl": hclSrc}, "json": {"main.hcl.json": jsonSrc}} {
		t.Run(name, func(t *testing.T) {
			cfg, diags := familytest.Load(t, files)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			want := map[string]string{"persist:a": "meet:allow:Screen 1 more:deny:", "persist:b": "r:allow:Screen *", "persist:c": "r:allow:Entire Screen",
				"persist:d": "meet:deny:"}
			for _, p := range cfg.Partitions {
				tab, d := Compile(providers.NewContext(cfg), p)
				if d.HasErrors() {
					t.Fatalf("%s: %s", p.Name, diagLines(d))
				}
				var got []string
				for _, r := range tab.Rules {
					got = append(got, r.Name+":"+r.Decision+":"+strings.Join(r.Screens, ","))
				}
				if g := strings.Join(got, " "); g != want[p.Name] {
					t.Errorf("%s: %q, want %q", p.Name, g, want[p.Name])
				}
			}
		})
	}
}
