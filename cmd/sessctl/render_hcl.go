package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"

	"github.com/sessctl/sessctl/reconcile"
)

// The default plan shows a partition as the operator wrote it: HCL names
// (bypass_rules, not proxyBypassRules), lists where HCL takes lists, and
// none of the compiled bookkeeping the adapter needs (formatVersion, null
// members, the parsed parts of an origin pattern, result codes). `plan
// --verbose` and `plan --json` show the compiled Electron arguments.
//
// The names follow the configuration language (docs/language.md). A field
// or key not listed here is shown in snake_case, so a new family is never
// hidden, only spelled mechanically until it is listed.

// hclFieldNames maps a profile field to the attribute or block that sets it.
var hclFieldNames = map[string]string{
	"acceptLanguages":  "accept_languages",
	"cache":            "cache",
	"certificateRules": "certificate",
	"downloadPath":     "download_path",
	"extensions":       "extension",
	"maintenance":      "maintenance",
	"networkEmulation": "network_emulation",
	"ntlmDomains":      "ntlm_domains",
	"partition":        "partition",
	"permissions":      "permissions",
	"persistent":       "persistent",
	"preconnect":       "preconnect",
	"preloadApi":       "preload_api",
	"preloads":         "preload",
	"proxy":            "proxy",
	"serialRules":      "serial",
	"spellChecker":     "spellcheck",
	"sslConfig":        "tls",
	"userAgent":        "user_agent",
}

// hclKeyNames renames nested keys; the path is the field and the keys
// leading to the member, array levels left out.
var hclKeyNames = map[string]string{
	"proxy.proxyRules":                    "rules",
	"proxy.proxyBypassRules":              "bypass_rules",
	"proxy.pacScript":                     "pac_script",
	"networkEmulation.latency":            "latency_ms",
	"networkEmulation.downloadThroughput": "download_bps",
	"networkEmulation.uploadThroughput":   "upload_bps",
	"preconnect.numSockets":               "sockets",
	"spellChecker.dictionaryDownloadURL":  "dictionary_url",
	"preloads.filePath":                   "path",
	"preloads.id":                         "name",
	"serialRules.rules":                   "select",
	"permissions.rules":                   "rule",
	"permissions.rules.handlers":          "handler",
	"certificateRules.rules":              "certificate",
}

// hclHidden are compiled members with no counterpart in HCL.
var hclHidden = map[string]bool{
	"certificateRules.defaultCode": true,
	"certificateRules.rules.match": true,
	"certificateRules.rules.host":  true,
	"certificateRules.rules.code":  true,
	"preloads.sha256":              false, // pinned or computed: shown
}

// hclUnwrap are fields whose only member left to show is a list of
// blocks: the list is shown as the field.
var hclUnwrap = map[string]string{"certificateRules": "rules"}

// hclSources are arrays of compiled patterns shown as the strings written.
var hclSources = map[string]bool{
	"permissions.rules.origins":      true,
	"permissions.rules.externalUrls": true,
}

// hclCommaLists are comma-joined strings written as HCL lists.
var hclCommaLists = map[string]bool{
	"proxy.proxyBypassRules": true,
	"ntlmDomains":            true,
}

// hclHiddenOnCreate are fields derived from the partition's name or the
// target Electron version: noise when a partition is created.
var hclHiddenOnCreate = map[string]bool{"partition": true, "persistent": true, "preloadApi": true}

// presentAttr turns a compiled attribute change into the one the operator
// reads. ok is false when nothing of it is to be shown.
func presentAttr(a reconcile.AttrChange) (out reconcile.AttrChange, compiledOnly, ok bool) {
	if a.Action == reconcile.Create && hclHiddenOnCreate[a.Name] {
		return a, false, false
	}
	out = a
	out.Name = hclFieldName(a.Name)
	if a.Before != nil {
		out.Before = hclPresent(a.Name, a.Before)
	}
	if a.After != nil {
		out.After = hclPresent(a.Name, a.After)
	}
	compiledOnly = a.Action == reconcile.Update && !a.Reencoded && bytes.Equal(out.Before, out.After)
	return out, compiledOnly, true
}

// hclFieldName returns the HCL name of a profile field.
func hclFieldName(field string) string {
	if n, ok := hclFieldNames[field]; ok {
		return n
	}
	return snakeCase(field)
}

// hclPresent returns the value of profile field as the operator wrote it
// (see above). A value that does not decode is returned unchanged.
func hclPresent(field string, raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := decodeNode(dec)
	if err != nil {
		return raw
	}
	n = presentField(field, n)
	if n == nil {
		return json.RawMessage("null")
	}
	var b bytes.Buffer
	encodeNode(&b, n)
	return b.Bytes()
}

// presentField presents a whole field, unwrapping it when hclUnwrap says.
func presentField(field string, n *node) *node {
	if m := hclUnwrap[field]; m != "" && n.kind == 'o' {
		for i, k := range n.keys {
			if k == m {
				return presentNode(field+"."+m, n.vals[i])
			}
		}
	}
	return presentNode(field, n)
}

func presentNode(path string, n *node) *node {
	switch {
	case hclCommaLists[path] && n.kind == 's':
		var s string
		if json.Unmarshal([]byte(n.scalar), &s) == nil {
			out := &node{kind: 'a'}
			for _, part := range strings.Split(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out.vals = append(out.vals, &node{kind: 's', scalar: strconv.Quote(part)})
				}
			}
			return out
		}
	case hclSources[path] && n.kind == 'a':
		out := &node{kind: 'a'}
		for _, v := range n.vals {
			if v.kind == 'o' {
				for i, k := range v.keys {
					if k == "source" {
						out.vals = append(out.vals, v.vals[i])
					}
				}
			}
		}
		return out
	}
	switch n.kind {
	case 'a':
		out := &node{kind: 'a'}
		for _, v := range n.vals {
			if pv := presentNode(path, v); pv != nil {
				out.vals = append(out.vals, pv)
			}
		}
		return out
	case 'o':
		out := &node{kind: 'o'}
		for i, k := range n.keys {
			sub := path + "." + k
			if k == "formatVersion" || hclHidden[sub] || (n.vals[i].kind == 's' && n.vals[i].scalar == "null") {
				continue
			}
			pv := presentNode(sub, n.vals[i])
			if pv == nil {
				continue
			}
			name, ok := hclKeyNames[sub]
			if !ok {
				name = snakeCase(k)
			}
			out.keys = append(out.keys, name)
			out.vals = append(out.vals, pv)
		}
		return out
	}
	return n
}

// snakeCase turns camelCase into snake_case (dictionaryDownloadURL ->
// dictionary_download_url).
func snakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// encodeNode writes n as compact JSON, keeping key order.
func encodeNode(b *bytes.Buffer, n *node) {
	switch n.kind {
	case 's':
		b.WriteString(n.scalar)
	case 'a':
		b.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			encodeNode(b, v)
		}
		b.WriteByte(']')
	case 'o':
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := marshalNoEscape(k)
			b.Write(kb)
			b.WriteByte(':')
			encodeNode(b, n.vals[i])
		}
		b.WriteByte('}')
	}
}
