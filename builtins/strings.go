package builtins

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// stringDefs are the classic BASIC string and math functions plus the two
// escaping helpers. They are pure functions of their arguments (NOW aside),
// so they also run in spawned SUBs; the thread only counts what they read
// and allocate against the run's budgets.
func stringDefs() []Def {
	return []Def{
		{Builtin: spec("LEN", 1, 1), Fn: fnLen},
		{Builtin: spec("LEFT", 2, 2), Fn: fnLeft},
		{Builtin: spec("RIGHT", 2, 2), Fn: fnRight},
		{Builtin: spec("MID", 2, 3), Fn: fnMid},
		{Builtin: spec("UCASE", 1, 1), Fn: strFunc(strings.ToUpper, sameLen)},
		{Builtin: spec("LCASE", 1, 1), Fn: strFunc(strings.ToLower, sameLen)},
		{Builtin: spec("TRIM", 1, 1), Fn: strFunc(strings.TrimSpace, noAlloc)},
		{Builtin: spec("REPLACE", 3, 3), Fn: fnReplace},
		{Builtin: spec("INSTR", 2, 3), Fn: fnInstr},
		{Builtin: spec("STR", 1, 1), Fn: fnStr},
		{Builtin: spec("VAL", 1, 1), Fn: fnVal},
		{Builtin: spec("INT", 1, 1), Fn: numFunc("INT", math.Floor)},
		{Builtin: spec("ROUND", 1, 2), Fn: fnRound},
		{Builtin: spec("ABS", 1, 1), Fn: numFunc("ABS", math.Abs)},
		{Builtin: spec("NOW", 0, 0), Fn: fnNow},
		{Builtin: spec("XML ESCAPE", 1, 1), Fn: xmlEscape.Builtin(), Map: xmlEscape},
		{Builtin: spec("URL ENCODE", 1, 1), Fn: urlEncode.Builtin(), Map: urlEncode},
	}
}

// toNumber converts args[i] of builtin name to a number by runtime.ToNumber,
// the one coercion. Anything else is an error naming the argument (i is
// 0-based, the message counts from 1 as a script writer does).
func toNumber(name string, i int, v runtime.Value) (float64, error) {
	if f, ok := runtime.ToNumber(v); ok {
		return f, nil
	}
	return 0, fmt.Errorf("%s: argument %d must be a number, got %s", name, i+1, runtime.Describe(v))
}

// toInt converts args[i] to an integer, truncating toward zero (LEFT(s, 2.9)
// is LEFT(s, 2)). Values beyond ±2^31 are clamped: every string is shorter
// than that, so clamping never changes a result, and it keeps the arithmetic
// of callers free of overflow.
func toInt(name string, i int, v runtime.Value) (int, error) {
	f, err := toNumber(name, i, v)
	if err != nil {
		return 0, err
	}
	switch {
	case math.IsNaN(f):
		return 0, fmt.Errorf("%s: argument %d must be a number, got NaN", name, i+1)
	case f >= math.MaxInt32:
		return math.MaxInt32, nil
	case f <= math.MinInt32:
		return math.MinInt32, nil
	}
	return int(f), nil
}

// byteIndex gives the byte offset of the n-th code point of s (0-based),
// clamped to len(s). An invalid byte counts as one character and is kept,
// so cutting never rewrites bytes the script did not ask to change.
func byteIndex(s string, n int) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// strFunc lifts a string-to-string function into a one-argument builtin.
// size gives the bytes f will allocate for s, which count against the
// memory budget before f runs; reading s counts as work.
func strFunc(f func(string) string, size func(string) int) runtime.BuiltinFunc {
	return func(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
		s := args[0].String()
		if err := th.Work(len(s)); err != nil {
			return nil, err
		}
		if err := th.Alloc(size(s)); err != nil {
			return nil, err
		}
		out := f(s)
		if in, ok := args[0].(runtime.Str); ok && out == string(in) {
			return args[0], nil // unchanged: no new box
		}
		return runtime.Str(out), nil
	}
}

func sameLen(s string) int { return len(s) }

func noAlloc(string) int { return 0 }

// scanned counts reading s as work: for builtins that only look at s.
func scanned(th *runtime.Thread, s string) error { return th.Work(len(s)) }

// numFunc lifts a number-to-number function into a one-argument builtin.
func numFunc(name string, f func(float64) float64) runtime.BuiltinFunc {
	return func(_ *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
		x, err := toNumber(name, 0, args[0])
		if err != nil {
			return nil, err
		}
		return runtime.Num(f(x)), nil
	}
}

func fnLen(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	s := args[0].String()
	if err := scanned(th, s); err != nil {
		return nil, err
	}
	return runtime.Num(utf8.RuneCountInString(s)), nil
}

// argLength reads a count argument, which must not be negative.
func argLength(name string, i int, v runtime.Value) (int, error) {
	n, err := toInt(name, i, v)
	if err == nil && n < 0 {
		err = fmt.Errorf("%s: length must be >= 0, got %d", name, n)
	}
	return n, err
}

func fnLeft(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	s := args[0].String()
	n, err := argLength("LEFT", 1, args[1])
	if err != nil {
		return nil, err
	}
	if err := th.Work(min(n*utf8.UTFMax, len(s))); err != nil {
		return nil, err
	}
	return runtime.Str(s[:byteIndex(s, n)]), nil
}

func fnRight(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	s := args[0].String()
	n, err := argLength("RIGHT", 1, args[1])
	if err != nil {
		return nil, err
	}
	if err := scanned(th, s); err != nil {
		return nil, err
	}
	total := utf8.RuneCountInString(s)
	if n >= total {
		return runtime.Str(s), nil
	}
	return runtime.Str(s[byteIndex(s, total-n):]), nil
}

// argStart reads a 1-based start position, which must be at least 1.
func argStart(name string, i int, v runtime.Value) (int, error) {
	n, err := toInt(name, i, v)
	if err == nil && n < 1 {
		err = fmt.Errorf("%s: start must be >= 1, got %d", name, n)
	}
	return n, err
}

// fnMid is MID(s, start[, n]): n characters from start, or the rest of s.
// A start beyond the end gives "".
func fnMid(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	s := args[0].String()
	from, err := argStart("MID", 1, args[1])
	if err != nil {
		return nil, err
	}
	if err := scanned(th, s); err != nil {
		return nil, err
	}
	rest := s[byteIndex(s, from-1):]
	if len(args) < 3 {
		return runtime.Str(rest), nil
	}
	n, err := argLength("MID", 2, args[2])
	if err != nil {
		return nil, err
	}
	return runtime.Str(rest[:byteIndex(rest, n)]), nil
}

// fnInstr is INSTR([start,] s, find): the 1-based position of find in s at
// or after start, or 0. An empty find is found at start itself, as long as
// start is within s or just past its end.
func fnInstr(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	from := 1
	if len(args) == 3 {
		var err error
		if from, err = argStart("INSTR", 0, args[0]); err != nil {
			return nil, err
		}
		args = args[1:]
	}
	s, find := args[0].String(), args[1].String()
	if err := scanned(th, s); err != nil {
		return nil, err
	}
	if from-1 > utf8.RuneCountInString(s) {
		return runtime.Num(0), nil
	}
	b := byteIndex(s, from-1)
	idx := strings.Index(s[b:], find)
	if idx < 0 {
		return runtime.Num(0), nil
	}
	return runtime.Num(from + utf8.RuneCountInString(s[b:b+idx])), nil
}

// fnReplace sizes its result before building it: REPLACE(S, "x", LONG$)
// can ask for far more memory than S holds.
func fnReplace(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	s, find, with := args[0].String(), args[1].String(), args[2].String()
	if find == "" {
		// strings.ReplaceAll would insert with between every character.
		return runtime.Str(s), nil
	}
	if err := scanned(th, s); err != nil {
		return nil, err
	}
	n := strings.Count(s, find)
	if n == 0 {
		return runtime.Str(s), nil
	}
	size := int64(len(s)) + int64(n)*(int64(len(with))-int64(len(find)))
	if err := th.Alloc(int(min(size, 1<<40))); err != nil { // no int overflow on 32 bits
		return nil, err
	}
	return runtime.Str(strings.Replace(s, find, with, n)), nil
}

func fnStr(_ *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	x, err := toNumber("STR", 0, args[0])
	if err != nil {
		return nil, err
	}
	return runtime.Str(runtime.FormatNumber(x)), nil
}

// fnVal never fails: text that does not start with a number reads as 0.
func fnVal(_ *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	if n, ok := args[0].(runtime.Num); ok {
		return n, nil
	}
	f, _ := runtime.LeadingNumber(args[0].String())
	return runtime.Num(f), nil
}

func fnRound(_ *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	x, err := toNumber("ROUND", 0, args[0])
	if err != nil {
		return nil, err
	}
	digits := 0
	if len(args) == 2 {
		if digits, err = toInt("ROUND", 1, args[1]); err != nil {
			return nil, err
		}
	}
	return runtime.Num(roundHalfAway(x, digits)), nil
}

// roundHalfAway rounds x to digits decimal places (negative: to tens,
// hundreds...), half away from zero. It rounds the shortest decimal text of
// x, the number the script printed and the user sees, not its binary
// value: ROUND(1.005, 2) is 1.01 although the double 1.005 is a bit less.
func roundHalfAway(x float64, digits int) float64 {
	switch {
	case x == 0 || math.IsNaN(x) || math.IsInf(x, 0) || digits > 400:
		return x // 400 places is past the last digit of any double
	case digits < -400:
		return 0
	}
	e := strconv.FormatFloat(math.Abs(x), 'e', -1, 64) // "d.ddde±XX"
	i := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	mant := strings.Replace(e[:i], ".", "", 1) // |x| = 0.mant × 10^(exp+1)
	keep := exp + 1 + digits                   // significant digits kept
	switch {
	case keep >= len(mant):
		return x
	case keep < 0:
		return 0
	}
	kept := []byte("0" + mant[:keep]) // leading 0 takes a carry out of 9s
	if mant[keep] >= '5' {
		for j := len(kept) - 1; ; j-- {
			if kept[j] < '9' {
				kept[j]++
				break
			}
			kept[j] = '0'
		}
	}
	r, _ := strconv.ParseFloat(string(kept)+"e"+strconv.Itoa(exp+1-keep), 64)
	if x < 0 && r != 0 {
		r = -r // ROUND(-0.4) stays +0, never -0
	}
	return r
}

func fnNow(_ *runtime.Thread, _ *lang.CallExpr, _ []runtime.Value) (runtime.Value, error) {
	return runtime.Str(time.Now().UTC().Format(time.RFC3339)), nil
}

// xmlEscaper makes text safe inside TwiML elements and attributes alike.
var xmlEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// xmlEscape is XML ESCAPE, a text mapping: inside a string being built its
// result is written straight into the string (runtime.TextMap).
var xmlEscape = &runtime.TextMap{Size: xmlEscapedSize, Put: xmlPut}

// xmlEscapedSize is the length of s escaped, and whether that is s.
func xmlEscapedSize(s string) (int, bool) {
	n := xmlEscapedLen(s)
	return n, n == len(s)
}

// xmlPut writes s escaped into dst, as xmlEscaper.Replace makes it.
func xmlPut(dst []byte, s string) int {
	off, from := 0, 0
	for i := 0; i < len(s); i++ {
		if xmlGrowth[s[i]] == 0 {
			continue
		}
		off += copy(dst[off:], s[from:i])
		off += copy(dst[off:], xmlEntity[s[i]])
		from = i + 1
	}
	return off + copy(dst[off:], s[from:])
}

// xmlEntity is what xmlEscaper puts for each special byte.
var xmlEntity = [256]string{'&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&quot;", '\'': "&apos;"}

// xmlGrowth is how many bytes xmlEscaper adds for each byte.
var xmlGrowth = [256]uint8{
	'&': uint8(len("&amp;") - 1), '<': uint8(len("&lt;") - 1), '>': uint8(len("&gt;") - 1),
	'"': uint8(len("&quot;") - 1), '\'': uint8(len("&apos;") - 1),
}

// xmlEscapedLen is the length of xmlEscaper.Replace(s). It looks at 8
// bytes a step (the last step overlapping the one before it; a text of up
// to 24 bytes in one go), and sums the growths byte by byte only from the
// first step with a special byte: most texts have none.
func xmlEscapedLen(s string) int {
	i := 0
	switch last := len(s) - 8; {
	case last < 0:
	case last <= 16:
		m := xmlSpecials(xmlWord(s[:8])) | xmlSpecials(xmlWord(s[last:]))
		if last > 8 {
			m |= xmlSpecials(xmlWord(s[8:16]))
		}
		if m == 0 {
			return len(s)
		}
	default:
		for ; xmlSpecials(xmlWord(s[i:i+8])) == 0; i += 8 {
			if i == last {
				return len(s)
			}
			i = min(i, last-8) // the next step ends the text
		}
	}
	n := len(s)
	for ; i < len(s); i++ {
		n += int(xmlGrowth[s[i]])
	}
	return n
}

// xmlWord is the 8 bytes of b as one word, b[0] lowest.
func xmlWord(b string) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// xmlSpecials is not 0 when any of the 8 bytes of x is one that
// xmlEscaper replaces: a byte is & or ' when it is 0x27 with its low bit
// set, < or > when 0x3E with bit 1 set, or ".
func xmlSpecials(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	a, b, c := (x|ones)^(0x27*ones), (x|2*ones)^(0x3E*ones), x^(0x22*ones)
	// (v - ones) &^ v & highs is not 0 when a byte of v is 0.
	return ((a-ones)&^a | (b-ones)&^b | (c-ones)&^c) & highs
}

func urlUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// urlEncode is query escaping as the dialect pins it: space is '+', and each
// byte outside [A-Za-z0-9-_.~] is %XX in upper case (UTF-8 bytes one by one).
// A text mapping, as XML ESCAPE is.
var urlEncode = &runtime.TextMap{Size: urlEncodedSize, Put: urlPut}

// urlEncodedSize is the length of s encoded, and whether that is s.
func urlEncodedSize(s string) (int, bool) {
	n, same := len(s), true
	for i := 0; i < len(s); i++ {
		if c := s[i]; !urlUnreserved(c) {
			same = false
			if c != ' ' {
				n += 2
			}
		}
	}
	return n, same
}

// urlPut writes s encoded into dst.
func urlPut(dst []byte, s string) int {
	const hex = "0123456789ABCDEF"
	off := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case urlUnreserved(c):
			dst[off] = c
			off++
		case c == ' ':
			dst[off] = '+'
			off++
		default:
			dst[off], dst[off+1], dst[off+2] = '%', hex[c>>4], hex[c&15]
			off += 3
		}
	}
	return off
}
