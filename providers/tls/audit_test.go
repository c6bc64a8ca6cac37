package tls

import (
	"testing"

	"github.com/sessctl/sessctl/providers/internal/familytest"
)

func TestAuditMaxVersion(t *testing.T) {
	for body, want := range map[string]int{
		`max_version = "tls1.2"`: 1,
		`max_version = "tls1.3"`: 0,
		`min_version = "tls1.3"`: 0,
		``:                       0,
	} {
		cfg := familytest.MustLoad(t, map[string]string{"main.hcl": "partition \"persist:a\" {\n  tls {\n    " + body + "\n  }\n}\n"})
		fs := Provider{}.Audit(nil, cfg.Partitions[0])
		if len(fs) != want {
			t.Errorf("%s: %d findings, want %d", body, len(fs), want)
			continue
		}
		if want == 1 && (fs[0].Code != "A008" || fs[0].Subject.Start.Line != 3 || fs[0].Subject.Start.Column != 19) {
			t.Errorf("%s: finding %s at %d:%d, want A008 at the value, 3:19", body, fs[0].Code, fs[0].Subject.Start.Line, fs[0].Subject.Start.Column)
		}
	}
}
