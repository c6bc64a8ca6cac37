package pac

import (
	"strings"
	"unicode/utf8"
)

// idnToASCII converts a host name with non-ASCII labels to its ASCII form
// ("xn--" + punycode per label, RFC 3492), as GetHostnameArgument does with
// url::IDNToASCII before dnsResolve. Only lower-casing is applied as mapping;
// Chromium's full UTS #46 mapping (width folding, deviations) is not
// reproduced, so exotic names may be spelled differently — they then fail to
// resolve, which is what dnsResolve reports for them anyway in most setups.
func idnToASCII(host string) (string, bool) {
	if !utf8.ValidString(host) {
		return "", false
	}
	labels := strings.Split(strings.ToLower(host), ".")
	for i, l := range labels {
		if isASCII(l) {
			continue
		}
		enc, ok := punycodeEncode(l)
		if !ok {
			return "", false
		}
		labels[i] = "xn--" + enc
	}
	out := strings.Join(labels, ".")
	if len(out) > 253+1 {
		return "", false
	}
	return out, true
}

// punycodeEncode is the encoder of RFC 3492 section 6.3.
func punycodeEncode(s string) (string, bool) {
	const (
		base        = 36
		tmin        = 1
		tmax        = 26
		skew        = 38
		damp        = 700
		initialBias = 72
		initialN    = 128
	)
	runes := []rune(s)
	var out []byte
	for _, r := range runes {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	adapt := func(delta, numPoints int, first bool) int {
		if first {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / numPoints
		k := 0
		for delta > ((base-tmin)*tmax)/2 {
			delta /= base - tmin
			k += base
		}
		return k + (base-tmin+1)*delta/(delta+skew)
	}
	digit := func(d int) byte {
		if d < 26 {
			return byte('a' + d)
		}
		return byte('0' + d - 26)
	}
	n, delta, bias := initialN, 0, initialBias
	for h < len(runes) {
		m := int(^uint32(0) >> 1)
		for _, r := range runes {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		if (m-n)*(h+1) > (1<<31-1)-delta {
			return "", false // overflow
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, r := range runes {
			if int(r) < n {
				delta++
			}
			if int(r) == n {
				q := delta
				for k := base; ; k += base {
					t := k - bias
					if t < tmin {
						t = tmin
					} else if t > tmax {
						t = tmax
					}
					if q < t {
						break
					}
					out = append(out, digit(t+(q-t)%(base-t)))
					q = (q - t) / (base - t)
				}
				out = append(out, digit(q))
				bias = adapt(delta, h+1, h == b)
				delta = 0
				h++
			}
		}
		delta++
		n++
	}
	return string(out), true
}
