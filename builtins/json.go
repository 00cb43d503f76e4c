package builtins

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// maxJSONDepth bounds nesting: deeper documents are refused as bad requests.
const maxJSONDepth = 1000

func jsonDefs() []Def {
	path := spec("GET JSON PATH", 2, 2)
	path.PathArg = 2
	return []Def{
		{Builtin: spec("PARSE JSON", 1, 1), Fn: fnParseJSON},
		{Builtin: path, Fn: fnGetJSONPath},
		{Builtin: spec("JSON ENCODE", 1, 1), Fn: fnJSONEncode},
	}
}

// fnParseJSON validates text once; every later lookup trusts the bytes.
// Invalid JSON is the request's fault, so it answers 400. The copy it makes
// counts against the memory budget, and validating it as work.
func fnParseJSON(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	if j, ok := args[0].(runtime.JSON); ok {
		return j, nil
	}
	s := args[0].String()
	if err := th.Alloc(len(s)); err != nil {
		return nil, err
	}
	if err := th.Work(len(s)); err != nil {
		return nil, err
	}
	raw, err := validJSON([]byte(s))
	if err != nil {
		return nil, runtime.BadRequest("PARSE JSON: "+err.Error(), err)
	}
	return runtime.JSON(raw), nil
}

var (
	errBOM      = errors.New("JSON text starts with a byte-order mark")
	errUTF8     = errors.New("JSON text is not valid UTF-8")
	errSyntax   = errors.New("invalid JSON")
	errTooDeep  = errors.New("JSON nesting is deeper than 1000 levels")
	errNotJSON  = errors.New("argument 1 is not JSON")
	errNotFinit = errors.New("cannot encode a non-finite number")
)

// validJSON checks what gjson.Valid does not: encoding, BOM and depth.
func validJSON(b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return nil, errBOM
	case !utf8.Valid(b):
		return nil, errUTF8
	case !gjson.ValidBytes(b):
		return nil, errSyntax
	case depth(b) > maxJSONDepth:
		return nil, errTooDeep
	}
	return bytes.TrimSpace(b), nil
}

// depth is the deepest nesting of [ and { outside strings.
func depth(b []byte) int {
	d, deepest, inStr := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '[' || c == '{':
			d++
			deepest = max(deepest, d)
		case c == ']' || c == '}':
			d--
		}
	}
	return deepest
}

// fnGetJSONPath looks a path up in a JSON value. A literal path was compiled at
// check time; a computed one is compiled here. "" in gives "" out, so chains of
// lookups over a status-only payload yield "" instead of failing. Text is
// validated first (work in proportion to it); a lookup reads up to what it
// finds. A string it gives points into the document (JSON is immutable).
func fnGetJSONPath(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	if s, ok := args[0].(runtime.Str); ok && s == "" {
		return runtime.Empty, nil
	}
	path := site.JSONPath
	if !site.HasJSONPath {
		p, err := lang.CompileJSONPath(args[1].String())
		if err != nil {
			return nil, errors.New("malformed " + err.Error())
		}
		path = p
	}
	var r gjson.Result
	var size int
	switch v := args[0].(type) {
	case runtime.JSON:
		r, size = gjson.Get(v.View(), path), len(v) // results point into v: no copy
	case runtime.Str:
		if err := th.Work(len(v)); err != nil {
			return nil, err
		}
		if !gjson.Valid(string(v)) {
			return nil, errNotJSON
		}
		r, size = gjson.Get(string(v), path), len(v)
	default:
		return nil, errNotJSON
	}
	if err := lookupCost(th, r, size); err != nil {
		return nil, err
	}
	return runtime.FromGJSON(r), nil
}

// lookupCost counts a lookup in a document of size bytes: the part read (up
// to the result, or all of it when the path is not found) and the result's
// copies (its raw text, and its string or JSON value).
func lookupCost(th *runtime.Thread, r gjson.Result, size int) error {
	read := size
	if r.Index > 0 {
		read = r.Index + len(r.Raw)
	}
	if err := th.Work(read); err != nil {
		return err
	}
	return th.Alloc(len(r.Raw) + len(r.Str))
}

// fnJSONEncode gives JSON text: strings quoted and escaped, JSON as compact
// text. What it builds counts against the memory budget before it is built:
// exactly for JSON (the buffer and the string), and for a string its length,
// plus the escapes' growth once known.
func fnJSONEncode(th *runtime.Thread, _ *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	switch v := args[0].(type) {
	case runtime.JSON:
		if err := th.Alloc(2 * len(v)); err != nil {
			return nil, err
		}
		var b bytes.Buffer
		b.Grow(len(v))
		if err := json.Compact(&b, v); err != nil {
			return nil, err
		}
		return runtime.Str(b.String()), nil
	case runtime.Num:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, errNotFinit
		}
		return runtime.Str(v.String()), nil
	case runtime.Bool:
		if v {
			return runtime.Str("true"), nil
		}
		return runtime.Str("false"), nil
	}
	s := args[0].String()
	if err := th.Alloc(2 * (len(s) + 3)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(s) + 3)
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	if err := th.Alloc(2 * (b.Cap() - len(s) - 3)); err != nil {
		return nil, err
	}
	return runtime.Str(bytes.TrimRight(b.Bytes(), "\n")), nil
}
