package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unsafe"

	"github.com/hashicorp/hcl/v2"
)

// flatten renders decoded partitions as sorted "name|path=value" lines,
// without ranges, so that tables can state expected values by hand.
func flatten(parts []*Partition) []string {
	var out []string
	for _, p := range parts {
		prefix := p.Name + "|"
		if len(p.Profiles) > 0 {
			out = append(out, prefix+"profiles="+strings.Join(p.Profiles, ","))
		}
		walk(prefix, reflect.ValueOf(*p), &out)
		for _, v := range famValues(p) {
			walk(prefix, v, &out)
		}
	}
	sort.Strings(out)
	return out
}

var rangeType = reflect.TypeOf(hcl.Range{})

func walk(prefix string, v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(prefix, v.Elem(), out)
		}
		return
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walk(fmt.Sprintf("%s[%d].", strings.TrimSuffix(prefix, "."), i), v.Index(i), out)
		}
		return
	case reflect.Struct:
	default:
		return
	}
	t := v.Type()
	if _, ok := t.FieldByName("Exact"); ok { // Value[T]
		if v.FieldByName("Set").Bool() {
			x := v.FieldByName("V").Interface()
			if ns, ok := x.(NumStr); ok {
				if ns.IsNumber {
					x = ns.Text
				} else {
					x = fmt.Sprintf("%q", ns.Text)
				}
				*out = append(*out, fmt.Sprintf("%s=%s", strings.TrimSuffix(prefix, "."), x))
				return
			}
			*out = append(*out, fmt.Sprintf("%s=%#v", strings.TrimSuffix(prefix, "."), x))
		}
		return
	}
	if sl, ok := v.Interface().(StringList); ok {
		if sl.Set {
			s := fmt.Sprintf("%s=%q", strings.TrimSuffix(prefix, "."), sl.Strings())
			if sl.FromString {
				s += " (string)"
			}
			*out = append(*out, s)
		}
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		if f.Type == rangeType || f.Name == "Profiles" {
			continue
		}
		switch f.Name {
		case "Name", "ID", "Host":
			if f.Type.Kind() == reflect.String {
				if prefix != "" && strings.HasSuffix(prefix, "|") {
					continue // the partition name is the line prefix
				}
				*out = append(*out, fmt.Sprintf("%s%s=%q", prefix, f.Name, fv.String()))
				continue
			}
		}
		walk(prefix+f.Name+".", fv, out)
	}
}

// stripRanges returns a deep copy of v with every hcl.Range zeroed, for
// comparing what the two syntaxes decode.
func stripRanges(v any) any {
	rv := reflect.ValueOf(v)
	cp := reflect.New(rv.Type()).Elem()
	copyStrip(cp, rv)
	return cp.Interface()
}

func copyStrip(dst, src reflect.Value) {
	if src.Type() == rangeType {
		return
	}
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		n := reflect.New(src.Elem().Type())
		copyStrip(n.Elem(), src.Elem())
		dst.Set(n)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		n := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			copyStrip(n.Index(i), src.Index(i))
		}
		dst.Set(n)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		n := reflect.New(src.Elem().Type()).Elem()
		copyStrip(n, src.Elem())
		dst.Set(n)
	case reflect.Struct:
		for i := 0; i < src.NumField(); i++ {
			copyStrip(exposed(dst.Field(i)), exposed(src.Field(i)))
		}
	default:
		dst.Set(src)
	}
}

// exposed makes an unexported field (Partition's family values) settable
// and readable.
func exposed(v reflect.Value) reflect.Value {
	if v.CanInterface() || !v.CanAddr() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// writeFiles writes name→content into a fresh directory.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// diagLines renders diagnostics as "severity: summary @line:col".
func diagLines(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		s := "error"
		if d.Severity == hcl.DiagWarning {
			s = "warning"
		}
		line := s + ": " + d.Summary
		if d.Subject != nil {
			line += fmt.Sprintf(" @%d:%d", d.Subject.Start.Line, d.Subject.Start.Column)
		}
		out = append(out, line)
	}
	return out
}

func find(parts []*Partition, name string) *Partition {
	for _, p := range parts {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func diffLines(t *testing.T, got, want []string) {
	t.Helper()
	g := map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	w := map[string]bool{}
	for _, s := range want {
		w[s] = true
	}
	for _, s := range want {
		if !g[s] {
			t.Errorf("missing: %s", s)
		}
	}
	for _, s := range got {
		if !w[s] {
			t.Errorf("unexpected: %s", s)
		}
	}
}

// outsideFamilies are the setting families without a stand-in in
// standins_test.go: schema's tests cannot import them, so the
// configurations the benchmarks generate leave them out.
var outsideFamilies = []string{"preconnect", "network_emulation", "certificate", "extension", "tls", "download_path", "ntlm_domains"}
