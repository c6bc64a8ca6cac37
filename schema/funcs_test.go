package schema

import (
	"strings"
	"testing"
)

// TestFunctions evaluates each function family once through a partition
// attribute. Expected values follow Terraform's function documentation.
func TestFunctions(t *testing.T) {
	cases := []struct{ expr, want string }{
		{`upper("ab")`, "AB"},
		{`title("hello world")`, "Hello World"},
		{`trimspace("  x ")`, "x"},
		{`trim("?!hello?!", "!?")`, "hello"},
		{`trimprefix("helloworld", "hello")`, "world"},
		{`trimsuffix("helloworld", "world")`, "hello"},
		{`chomp("x\n")`, "x"},
		{`indent(2, "a\nb")`, "a\n  b"},
		{`format("%-5s|%03d", "ab", 7)`, "ab   |007"},
		{`join(",", formatlist("%s=%d", ["a", "b"], [1, 2]))`, "a=1,b=2"},
		{`replace("a-b-c", "-", "+")`, "a+b+c"},
		{`regex("[0-9]+", "ab123cd")`, "123"},
		{`join(",", regexall("[0-9]", "a1b2"))`, "1,2"},
		{`substr("hello", 1, 3)`, "ell"},
		{`strrev("abc")`, "cba"},
		{`tostring(length("héllo"))`, "5"},
		{`tostring(length([1, 2, 3]))`, "3"},
		{`tostring(length({ a = 1 }))`, "1"},
		{`join(",", concat(["a"], ["b"]))`, "a,b"},
		{`jsonencode(merge({ a = 1 }, { b = 2 }))`, `{"a":1,"b":2}`},
		{`lookup({ a = "x" }, "b", "default")`, "default"},
		{`join(",", keys({ b = 1, a = 2 }))`, "a,b"},
		{`join(",", values({ b = "1", a = "2" }))`, "2,1"},
		{`tostring(contains(["a"], "a"))`, "true"},
		{`join(",", distinct(["a", "b", "a"]))`, "a,b"},
		{`join(",", flatten([["a"], ["b", ["c"]]]))`, "a,b,c"},
		{`coalesce("", "x")`, "x"},
		{`join(",", coalescelist([], ["y"]))`, "y"},
		{`element(["a", "b"], 3)`, "b"},
		{`join(",", slice(["a", "b", "c"], 1, 3))`, "b,c"},
		{`join(",", sort(["b", "a"]))`, "a,b"},
		{`join(",", reverse(["a", "b"]))`, "b,a"},
		{`join(",", range(3))`, "0,1,2"},
		{`jsonencode(zipmap(["a"], [1]))`, `{"a":1}`},
		{`join(",", setunion(["a"], ["b"]))`, "a,b"},
		{`join(",", setintersection(["a", "b"], ["b"]))`, "b"},
		{`tostring(min(3, 1) + max(3, 1) + abs(-2) + ceil(1.2) + floor(1.8))`, "9"},
		{`tostring(tonumber("5") + 1)`, "6"},
		{`tostring(tobool("true"))`, "true"},
		{`join(",", tolist(toset(["b", "a"])))`, "a,b"},
		{`tomap({ a = "x" })["a"]`, "x"},
		{`jsondecode("{\"a\": \"b\"}").a`, "b"},
		{`csvdecode("a,b\n1,2")[0].b`, "2"},
		{`tostring(can(regex("^x", "y")))`, "false"},
		{`try(tonumber("x"), "fallback")`, "fallback"},
		{`base64encode("hi")`, "aGk="},
		{`base64decode("aGk=")`, "hi"},
		{`sha256("abc")`, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}, // FIPS 180-2 test vector
		{`tostring(startswith("hello", "he"))`, "true"},
		{`tostring(strcontains("hello", "ll"))`, "true"},
		{`tostring(length(setproduct(["a", "b"], ["c"])))`, "2"},
	}
	var sb strings.Builder
	for i, c := range cases {
		sb.WriteString("partition \"p" + strings.Repeat("x", i) + "\" {\n  user_agent = " + c.expr + "\n}\n")
	}
	dir := writeFiles(t, map[string]string{"main.hcl": sb.String()})
	cfg, diags := Load(LoadOptions{Path: dir})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	for i, c := range cases {
		p := find(cfg.Partitions, "p"+strings.Repeat("x", i))
		if p == nil || ua(p).V != c.want {
			got := "<missing>"
			if p != nil {
				got = ua(p).V
			}
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
}

// TestFunctionBounds: functions whose output can dwarf their input are
// bounded.
func TestFunctionBounds(t *testing.T) {
	for _, expr := range []string{
		`format("%999999999d", 1)`,
		`format("%.99999s", "x")`,
		`tostring(length(setproduct(range(1024), range(1024), range(2))))`,
	} {
		dir := writeFiles(t, map[string]string{"main.hcl": "partition \"a\" {\n  user_agent = " + expr + "\n}\n"})
		_, diags := Load(LoadOptions{Path: dir})
		if len(diags) != 1 || !strings.Contains(diags[0].Detail, "larger than") && !strings.Contains(diags[0].Detail, "more than") {
			t.Errorf("%s: %v", expr, diags)
		}
	}
	if got := largestNumber("port 65535: %5s %-3.12f %% %[2]7d"); got != 12 {
		t.Errorf("largestNumber = %d, want 12", got)
	}
}
