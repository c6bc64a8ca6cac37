package schema

import (
	"testing"
)

func TestFormat(t *testing.T) {
	cases := []struct {
		name, file, in, want string
		errs                 int
	}{
		{"aligns and indents", "main.hcl",
			"partition \"a\" {\ncache=true\nuser_agent=\"x\"\n}\n",
			"partition \"a\" {\n  cache      = true\n  user_agent = \"x\"\n}\n", 0},
		{"already formatted", "main.hcl",
			"partition \"a\" {\n  cache = true\n}\n",
			"partition \"a\" {\n  cache = true\n}\n", 0},
		{"for_each label template is not a syntax error", "main.hcl",
			"partition \"persist:${each.key}\" {\nfor_each = var.m\n}\n",
			"partition \"persist:${each.key}\" {\n  for_each = var.m\n}\n", 0},
		{"syntax error refused", "main.hcl", "partition \"a\" {\n  cache = \n}\n", "", 1},
		{"json untouched", "main.hcl.json", "{\"partition\":{\"a\":{}}}", "{\"partition\":{\"a\":{}}}", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, diags := Format([]byte(tc.in), tc.file)
			if len(diags) != tc.errs {
				t.Fatalf("diags %v, want %d", diagLines(diags), tc.errs)
			}
			if tc.errs > 0 {
				if got != nil {
					t.Errorf("got output %q for a file with syntax errors", got)
				}
				return
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			again, _ := Format(got, tc.file)
			if string(again) != string(got) {
				t.Errorf("not idempotent:\n%s", again)
			}
		})
	}
}
