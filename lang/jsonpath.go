package lang

import (
	"errors"
	"strings"

	"github.com/tidwall/gjson"
)

// CompileJSONPath turns a script's JSON path (entry[0].changes[0].value or
// entry.0.changes.0.value) into a gjson path in which every key is escaped, so
// that no key can act as a gjson modifier, wildcard or query.
func CompileJSONPath(path string) (string, error) {
	if path == "" {
		return "", errors.New(`JSON path "": empty path`)
	}
	var out strings.Builder
	seg := 0 // segments written so far
	emit := func(s string) {
		if seg > 0 {
			out.WriteByte('.')
		}
		out.WriteString(s)
		seg++
	}
	i := 0
	for i < len(path) {
		switch path[i] {
		case '[':
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return "", errors.New("JSON path " + quote(path) + ": unclosed [")
			}
			idx := path[i+1 : i+end]
			if !isIndex(idx) {
				return "", errors.New("JSON path " + quote(path) + ": index " + quote(idx) + " is not a whole number >= 0")
			}
			emit(idx)
			i += end + 1
			if i < len(path) && path[i] != '.' && path[i] != '[' {
				return "", errors.New("JSON path " + quote(path) + ": expected . or [ after ]")
			}
			if i < len(path) && path[i] == '.' {
				i++
				if i == len(path) {
					return "", errors.New("JSON path " + quote(path) + ": empty segment")
				}
			}
		default:
			end := strings.IndexAny(path[i:], ".[")
			if end < 0 {
				end = len(path) - i
			}
			key := path[i : i+end]
			if key == "" {
				return "", errors.New("JSON path " + quote(path) + ": empty segment")
			}
			emit(gjson.Escape(key))
			i += end
			if i < len(path) && path[i] == '.' {
				i++
				if i == len(path) {
					return "", errors.New("JSON path " + quote(path) + ": empty segment")
				}
			}
		}
	}
	return out.String(), nil
}

func isIndex(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quote renders text for a message the way a script writes a string.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
