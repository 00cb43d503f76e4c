package lang

// testTable stands in for the host's builtin table in lang's own tests; the
// real table (package builtins) is checked against the same scripts there.
var testTable = []Builtin{
	{Name: "PRINT", MinArgs: 0, MaxArgs: Variadic, Stmt: true, Exchange: true},
	{Name: "LOG", MinArgs: 1, MaxArgs: 1, Stmt: true},
	{Name: "SEND MAIL", MinArgs: 3, MaxArgs: 3, Stmt: true},
	{Name: "SEND WHATSAPP", MinArgs: 2, MaxArgs: 2, Stmt: true},
	{Name: "SET RESPONSE HEADER", MinArgs: 2, MaxArgs: 2, Stmt: true},
	{Name: "SET RESPONSE STATUS", MinArgs: 1, MaxArgs: 1, Stmt: true},
	{Name: "GET FORM VALUE", MinArgs: 1, MaxArgs: 1, Exchange: true},
	{Name: "GET QUERY VALUE", MinArgs: 1, MaxArgs: 1},
	{Name: "GET ENV", MinArgs: 1, MaxArgs: 1},
	{Name: "GET REQUEST BODY", MinArgs: 0, MaxArgs: 0},
	{Name: "PARSE JSON", MinArgs: 1, MaxArgs: 1},
	{Name: "GET JSON PATH", MinArgs: 2, MaxArgs: 2, PathArg: 2},
	{Name: "LEN", MinArgs: 1, MaxArgs: 1},
	{Name: "MID", MinArgs: 2, MaxArgs: 3},
	{Name: "NOW", MinArgs: 0, MaxArgs: 0},
	{Name: "LLM", MinArgs: 1, MaxArgs: 1},
	{Name: "VAL", MinArgs: 1, MaxArgs: 1},
	{Name: "JSON ENCODE", MinArgs: 1, MaxArgs: 1},
}
