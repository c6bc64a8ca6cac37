package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/sessctl/sessctl/providers"
)

// Sensitive values (providers.Secret) live in two forms. Everywhere
// sessctl shows or keeps a profile (Desired.Fields, plans, saved plans'
// plan member, state, drift reports) a value is its token, the JSON string
// "(sensitive value, sha256:<16 hex>)". Only the profile file the adapter
// reads holds the value, as {"$sensitive":"<value>"}: revealFields makes
// that form from the tokens and the run's secrets just before the file is
// written, and redactJSON turns a profile read back from disk into the
// token form again before it is compared or recorded.

// sensitiveKey is the member of the profile-file form of a secret.
const sensitiveKey = "$sensitive"

var (
	secretTokenRE = regexp.MustCompile(`"\(sensitive value, sha256:[0-9a-f]{16}\)"`)
	// secretFileRE matches the file form in compact JSON. A '"' inside a
	// JSON string is always escaped, so `{"$sensitive":"` can only start
	// an object.
	secretFileRE = regexp.MustCompile(`\{"\$sensitive":"(?:[^"\\]|\\.)*"\}`)
)

// secretMap indexes secret values by their token (JSON-quoted).
func secretMap(values []string) map[string]string {
	if len(values) == 0 {
		return nil
	}
	m := make(map[string]string, len(values))
	for _, v := range values {
		m[string(mustJSON(providers.SecretToken(v)))] = v
	}
	return m
}

// hasTokens reports whether any field holds a secret token.
func hasTokens(fields map[string]json.RawMessage) bool {
	for _, v := range fields {
		if bytes.Contains(v, []byte("(sensitive value, sha256:")) && secretTokenRE.Match(v) {
			return true
		}
	}
	return false
}

// revealFields returns fields with every secret token replaced by the
// file form of its value. A token whose value this run does not know (a
// plan saved without it) is an error: writing the token would hand the
// app a cookie whose value is the token.
func revealFields(fields map[string]json.RawMessage, secrets map[string]string) (map[string]json.RawMessage, error) {
	if !hasTokens(fields) {
		return fields, nil
	}
	out := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		var err error
		out[k] = replaceUnescaped(v, secretTokenRE, func(tok []byte) []byte {
			val, ok := secrets[string(tok)]
			if !ok {
				err = fmt.Errorf("profile field %q holds the sensitive value %s, which this run does not know; run 'sessctl plan' again", k, tok)
				return tok
			}
			b, _ := json.Marshal(map[string]string{sensitiveKey: val})
			return b
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// redactJSON turns the file form of every secret in the JSON raw into
// its token, compacting raw when it holds one.
func redactJSON(raw json.RawMessage) json.RawMessage {
	if !bytes.Contains(raw, []byte(sensitiveKey)) {
		return raw
	}
	var c bytes.Buffer
	if json.Compact(&c, raw) != nil {
		return raw
	}
	return replaceUnescaped(c.Bytes(), secretFileRE, func(obj []byte) []byte {
		var m map[string]string
		if json.Unmarshal(obj, &m) != nil {
			return obj
		}
		return mustJSON(providers.SecretToken(m[sensitiveKey]))
	})
}

// replaceUnescaped replaces the matches of re in the JSON b that start a
// JSON token (not a quote escaped inside a string).
func replaceUnescaped(b []byte, re *regexp.Regexp, repl func([]byte) []byte) []byte {
	locs := re.FindAllIndex(b, -1)
	if len(locs) == 0 {
		return b
	}
	var out bytes.Buffer
	last := 0
	for _, l := range locs {
		bs := 0
		for i := l[0] - 1; i >= 0 && b[i] == '\\'; i-- {
			bs++
		}
		if bs%2 == 1 {
			continue
		}
		out.Write(b[last:l[0]])
		out.Write(repl(b[l[0]:l[1]]))
		last = l[1]
	}
	out.Write(b[last:])
	return out.Bytes()
}
