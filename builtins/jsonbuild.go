package builtins

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/gbhook/gbhook/lang"
	"github.com/gbhook/gbhook/runtime"
)

// jsonBuildDefs: JSON SET json, path, value and JSON APPEND json, path, value
// (DIALECT §10). Paths are GET JSON PATH's, compiled at check time when
// literal; they reach sjson only through sjsonPath, never as script text.
func jsonBuildDefs() []Def {
	set := spec("JSON SET", 3, 3)
	set.PathArg = 2
	app := spec("JSON APPEND", 3, 3)
	app.PathArg = 2
	return []Def{
		{Builtin: set, Fn: fnJSONSet},
		{Builtin: app, Fn: fnJSONAppend},
	}
}

// fnJSONSet gives a new JSON value with value at path; the input is not changed.
func fnJSONSet(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	base, gpath, raw, err := buildArgs(site, args)
	if err != nil {
		return nil, err
	}
	return setRaw(th, site.Name, base, sjsonPath(gpath), raw)
}

// fnJSONAppend appends value to the array at path, creating the array when
// the path is missing or null.
func fnJSONAppend(th *runtime.Thread, site *lang.CallExpr, args []runtime.Value) (runtime.Value, error) {
	base, gpath, raw, err := buildArgs(site, args)
	if err != nil {
		return nil, err
	}
	if err := th.Work(len(base)); err != nil {
		return nil, err
	}
	cur := gjson.GetBytes(base, gpath)
	switch {
	case !cur.Exists() || cur.Type == gjson.Null:
		return setRaw(th, site.Name, base, sjsonPath(gpath), append(append([]byte{'['}, raw...), ']'))
	case cur.IsArray():
		return setRaw(th, site.Name, base, sjsonPath(gpath)+".-1", raw)
	}
	return nil, fmt.Errorf("%s: the value at %s is not an array", site.Name, `"`+strings.ReplaceAll(args[1].String(), `"`, `""`)+`"`)
}

// buildArgs reads the document, the compiled path and the value's JSON text.
func buildArgs(site *lang.CallExpr, args []runtime.Value) (base []byte, gpath string, raw []byte, err error) {
	base, err = buildBase(args[0])
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", site.Name, err)
	}
	gpath = site.JSONPath
	if !site.HasJSONPath {
		if gpath, err = lang.CompileJSONPath(strings.ToValidUTF8(args[1].String(), "\uFFFD")); err != nil {
			return nil, "", nil, errors.New("malformed " + err.Error())
		}
	}
	raw, err = jsonText(args[2])
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", site.Name, err)
	}
	return base, gpath, raw, nil
}

var errNotContainer = errors.New("argument 1 is not a JSON object or array")

// buildBase is the document to build on: "" starts from {}, a string is read
// as JSON text, and the result must be an object or an array.
func buildBase(v runtime.Value) ([]byte, error) {
	var b []byte
	switch x := v.(type) {
	case runtime.JSON:
		b = x
	case runtime.Str:
		if x == "" {
			return []byte("{}"), nil
		}
		raw, err := validJSON([]byte(x))
		if err != nil {
			return nil, errNotContainer
		}
		b = raw
	default:
		return nil, errNotContainer
	}
	if t := bytes.TrimSpace(b); len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return nil, errNotContainer
	}
	return b, nil
}

// jsonText is a value as JSON: a string quoted, a number as a number, a
// boolean as true/false, a JSON value as it is.
func jsonText(v runtime.Value) ([]byte, error) {
	switch x := v.(type) {
	case runtime.JSON:
		return x, nil
	case runtime.Num:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, errNotFinit
		}
		return []byte(x.String()), nil
	case runtime.Bool:
		if x {
			return []byte("true"), nil
		}
		return []byte("false"), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(strings.ToValidUTF8(v.String(), "\uFFFD")); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// setRaw runs sjson on a copy, accounting the new document first.
func setRaw(th *runtime.Thread, name string, base []byte, path string, raw []byte) (runtime.Value, error) {
	if err := th.Alloc(len(base) + len(raw) + len(path)); err != nil {
		return nil, err
	}
	out, err := sjson.SetRawBytes(base, path, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, err.Error())
	}
	if extra := len(out) - len(base) - len(raw) - len(path); extra > 0 {
		if err := th.Alloc(extra); err != nil { // array padding: a[5] on [] adds nulls
			return nil, err
		}
	}
	return runtime.JSON(out), nil
}

// sjsonPath turns a compiled gjson path (keys escaped with \) into sjson's
// syntax: an all-digit segment stays bare (an index in an array, a key in an
// object, as GET JSON PATH reads it); every other key is forced to be a key
// with a leading ':' and has each punctuation byte escaped, so that no key
// can act as sjson's append (-1), force (:) or wildcard syntax.
func sjsonPath(gpath string) string {
	var out, seg strings.Builder
	first := true
	flush := func() {
		if !first {
			out.WriteByte('.')
		}
		first = false
		s := seg.String()
		seg.Reset()
		if isDigits(s) {
			out.WriteString(s)
			return
		}
		out.WriteByte(':')
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < 0x80 && !isWordChar(c) {
				out.WriteByte('\\')
			}
			out.WriteByte(c)
		}
	}
	for i := 0; i < len(gpath); i++ {
		switch c := gpath[i]; {
		case c == '\\' && i+1 < len(gpath):
			i++
			seg.WriteByte(gpath[i])
		case c == '.':
			flush()
		default:
			seg.WriteByte(c)
		}
	}
	flush()
	return out.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isWordChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
