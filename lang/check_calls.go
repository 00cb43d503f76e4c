package lang

import (
	"slices"
	"strconv"
	"strings"
)

// call resolves a call to a builtin or SUB/FUNCTION and checks its arity,
// literal JSON paths and literal statuses. It reports whether the name resolved.
func (c *checker) call(call *CallExpr, asStmt bool) bool {
	if c.misspeltPhrase(call) {
		return false
	}
	for _, a := range call.Args {
		c.expr(a)
	}
	if call.words != nil {
		c.unknownName(call)
		return false
	}
	if i, ok := c.builtins[call.Name]; ok {
		call.Builtin = i
		b := c.table[i]
		if b.Stmt && !asStmt {
			c.errorf(call.P, call.Name+" gives no value")
		}
		c.arity(call, b.MinArgs, b.MaxArgs)
		c.exchangeInSchedule(call, b)
		c.literalArgs(call, b)
		return true
	}
	p, ok := c.procs[call.Name]
	if !ok && c.unparsed[call.Name] {
		return false
	}
	if !ok {
		c.errorf(call.P, "unknown name "+quote(call.Name)+hint(call.Name, c.names))
		return false
	}
	call.Proc = p
	c.calls = append(c.calls, p.Name)
	if p.Kind == KindSub && !asStmt {
		c.errorf(call.P, "SUB "+p.Name+" gives no value; call it as a statement or make it a FUNCTION")
	}
	c.arity(call, len(p.Params), len(p.Params))
	return true
}

// misspeltPhrase reports a builtin whose first argument is words nothing
// defines (a one-word builtin followed by a misspelt rest of a longer
// phrase) as one unknown name, so that the hint can name the longer phrase
// that was meant instead of the lone words.
func (c *checker) misspeltPhrase(call *CallExpr) bool {
	if _, ok := c.builtins[call.Name]; !ok || len(call.Args) == 0 {
		return false
	}
	arg, ok := call.Args[0].(*CallExpr)
	if !ok || arg.words == nil || !c.startsLongerName(call.Name) {
		return false
	}
	for _, a := range call.Args[1:] {
		c.expr(a)
	}
	for _, a := range arg.Args {
		c.expr(a)
	}
	c.unknownName(&CallExpr{P: call.P, words: append(strings.Fields(call.Name), arg.words...)})
	return true
}

// startsLongerName reports whether name is the first words of a longer call name.
func (c *checker) startsLongerName(name string) bool {
	for _, n := range c.names {
		if strings.HasPrefix(n, name+" ") {
			return true
		}
	}
	return false
}

func (c *checker) arity(call *CallExpr, lo, hi int) {
	n := len(call.Args)
	if n >= lo && (hi == Variadic || n <= hi) {
		return
	}
	var want string
	switch {
	case hi == Variadic:
		want = "at least " + plural(lo, "argument")
	case lo == hi:
		want = plural(lo, "argument")
	default:
		want = strconv.Itoa(lo) + " to " + strconv.Itoa(hi) + " arguments"
	}
	c.errorf(call.P, call.Name+" takes "+want+", got "+strconv.Itoa(n))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// literalArgs compiles a literal JSON path once, at check time, and asks the
// builtin's Literal hook about each literal argument.
func (c *checker) literalArgs(call *CallExpr, b Builtin) {
	if b.PathArg > 0 && b.PathArg <= len(call.Args) {
		if lit, ok := call.Args[b.PathArg-1].(*StrLit); ok {
			path, err := CompileJSONPath(lit.Value)
			if err != nil {
				c.errorf(lit.P, "malformed "+err.Error())
			} else {
				call.JSONPath, call.HasJSONPath = path, true
			}
		}
	}
	if b.Literal == nil {
		return
	}
	for i, a := range call.Args {
		if v, ok := literalValue(a); ok {
			if msg := b.Literal(i, v); msg != "" {
				c.errorf(a.Position(), msg)
			}
		}
	}
}

// literalValue gives the value of a string or number literal; -5 counts.
func literalValue(e Expr) (any, bool) {
	switch e := e.(type) {
	case *StrLit:
		return e.Value, true
	case *NumLit:
		return e.Value, true
	case *Unary:
		if n, ok := e.X.(*NumLit); ok && e.Op == OpNeg {
			return -n.Value, true
		}
	}
	return nil, false
}

// HealthPath is the liveness probe the server answers itself, before any
// script route; a script route there is a check error. The server should
// take the path from here.
const HealthPath = "/healthz"

var methods = []string{"DELETE", "GET", "PATCH", "POST", "PUT"}

// collectRoutes checks every handler's method, path and FROM clause, and that
// no METHOD + path is defined twice in any file. A kept file's handlers were
// checked by an earlier load (checkProgram): their routes are only counted.
func (c *checker) collectRoutes(files []*File, kept map[*File]bool) []*Handler {
	var all []*Handler
	seen := map[string]*Handler{}
	for _, f := range files {
		for _, h := range f.Handlers {
			ok := kept[f] || c.route(h)
			all = append(all, h)
			if !ok {
				continue
			}
			key := h.Method + " " + RouteKey(h.Segments)
			if prev, dup := seen[key]; dup {
				c.errorf(h.P, "duplicate route "+h.Method+" "+h.Path+" (first defined at "+prev.P.String()+")")
				continue
			}
			seen[key] = h
		}
	}
	return all
}

func (c *checker) route(h *Handler) bool {
	ok := true
	if !slices.Contains(methods, h.Method) {
		c.errorf(h.src.methodPos, "unknown method "+h.Method+hint(h.Method, methods)+"; use GET, POST, PUT, PATCH or DELETE")
		ok = false
	}
	if h.src.from != "" {
		kind, ok := fromWords[h.src.from]
		if !ok {
			c.errorf(h.src.fromPos, "unknown FROM source "+h.src.from+"; use TWILIO or WHATSAPP")
		}
		h.From = kind
	}
	segs, msg := splitPath(h.Path)
	if msg == "" && h.Path == HealthPath {
		msg = "the server answers it itself"
	}
	if msg != "" {
		c.errorf(h.src.pathPos, "bad route path "+quote(h.Path)+": "+msg)
		return false
	}
	h.Segments = segs
	return ok
}

// splitPath parses a route path into segments; ":name" captures a path value.
func splitPath(path string) ([]Segment, string) {
	if !strings.HasPrefix(path, "/") {
		return nil, "must start with /"
	}
	if path == "/" {
		return nil, ""
	}
	if strings.ContainsAny(path, "?# \t") {
		return nil, "must not contain a query, fragment or space"
	}
	var segs []Segment
	params := map[string]bool{}
	for _, s := range strings.Split(path[1:], "/") {
		switch {
		case s == "":
			return nil, "empty segment"
		case s[0] == ':':
			name := s[1:]
			if !validParam(name) {
				return nil, "bad parameter name " + quote(s)
			}
			if params[name] {
				return nil, "duplicate parameter :" + name
			}
			params[name] = true
			segs = append(segs, Segment{Text: name, Param: true})
		default:
			segs = append(segs, Segment{Text: s})
		}
	}
	return segs, ""
}

func validParam(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// RouteKey names a route path with its parameters anonymous: /a/:x and
// /a/:y are the same route.
func RouteKey(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		if s.Param {
			b.WriteByte(':')
		} else {
			b.WriteString(s.Text)
		}
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}
