package permission

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers/internal/familytest"
)

// auditOf loads one partition's body and returns its findings as
// "CODE@LINE:COL" (the finding's place in the file).
func auditOf(t *testing.T, body string) []string {
	t.Helper()
	cfg := familytest.MustLoad(t, map[string]string{"main.hcl": "partition \"persist:a\" {\n" + body + "\n}\n"})
	var got []string
	for _, f := range Audit(nil, cfg.Partitions[0]) {
		got = append(got, fmt.Sprintf("%s@%d:%d", f.Code, f.Subject.Start.Line, f.Subject.Start.Column))
	}
	return got
}

func TestAudit(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string
	}{
		{"no block: Electron grants everything", ``, "A002@1:1"},
		{"default deny and narrow rules", `permissions {
  rule "n" {
    permissions = ["notifications", "media"]
    origins     = ["https://chat.example.com"]
    decision    = "allow"
  }
  rule "x" {
    permissions   = ["openExternal"]
    external_urls = ["mailto:*", "https://[*.]example.com/*"]
    decision      = "allow"
  }
}`, ""},
		{"default allow", `permissions { default = "allow" }`, "A003@2:25"},
		{"explicit deny default is fine", `permissions { default = "deny" }`, ""},
		// A rule without permissions and origins, or with "*", allows all.
		{"allow everything to everyone", `permissions {
  rule "all" { decision = "allow" }
}`, "A004@3:8 A005@3:8 A006@3:8"},
		{"allow every permission to *", `permissions {
  rule "all" {
    origins  = ["*"]
    decision = "allow"
  }
}`, "A004@4:17 A005@3:8 A006@4:17"},
		{"every https host is every host", `permissions {
  rule "all" {
    origins  = ["https://*", "https://a.example"]
    decision = "allow"
  }
}`, "A004@4:17 A005@3:8"},
		{"a deny rule is no finding", `permissions {
  rule "all" { decision = "deny" }
}`, ""},
		{"openExternal to file, javascript and any https", `permissions {
  rule "ext" {
    permissions   = ["openExternal"]
    external_urls = ["file:///*", "javascript:*", "https://*", "https://*/x", "mailto:*", "https://[*.]example.com"]
    decision      = "allow"
  }
}`, "A005@5:22 A005@5:35 A005@5:51 A005@5:64"},
		{"openExternal without external_urls is any URL", `permissions {
  rule "ext" {
    permissions = ["openExternal"]
    decision    = "allow"
  }
}`, "A005@3:8"},
		{"media to plain http", `permissions {
  rule "cam" {
    permissions = ["media"]
    origins     = ["http://cam.example", "https://cam.example", "http://localhost:8080", "[*.]example.com", "*"]
    decision    = "allow"
  }
}`, "A006@5:20 A006@5:109"},
		{"media to every origin", `permissions {
  rule "cam" {
    permissions = ["media", "notifications"]
    decision    = "allow"
  }
}`, "A006@3:8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(auditOf(t, tc.body), " ")
			if got != tc.want {
				t.Errorf("findings = %q, want %q", got, tc.want)
			}
		})
	}
}

// The missing block is warned by Build as W301: the plan does not repeat
// it as an audit warning.
func TestAuditMissingIsWarned(t *testing.T) {
	cfg := familytest.MustLoad(t, map[string]string{"main.hcl": `partition "persist:a" {}`})
	fs := Audit(nil, cfg.Partitions[0])
	if len(fs) != 1 || fs[0].Warned != warning.PermissionsMissing {
		t.Fatalf("findings = %+v, want one marked as warned by W301", fs)
	}
}
