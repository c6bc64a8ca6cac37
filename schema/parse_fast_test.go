package schema

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// checkFastParse fails when fastParse accepts src and its body is not
// exactly hcl's (every node and range), or hcl reports a diagnostic.
func checkFastParse(t *testing.T, src []byte, start hcl.Pos) bool {
	t.Helper()
	got := fastParse(src, "main.hcl", start)
	if got == nil {
		return false
	}
	f, diags := hclsyntax.ParseConfig(src, "main.hcl", start)
	if len(diags) > 0 {
		t.Fatalf("fastParse accepted what hcl reports (%v):\n%s", diags, src)
	}
	want := f.Body.(*hclsyntax.Body)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fastParse and hcl differ on:\n%s\n got %s\nwant %s", src, dumpBody(got), dumpBody(want))
	}
	return true
}

func dumpBody(b *hclsyntax.Body) string {
	var s strings.Builder
	fmt.Fprintf(&s, "body %v %v\n", b.SrcRange, b.EndRange)
	for _, blk := range b.Blocks {
		fmt.Fprintf(&s, " block %s %v %v %v body %v %v\n", blk.Type, blk.TypeRange, blk.OpenBraceRange, blk.CloseBraceRange, blk.Body.SrcRange, blk.Body.EndRange)
		for n, a := range blk.Body.Attributes {
			fmt.Fprintf(&s, "  attr %s %v %v %v %#v\n", n, a.SrcRange, a.NameRange, a.EqualsRange, a.Expr)
		}
	}
	return s.String()
}

// TestFastParseMatchesHCL: on the subset, fastParse builds hcl's syntax
// tree; outside it (and on every input hcl rejects) it declines.
func TestFastParseMatchesHCL(t *testing.T) {
	accepted := []string{
		"locals {\n  hosts = {\n    p0 = \"proxy0.corp.example:8080\"\n    p-1 = \"\"\n  }\n  x = \"y\"\n}\n",
		"sessctl {\n  output = \"/tmp/out\"\n}\n\nlocals {\n\n  a_b = {\n\n    k = \"$ % 100% $x #no comment\"\n  }\n}\n\n",
		"locals {\n  empty = {\n  }\n}",
		"locals {\n}\n",
		"locals   {   \n  a   =   \"b\"   \n   }   \n",
		"partition \"persist:a\" {\n  a = \"b\"\n}\n",
		"locals {\n  a = 1\n  b = [\"b\"]\n  c = []\n  d = [ 1 , true,false,\"x\" ]\n  e = 007\n  f = {\n    k = 3\n    l = false\n  }\n}\n",
		"locals {\n  a = \"b\"\n  inner {\n  }\n}\n",
		"partition \"persist:p1\" {\n  cache            = true\n  user_agent       = \"BenchApp/1.0 (p1)\"\n  accept_languages = [\"en-US\", \"fr\"]\n\n  tls {\n    disabled_cipher_suites = [156, 157]\n  }\n  permissions {\n    default = \"deny\"\n    rule \"notify\" {\n      permissions = [\"notifications\"]\n    }\n  }\n  certificate \"internal.corp.example\" \"two\" {\n    verify = \"accept\"\n  }\n}\n",
	}
	for _, src := range accepted {
		for _, start := range []hcl.Pos{hcl.InitialPos, {Line: 7, Column: 1, Byte: 120}} {
			if !checkFastParse(t, []byte(src), start) {
				t.Errorf("fastParse declined the subset:\n%s", src)
			}
		}
	}
	declined := []string{
		"\nlocals {\n  a = \"b\"\n}\n",                   // before the first block
		"locals {\n  a = \"b\\n\"\n}\n",                  // an escape
		"locals {\n  a = \"${var.x}\"\n}\n",              // a template
		"locals {\n  a = \"%{if true}x%{endif}\"\n}\n",   // a directive
		"locals {\n  a = \"é\"\n}\n",                     // not ASCII
		"locals {\n\ta = \"b\"\n}\n",                     // a tab
		"locals {\r\n  a = \"b\"\r\n}\r\n",               // CRLF
		"locals {\n  a = \"b\" # note\n}\n",              // a comment
		"locals {\n  a = { k = \"v\" }\n}\n",             // one line
		"locals {\n  a = {\n    k = \"v\",\n  }\n}\n",    // a comma
		"locals {\n  a = {\n    \"k\" = \"v\"\n  }\n}\n", // a quoted key
		"locals {\n  true = \"b\"\n}\n",                  // a keyword
		"locals {\n  a = {\n    for = \"v\"\n  }\n}\n",   // a keyword key
		"locals {\n  a = \"b\"\n  a = \"c\"\n}\n",        // a duplicate
		"locals { a = \"b\" }\n",                         // one line
		"locals {\n  a = \"b\n}\n",                       // unterminated
		"locals {\n  a = \"b\"\n",                        // unclosed
		"locals {\n  a = \"b\"\n} x\n",                   // trailing text
		"  locals {\n  a = \"b\"\n}\n",                   // indented block
		"partition \"${x}\" {\n}\n",                      // a template label
		"partition \"a\\\"b\" {\n}\n",                    // an escaped label
		"locals {\n  a = 1.5\n}\n",                       // a fraction
		"locals {\n  a = 1e3\n}\n",                       // an exponent
		"locals {\n  a = -1\n}\n",                        // a sign
		"locals {\n  a = null\n}\n",                      // null
		"locals {\n  a = [1, ]\n}\n",                     // a trailing comma
		"locals {\n  a = [\n    1\n  ]\n}\n",             // a list over lines
		"locals {\n  a = [[1]]\n}\n",                     // a nested list
		"locals {\n  a = truex\n}\n",                     // a reference
		"locals {\n  a = true.x\n}\n",                    // a traversal
		"locals {\n  inner \"x\" { a = 1 }\n}\n",         // a one-line nested block
		"locals {\n  inner {\n  } x\n}\n",                // text after a nested block
	}
	for _, src := range declined {
		if checkFastParse(t, []byte(src), hcl.InitialPos) {
			t.Errorf("fastParse accepted what is outside its subset:\n%s", src)
		}
	}
}

// TestFastParseRandom compares fastParse with hcl on generated spans,
// mostly in the subset, some with one byte changed.
func TestFastParseRandom(t *testing.T) {
	r := rand.New(rand.NewSource(17))
	n := 3000
	if testing.Short() {
		n = 500
	}
	accepted := 0
	for range n {
		src := []byte(randomSpan(r))
		if r.Intn(3) == 0 && len(src) > 0 {
			src[r.Intn(len(src))] = " \n\"{}=$%\\#a-_1\t"[r.Intn(15)]
		}
		if checkFastParse(t, src, hcl.Pos{Line: 1 + r.Intn(50), Column: 1, Byte: r.Intn(1000)}) {
			accepted++
		}
	}
	if accepted < n/4 {
		t.Fatalf("only %d of %d generated spans were in the subset: the test exercises little", accepted, n)
	}
}

func randomSpan(r *rand.Rand) string {
	idents := []string{"a", "p0", "p-1", "host_name", "x9", "_u", "A-b_C", "b", "c", "d", "e", "f", "g", "h", "true", "in"}
	strs := []string{"", "proxy.corp:8080", "$", "100%", "a b", "#x", "//y", "/*z*/", "$x", "%d"}
	var b strings.Builder
	for blk := range 1 + r.Intn(3) {
		if blk > 0 || r.Intn(5) == 0 {
			b.WriteString(strings.Repeat("\n", r.Intn(3)))
		}
		b.WriteString([]string{"locals", "sessctl", "variable_x", "partition \"persist:p\"", "profile \"a\" \"b\""}[r.Intn(5)])
		b.WriteString(strings.Repeat(" ", 1+r.Intn(2)) + "{" + strings.Repeat(" ", r.Intn(2)) + "\n")
		for range r.Intn(4) {
			sp := strings.Repeat(" ", r.Intn(5))
			if r.Intn(4) == 0 {
				// a nested block, with labels
				b.WriteString(sp + idents[r.Intn(len(idents))])
				for range r.Intn(3) {
					b.WriteString(strings.Repeat(" ", 1+r.Intn(2)) + "\"" + strs[r.Intn(len(strs))] + "\"")
				}
				b.WriteString(" {\n")
				for range r.Intn(3) {
					b.WriteString(sp + "  " + idents[r.Intn(len(idents))] + " = " + randomScalar(r, strs) + "\n")
				}
				b.WriteString(sp + "}\n")
				continue
			}
			b.WriteString(sp + idents[r.Intn(len(idents))] + strings.Repeat(" ", r.Intn(3)) + "=" + strings.Repeat(" ", r.Intn(3)))
			switch r.Intn(4) {
			case 0:
				b.WriteString(randomScalar(r, strs))
			case 1:
				b.WriteString("[")
				for k := range r.Intn(4) {
					if k > 0 {
						b.WriteString("," + strings.Repeat(" ", r.Intn(2)))
					}
					b.WriteString(randomScalar(r, strs))
				}
				b.WriteString("]")
			case 2:
				b.WriteString("\"" + strs[r.Intn(len(strs))] + "\"")
			default:
				b.WriteString("{\n")
				for range r.Intn(4) {
					b.WriteString(strings.Repeat(" ", r.Intn(6)) + idents[r.Intn(len(idents))] + " = " + randomScalar(r, strs) + strings.Repeat(" ", r.Intn(2)) + "\n")
					if r.Intn(4) == 0 {
						b.WriteString("\n")
					}
				}
				b.WriteString(sp + "}")
			}
			b.WriteString(strings.Repeat(" ", r.Intn(2)) + "\n")
		}
		b.WriteString("}")
		if r.Intn(6) > 0 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// FuzzFastParse: on any input, fastParse either declines or builds
// exactly hcl's tree.
func FuzzFastParse(f *testing.F) {
	r := rand.New(rand.NewSource(1))
	for range 20 {
		f.Add(randomSpan(r))
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkFastParse(t, []byte(src), hcl.Pos{Line: 3, Column: 1, Byte: 40})
	})
}

func randomScalar(r *rand.Rand, strs []string) string {
	switch r.Intn(6) {
	case 0:
		return fmt.Sprint(r.Intn(100000))
	case 1:
		return []string{"true", "false", "0", "007", "1.5", "null", "-2"}[r.Intn(7)]
	}
	return "\"" + strs[r.Intn(len(strs))] + "\""
}
