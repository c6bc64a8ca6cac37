package extension

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Manifest checks that reproduce what Chromium's unpacked-extension loader
// rejects (extensions/common/file_util.cc LoadManifest and LoadExtension,
// extension.cc LoadManifestVersion/LoadName/LoadVersion @ 0180b3d45194;
// messages from extensions/common/manifest_constants.h, electron-facts §3).
const (
	errManifestUnreadable = "Manifest file is missing or unreadable"
	errManifestParse      = "Manifest is not valid JSON."
	errManifestInvalid    = "Manifest file is invalid"
	errMissingMV          = "Missing 'manifest_version' key. Its value must be an integer either 2 or 3. See developer.chrome.com/extensions/manifestVersion for details."
	errInvalidMV          = "Invalid value for 'manifest_version'. Must be an integer either 2 or 3. See developer.chrome.com/extensions/manifestVersion for details."
	errInvalidName        = "Required value 'name' is missing or invalid."
	// errLocalesTreeMissing is kLocalesTreeMissing (DefaultLocaleHandler
	// validation, after the manifest parsed).
	errLocalesTreeMissing = "Default locale was specified, but _locales subtree is missing."
	errInvalidVersion     = "Required value 'version' is missing or invalid. It must be between 1-4 dot-separated integers each between 0 and 65536."
	// warnMV2 is kManifestV2IsDeprecatedWarning of the stored
	// manifest_constants.h (code-index id 415330309).
	warnMV2 = "Manifest version 2 is deprecated, and support will be removed in 2024. See https://developer.chrome.com/docs/extensions/develop/migrate/mv2-deprecation-timeline for details."
)

// Manifest is what sessctl needs from an extension's manifest.json.
type Manifest struct {
	Name            string
	Version         string // base::Version::GetString form ("1.02" -> "1.2")
	ManifestVersion int
	Key             string
	HasKey          bool
	// DefaultLocale is "default_locale" when it is a string.
	DefaultLocale string
	// Warnings are Chromium's install warnings for this manifest.
	Warnings []string
}

// ParseManifest parses manifest.json bytes with the JSON dialect Chromium
// uses for manifests (JSONFileValueDeserializer's default
// JSON_PARSE_CHROMIUM_EXTENSIONS: // and /* */ comments, raw newlines in
// strings and \xNN escapes are accepted; trailing commas are not) and
// checks it in Chromium's order. The error text is Chromium's, for the
// first problem Chromium would report. The extension ID is checked too
// (ComputeExtensionID runs before the manifest keys): a bad "key" fails
// with Chromium's "Value 'key' is missing or invalid.".
func ParseManifest(data []byte) (*Manifest, error) {
	dict, err := decodeManifest(data)
	if err != nil {
		return nil, err
	}
	m := &Manifest{}
	if k, present := dict["key"]; present {
		s, isStr := k.(string)
		if !isStr {
			return nil, errors.New(InvalidKeyError)
		}
		if _, err := IDFromKey(s); err != nil {
			return nil, err
		}
		m.Key, m.HasKey = s, true
	}
	// LoadManifestVersion: a present key must be an int (JSON "3.0" is a
	// double); a missing key counts as version 1. Extensions need 2 or 3;
	// higher versions load with a warning.
	mv := 1
	if v, present := dict["manifest_version"]; present {
		n, isInt := jsonInt(v)
		if !isInt {
			return nil, errors.New(errInvalidMV)
		}
		mv = n
		if mv < 2 {
			return nil, errors.New(errInvalidMV)
		}
	} else {
		return nil, errors.New(errMissingMV)
	}
	m.ManifestVersion = mv
	switch {
	case mv == 2:
		m.Warnings = append(m.Warnings, warnMV2)
	case mv > 3:
		m.Warnings = append(m.Warnings, fmt.Sprintf("The maximum currently-supported manifest version is 3, but this is %d.  Certain features may not work as expected.", mv))
	}
	name, _ := dict["name"].(string)
	if name == "" {
		return nil, errors.New(errInvalidName)
	}
	m.Name = name
	vs, isStr := dict["version"].(string)
	if !isStr {
		return nil, errors.New(errInvalidVersion)
	}
	v, ok := ParseVersion(vs)
	if !ok {
		return nil, errors.New(errInvalidVersion)
	}
	m.Version = v
	m.DefaultLocale, _ = dict["default_locale"].(string)
	return m, nil
}

// decodeManifest parses manifest.json bytes into a JSON object, with
// Chromium's messages for unparseable input and non-object roots.
func decodeManifest(data []byte) (map[string]any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // the parser skips a UTF-8 BOM
	if !utf8.Valid(data) {
		return nil, errors.New(errManifestParse + "  Unsupported encoding. JSON must be UTF-8.")
	}
	std, err := chromiumJSONToStd(data)
	if err != nil {
		return nil, errors.New(errManifestParse + "  " + err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(std))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, errors.New(errManifestParse + "  " + describeJSONError(std, err))
	}
	if dec.More() {
		return nil, errors.New(errManifestParse + "  Unexpected data after root element.")
	}
	dict, ok := root.(map[string]any)
	if !ok {
		return nil, errors.New(errManifestInvalid)
	}
	return dict, nil
}

// ManifestID returns the ID Chromium assigns to the unpacked extension at
// dir whose manifest.json holds data: the key's ID when the manifest has a
// "key" (Chromium's "Value 'key' is missing or invalid." when it is not
// usable), else the ID of the path string dir. Only the JSON and the key
// are checked (ComputeExtensionID runs before the other manifest checks);
// ParseManifest reports the rest.
func ManifestID(dir string, data []byte) (id string, fromKey bool, err error) {
	dict, err := decodeManifest(data)
	if err != nil {
		return "", false, err
	}
	k, present := dict["key"]
	if !present {
		return IDForPath(dir), false, nil
	}
	s, isStr := k.(string)
	if !isStr {
		return "", false, ErrInvalidKey
	}
	id, err = IDFromKey(s)
	return id, err == nil, err
}

// jsonInt reports whether a decoded JSON number is what base::JSONReader
// stores as an int: no fraction or exponent, within int32.
func jsonInt(v any) (int, bool) {
	num, ok := v.(json.Number)
	if !ok || strings.ContainsAny(string(num), ".eE") {
		return 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// ParseVersion is base::Version's parser plus Extension::LoadVersion's
// limit of 4 components: 1 to 4 dot-separated unsigned 32-bit decimal
// integers, no sign, no leading zero in the first component. It returns
// the canonical form Chromium reports (Version::GetString), in which later
// components lose their leading zeros.
func ParseVersion(s string) (string, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return "", false
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		if p == "" {
			return "", false
		}
		for j := 0; j < len(p); j++ {
			if p[j] < '0' || p[j] > '9' {
				return "", false
			}
		}
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return "", false
		}
		out[i] = strconv.FormatUint(n, 10)
		if i == 0 && out[i] != p {
			return "", false
		}
	}
	return strings.Join(out, "."), true
}

// chromiumJSONToStd rewrites Chromium's JSON extensions into standard JSON:
// comments become spaces, raw CR/LF inside strings become escapes and
// \xNN becomes \u00NN.
func chromiumJSONToStd(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in))
	line := 1
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '\n':
			line++
			out = append(out, c)
		case c == '"':
			out = append(out, c)
			for i++; ; i++ {
				if i >= len(in) {
					return nil, fmt.Errorf("Line: %d, Unterminated string.", line)
				}
				c = in[i]
				if c == '"' {
					out = append(out, c)
					break
				}
				switch c {
				case '\n':
					line++
					out = append(out, '\\', 'n')
				case '\r':
					out = append(out, '\\', 'r')
				case '\\':
					if i+1 < len(in) && in[i+1] == 'x' {
						if i+3 >= len(in) || !isHex(in[i+2]) || !isHex(in[i+3]) {
							return nil, fmt.Errorf("Line: %d, Invalid escape sequence.", line)
						}
						out = append(out, '\\', 'u', '0', '0', in[i+2], in[i+3])
						i += 3
						continue
					}
					out = append(out, c)
					if i+1 < len(in) {
						i++
						out = append(out, in[i])
					}
				default:
					out = append(out, c)
				}
			}
		case c == '/' && i+1 < len(in) && in[i+1] == '/':
			for i < len(in) && in[i] != '\n' {
				i++
			}
			i-- // let the loop see the newline
			out = append(out, ' ')
		case c == '/' && i+1 < len(in) && in[i+1] == '*':
			end := bytes.Index(in[i+2:], []byte("*/"))
			if end < 0 {
				return nil, fmt.Errorf("Line: %d, Unterminated comment.", line)
			}
			for _, cc := range in[i : i+2+end+2] {
				if cc == '\n' {
					line++
					out = append(out, '\n')
				}
			}
			out = append(out, ' ')
			i += 2 + end + 1
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// describeJSONError renders a Go JSON error with the line and column of the
// offset, in the shape of Chromium's "Line: L, column: C, message".
func describeJSONError(doc []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(doc)) {
		return err.Error()
	}
	before := doc[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("Line: %d, column: %d, %s.", line, col, err.Error())
}
