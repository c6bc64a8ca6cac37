package reconcile

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/schema"
)

// loadBuild loads files as a configuration directory and builds it, as
// validate and plan do, returning every diagnostic.
func loadBuild(t *testing.T, files map[string]string) hcl.Diagnostics {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags := schema.Load(schema.LoadOptions{Path: dir})
	if diags.HasErrors() {
		return diags
	}
	_, bd := Build(cfg)
	return append(diags, bd...)
}

// shownCodes returns the codes of the warnings that are printed (not
// acknowledged), sorted, with the line of each: "W101@4".
func shownCodes(t *testing.T, diags hcl.Diagnostics) []string {
	t.Helper()
	return codesAt(t, diags, false)
}

// at names a line of src by a piece of text on it: "W101@<local>" is
// warning W101 on the line of src that holds "<local>" (the first one
// after the previous marker's line when the text repeats, written
// "W871@*#2" for the second).
func at(t *testing.T, src string, specs ...string) []string {
	t.Helper()
	lines := strings.Split(src, "\n")
	var out []string
	for _, sp := range specs {
		code, mark, _ := strings.Cut(sp, "@")
		nth := 1
		if m, n, ok := strings.Cut(mark, "#"); ok {
			mark, nth = m, int(n[0]-'0')
		}
		found := 0
		for i, l := range lines {
			if strings.Contains(l, mark) {
				found++
				if found == nth {
					out = append(out, code+"@"+strconv.Itoa(i+1))
					break
				}
			}
		}
		if found < nth {
			t.Fatalf("marker %q not in the source", sp)
		}
	}
	sort.Strings(out)
	return out
}

func codesAt(t *testing.T, diags hcl.Diagnostics, _ bool) []string {
	t.Helper()
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	shown, _ := warning.Split(diags)
	var out []string
	for _, d := range shown {
		c := warning.CodeOf(d)
		if c == "" {
			t.Errorf("warning without a code: %s", d.Summary)
			continue
		}
		out = append(out, string(c)+"@"+strconv.Itoa(d.Subject.Start.Line))
	}
	sort.Strings(out)
	return out
}

// Two partitions share a profile whose <local> raises W101; each partition
// also raises W101 itself. What each ignore_warnings list acknowledges is
// checked against what stays printed.
const ackProfile = `
profile "corp" {
  permissions {
    default = "deny"
  }
  proxy {
    rules        = "proxy.example:3128"
    bypass_rules = ["<local>"]
  }
}
partition "persist:a" {
  profiles = [profile.corp]
  ntlm_domains = ["*"]
}
partition "persist:b" {
  profiles = [profile.corp]
  ntlm_domains = ["*"]
}
`

func TestIgnoreWarningsScopes(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(string) string
		shown []string // markers, see at
		acked int
	}{
		{"none", func(s string) string { return s }, []string{"W101@<local>", "W871@*#1", "W871@*#2"}, 0},
		{"settings acknowledges everywhere",
			func(s string) string { return s + "sessctl {\n  ignore_warnings = [\"W101\", \"W871\"]\n}\n" }, nil, 3},
		{"profile acknowledges its warning for every partition using it",
			func(s string) string {
				return strings.Replace(s, "profile \"corp\" {\n", "profile \"corp\" {\n  ignore_warnings = [\"W101\"]\n", 1)
			},
			[]string{"W871@*#1", "W871@*#2"}, 1},
		{"one partition's list leaves the other partition's copy shown",
			func(s string) string {
				return strings.Replace(s, "  ntlm_domains = [\"*\"]\n}\npartition \"persist:b\"", "  ntlm_domains = [\"*\"]\n  ignore_warnings = [\"W101\", \"W871\"]\n}\npartition \"persist:b\"", 1)
			},
			[]string{"W101@<local>", "W871@*#2"}, 1},
		{"a code for another warning hides nothing",
			func(s string) string { return s + "sessctl {\n  ignore_warnings = [\"W201\"]\n}\n" },
			[]string{"W101@<local>", "W871@*#1", "W871@*#2"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.edit(ackProfile)
			diags := loadBuild(t, map[string]string{"main.hcl": src})
			got, want := shownCodes(t, diags), at(t, src, tc.shown...)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("shown warnings = %v, want %v", got, want)
			}
			if _, n := warning.Split(diags); n != tc.acked {
				t.Errorf("acknowledged = %d, want %d", n, tc.acked)
			}
		})
	}
}

// A warning raised by a check across partitions (a process-wide setting
// overridden by a later partition) belongs to the partition whose value is
// overridden: that partition's list acknowledges it.
func TestIgnoreWarningsCrossPartition(t *testing.T) {
	base := `
partition "persist:a" {
  permissions {
    default = "deny"
  }
  spellcheck {
    dictionary_url = "https://one.example/d/"
  }
  IGNORE
}
partition "persist:b" {
  permissions {
    default = "deny"
  }
  spellcheck {
    dictionary_url = "https://two.example/d/"
  }
}
`
	got := shownCodes(t, loadBuild(t, map[string]string{"main.hcl": strings.Replace(base, "IGNORE", "", 1)}))
	if strings.Join(got, " ") != "W013@7" {
		t.Fatalf("without ignore_warnings: shown %v, want W013@7", got)
	}
	diags := loadBuild(t, map[string]string{"main.hcl": strings.Replace(base, "IGNORE", `ignore_warnings = ["W013"]`, 1)})
	if got := shownCodes(t, diags); len(got) != 0 {
		t.Errorf("persist:a acknowledges W013: shown %v", got)
	}
	// The winning partition's list does not acknowledge the other's.
	other := strings.Replace(strings.Replace(base, "IGNORE", "", 1), "    dictionary_url = \"https://two.example/d/\"\n  }\n", "    dictionary_url = \"https://two.example/d/\"\n  }\n  ignore_warnings = [\"W013\"]\n", 1)
	if got := shownCodes(t, loadBuild(t, map[string]string{"main.hcl": other})); strings.Join(got, " ") != "W013@7" {
		t.Errorf("persist:b's list must not acknowledge persist:a's warning: shown %v", got)
	}
}

// The language's own warnings (partition names, profile lists) follow the
// same scopes.
func TestIgnoreWarningsLanguage(t *testing.T) {
	src := `
profile "p" {
  user_agent = "x"
}
partition "PERSIST:x" {
  permissions {
    default = "deny"
  }
  profiles = [profile.p, profile.p]
  ignore_warnings = LIST
}
`
	got := shownCodes(t, loadBuild(t, map[string]string{"main.hcl": strings.Replace(src, "LIST", "[]", 1)}))
	if strings.Join(got, " ") != "W002@5 W003@9" {
		t.Fatalf("shown %v, want W002@5 W003@9", got)
	}
	if got := shownCodes(t, loadBuild(t, map[string]string{"main.hcl": strings.Replace(src, "LIST", `["W002", "W003"]`, 1)})); len(got) != 0 {
		t.Errorf("the partition's list acknowledges its name and profile-list warnings: shown %v", got)
	}
}

func TestIgnoreWarningsBadCodes(t *testing.T) {
	for _, tc := range []struct{ list, want string }{
		{`["W999"]`, "Unknown warning code"},
		{`["101"]`, "Invalid warning code"},
		{`["w101"]`, `Write the code as sessctl prints it: "W101"`},
		{`["W101 W102"]`, "Invalid warning code"},
		{`"W101"`, "Incorrect attribute value type"},
	} {
		for _, where := range []string{"partition", "settings"} {
			src := "partition \"persist:a\" {\n  ignore_warnings = " + tc.list + "\n}\n"
			if where == "settings" {
				src = "sessctl {\n  ignore_warnings = " + tc.list + "\n}\npartition \"persist:a\" {}\n"
			}
			diags := loadBuild(t, map[string]string{"main.hcl": src})
			if !diags.HasErrors() {
				t.Errorf("%s ignore_warnings = %s: no error", where, tc.list)
				continue
			}
			d := diags.Errs()[0].(*hcl.Diagnostic)
			if !strings.Contains(d.Summary+" "+d.Detail, tc.want) || d.Subject == nil || d.Subject.Start.Line != 2 {
				t.Errorf("%s ignore_warnings = %s: got %q %q at %v, want %q on line 2", where, tc.list, d.Summary, d.Detail, d.Subject, tc.want)
			}
		}
	}
}
