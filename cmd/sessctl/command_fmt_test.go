package main

import (
	"strings"
	"testing"
)

// TestFmtDiff: expected hunks produced by GNU diffutils `diff -u` on the
// same inputs.
func TestFmtDiff(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"
	b := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nL\nm\nn\n"
	want := `--- x
+++ x
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -9,5 +9,6 @@
 i
 j
 k
-l
+L
 m
+n
`
	var sb strings.Builder
	writeFmtDiff(&sb, "x", []byte(a), []byte(b))
	if sb.String() != want {
		t.Errorf("got\n%s\nwant\n%s", sb.String(), want)
	}
	sb.Reset()
	writeFmtDiff(&sb, "x", []byte(a), []byte(a))
	if sb.Len() != 0 {
		t.Errorf("diff of equal texts: %q", sb.String())
	}
}
