package lang

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Pos is a place in a script: file name, 1-based line and column (in runes).
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Short is the file:line form used in script log lines (base name only).
func (p Pos) Short() string { return fmt.Sprintf("%s:%d", filepath.Base(p.File), p.Line) }

// Op is a unary or binary operator.
type Op uint8

// Operators, by precedence group.
const (
	OpOr Op = iota
	OpAnd
	OpNot
	OpEq
	OpNe
	OpLt
	OpGt
	OpLe
	OpGe
	OpAdd
	OpSub
	OpCat // &
	OpMul
	OpDiv
	OpMod
	OpNeg
	OpPow
)

var opNames = [...]string{"OR", "AND", "NOT", "=", "<>", "<", ">", "<=", ">=", "+", "-", "&", "*", "/", "MOD", "-", "^"}

func (o Op) String() string { return opNames[o] }

// Expr is an expression node.
type Expr interface {
	Position() Pos
	expr()
}

// StrLit is a string literal (already unquoted).
type StrLit struct {
	P     Pos
	Value string
}

// NumLit is a number literal.
type NumLit struct {
	P     Pos
	Value float64
}

// VarRef reads a variable; Slot indexes the frame of its handler, SUB or FUNCTION.
type VarRef struct {
	P    Pos
	Name string
	Slot int
}

// Unary is NOT x or -x.
type Unary struct {
	P  Pos
	Op Op
	X  Expr
}

// Binary is l op r.
type Binary struct {
	P    Pos
	Op   Op
	L, R Expr
}

// CallExpr calls a builtin or a SUB/FUNCTION. The checker fills the target:
// Builtin >= 0 indexes the builtin table given to Check, else Proc is set.
type CallExpr struct {
	P       Pos
	Name    string // canonical upper-case words, one space apart
	Args    []Expr
	Builtin int
	Proc    *Proc
	// JSONPath is the compiled gjson path when the builtin's path argument is a literal.
	JSONPath    string
	HasJSONPath bool

	words []string // set when no builtin or script defines the name
}

func (e *StrLit) Position() Pos   { return e.P }
func (e *NumLit) Position() Pos   { return e.P }
func (e *VarRef) Position() Pos   { return e.P }
func (e *Unary) Position() Pos    { return e.P }
func (e *Binary) Position() Pos   { return e.P }
func (e *CallExpr) Position() Pos { return e.P }
func (*StrLit) expr()             {}
func (*NumLit) expr()             {}
func (*VarRef) expr()             {}
func (*Unary) expr()              {}
func (*Binary) expr()             {}
func (*CallExpr) expr()           {}

// Stmt is a statement node.
type Stmt interface {
	Position() Pos
	stmt()
}

// Assign is [LET] name = expr.
type Assign struct {
	P    Pos
	Name string
	Slot int
	X    Expr
}

// If holds an IF with its ELSEIF arms: Conds[i] guards Blocks[i].
type If struct {
	P      Pos
	Conds  []Expr
	Blocks [][]Stmt
	Else   []Stmt
}

// For is FOR var = from TO to [STEP step] ... NEXT.
type For struct {
	P              Pos
	Var            string
	Slot           int
	From, To, Step Expr // Step may be nil (1)
	Body           []Stmt
}

// ForEach is FOR EACH var IN x ... NEXT.
type ForEach struct {
	P    Pos
	Var  string
	Slot int
	X    Expr
	Body []Stmt
}

// LoopKind tells WHILE/WEND from DO WHILE/LOOP (they answer different EXITs).
type LoopKind uint8

// Loop kinds.
const (
	LoopWhile LoopKind = iota
	LoopDo
)

// While is WHILE c ... WEND or DO WHILE c ... LOOP.
type While struct {
	P    Pos
	Kind LoopKind
	Cond Expr
	Body []Stmt
}

// Case is one CASE arm.
type Case struct {
	P      Pos
	Values []Expr
	Body   []Stmt
}

// Select is SELECT CASE x ... END SELECT.
type Select struct {
	P       Pos
	X       Expr
	Cases   []*Case
	Else    []Stmt
	HasElse bool
}

// ExitKind names what an EXIT leaves.
type ExitKind uint8

// Exit kinds.
const (
	ExitFor ExitKind = iota
	ExitWhile
	ExitDo
)

// Exit is EXIT FOR | EXIT WHILE | EXIT DO.
type Exit struct {
	P    Pos
	Kind ExitKind
}

// Return leaves the handler, SUB or FUNCTION; X is nil without a value.
type Return struct {
	P Pos
	X Expr
}

// CallStmt runs a call for its effect: SUBs, statement builtins and
// statement forms (forms.go).
type CallStmt struct {
	P    Pos
	Call *CallExpr
}

// Spawn queues a SUB to run after the response is sent.
type Spawn struct {
	P    Pos
	Call *CallExpr
}

func (s *Assign) Position() Pos   { return s.P }
func (s *If) Position() Pos       { return s.P }
func (s *For) Position() Pos      { return s.P }
func (s *ForEach) Position() Pos  { return s.P }
func (s *While) Position() Pos    { return s.P }
func (s *Select) Position() Pos   { return s.P }
func (s *Exit) Position() Pos     { return s.P }
func (s *Return) Position() Pos   { return s.P }
func (s *CallStmt) Position() Pos { return s.P }
func (s *Spawn) Position() Pos    { return s.P }
func (*Assign) stmt()             {}
func (*If) stmt()                 {}
func (*For) stmt()                {}
func (*ForEach) stmt()            {}
func (*While) stmt()              {}
func (*Select) stmt()             {}
func (*Exit) stmt()               {}
func (*Return) stmt()             {}
func (*CallStmt) stmt()           {}
func (*Spawn) stmt()              {}

// Frame describes the variables of one handler, SUB or FUNCTION: slot i holds Names[i].
// Parameters take the first slots.
type Frame struct {
	Names []string
}

// Size is the number of slots a frame needs.
func (f *Frame) Size() int { return len(f.Names) }

// Handler is ON WEBHOOK METHOD TO "path" [FROM ...] DO ... END ON.
type Handler struct {
	P        Pos
	Method   string
	Path     string
	Segments []Segment
	From     FromKind
	Body     []Stmt
	Frame    Frame

	src *handlerSrc
}

// FromKind is the sender a handler's FROM clause names, whose signature the
// server verifies before running it.
type FromKind uint8

// FROM kinds.
const (
	FromNone     FromKind = iota // no FROM clause: nothing verified
	FromTwilio                   // FROM TWILIO: X-Twilio-Signature
	FromWhatsApp                 // FROM WHATSAPP or FROM META: X-Hub-Signature-256
)

// fromWords are the words FROM accepts, to the kind each names.
var fromWords = map[string]FromKind{"TWILIO": FromTwilio, "WHATSAPP": FromWhatsApp, "META": FromWhatsApp}

// String is the kind as written after FROM ("" for none).
func (k FromKind) String() string {
	switch k {
	case FromTwilio:
		return "TWILIO"
	case FromWhatsApp:
		return "WHATSAPP"
	}
	return ""
}

// Segment is one /-separated piece of a route path; Param marks a :name capture.
type Segment struct {
	Text  string
	Param bool
}

// ProcKind is SUB or FUNCTION.
type ProcKind uint8

// Proc kinds.
const (
	KindSub ProcKind = iota
	KindFunction
)

func (k ProcKind) String() string {
	if k == KindFunction {
		return "FUNCTION"
	}
	return "SUB"
}

// Proc is a SUB or FUNCTION.
type Proc struct {
	P      Pos
	Kind   ProcKind
	Name   string
	Params []string
	Body   []Stmt
	Frame  Frame

	paramPos []Pos
}

// File is one parsed script.
type File struct {
	Name      string
	Handlers  []*Handler
	Schedules []*Schedule
	Procs     []*Proc
}

// Program is a checked set of scripts, immutable once built and shared by every request.
type Program struct {
	Files     []*File
	Handlers  []*Handler
	Schedules []*Schedule // in file order, then line order
	Procs     map[string]*Proc
	Builtins  []Builtin
}

// Counts summarises a program for `gbhook check`.
func (p *Program) Counts() (handlers, subs, functions int) {
	for _, pr := range p.Procs {
		if pr.Kind == KindFunction {
			functions++
		} else {
			subs++
		}
	}
	return len(p.Handlers), subs, functions
}

// RouteString renders a handler as METHOD path [FROM x] file:line.
func (h *Handler) RouteString() string {
	var b strings.Builder
	b.WriteString(h.Method + " " + h.Path)
	if h.From != FromNone {
		b.WriteString(" FROM " + h.From.String())
	}
	b.WriteString(" " + h.P.Short())
	return b.String()
}
