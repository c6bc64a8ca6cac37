package providers

import (
	"errors"
	"path/filepath"
	"testing"
)

// Every example of docs/electron-facts.md §1 / docs/electron-facts.md
// partitions.examples, plus the charmap edges of base::EscapePath
// (kPathCharmap in base/strings/escape.cc @ 0e4923935ca2).
func TestMakePartitionName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"MyApp", "myapp"},
		{"foo bar", "foo%20bar"},
		{"a:b", "a%3Ab"},
		{"über", "%C3%BCber"}, // non-ASCII escaped byte by byte, not lowercased
		{"ÜBER", "%C3%9Cber"}, // ToLowerASCII leaves Ü alone
		{"50%", "50%25"},
		{"x#y?z", "x%23y%3Fz"},
		{"a/b", "a/b"},
		{"..", ".."},
		{"Foo", "foo"},
		// kPathCharmap escapes control bytes, DEL and  "#%:<>?[\]^`{|}
		{"\x00\x1f\x7f", "%00%1F%7F"},
		{`"<>[\]^` + "`{|}", "%22%3C%3E%5B%5C%5D%5E%60%7B%7C%7D"},
		// ...and keeps these, including * and / and .
		{"!$&'()*+,-./;=@_~", "!$&'()*+,-./;=@_~"},
	} {
		if got := MakePartitionName(tc.in); got != tc.want {
			t.Errorf("MakePartitionName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPartitionDir(t *testing.T) {
	const sd = "/home/u/.config/App"
	for _, tc := range []struct {
		part, want string
		err        bool
	}{
		{"", sd, false},
		{"persist:", sd, false}, // same key as the default session (facts §1)
		{"persist:MyApp", sd + "/Partitions/myapp", false},
		{"persist:foo bar", sd + "/Partitions/foo%20bar", false},
		{"persist:a:b", sd + "/Partitions/a%3Ab", false},
		{"persist:über", sd + "/Partitions/%C3%BCber", false},
		{"persist:50%", sd + "/Partitions/50%25", false},
		{"persist:x#y?z", sd + "/Partitions/x%23y%3Fz", false},
		{"persist:a/b", sd + "/Partitions/a/b", false}, // nested, as Electron does
		{"persist:Foo", sd + "/Partitions/foo", false},
		{"persist:..", "", true},      // Electron: the sessionData root itself
		{"persist:a/../..", "", true}, // climbs out
		{"persist:../x", "", true},    // sibling of Partitions
		{"persist:.", "", true},       // Partitions itself
		{"persist:a/..", "", true},    // Partitions itself
		{"persist:/", "", true},       // Partitions itself
	} {
		got, err := PartitionDir(sd, tc.part)
		if tc.err {
			if err == nil {
				t.Errorf("PartitionDir(%q) = %q, want an error", tc.part, got)
			}
			continue
		}
		if err != nil || got != filepath.FromSlash(tc.want) {
			t.Errorf("PartitionDir(%q) = %q, %v; want %q", tc.part, got, err, tc.want)
		}
	}
	for _, p := range []string{"work", "Persist:x", "persistent"} {
		if _, err := PartitionDir(sd, p); !errors.Is(err, ErrInMemoryPartition) {
			t.Errorf("PartitionDir(%q) error = %v, want ErrInMemoryPartition", p, err)
		}
	}
	if _, err := PartitionDir("relative/dir", "persist:x"); err == nil {
		t.Error("relative sessionData accepted")
	}
}
