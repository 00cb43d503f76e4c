package lang

import (
	"strconv"
	"strings"
)

// dump renders a checked program as indented S-expressions: a stable text form
// for golden tests.
func dump(p *Program) string {
	var b strings.Builder
	for _, f := range p.Files {
		for _, h := range f.Handlers {
			b.WriteString("(on " + h.Method + " " + strconv.Quote(h.Path))
			if h.From != FromNone {
				b.WriteString(" from " + h.From.String())
			}
			b.WriteString(" vars" + names(h.Frame.Names) + "\n")
			dumpStmts(&b, h.Body, 1)
			b.WriteString(")\n")
		}
		for _, pr := range f.Procs {
			b.WriteString("(" + strings.ToLower(pr.Kind.String()) + " " + strconv.Quote(pr.Name) + " params" + names(pr.Params) + " vars" + names(pr.Frame.Names) + "\n")
			dumpStmts(&b, pr.Body, 1)
			b.WriteString(")\n")
		}
	}
	return b.String()
}

func names(list []string) string {
	return "[" + strings.Join(list, " ") + "]"
}

func dumpStmts(b *strings.Builder, list []Stmt, depth int) {
	for _, s := range list {
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(stmtString(s, depth))
		b.WriteString("\n")
	}
}

func block(list []Stmt, depth int) string {
	var b strings.Builder
	b.WriteString("\n")
	dumpStmts(&b, list, depth+1)
	b.WriteString(strings.Repeat("  ", depth))
	return b.String()
}

func stmtString(s Stmt, d int) string {
	switch s := s.(type) {
	case *Assign:
		return "(let " + s.Name + "@" + strconv.Itoa(s.Slot) + " " + exprString(s.X) + ")"
	case *If:
		out := "(if"
		for i, c := range s.Conds {
			out += " " + exprString(c) + " (then" + block(s.Blocks[i], d) + ")"
		}
		if s.Else != nil {
			out += " (else" + block(s.Else, d) + ")"
		}
		return out + ")"
	case *For:
		step := "1"
		if s.Step != nil {
			step = exprString(s.Step)
		}
		return "(for " + s.Var + "@" + strconv.Itoa(s.Slot) + " " + exprString(s.From) + " " + exprString(s.To) + " " + step + block(s.Body, d) + ")"
	case *ForEach:
		return "(foreach " + s.Var + "@" + strconv.Itoa(s.Slot) + " " + exprString(s.X) + block(s.Body, d) + ")"
	case *While:
		kw := "while"
		if s.Kind == LoopDo {
			kw = "do-while"
		}
		return "(" + kw + " " + exprString(s.Cond) + block(s.Body, d) + ")"
	case *Select:
		out := "(select " + exprString(s.X)
		for _, c := range s.Cases {
			out += " (case"
			for _, v := range c.Values {
				out += " " + exprString(v)
			}
			out += block(c.Body, d) + ")"
		}
		if s.HasElse {
			out += " (else" + block(s.Else, d) + ")"
		}
		return out + ")"
	case *Exit:
		return "(exit " + exitNames[s.Kind] + ")"
	case *Return:
		if s.X == nil {
			return "(return)"
		}
		return "(return " + exprString(s.X) + ")"
	case *CallStmt:
		return exprString(s.Call)
	case *Spawn:
		return "(spawn " + exprString(s.Call) + ")"
	}
	return "(?)"
}

// exprString renders an expression as an S-expression, e.g. (- (- 10 4) 3).
func exprString(e Expr) string {
	switch e := e.(type) {
	case *StrLit:
		return strconv.Quote(e.Value)
	case *NumLit:
		return strconv.FormatFloat(e.Value, 'g', -1, 64)
	case *VarRef:
		return e.Name + "@" + strconv.Itoa(e.Slot)
	case *Unary:
		return "(" + e.Op.String() + " " + exprString(e.X) + ")"
	case *Binary:
		return "(" + e.Op.String() + " " + exprString(e.L) + " " + exprString(e.R) + ")"
	case *CallExpr:
		out := "(call " + strconv.Quote(e.Name)
		if e.HasJSONPath {
			out += " path=" + strconv.Quote(e.JSONPath)
		}
		for _, a := range e.Args {
			out += " " + exprString(a)
		}
		return out + ")"
	}
	return "?"
}
