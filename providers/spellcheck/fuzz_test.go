package spellcheck

import "testing"

func FuzzLanguages(f *testing.F) {
	f.Add("en-us")
	f.Add("af-ZA")
	f.Add("\xff-")
	f.Fuzz(func(t *testing.T, code string) {
		if stored, ok := Normalize(code); ok {
			if again, ok2 := Normalize(stored); !ok2 || again != stored {
				t.Fatalf("Normalize(%q) = %q is not stable", code, stored)
			}
		}
		if s := Closest(code); s != "" {
			if _, ok := Normalize(s); !ok {
				t.Fatalf("Closest(%q) = %q is not valid", code, s)
			}
		}
	})
}
