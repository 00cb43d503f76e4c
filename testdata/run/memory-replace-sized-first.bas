' MAXMEMORY: 100000
' REPLACE sizes its result before building it: 1,000 x's each replaced by
' 1 KiB would take 1 MB, so it fails without allocating it.
ON WEBHOOK POST TO "/t" DO
  K$ = "x" : FOR J = 1 TO 10 : K$ = K$ + K$ : NEXT
  S = LEFT(K$, 1000)
  PRINT LEN(REPLACE(S, "x", "yy"))
  T = REPLACE(S, "x", K$)
  PRINT "not reached"
END ON
