package runtime

import (
	"math"
	"strconv"
	"strings"
)

// FormatNumber gives a number's text exactly as JavaScript's
// Number.prototype.toString does (ECMAScript Number::toString, radix 10):
// the shortest digits that round-trip, in plain decimal notation when
// 1e-6 <= |x| < 1e21 and in exponent form ("1e+21", "1.5e-7") otherwise.
// The dialect pins number printing to this so that two implementations agree.
func FormatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0" // also -0, as in JavaScript
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	digits, n := shortestDigits(f)
	return sign + layoutDigits(digits, n)
}

// shortestDigits gives the shortest round-trip decimal digits of f > 0 and n,
// the position of the decimal point: f = 0.digits × 10^n.
func shortestDigits(f float64) (string, int) {
	// 'e' with precision -1 gives "d.ddde±XX" with the shortest digits.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	i := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	digits := strings.Replace(e[:i], ".", "", 1)
	return digits, exp + 1
}

// layoutDigits places the decimal point as ECMAScript Number::toString steps
// 6 to 10 do, given k = len(digits) significant digits and point position n.
func layoutDigits(digits string, n int) string {
	k := len(digits)
	switch {
	case k <= n && n <= 21:
		return digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return "0." + strings.Repeat("0", -n) + digits
	}
	exp := n - 1
	expSign := "+"
	if exp < 0 {
		expSign, exp = "-", -exp
	}
	mant := digits[:1]
	if k > 1 {
		mant += "." + digits[1:]
	}
	return mant + "e" + expSign + strconv.Itoa(exp)
}

// ParseNumber reads the whole of s, spaces around it ignored, as a decimal
// number: optional sign, digits with an optional fraction (".5" and "5." are
// fine), optional exponent. Anything else, including "", hex, "Inf" and
// "NaN", is not a number: comparisons and numeric conversions must not
// accept what a user would not call a number. A literal too large for
// float64 reads as ±Inf.
func ParseNumber(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	n := ScanNumber(t)
	if n == 0 || n != len(t) {
		return 0, false
	}
	return parseScanned(t)
}

// LeadingNumber reads the number at the start of s after leading spaces, as
// classic BASIC's VAL does ("12abc" is 12); ok is false when there is none.
func LeadingNumber(s string) (float64, bool) {
	t := strings.TrimLeft(s, " \t\r\n\v\f")
	n := ScanNumber(t)
	if n == 0 {
		return 0, false
	}
	return parseScanned(t[:n])
}

// parseScanned parses text ScanNumber accepted whole. strconv only fails
// there with ErrRange, whose ±Inf or 0 result is the one we want.
func parseScanned(t string) (float64, bool) {
	f, _ := strconv.ParseFloat(t, 64)
	return f, true
}

// ScanNumber gives the byte length of the longest decimal number at the start
// of s (sign, digits, fraction, exponent), or 0 when s does not start with
// one. An exponent marker without digits ("1e", "1e+") is not consumed.
func ScanNumber(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intDigits := countDigits(s[i:])
	i += intDigits
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		fracDigits = countDigits(s[i+1:])
		if intDigits > 0 || fracDigits > 0 {
			i += 1 + fracDigits
		}
	}
	if intDigits == 0 && fracDigits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if d := countDigits(s[j:]); d > 0 {
			i = j + d
		}
	}
	return i
}

// countDigits counts the ASCII digits at the start of s.
func countDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
