// Package usbid parses the 16-bit USB identifiers (vendor and product IDs,
// HID usage pages) that device families write as a number (9025) or a
// string holding a hex number with "0x" ("0x2341") or a decimal number
// ("9025").
package usbid

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Syntax is the detail of every parse error.
const Syntax = `A USB ID is a number (9025) or a string holding a hex number with "0x" ("0x2341") or a decimal number ("9025"), from 0 to 65535 (0xFFFF).`

// Parse validates a 16-bit ID written as a number or string. ok is false
// when the attribute is unset or invalid (then diags holds a located
// error). A four-digit string of decimal digits is read as decimal and
// warned about with decimalCode: lsusb and data sheets print IDs in hex
// without "0x", so "2341" may be meant as 0x2341.
func Parse(v schema.Value[schema.NumStr], attr string, decimalCode warning.Code) (n uint16, ok bool, diags hcl.Diagnostics) {
	if !v.Set {
		return 0, false, nil
	}
	text := v.V.Text
	n, problem, hex, isHex := parse(text, v.V.IsNumber, attr)
	if problem != "" {
		return 0, false, hcl.Diagnostics{providers.Errorf(v.Range, Syntax, "%s", problem)}
	}
	if isHex {
		diags = hcl.Diagnostics{providers.Warnf(decimalCode, v.Range,
			fmt.Sprintf("A string of digits is read as a decimal number: %q is %d (0x%04x). If you copied it from lsusb or a data sheet it is hex: write \"0x%s\" (= %d). To mean decimal without this warning, write the number unquoted (%d).", text, n, n, text, hex, n),
			"%s %q is read as decimal %d", attr, text, n)}
	}
	return n, true, diags
}

// ParseString reads an ID given on the command line, written as in HCL
// strings ("0x1050" or "4176").
func ParseString(s, what string) (uint16, error) {
	n, problem, _, _ := parse(s, false, what)
	if problem != "" {
		return 0, fmt.Errorf("%s. %s", problem, Syntax)
	}
	return n, nil
}

// parse returns the ID, or a problem; hex and isHex say that a four-digit
// decimal string also reads as the hex number hex.
func parse(text string, isNumber bool, attr string) (n uint16, problem string, hex uint64, isHex bool) {
	var u uint64
	var err error
	switch {
	case isNumber:
		f, ferr := strconv.ParseFloat(text, 64)
		if ferr != nil || f != math.Trunc(f) || f < 0 {
			return 0, fmt.Sprintf("%s %s is not a whole number from 0 to 65535", attr, text), 0, false
		}
		if f > 0xFFFF {
			return 0, fmt.Sprintf("%s %s is out of range (0-65535, 0xFFFF)", attr, text), 0, false
		}
		return uint16(f), "", 0, false
	case strings.HasPrefix(text, "0x") || strings.HasPrefix(text, "0X"):
		h := text[2:]
		if h == "" || strings.Trim(h, "0123456789abcdefABCDEF") != "" {
			return 0, fmt.Sprintf("%s %q is not a hex number", attr, text), 0, false
		}
		u, err = strconv.ParseUint(h, 16, 64)
		if err != nil || u > 0xFFFF {
			return 0, fmt.Sprintf("%s %q is out of range (0x0000-0xFFFF)", attr, text), 0, false
		}
	case text != "" && strings.Trim(text, "0123456789") == "":
		u, err = strconv.ParseUint(text, 10, 64)
		if err != nil || u > 0xFFFF {
			return 0, fmt.Sprintf("%s %q is out of range (0-65535)", attr, text), 0, false
		}
		if len(text) == 4 {
			if hx, herr := strconv.ParseUint(text, 16, 64); herr == nil && hx != u {
				return uint16(u), "", hx, true
			}
		}
	case text != "" && strings.Trim(text, "0123456789abcdefABCDEF") == "":
		return 0, fmt.Sprintf("%s %q looks like hex without \"0x\"; write \"0x%s\"", attr, text, text), 0, false
	default:
		return 0, fmt.Sprintf("%s %q is not a number", attr, text), 0, false
	}
	return uint16(u), "", 0, false
}
