package spellcheck

import (
	"crypto/md5"
	"encoding/hex"
	"sort"
	"unicode/utf8"
)

// Chromium's custom dictionary file (chrome/browser/spellchecker/
// spellcheck_custom_dictionary.cc @ 0e4923935ca2; docs/electron-facts.md §2).
const (
	// DictionaryFileName is kCustomDictionaryFileName, in the session's
	// storage directory.
	DictionaryFileName = "Custom Dictionary.txt"
	// MaxWordBytes is kMaxCustomDictionaryWordBytes
	// (components/spellcheck/common/spellcheck_common.h).
	MaxWordBytes = 99
	// checksumPrefix precedes the MD5 of every byte before it.
	checksumPrefix = "checksum_v1 = "
)

// CustomDictionary renders words the way Chromium saves its custom
// dictionary: the unique words in bytewise order, each followed by "\n",
// then "checksum_v1 = " and the lowercase hex MD5 of everything before the
// prefix, with no trailing newline. Callers validate words first (see
// WordProblem); invalid words would be dropped by Chromium on load.
func CustomDictionary(words []string) []byte {
	set := make(map[string]struct{}, len(words))
	uniq := make([]string, 0, len(words))
	for _, w := range words {
		if _, dup := set[w]; !dup {
			set[w] = struct{}{}
			uniq = append(uniq, w)
		}
	}
	sort.Strings(uniq) // Go compares strings bytewise, like std::set<std::string>
	var body []byte
	for _, w := range uniq {
		body = append(body, w...)
		body = append(body, '\n')
	}
	sum := md5.Sum(body)
	out := append(body, checksumPrefix...)
	return append(out, hex.EncodeToString(sum[:])...)
}

// WordProblem says why Chromium would not keep word in a custom dictionary,
// or returns "" for a valid word. Chromium's rule (IsValidWord) is: not
// empty, at most 99 bytes, valid UTF-8, no leading or trailing ASCII
// whitespace. sessctl also refuses an inner line break: the file is read
// back line by line, so such a word would come back as two words.
func WordProblem(word string) string {
	switch {
	case word == "":
		return "the word is empty"
	case !utf8.ValidString(word):
		return "the word is not valid UTF-8"
	case len(word) > MaxWordBytes:
		return "the word is " + itoa(len(word)) + " bytes long; Chromium keeps words of at most 99 bytes (UTF-8)"
	case isASCIISpace(word[0]) || isASCIISpace(word[len(word)-1]):
		return "the word starts or ends with whitespace"
	}
	for i := 0; i < len(word); i++ {
		if word[i] == '\n' || word[i] == '\r' {
			return "the word contains a line break; Chromium reads the dictionary file line by line, so it would come back as separate words"
		}
	}
	return ""
}

// isASCIISpace is base::IsAsciiWhitespace (kWhitespaceASCII: \t \n \v \f \r
// and space).
func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
