package lang

import (
	"strconv"

	"github.com/alecthomas/participle/v2/lexer"
)

// opener is a block-opening statement waiting for its closer.
type opener struct {
	kind string // ON, SUB, FUNCTION, IF, FOR, WHILE, DO, SELECT
	name string // FOR's variable, or "EACH" text for messages
	pos  Pos
	each bool
}

var closerOf = map[string]string{
	"ON": "END ON", "SUB": "END SUB", "FUNCTION": "END FUNCTION", "IF": "END IF",
	"FOR": "NEXT", "WHILE": "WEND", "DO": "LOOP", "SELECT": "END SELECT",
}

func (o opener) label() string {
	switch {
	case o.kind == "ON" && o.name == "SCHEDULE":
		return "ON SCHEDULE"
	case o.kind == "ON":
		return "ON WEBHOOK"
	case o.each:
		return "FOR EACH"
	}
	return o.kind
}

// checkStructure matches block openers with closers before parsing, so that a
// block left open is reported at the line that opened it rather than at the end
// of the file, and NEXT J closing FOR I is caught. Each top-level block is
// checked alone, as it is parsed alone (topBlocks).
func checkStructure(toks []lexer.Token) ErrorList {
	var errs ErrorList
	for _, blk := range topBlocks(toks) {
		errs = append(errs, checkBlockStructure(blk)...)
	}
	return errs
}

func checkBlockStructure(blk tokCursor) ErrorList {
	toks := blk.toks
	var errs ErrorList
	var stack []opener
	closeKind := func(kind string, at *lexer.Token, label string) {
		for d := len(stack) - 1; d >= 0; d-- {
			if stack[d].kind != kind {
				continue
			}
			for _, o := range stack[d+1:] {
				errs = append(errs, &Error{Pos: o.pos, Msg: o.label() + " without " + closerOf[o.kind]})
			}
			stack = stack[:d]
			return
		}
		if topLevel[kind] && len(stack) > 0 && topLevel[stack[0].kind] {
			// END SUB closing a FUNCTION: one message, and the file-level block ends here.
			o := stack[0]
			errs = append(errs, &Error{Pos: posOf(at.Pos), Msg: label + " closes " + o.label() + " (opened at line " + strconv.Itoa(o.pos.Line) + ")"})
			stack = stack[:0]
			return
		}
		errs = append(errs, &Error{Pos: posOf(at.Pos), Msg: label + " without " + openerLabel(kind)})
	}
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		if t.Type != tKeyword || (i > 0 && !isSep(&toks[i-1])) {
			continue
		}
		next := blk.at(i + 1)
		switch t.Value {
		case "ON", "SUB", "FUNCTION", "WHILE", "DO", "SELECT":
			stack = append(stack, opener{kind: t.Value, pos: posOf(t.Pos), name: next.Value})
		case "IF":
			if isBlockIf(blk, i) {
				stack = append(stack, opener{kind: "IF", pos: posOf(t.Pos)})
			}
		case "FOR":
			o := opener{kind: "FOR", pos: posOf(t.Pos), name: next.Value}
			if next.Type == tKeyword && next.Value == "EACH" {
				o.each = true
				o.name = blk.at(i + 2).Value
			}
			stack = append(stack, o)
		case "END":
			if next.Type == tKeyword && closerOf[next.Value] == "END "+next.Value {
				closeKind(next.Value, t, "END "+next.Value)
			}
		case "NEXT":
			if (next.Type == tIdent || next.Type == tStrName) && len(stack) > 0 {
				if top := stack[len(stack)-1]; top.kind == "FOR" && top.name != next.Value {
					errs = append(errs, &Error{Pos: posOf(next.Pos),
						Msg: "NEXT " + next.Value + " closes " + top.label() + " " + top.name + " (opened at line " + strconv.Itoa(top.pos.Line) + ")"})
					swapForNames(stack, next.Value, top.name)
				}
			}
			closeKind("FOR", t, "NEXT")
		case "WEND":
			closeKind("WHILE", t, "WEND")
		case "LOOP":
			closeKind("DO", t, "LOOP")
		}
	}
	for _, o := range stack {
		errs = append(errs, &Error{Pos: o.pos, Msg: o.label() + " without " + closerOf[o.kind]})
	}
	return errs
}

var topLevel = map[string]bool{"ON": true, "SUB": true, "FUNCTION": true}

// swapForNames lets crossed loops (NEXT I before NEXT J) give one message:
// the outer FOR named by the early NEXT now expects the inner variable.
func swapForNames(stack []opener, named, inner string) {
	for d := len(stack) - 2; d >= 0 && stack[d].kind == "FOR"; d-- {
		if stack[d].name == named {
			stack[d].name = inner
			return
		}
	}
}

func openerLabel(kind string) string {
	if kind == "ON" {
		return "ON WEBHOOK"
	}
	return kind
}

// isBlockIf reports whether the IF at token i of blk ends its line right after THEN.
func isBlockIf(blk tokCursor, i int) bool {
	for ; ; i++ {
		t := blk.at(i)
		if t.EOF() || t.Type == tEOL {
			return false
		}
		if t.Type == tKeyword && t.Value == "THEN" {
			n := blk.at(i + 1)
			return n.EOF() || n.Type == tEOL
		}
	}
}
