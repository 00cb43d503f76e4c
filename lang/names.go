package lang

import (
	"slices"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// phrase is a call name split into words, with whether it takes no arguments.
type phrase struct {
	words []string
	name  string // the words joined by spaces, once
	noArg bool
}

// phraseTable maps a first word to the phrases it starts, longest first.
type phraseTable map[string][]phrase

func (pt phraseTable) add(name string, noArg bool) {
	words := strings.Fields(name)
	if len(words) == 0 {
		return
	}
	list := pt[words[0]]
	for i, p := range list {
		if slices.Equal(p.words, words) {
			list[i].noArg = list[i].noArg && noArg
			return
		}
	}
	// Longest first, equal lengths in the order added. (Every load adds each
	// SUB and FUNCTION; hundreds may share a first word.)
	at := len(list)
	for at > 0 && len(list[at-1].words) < len(words) {
		at--
	}
	pt[words[0]] = slices.Insert(list, at, phrase{words: words, name: strings.Join(words, " "), noArg: noArg})
}

// procHeader is what the name pass learns from a SUB/FUNCTION line.
type procHeader struct {
	name   string
	params int
}

// scanHeaders finds SUB and FUNCTION headers in a token stream. Names are global,
// so every file is scanned before any is parsed. The rule for bare parameter
// lists: the last word before the first comma is the first parameter; with no
// comma and no parentheses, a final word ending in $ is the one parameter.
func scanHeaders(toks []lexer.Token) []procHeader {
	var out []procHeader
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		if t.Type != tKeyword || (t.Value != "SUB" && t.Value != "FUNCTION") {
			continue
		}
		if i > 0 && !isSep(&toks[i-1]) {
			continue // END SUB, EXIT FUNCTION...
		}
		var words []string
		j := i + 1
		for ; j < len(toks) && (toks[j].Type == tIdent || toks[j].Type == tStrName); j++ {
			words = append(words, toks[j].Value)
		}
		next := &toks[min(j, len(toks)-1)]
		emptyParens := j+1 < len(toks) && toks[j+1].Value == ")" && toks[j+1].Type == tOp
		if h, ok := splitHeader(words, next, emptyParens); ok {
			out = append(out, h)
		}
	}
	return out
}

func splitHeader(words []string, next *lexer.Token, emptyParens bool) (procHeader, bool) {
	if len(words) == 0 {
		return procHeader{}, false
	}
	switch {
	case next.Type == tOp && next.Value == "(":
		if emptyParens {
			return procHeader{name: strings.Join(words, " ")}, true
		}
		return procHeader{name: strings.Join(words, " "), params: 1}, true
	case next.Type == tOp && next.Value == ",":
		if len(words) < 2 {
			return procHeader{}, false
		}
		return procHeader{name: strings.Join(words[:len(words)-1], " "), params: 2}, true
	case len(words) > 1 && strings.HasSuffix(words[len(words)-1], "$"):
		return procHeader{name: strings.Join(words[:len(words)-1], " "), params: 1}, true
	}
	return procHeader{name: strings.Join(words, " "), params: 0}, true
}

// mergeCalls rewrites each run of words that spells a known call name (the
// longest one) into a single CallName token (CallName0 for names that take no
// arguments), and marks a "(" that directly follows a name as CallParen.
func mergeCalls(toks []lexer.Token, pt phraseTable) []lexer.Token {
	out := toks[:0] // in place: the write index never passes the read index
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if isWord(&t) {
			if p, n := longestPhrase(toks[i:], pt); n > 0 {
				t.Type = tCallName
				if p.noArg {
					t.Type = tCallName0
				}
				t.Value = p.name
				last := toks[i+n-1]
				i += n - 1
				t = withEnd(t, last) // adjacency to "(" is measured from the last word
			}
		}
		out = append(out, t)
	}
	markCallParens(out)
	return out
}

// withEnd keeps the start position of t but remembers where its last word ends.
func withEnd(t, last lexer.Token) lexer.Token {
	t.Pos = lexer.Position{Filename: t.Pos.Filename, Offset: last.Pos.Offset + len(last.Value), Line: t.Pos.Line, Column: t.Pos.Column}
	return t
}

func longestPhrase(toks []lexer.Token, pt phraseTable) (phrase, int) {
	for _, p := range pt[toks[0].Value] {
		if len(p.words) > len(toks) {
			continue
		}
		ok := true
		for k, w := range p.words {
			if !isWord(&toks[k]) || toks[k].Value != w {
				ok = false
				break
			}
		}
		if ok {
			return p, len(p.words)
		}
	}
	return phrase{}, 0
}

// markCallParens retags "(" written directly after a name (no space) so that
// NAME(A$) is a parenthesised call while NAME (A$) + 1 passes (A$) + 1.
func markCallParens(toks []lexer.Token) {
	for i := 1; i < len(toks); i++ {
		t, prev := &toks[i], &toks[i-1]
		if t.Type != tOp || t.Value != "(" {
			continue
		}
		end := prev.Pos.Offset
		switch prev.Type {
		case tCallName, tCallName0:
			// Offset already holds the end of the last word.
			if takesExpr(prev.Value) {
				continue // a form taking an expression: "(" opens one
			}
		case tIdent:
			end += len(prev.Value)
		default:
			continue
		}
		if t.Pos.Offset == end {
			t.Type = tCallParen
		}
	}
}
