package lang

// Expressions arrive as AST already (exprparse.go); these keep the
// converter's shape uniform.

func (c *converter) expr(g *gExpr) Expr { return g.X }

func (c *converter) arg(g *gArg) Expr { return g.X }
