package spellcheck

import (
	"crypto/md5"
	"encoding/binary"
	"sort"
)

// buildBDIC writes a small Hunspell dictionary in Chromium's BDIC format,
// written for these tests from the format description in
// third_party/hunspell/google/bdict.h @ 11792108ac3e (no code of
// Chromium's bdict_writer.cc is used): a 32-byte header ("BDic", major 2,
// minor 0, the aff and dic offsets, the MD5 of everything from the aff
// section to the end), an aff section (four uint32 offsets, an empty
// comment, an empty affix group table, an empty affix rules table, an
// empty replacements table, an empty "other rules" table), and a dic trie
// of the words with no affixes: a list node with 8-bit offsets per level
// (at most 16 children, which the short word lists here respect) and a
// 2-byte leaf (affix index 0) where a word ends.
func buildBDIC(words []string) []byte {
	const headerLen = 32
	var aff []byte
	u32 := func(b []byte, v int) []byte { return binary.LittleEndian.AppendUint32(b, uint32(v)) }
	// Offsets are absolute: the aff section starts right after the header.
	affStart := headerLen
	groups := affStart + 16
	rules := groups + 2 // "\0\0": no affix group
	rep := rules + 1    // "\0": no rule line
	other := rep + 2    // "\0\0": no replacement pair
	dicStart := other + 1
	aff = u32(aff, groups)
	aff = u32(aff, rules)
	aff = u32(aff, rep)
	aff = u32(aff, other)
	aff = append(aff, 0, 0, 0, 0, 0, 0)

	ws := append([]string(nil), words...)
	sort.Strings(ws)
	dic := trie(ws, 0)

	body := append(aff, dic...)
	sum := md5.Sum(body)
	var out []byte
	out = append(out, "BDic"...)
	out = binary.LittleEndian.AppendUint16(out, 2)
	out = binary.LittleEndian.AppendUint16(out, 0)
	out = u32(out, affStart)
	out = u32(out, dicStart)
	out = append(out, sum[:]...)
	return append(out, body...)
}

// trie encodes the sorted words (all sharing their first depth bytes).
func trie(words []string, depth int) []byte {
	if len(words) == 1 && len(words[0]) == depth {
		return []byte{0, 0} // leaf, affix index 0, no additional string
	}
	// Children by next byte; a word ending here is the 0 byte.
	type child struct {
		c    byte
		node []byte
	}
	var kids []child
	for i := 0; i < len(words); {
		var c byte
		if len(words[i]) > depth {
			c = words[i][depth]
		}
		j := i
		for j < len(words) && ((len(words[j]) > depth && words[j][depth] == c) || (len(words[j]) == depth && c == 0)) {
			j++
		}
		var node []byte
		if c == 0 {
			node = []byte{0, 0}
		} else {
			node = trie(words[i:j], depth+1)
		}
		kids = append(kids, child{c, node})
		i = j
	}
	out := []byte{0xE0 | byte(len(kids))}
	off := 0
	for _, k := range kids {
		out = append(out, k.c, byte(off))
		off += len(k.node)
	}
	for _, k := range kids {
		out = append(out, k.node...)
	}
	return out
}
