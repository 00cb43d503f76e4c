' A computed path that is malformed is a runtime error, 500, at the call.
ON WEBHOOK POST TO "/t" DO
  J = PARSE JSON "{""a"": [1]}"
  P$ = "a["
  PRINT GET JSON PATH J, P$
END ON
