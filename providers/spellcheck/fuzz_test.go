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

// FuzzVerifyBDIC: any bytes are accepted or refused without a panic, and
// an accepted file has what Chromium's Verify relies on: the signature, a
// header, and an aff header inside the file.
func FuzzVerifyBDIC(f *testing.F) {
	good := buildBDIC([]string{"bonjour", "sessctl"})
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte("BDic\x02\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00"))
	f.Add([]byte("BDic\x01\x00\x00\x00\xf8\xff\xff\xff\x00\x00\x00\x00" + string(make([]byte, 32))))
	f.Fuzz(func(t *testing.T, data []byte) {
		if VerifyBDIC(data) != nil {
			return
		}
		if len(data) <= 32 || string(data[:4]) != "BDic" {
			t.Fatalf("accepted %q", data)
		}
	})
}
