package lang

import (
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// scanner is the fast lexer used at load time. lexDef (lexer.go) is the
// specification: the grammar is built from it, and FuzzScannerMatchesLexDef
// pins that both produce the same tokens, positions and errors. The regexp
// lexer was a quarter of load time.
type scanner struct {
	src  string
	pos  lexer.Position
	toks []lexer.Token
	up   string // the last keyword or identifier, upper-cased by word
}

var keywordSet = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Split(keywords, "|") {
		m[k] = true
	}
	return m
}()

func isLetter(c byte) bool   { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isWordChar(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }

// scan lexes src like lexDef, dropping comments and blanks, folding names and
// keywords to upper case.
func scan(name string, src []byte) ([]lexer.Token, *Error) {
	s := &scanner{src: string(src), pos: lexer.Position{Filename: name, Line: 1, Column: 1}}
	s.toks = make([]lexer.Token, 0, len(src)/4+1)
	for s.pos.Offset < len(s.src) {
		typ, n, msg := s.next()
		if msg != "" {
			return nil, &Error{Pos: posOf(s.pos), Msg: msg}
		}
		text := s.src[s.pos.Offset : s.pos.Offset+n]
		if typ != tComment && typ != tRem && typ != tSpace { // elidedTypes
			switch typ {
			case tKeyword, tIdent:
				text = s.up
			case tStrName:
				text = strings.ToUpper(text)
			}
			s.toks = append(s.toks, lexer.Token{Type: typ, Value: text, Pos: s.pos})
		}
		s.advance(n)
	}
	s.toks = append(s.toks, lexer.EOFToken(s.pos))
	return s.toks, nil
}

// advance moves the position over n bytes, counting columns in runes.
func (s *scanner) advance(n int) {
	span := s.src[s.pos.Offset : s.pos.Offset+n]
	s.pos.Offset += n
	if i := strings.LastIndexByte(span, '\n'); i >= 0 {
		s.pos.Line += strings.Count(span, "\n")
		s.pos.Column = utf8.RuneCountInString(span[i:])
		return
	}
	s.pos.Column += utf8.RuneCountInString(span)
}

// next returns the type and byte length of the token at the current offset.
func (s *scanner) next() (lexer.TokenType, int, string) {
	rest := s.src[s.pos.Offset:]
	c := rest[0]
	switch {
	case c == '\'':
		return tComment, lineLen(rest), ""
	case c == '"' || strings.HasPrefix(rest, "“") || strings.HasPrefix(rest, "”"):
		if n := stringLen(rest); n > 0 {
			return tString, n, ""
		}
		return 0, 0, "unterminated string"
	case isLetter(c):
		return s.word(rest)
	case isDigit(c) || (c == '.' && len(rest) > 1 && isDigit(rest[1])):
		return tNumber, numberLen(rest), ""
	case c == '\n':
		return tEOL, 1, ""
	case c == '\r' && len(rest) > 1 && rest[1] == '\n':
		return tEOL, 2, ""
	case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
		n := 1
		for n < len(rest) && strings.IndexByte(" \t\r\f\v", rest[n]) >= 0 {
			n++
		}
		return tSpace, n, ""
	}
	if n := opLen(rest); n > 0 {
		return tOp, n, ""
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return 0, 0, "unexpected character " + quote(string(r))
}

// word lexes StrName, REM comments, keywords and identifiers, in that order.
func (s *scanner) word(rest string) (lexer.TokenType, int, string) {
	n := 1
	for n < len(rest) && isWordChar(rest[n]) {
		n++
	}
	if n < len(rest) && rest[n] == '$' {
		return tStrName, n + 1, ""
	}
	up := strings.ToUpper(rest[:n])
	if up == "REM" {
		return tRem, lineLen(rest), ""
	}
	s.up = up
	if keywordSet[up] {
		return tKeyword, n, ""
	}
	return tIdent, n, ""
}

func lineLen(s string) int {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return i
	}
	return len(s)
}

// stringLen measures a string literal as the regexp ["“”](?:[^"“”\n]|"")*["“”]
// does: greedy over "" pairs, backing off to the last pair's first quote when
// no closing quote follows. 0 means unterminated.
func stringLen(s string) int {
	_, open := utf8.DecodeRuneInString(s)
	i, lastPair := open, -1
	for i < len(s) {
		switch {
		case s[i] == '\n':
			return lastPair
		case s[i] == '"' && i+1 < len(s) && s[i+1] == '"':
			lastPair = i + 1
			i += 2
		case s[i] == '"':
			return i + 1
		case strings.HasPrefix(s[i:], "“") || strings.HasPrefix(s[i:], "”"):
			return i + len("“")
		default:
			i++
		}
	}
	return lastPair
}

// numberLen: (?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?
func numberLen(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

// opLen: <>|<=|>=|[-+*/^&=<>(),;:]
func opLen(s string) int {
	if len(s) > 1 && s[0] == '<' && (s[1] == '>' || s[1] == '=') || len(s) > 1 && s[0] == '>' && s[1] == '=' {
		return 2
	}
	if strings.IndexByte("-+*/^&=<>(),;:", s[0]) >= 0 {
		return 1
	}
	return 0
}
